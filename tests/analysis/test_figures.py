"""Figure builders: each renders to SVG and PNG with Chinese labels under the packaged CJK font, with
no missing-glyph warning, and gives the same SVG bytes on two builds from the same data."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from observatory.analysis import figures
from observatory.analysis.network import brokerage
from observatory.analysis.timeline import events_per_year, kaplan_meier
from observatory.analysis.typology import mca
from observatory.fonts import use_cjk_font

PROVINCES = ["广东 Guangdong", "北京 Beijing", "上海 Shanghai", "浙江 Zhejiang", "四川 Sichuan", "湖北 Hubei",
             "陕西 Shaanxi", "台湾 Taiwan", "香港 Hong Kong", "江苏 Jiangsu", "福建 Fujian", "山东 Shandong",
             "河南 Henan", "湖南 Hunan", "重庆 Chongqing", "天津 Tianjin", "安徽 Anhui"]


def _roles():
    import networkx as nx

    rng = np.random.default_rng(3)
    G = nx.gnm_random_graph(40, 160, seed=3, directed=True)
    nx.set_node_attributes(G, {n: ["virtual", "physical", "market"][rng.integers(3)] for n in G}, "layer")
    labels = {n: f"柴火创客空间 {n}" for n in G}
    return brokerage(G, "layer"), labels


def _mca():
    rng = np.random.default_rng(5)
    table = pd.DataFrame({
        "形式": rng.choice(["创客空间", "孵化器", "社区"], 30),
        "access": rng.choice(["open 开放", "members 会员"], 30),
        "funding": rng.choice(["public 政府", "private 私人", "mixed"], 30),
    }, index=[f"s{i}" for i in range(30)])
    result = mca(table)
    labels = {c: c.replace("__", ": ") for c in result.col_coords.index}
    clusters = rng.integers(0, 3, 30)
    return result.row_coords, result.col_coords, labels, clusters


def _km_curves():
    rng = np.random.default_rng(7)
    curves = {}
    for name in ["创客空间 makerspaces", "孵化器 incubators", "online 线上社区"]:
        durations = rng.integers(1, 12, 25).astype(float)
        events = rng.random(25) < 0.6
        curves[name] = kaplan_meier(durations, events)
    return curves


def _per_year():
    rng = np.random.default_rng(11)
    kinds = [f"kind-{i} 类型" for i in range(16)]
    founded = rng.integers(2005, 2025, 300)
    closed = [int(f + rng.integers(1, 8)) if rng.random() < 0.4 else None for f in founded]
    return events_per_year(founded, closed, rng.choice(kinds, 300))


BUILDERS = {
    "brokerage_bar": lambda: figures.brokerage_bar(*_roles(), top=15),
    "ripley_l_plot": lambda: figures.ripley_l_plot(
        np.linspace(0.5, 10, 20), np.linspace(0.5, 10, 20) * 1.1, np.linspace(0.5, 10, 20) * 0.95,
        np.linspace(0.5, 10, 20) * 1.05, "Ripley L(r) − r, 深圳市 Shenzhen (km)"),
    "mca_map": lambda: figures.mca_map(*_mca()),
    "km_plot": lambda: figures.km_plot(_km_curves()),
    "per_year_plot": lambda: figures.per_year_plot(_per_year()),
    "counts_bar": lambda: figures.counts_bar({p: 100 - 5 * i for i, p in enumerate(PROVINCES)}, "各省数量 per province"),
}


def _render(build):
    """Build and save as the runner does (scoped CJK font, SVG without date, PNG)."""
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(use_cjk_font({})), warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a UserWarning
        fig = build()
        svg, png = io.StringIO(), io.BytesIO()
        fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
        fig.savefig(png, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
    return svg.getvalue(), png.getvalue()


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_it_renders_chinese_labels_to_svg_and_png_without_missing_glyphs(name):
    svg, png = _render(BUILDERS[name])
    assert svg.startswith("<?xml") and "<svg" in svg
    assert png.startswith(b"\x89PNG")
    assert "<dc:date>" not in svg


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_it_gives_identical_svg_bytes_on_two_builds(name):
    first, _ = _render(BUILDERS[name])
    second, _ = _render(BUILDERS[name])
    assert first == second


def test_it_gives_identical_svg_without_the_salt_set_by_the_caller():
    fig = figures.counts_bar({"北京": 3, "上海": 2}, "t")
    outputs = []
    for _ in range(2):
        buffer = io.StringIO()
        with matplotlib.rc_context(use_cjk_font({})):
            fig.savefig(buffer, format="svg")
        outputs.append(buffer.getvalue())
    assert outputs[0] == outputs[1]
    assert "<dc:date>" not in outputs[0]


def test_it_shows_the_top_brokers_in_order_with_their_chinese_names():
    roles, labels = _roles()
    fig = figures.brokerage_bar(roles, labels, top=15)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(ticks) == 15
    across = roles[["itinerant", "representative", "gatekeeper", "liaison"]].sum(axis=1)
    expected = roles.assign(name=[labels[n] for n in roles.index], across=across).sort_values(
        ["across", "total", "name"], ascending=[False, False, True])["name"].head(15).tolist()
    assert ticks[::-1] == expected
    assert all(t.startswith("柴火创客空间") for t in ticks)


def test_it_draws_every_province_when_there_are_more_than_fifteen():
    fig = figures.counts_bar({p: 100 - 5 * i for i, p in enumerate(PROVINCES)}, "per province")
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[-1] == PROVINCES[0] and len(ticks) == len(PROVINCES)


def test_it_draws_an_explanation_instead_of_an_empty_figure():
    empty_roles = pd.DataFrame(0, index=["a", "b"], columns=[*figures.ROLE_LABELS, "total"])
    for fig in (figures.brokerage_bar(empty_roles, {}), figures.counts_bar({}, "none"), figures.km_plot({}),
                figures.per_year_plot(pd.DataFrame(columns=["year", "kind", "foundings", "closings"]))):
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert texts and texts[0]


def _crowded_mca():
    """An MCA of 60 rows over 8 variables: some 30 categories, many near the centre."""
    rng = np.random.default_rng(13)
    table = pd.DataFrame({f"variable {v}": rng.choice([f"value {v}.{k} 取值" for k in range(4)], 60)
                          for v in range(8)}, index=[f"s{i}" for i in range(60)])
    result = mca(table)
    labels = {c: c.replace("__", ": ") for c in result.col_coords.index}
    return result.row_coords, result.col_coords, labels, rng.integers(0, 4, 60)


def test_the_mca_map_labels_only_what_fits_and_names_every_category_in_the_svg():
    from django.utils import translation

    rows, cols, labels, clusters = _crowded_mca()
    with matplotlib.rc_context(use_cjk_font({})), translation.override("en"):  # the note is read in English
        fig = figures.mca_map(rows, cols, labels, clusters)
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        names = [t for t in ax.texts if t.get_gid() and t.get_gid().startswith("label-")]
        boxes = [t.get_window_extent(renderer) for t in names]
        frame = ax.get_window_extent(renderer)
        svg = io.StringIO()
        fig.savefig(svg, format="svg", bbox_inches="tight")
    assert 5 <= len(names) < len(cols)  # the crowded centre is not labelled in full
    assert not [(a.get_text(), b.get_text()) for i, (a, p) in enumerate(zip(names, boxes, strict=True))
                for b, q in list(zip(names, boxes, strict=True))[i + 1:] if p.overlaps(q)]
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1 for b in boxes)
    # every category has its name as a <title> (hover), and the left-out ones are listed under the axes
    svg = svg.getvalue()
    assert all(f"<title>{labels[c]}</title>" in svg for c in cols.index)
    left_out = [labels[c] for c in cols.index if labels[c] not in {t.get_text() for t in names}]
    note = next(t.get_text() for t in ax.texts if t.get_text().startswith("Not labelled"))
    assert all(name in note for name in left_out)


def test_the_figures_are_drawn_in_the_active_language():
    from django.utils import translation

    rows, cols, labels, clusters = _mca()
    roles, names = _roles()
    with matplotlib.rc_context(use_cjk_font({})):
        with translation.override("zh-hans"):
            chinese = figures.mca_map(rows, cols, labels, clusters)
            bars = figures.brokerage_bar(roles, names)
        with translation.override("en"):
            english = figures.mca_map(rows, cols, labels, clusters)
    assert chinese.axes[0].get_title() == "多重对应分析（MCA）因子图"
    assert chinese.axes[0].get_xlabel() == "第 1 维"
    assert english.axes[0].get_title() == "MCA factor map" and english.axes[0].get_xlabel() == "dimension 1"
    legend = [t.get_text() for t in bars.axes[0].get_legend().get_texts()]
    assert legend == ["协调者", "巡回者", "代表者", "守门人", "联络者"]
    assert bars.axes[0].get_xlabel() == "中介的有序对数（Gould–Fernandez）"
