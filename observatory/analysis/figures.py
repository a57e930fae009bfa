"""Figure builders for the analyses: data in, a matplotlib ``Figure`` out (nothing is saved here).

The runner (:mod:`.runners`) saves each figure as SVG and PNG inside
``matplotlib.rc_context(observatory.fonts.use_cjk_font({}))``, so Chinese labels are drawn with the
packaged Noto Sans SC; these builders never choose a font themselves.

Deterministic output: every builder returns a :class:`DeterministicFigure`, whose ``savefig`` fixes
``svg.hashsalt`` (the ids of clip paths and glyphs in the SVG) and drops the creation date from the
metadata, so the same data give the same SVG bytes on every run. Figures are built with the
object-oriented API (no pyplot state, no GUI backend), and are readable with 15 or more categories:
horizontal bars grow with the number of rows, legends sit outside the axes, and colours come from a
20-colour qualitative palette.

Builders
--------
``brokerage_bar``   stacked horizontal bars of the five Gould–Fernandez roles of the top brokers
``ripley_l_plot``   L(r) − r with the simulation envelope under complete spatial randomness
``mca_map``         MCA factor map (dimensions 1–2): rows by cluster, categories annotated
``km_plot``         Kaplan–Meier step curves with their confidence bands
``per_year_plot``   foundings (up) and closings (down) per year, stacked by kind
``counts_bar``      counts per division (province, prefecture), largest first
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = [
    "ROLE_LABELS",
    "DeterministicFigure",
    "brokerage_bar",
    "counts_bar",
    "km_plot",
    "mca_map",
    "per_year_plot",
    "ripley_l_plot",
]

#: Salt of the ids matplotlib writes into SVG files (random per run when unset).
SVG_HASHSALT = "observatory"

#: Gould–Fernandez roles, in the order of :func:`observatory.analysis.network.brokerage`, with
#: bilingual legend labels.
ROLE_LABELS = {
    "coordinator": "coordinator 协调者",
    "itinerant": "itinerant 顾问",
    "representative": "representative 代表",
    "gatekeeper": "gatekeeper 守门人",
    "liaison": "liaison 联络者",
}
_ROLE_COLOURS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3"]


class DeterministicFigure(Figure):
    """A Figure whose saved bytes depend only on its content (fixed SVG hash salt, no dates)."""

    def savefig(self, fname, *args, **kwargs):
        fmt = kwargs.get("format")
        if fmt is None and isinstance(fname, str | PurePath):
            fmt = PurePath(fname).suffix.lstrip(".").lower() or None
        fmt = (fmt or matplotlib.rcParams["savefig.format"]).lower()
        if fmt == "svg":
            kwargs["metadata"] = {"Date": None, **(kwargs.get("metadata") or {})}
        elif fmt == "pdf":
            kwargs["metadata"] = {"CreationDate": None, "ModDate": None, **(kwargs.get("metadata") or {})}
        with matplotlib.rc_context({"svg.hashsalt": SVG_HASHSALT}):
            return super().savefig(fname, *args, **kwargs)


def _figure(width: float, height: float) -> DeterministicFigure:
    return DeterministicFigure(figsize=(width, height), layout="constrained")


def _palette(n: int) -> list:
    cmap = matplotlib.colormaps["tab20" if n > 10 else "tab10"]
    return [cmap(i % cmap.N) for i in range(n)]


def _empty(fig: Figure, ax, message: str) -> Figure:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    return fig


def brokerage_bar(roles_df: pd.DataFrame, labels: Mapping | None = None, top: int = 15) -> Figure:
    """Stacked horizontal bars of the five brokerage roles for the ``top`` brokers by total.

    ``roles_df`` is the frame of :func:`observatory.analysis.network.brokerage` (or
    ``brokerage_counts``): indexed by node, with the role columns and ``total``. ``labels`` maps a
    node to its display name (Chinese names are drawn as given); nodes without a label show their id.
    Ties in the total are broken by the node label so that the order is stable.
    """
    labels = labels or {}
    roles = list(ROLE_LABELS)
    frame = roles_df[roles].astype(float)
    total = roles_df["total"].astype(float) if "total" in roles_df else frame.sum(axis=1)
    names = pd.Series([str(labels.get(node) or node) for node in roles_df.index], index=roles_df.index)
    order = pd.DataFrame({"total": total, "name": names}).sort_values(["total", "name"], ascending=[False, True])
    chosen = order[order["total"] > 0].head(top).index
    fig = _figure(8.0, 1.2 + 0.38 * max(len(chosen), 3))
    ax = fig.add_subplot()
    if len(chosen) == 0:
        return _empty(fig, ax, "no open two-path: no actor brokers")
    data = frame.loc[chosen].iloc[::-1]  # largest at the top
    y = np.arange(len(data))
    left = np.zeros(len(data))
    for role, colour in zip(roles, _ROLE_COLOURS, strict=True):
        values = data[role].to_numpy()
        ax.barh(y, values, left=left, color=colour, label=ROLE_LABELS[role], height=0.72)
        left += values
    ax.set_yticks(y, [names[node] for node in data.index])
    ax.set_xlabel("brokered ordered pairs (Gould–Fernandez)")
    ax.set_title(f"Brokerage roles of the top {len(data)} brokers")
    ax.legend(loc="lower right", fontsize="small", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def ripley_l_plot(r, L, envelope_lo, envelope_hi, title: str) -> Figure:
    """L(r) − r against r with the pointwise envelope of simulations under complete spatial
    randomness (also shown as L − r). Above the envelope: clustering at that distance; below: regularity."""
    r = np.asarray(r, dtype=float)
    L, lo, hi = (np.asarray(v, dtype=float) for v in (L, envelope_lo, envelope_hi))
    fig = _figure(6.4, 4.4)
    ax = fig.add_subplot()
    ax.fill_between(r, lo - r, hi - r, color="0.82", label="CSR envelope 完全空间随机包络", linewidth=0)
    ax.axhline(0, color="0.4", linewidth=0.8, linestyle="--")
    ax.plot(r, L - r, color="#c44e52", linewidth=1.8, label="observed L(r) − r")
    ax.set_xlabel("r")
    ax.set_ylabel("L(r) − r")
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def mca_map(row_coords: pd.DataFrame, col_coords: pd.DataFrame, labels: Mapping | None = None,
            clusters=None, *, percent=None) -> Figure:
    """MCA factor map on dimensions 1 and 2: rows (entities) as dots, coloured by cluster when
    ``clusters`` (one label per row) is given, and categories as triangles annotated with
    ``labels[category]`` (default: the category name). ``percent`` (explained inertia per dimension,
    optional) is shown in the axis labels."""
    labels = labels or {}
    fig = _figure(8.0, 6.8)
    ax = fig.add_subplot()
    if row_coords.shape[1] < 2 or col_coords.shape[1] < 2:
        return _empty(fig, ax, "fewer than two MCA dimensions: no factor map")
    rows = row_coords.iloc[:, :2].to_numpy(dtype=float)
    cols = col_coords.iloc[:, :2].to_numpy(dtype=float)
    if clusters is None:
        ax.scatter(rows[:, 0], rows[:, 1], s=14, color="0.6", alpha=0.6, label="entities", linewidths=0)
    else:
        clusters = np.asarray(clusters)
        kinds = sorted(set(clusters.tolist()), key=str)
        for colour, kind in zip(_palette(len(kinds)), kinds, strict=True):
            mask = clusters == kind
            ax.scatter(rows[mask, 0], rows[mask, 1], s=14, color=colour, alpha=0.6, linewidths=0,
                       label=f"type {kind}")
    ax.scatter(cols[:, 0], cols[:, 1], marker="^", s=30, color="black", label="categories")
    for (x, y), category in zip(cols, col_coords.index, strict=True):
        ax.annotate(str(labels.get(category, category)), (x, y), xytext=(3, 3), textcoords="offset points",
                    fontsize=7, color="0.15")
    ax.axhline(0, color="0.7", linewidth=0.6)
    ax.axvline(0, color="0.7", linewidth=0.6)
    names = list(row_coords.columns[:2])
    if percent is not None and len(percent) >= 2:
        names = [f"{name} ({float(p):.1f}%)" for name, p in zip(names, percent, strict=False)]
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title("MCA factor map 多重对应分析")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return fig


def km_plot(curves: Mapping[str, pd.DataFrame]) -> Figure:
    """Kaplan–Meier survival curves as right-continuous steps from S(0) = 1, with the confidence band
    (``lower``/``upper``; where it is undefined, NaN, no band is drawn). One colour per group; the
    group names are drawn as given (Chinese allowed)."""
    fig = _figure(7.2, 4.8)
    ax = fig.add_subplot()
    if not curves:
        return _empty(fig, ax, "no survival curve")
    for colour, (name, km) in zip(_palette(len(curves)), curves.items(), strict=True):
        time = np.concatenate([[0.0], km["time"].to_numpy(dtype=float)])
        survival = np.concatenate([[1.0], km["survival"].to_numpy(dtype=float)])
        ax.step(time, survival, where="post", color=colour, linewidth=1.6, label=f"{name} (n={_n_at_start(km)})")
        if {"lower", "upper"} <= set(km.columns):
            lower = np.concatenate([[1.0], km["lower"].to_numpy(dtype=float)])
            upper = np.concatenate([[1.0], km["upper"].to_numpy(dtype=float)])
            ax.fill_between(time, lower, upper, step="post", color=colour, alpha=0.18, linewidth=0)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel("years since founding")
    ax.set_ylabel("share still open 存续比例")
    ax.set_title("Survival (Kaplan–Meier, 95% CI)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _n_at_start(km: pd.DataFrame) -> str:
    if "at_risk" in km.columns and len(km):
        return str(int(km["at_risk"].iloc[0]))
    return "?"


def per_year_plot(per_year_df: pd.DataFrame) -> Figure:
    """Foundings (above zero) and closings (below zero) per year, stacked by kind, from the frame of
    :func:`observatory.analysis.timeline.events_per_year` (columns ``year``, ``kind``,
    ``foundings``, ``closings``).

    The bars of a kind are drawn as one collection of rectangles (foundings opaque, closings
    translucent) rather than one patch each: with 30 kinds over 20 years ``ax.bar`` made some 1,300
    artists and took seconds to build and save; the picture is the same."""
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    fig = _figure(9.0, 5.0)
    ax = fig.add_subplot()
    if per_year_df is None or per_year_df.empty:
        return _empty(fig, ax, "no dated founding")
    found = per_year_df.pivot_table(index="year", columns="kind", values="foundings", aggfunc="sum", fill_value=0)
    close = per_year_df.pivot_table(index="year", columns="kind", values="closings", aggfunc="sum", fill_value=0)
    close = close.reindex(index=found.index, fill_value=0)
    kinds = sorted(found.columns, key=lambda k: (-found[k].sum(), str(k)))
    years = found.index.to_numpy(dtype=float)
    up, down = np.zeros(len(years)), np.zeros(len(years))
    width = 0.8
    handles = []

    def rectangles(bottom: np.ndarray, height: np.ndarray) -> list:
        keep = height != 0
        x0, x1 = years[keep] - width / 2, years[keep] + width / 2
        y0, y1 = bottom[keep], bottom[keep] + height[keep]
        return [np.array([[a, c], [b, c], [b, d], [a, d]]) for a, b, c, d in zip(x0, x1, y0, y1, strict=True)]

    for colour, kind in zip(_palette(len(kinds)), kinds, strict=True):
        f = found[kind].to_numpy(dtype=float)
        c = close[kind].to_numpy(dtype=float) if kind in close else 0 * f
        ax.add_collection(PolyCollection(rectangles(up, f), facecolors=[colour], edgecolors="none", linewidths=0))
        ax.add_collection(PolyCollection(rectangles(-down, -c), facecolors=[colour], edgecolors="none",
                                         linewidths=0, alpha=0.55))
        handles.append(Patch(facecolor=colour, label=str(kind)))
        up += f
        down += c
    ax.autoscale_view()
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.set_xlabel("year")
    ax.set_ylabel("foundings 成立 (up) / closings 关闭 (down)")
    ax.set_title("Foundings and closings per year, by kind")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False,
              ncol=2 if len(kinds) > 16 else 1)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def counts_bar(counts: Mapping, title: str) -> Figure:
    """Horizontal bars of counts per label (e.g. province), largest at the top, value at each bar's end.
    Ties keep the label order, so the figure is stable."""
    items = sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
    fig = _figure(7.2, 1.2 + 0.34 * max(len(items), 3))
    ax = fig.add_subplot()
    if not items:
        return _empty(fig, ax, "nothing to count")
    items = items[::-1]
    y = np.arange(len(items))
    values = np.array([v for _, v in items], dtype=float)
    ax.barh(y, values, color="#4c72b0", height=0.72)
    ax.set_yticks(y, [k for k, _ in items])
    for yi, v in zip(y, values, strict=True):
        ax.annotate(f"{int(v):,}", (v, yi), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_xlim(0, values.max() * 1.12 or 1)
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return fig
