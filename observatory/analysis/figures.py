"""Figure builders for the analyses: data in, a matplotlib ``Figure`` out (nothing is saved here).

The runner (:mod:`.runners`) saves each figure as SVG and PNG inside
``matplotlib.rc_context(observatory.fonts.use_cjk_font({}))``, so Chinese labels are drawn with the
packaged Noto Sans SC; these builders never choose a font themselves. Every text they write goes
through gettext: the runner builds each figure once per language under ``translation.override``,
so a figure is drawn in English and in Chinese (the names given to a builder are chosen by the
caller, with ``observatory.inventory.models.display_name``).

Legibility: ``place_labels`` annotates points greedily, most important first, keeping a name only
where it overlaps no other name nor another point's marker; the MCA map lists the others under the
axes and gives every category its name as an SVG ``<title>`` (``DeterministicFigure.svg_titles``).

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

import io
import re
from collections.abc import Callable, Mapping
from pathlib import Path, PurePath

import matplotlib
import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from observatory.china.names import is_chinese_language

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

#: Gould–Fernandez roles, in the order of :func:`observatory.analysis.network.brokerage`, with their
#: legend labels (translated when drawn: every text of a figure is in the language active when it is
#: built, see runners._figures).
ROLE_LABELS = {
    "coordinator": gettext_noop("coordinator"),
    "itinerant": gettext_noop("itinerant"),
    "representative": gettext_noop("representative"),
    "gatekeeper": gettext_noop("gatekeeper"),
    "liaison": gettext_noop("liaison"),
}
_ROLE_COLOURS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3"]


class DeterministicFigure(Figure):
    """A Figure whose saved bytes depend only on its content (fixed SVG hash salt, no dates).

    ``svg_titles`` maps the gid of an artist to a text that the SVG gives it as ``<title>`` (what a
    browser shows when the pointer rests on it): the names of points left unlabelled."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.svg_titles: dict[str, str] = {}
        #: artists kept out of the constrained layout that a tight bounding box must still hold
        self.tight_extra_artists: list = []

    def settle(self) -> Bbox:
        """Lay the figure out once (its layout engine, then none: the positions stay) and return its
        tight bounding box in inches, padded by ``savefig.pad_inches`` and holding
        ``tight_extra_artists``: pass it as ``bbox_inches`` to each ``savefig`` of the figure, which
        then neither lays it out nor measures it again."""
        self.draw_without_rendering()
        extra = [*self.get_default_bbox_extra_artists(), *self.tight_extra_artists]
        bbox = self.get_tightbbox(bbox_extra_artists=extra)
        self.set_layout_engine("none")
        pad = matplotlib.rcParams["savefig.pad_inches"]
        return bbox.padded(pad)

    def savefig(self, fname, *args, **kwargs):
        fmt = kwargs.get("format")
        if fmt is None and isinstance(fname, str | PurePath):
            fmt = PurePath(fname).suffix.lstrip(".").lower() or None
        fmt = (fmt or matplotlib.rcParams["savefig.format"]).lower()
        if fmt == "svg":
            kwargs["metadata"] = {"Date": None, **(kwargs.get("metadata") or {})}
        elif fmt == "pdf":
            kwargs["metadata"] = {"CreationDate": None, "ModDate": None, **(kwargs.get("metadata") or {})}
        if kwargs.get("bbox_inches") == "tight" and self.tight_extra_artists and "bbox_extra_artists" not in kwargs:
            kwargs["bbox_extra_artists"] = [*self.get_default_bbox_extra_artists(), *self.tight_extra_artists]
        with matplotlib.rc_context({"svg.hashsalt": SVG_HASHSALT}):
            if fmt != "svg" or not self.svg_titles:
                return super().savefig(fname, *args, **kwargs)
            buffer = io.StringIO()
            super().savefig(buffer, *args, **{**kwargs, "format": "svg"})
        svg = _svg_with_titles(buffer.getvalue(), self.svg_titles)
        if isinstance(fname, str | PurePath):
            Path(fname).write_text(svg, encoding="utf-8")
        elif isinstance(fname, io.TextIOBase):
            fname.write(svg)
        else:
            fname.write(svg.encode("utf-8"))
        return None


def _svg_with_titles(svg: str, titles: Mapping[str, str]) -> str:
    """``svg`` with a ``<title>`` as the first child of each group whose id is a key of ``titles``."""
    from xml.sax.saxutils import escape

    def add(match: re.Match) -> str:
        return f"{match.group(0)}\n   <title>{escape(titles[match.group(1)])}</title>"

    pattern = re.compile(r'<g id="({})">'.format("|".join(re.escape(gid) for gid in titles)))
    return pattern.sub(add, svg)


def _figure(width: float, height: float) -> DeterministicFigure:
    return DeterministicFigure(figsize=(width, height), layout="constrained")


def _palette(n: int) -> list:
    cmap = matplotlib.colormaps["tab20" if n > 10 else "tab10"]
    return [cmap(i % cmap.N) for i in range(n)]


def _empty(fig: Figure, ax, message: str) -> Figure:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    return fig


def brokerage_bar(roles_df: pd.DataFrame, labels: Mapping | Callable | None = None, top: int = 15) -> Figure:
    """Stacked horizontal bars of the five brokerage roles for the ``top`` brokers, in the order the
    findings name them (:func:`observatory.analysis.network.broker_ranking`: most pairs brokered
    across groups, then most in all, then by label).

    ``roles_df`` is the frame of :func:`observatory.analysis.network.brokerage` (or
    ``brokerage_counts``): indexed by node, with the role columns and ``total``. ``labels`` maps a
    node to its display name (Chinese names are drawn as given), or is a function of the node giving
    it; nodes without a label show their id. Only the nodes that can be among the ``top`` are named
    and ranked.
    """
    from .network import across_groups, broker_ranking

    labels = labels or {}
    label = labels if callable(labels) else labels.get
    roles = list(ROLE_LABELS)
    if "total" not in roles_df:
        roles_df = roles_df.assign(total=roles_df[roles].astype(float).sum(axis=1))
    if len(roles_df) > top > 0:   # the candidates: ahead of, or level with, the top-th by (across, total)
        keys = pd.DataFrame({"across": across_groups(roles_df), "total": roles_df["total"].astype(float)})
        across, total = keys.sort_values(["across", "total"], ascending=False).iloc[top - 1]
        roles_df = roles_df[(keys["across"] > across) | ((keys["across"] == across) & (keys["total"] >= total))]
    frame = roles_df[roles].astype(float)
    names = pd.Series([str(label(node) or node) for node in roles_df.index], index=roles_df.index, dtype=object)
    chosen = broker_ranking(roles_df, names)[:top]
    fig = _figure(8.0, 1.2 + 0.38 * max(len(chosen), 3))
    ax = fig.add_subplot()
    if len(chosen) == 0:
        return _empty(fig, ax, _("no open two-path: no actor brokers"))
    data = frame.loc[chosen].iloc[::-1]  # largest at the top
    y = np.arange(len(data))
    left = np.zeros(len(data))
    for role, colour in zip(roles, _ROLE_COLOURS, strict=True):
        values = data[role].to_numpy()
        ax.barh(y, values, left=left, color=colour, label=_(ROLE_LABELS[role]), height=0.72)
        left += values
    ax.set_yticks(y, [names[node] for node in data.index])
    ax.set_xlabel(_("brokered ordered pairs (Gould–Fernandez)"))
    ax.set_title(_("Brokerage roles of the top %(n)s brokers") % {"n": len(data)})
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
    ax.fill_between(r, lo - r, hi - r, color="0.82", label=_("envelope under complete spatial randomness"), linewidth=0)
    ax.axhline(0, color="0.4", linewidth=0.8, linestyle="--")
    ax.plot(r, L - r, color="#c44e52", linewidth=1.8, label=_("observed L(r) − r"))
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
        return _empty(fig, ax, _("fewer than two MCA dimensions: no factor map"))
    rows = row_coords.iloc[:, :2].to_numpy(dtype=float)
    cols = col_coords.iloc[:, :2].to_numpy(dtype=float)
    if clusters is None:
        ax.scatter(rows[:, 0], rows[:, 1], s=14, color="0.6", alpha=0.6, label=_("entities"), linewidths=0)
    else:
        clusters = np.asarray(clusters)
        kinds = sorted(set(clusters.tolist()), key=str)
        for colour, kind in zip(_palette(len(kinds)), kinds, strict=True):
            mask = clusters == kind
            ax.scatter(rows[mask, 0], rows[mask, 1], s=14, color=colour, alpha=0.6, linewidths=0,
                       label=_("type %(n)s") % {"n": kind})
    texts = [str(labels.get(category, category)) for category in col_coords.index]
    ax.axhline(0, color="0.7", linewidth=0.6)
    ax.axvline(0, color="0.7", linewidth=0.6)
    ax.set_xlabel(_("dimension %(n)s") % {"n": 1} + _axis_share(percent, 0))
    ax.set_ylabel(_("dimension %(n)s") % {"n": 2} + _axis_share(percent, 1))
    ax.set_title(_("MCA factor map"))
    # one artist per category, so that the SVG can carry each one's name as a <title> (hover)
    for i, ((x, y), text) in enumerate(zip(cols, texts, strict=True)):
        ax.scatter([x], [y], marker="^", s=30, color="black", label=_("categories") if i == 0 else None,
                   gid=f"mca-category-{i}")
        fig.svg_titles[f"mca-category-{i}"] = text
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    # farthest from the centre first: those categories shape the axes, and the crowded centre is
    # labelled only where a name fits
    importance = np.argsort(-np.hypot(cols[:, 0], cols[:, 1]), kind="stable")
    left_out = place_labels(ax, cols, texts, importance, marker_size=6.0, fontsize=7, color="0.15")
    if left_out:
        # under the axis title, outside the layout so that the placed names keep their places
        renderer = fig.canvas.get_renderer()
        below = ax.xaxis.label.get_window_extent(renderer).y0 - 4
        y = ax.transAxes.inverted().transform((0, below))[1]
        note = ax.text(0.0, y, _("Not labelled where names would overlap (point at a triangle in the SVG): "
                                 "%(names)s") % {"names": "; ".join(texts[i] for i in left_out)},
                       transform=ax.transAxes, va="top", ha="left", fontsize=7, color="0.25", wrap=True,
                       in_layout=False)
        fig.tight_extra_artists.append(note)
    return fig


def _axis_share(percent, i: int) -> str:
    if percent is None or len(percent) <= i or percent[i] is None:
        return ""
    return f" ({float(percent[i]):.1f}%)"


def place_labels(ax, points: np.ndarray, texts: list[str], order, *, offset: tuple[float, float] = (3, 3),
                 marker_size: float = 6.0, **text_kwargs) -> list[int]:
    """Annotate ``points`` (data coordinates) with ``texts``, in ``order`` (most important first),
    keeping a name only when its box on the page overlaps no name placed before it nor the marker of
    another point (``marker_size`` points wide), and stays in the axes; a name that does not fit on
    the right of its point is tried on the left, then below. Returns the indices left unlabelled, in ``order``.

    Boxes are measured after the layout is settled (``draw_without_rendering``), so they are the
    boxes the saved figure has; annotations inside the axes do not change the layout."""
    fig = ax.figure
    if not hasattr(fig.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)  # text is measured as Agg draws it (the SVG backend uses the same metrics)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    # the points themselves are obstacles too: a name never covers another point's marker
    half = marker_size * fig.dpi / 72 / 2
    centres = ax.transData.transform(points)
    markers = [Bbox.from_extents(x - half, y - half, x + half, y + half) for x, y in centres]
    placed: list = []
    left_out: list[int] = []
    # above right, above left, below right, below left of the point
    positions = [(1, 1, "left", "bottom"), (-1, 1, "right", "bottom"), (1, -1, "left", "top"), (-1, -1, "right", "top")]
    for i in order:
        i = int(i)
        for dx, dy, ha, va in positions:
            note = ax.annotate(texts[i], tuple(points[i]), xytext=(dx * offset[0], dy * offset[1]),
                               textcoords="offset points", ha=ha, va=va, **text_kwargs)
            box = note.get_window_extent(renderer).padded(1.5)
            fits = (frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
                    and not any(box.overlaps(other) for other in placed)
                    and not any(box.overlaps(marker) for j, marker in enumerate(markers) if j != i))
            if fits:
                placed.append(box)
                note.set_gid(f"label-{i}")
                break
            note.remove()
        else:
            left_out.append(i)
    return left_out


def km_plot(curves: Mapping[str, pd.DataFrame]) -> Figure:
    """Kaplan–Meier survival curves as right-continuous steps from S(0) = 1, with the confidence band
    (``lower``/``upper``; where it is undefined, NaN, no band is drawn). One colour per group; the
    group names are drawn as given (Chinese allowed)."""
    fig = _figure(7.2, 4.8)
    ax = fig.add_subplot()
    if not curves:
        return _empty(fig, ax, _("no survival curve"))
    for colour, (name, km) in zip(_palette(len(curves)), curves.items(), strict=True):
        time = np.concatenate([[0.0], km["time"].to_numpy(dtype=float)])
        survival = np.concatenate([[1.0], km["survival"].to_numpy(dtype=float)])
        shown = _(KIND_GROUPS[name]) if name in KIND_GROUPS else str(name)
        ax.step(time, survival, where="post", color=colour, linewidth=1.6, label=f"{shown} (n={_n_at_start(km)})")
        if {"lower", "upper"} <= set(km.columns):
            lower = np.concatenate([[1.0], km["lower"].to_numpy(dtype=float)])
            upper = np.concatenate([[1.0], km["upper"].to_numpy(dtype=float)])
            ax.fill_between(time, lower, upper, step="post", color=colour, alpha=0.18, linewidth=0)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel(_("years since founding"))
    ax.set_ylabel(_("share still open"))
    ax.set_title(_("Survival (Kaplan–Meier, %(level)s%% confidence band)") % {"level": 95})
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
        return _empty(fig, ax, _("no dated founding"))
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
        handles.append(Patch(facecolor=colour, label=_kind_label(kind)))
        up += f
        down += c
    ax.autoscale_view()
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.set_xlabel(_("year"))
    ax.set_ylabel(_("foundings (up) / closings (down)"))
    ax.set_title(_("Foundings and closings per year, by kind"))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False,
              ncol=2 if len(kinds) > 16 else 1)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _kind_label(kind) -> str:
    """A kind's label in the active language (the slug when it is not a kind of the taxonomy)."""
    from django.utils.translation import get_language

    from observatory.inventory.taxonomy import KINDS

    entry = KINDS.get(str(kind))
    if entry is None:
        return str(kind)
    return entry[1] if is_chinese_language(get_language()) else entry[0]


#: The kinds' groups, as the survival curves name them (taxonomy.KINDS), translated when drawn.
KIND_GROUPS = {"space": gettext_noop("spaces"), "community": gettext_noop("communities"),
               "company": gettext_noop("companies"), "institution": gettext_noop("institutions"),
               "event": gettext_noop("events"), "cluster": gettext_noop("clusters"),
               "project": gettext_noop("projects")}


def counts_bar(counts: Mapping, title: str) -> Figure:
    """Horizontal bars of counts per label (e.g. province), largest at the top, value at each bar's end.
    Ties keep the label order, so the figure is stable."""
    items = sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
    fig = _figure(7.2, 1.2 + 0.34 * max(len(items), 3))
    ax = fig.add_subplot()
    if not items:
        return _empty(fig, ax, _("nothing to count"))
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
