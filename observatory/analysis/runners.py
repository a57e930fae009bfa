"""The four analyses as run on the inventory: read through :mod:`.graphs`, compute with the pure
algorithms, and return ``{"result", "summary", "notes", "figures"}`` for :func:`.services.analysis_run`.

The summary, each note and each figure title is a message of the catalogue with named placeholders,
rendered in English and Chinese once, here, by :func:`.findings.in_both`: the run stores both.

Each runner checks that the data can support it and raises :class:`AnalysisInputError` with a
sentence a researcher can act on when it cannot.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _

from . import graphs
from .services import AnalysisInputError

#: Ripley's K of a larger pattern is estimated on a random subsample of this many points (O(n²) pairs;
#: the CSR envelope is simulated for that many points too). 2,000 until the performance work of
#: issue 4: 1,000 makes the 40 K estimates of a large prefecture four times cheaper, for an error
#: measured and stated in docs/methods.md.
MAX_PATTERN_POINTS = 1000
#: Patterns with more points than this (before any subsample) get 39 CSR simulations (pointwise level
#: 0.05) instead of 99 (0.02).
LARGE_PATTERN_POINTS = 1000
#: Cluster stability (bootstrap Jaccard, a Ward clustering per resample) is assessed on at most this many rows.
MAX_BOOTSTRAP_ROWS = 2000

# Named clusters of the ecosystem (WGS-84 lat, lon), for distances from each space.
NAMED_CLUSTERS = {
    "Huaqiangbei (Shenzhen)": (22.5442, 114.0826),
    "Zhongguancun (Beijing)": (39.9834, 116.3160),
    "Yangpu / Tongji (Shanghai)": (31.2839, 121.5015),
}


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _figures(figure_builders: dict) -> dict:
    """Render each figure to SVG and PNG under the packaged CJK font. The builders make plain
    ``Figure`` objects (no pyplot state, nothing to close), so pyplot is never imported: importing it
    cost about a second per process."""
    import io

    import matplotlib

    from observatory.fonts import use_cjk_font

    matplotlib.use("Agg")
    out = {}
    with matplotlib.rc_context(use_cjk_font({})):
        for name, (title, build) in figure_builders.items():
            try:
                fig = build()
            except (ImportError, AttributeError):
                continue
            if fig is None:
                continue
            svg, png = io.StringIO(), io.BytesIO()
            fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
            fig.savefig(png, format="png", dpi=110, bbox_inches="tight")
            out[name] = (title, svg.getvalue(), png.getvalue())
    return out


def _single_threaded(runner, preload: tuple[str, ...] = ()):
    """Run ``runner`` with the BLAS and OpenMP pools of NumPy, SciPy and scikit-learn at one thread.

    The matrices of these analyses are small (a few thousand rows × a few columns), so threads buy
    little even on an idle machine, and on a busy one their spin-waiting made things much slower:
    at 100k entities the bootstrap's 50 k-means fits took 3.3 s with two threads and well under one
    with one, the silhouette 3.3 s against 0.7 s. One thread also makes the k-means sums' order fixed.
    threadpoolctl limits the libraries loaded when the limit is set, so the modules that bring an
    OpenMP runtime (``preload``, scikit-learn's) are imported first."""
    import functools
    import importlib

    @functools.wraps(runner)
    def wrapper(*args, **kwargs):
        try:
            from threadpoolctl import threadpool_limits  # installed with scikit-learn, which requires it
        except ImportError:  # pragma: no cover
            return runner(*args, **kwargs)
        for module in preload:
            importlib.import_module(module)
        with threadpool_limits(limits=1):
            return runner(*args, **kwargs)

    return wrapper


#: Network runs use these relation classes unless their parameters name others (never listings).
def _relation_classes(parameters: dict) -> list[str]:
    from observatory.inventory.taxonomy import DEFAULT_RELATION_CLASSES, RELATION_CLASSES

    value = parameters.get("relation_classes")
    if value in (None, "", []):
        return list(DEFAULT_RELATION_CLASSES)
    classes = [c.strip() for c in value.split(",")] if isinstance(value, str) else [str(c) for c in value]
    unknown = [c for c in classes if c not in RELATION_CLASSES]
    if unknown:
        raise AnalysisInputError(f"relation_classes: unknown class(es) {', '.join(map(repr, unknown))}; accepted: "
                                 f"{', '.join(RELATION_CLASSES)} (default: interaction,knowledge_flow)")
    return [c for c in RELATION_CLASSES if c in classes]


#: Permutations of the group labels in a network run, unless its parameters say otherwise.
DEFAULT_PERMUTATIONS = 999
#: False discovery rate of the Benjamini–Hochberg correction across brokers.
DEFAULT_FDR = 0.05
PARTITIONS = ("online_physical", "layer")


def run_network(*, parameters: dict, seed: int | None, progress=None) -> dict:
    """Brokerage between the sides of the partition (online ↔ physical by default) on the ties of the
    chosen relation classes, oriented by the flow their types declare; Gould–Fernandez counts with
    sna's analytic expectations and a seeded permutation test of the group labels, Benjamini–Hochberg
    across brokers; structural holes, centralities and communities on the same graph."""
    from observatory.inventory.taxonomy import RELATION_CLASSES, relation_types_of_classes

    from . import network
    from .findings import Caveats, in_both, sample

    notes: list[dict] = []
    since, until = _date(parameters.get("since")), _date(parameters.get("until"))
    partition = parameters.get("partition") or "online_physical"
    if partition not in PARTITIONS:
        raise AnalysisInputError(f"partition={partition!r}: use one of {', '.join(PARTITIONS)} (online_physical: "
                                 "two sides, organisations by the rule of 'organisations'; layer: the three layers)")
    rule = parameters.get("organisations") or "majority"
    if rule not in network.ORGANISATION_RULES:
        raise AnalysisInputError(f"organisations={rule!r}: use one of {', '.join(network.ORGANISATION_RULES)}")
    classes = _relation_classes(parameters)
    try:
        permutations = int(parameters.get("permutations", DEFAULT_PERMUTATIONS))
        fdr = float(parameters.get("fdr", DEFAULT_FDR))
    except (TypeError, ValueError):
        raise AnalysisInputError("permutations must be a whole number and fdr a number between 0 and 1") from None
    if permutations < 0 or not 0 < fdr < 1:
        raise AnalysisInputError(f"permutations={permutations}, fdr={fdr}: use permutations ≥ 0 (0 skips the test) "
                                 "and 0 < fdr < 1")
    parameters.update(relation_classes=classes, partition=partition, permutations=permutations, fdr=fdr)
    if partition == "online_physical":
        parameters["organisations"] = rule
    graph = graphs.network_graph(since=since, until=until, classes=classes, oriented=True)
    excluded: Counter = Counter()
    isolated = [n for n in graph if graph.degree(n) == 0]
    graph.remove_nodes_from(isolated)
    excluded[f"no tie of the classes used ({', '.join(classes)})"] = len(isolated)
    if graph.number_of_edges() == 0:
        raise AnalysisInputError("the relation graph is empty for this window and these relation classes: record "
                                 "relations (or widen --since/--until, or name more relation_classes) before running "
                                 "the network analysis")
    attr = "layer"
    if partition == "online_physical":
        sides, left_out = network.online_physical(graph, rule=rule)
        excluded.update(left_out)
        graph.remove_nodes_from([n for n in list(graph) if n not in sides])
        nx_set = {n: sides[n] for n in graph}
        for node, side in nx_set.items():
            graph.nodes[node]["side"] = side
        attr = "side"
        lonely = [n for n in graph if graph.degree(n) == 0]
        graph.remove_nodes_from(lonely)
        excluded["no tie left once organisations without a side are out"] += len(lonely)
        if graph.number_of_edges() == 0:
            raise AnalysisInputError("no tie joins two actors with a side (online or physical): try "
                                     "organisations=majority or partition=layer")
    groups = {data.get(attr) for _node, data in graph.nodes(data=True)}
    if len(groups) < 2:
        raise AnalysisInputError(f"brokerage needs at least two groups, but every node has the same {attr!r} "
                                 f"({groups.pop()!r}); choose another partition")
    roles = network.brokerage(graph, attr)
    tested = None
    if permutations:
        tested = network.brokerage_permutation(graph, attr, n=permutations,
                                               seed=seed if seed is not None else 0, alternative="greater")
    holes = network.structural_holes(graph, weight="weight")
    pivots = parameters.get("betweenness_k")
    central = network.centralities(graph, seed=seed, betweenness_k=None if pivots in (None, "") else int(pivots))
    communities = network.communities(graph, seed=seed if seed is not None else 0)
    graph_level = network.brokerage_graph(graph, attr, counts=roles)
    frames = [roles, holes, central]
    tested_roles = [r for r in network.BROKERAGE_ROLES if r != "total"]
    significant_any = np.zeros(len(roles), dtype=bool)
    per_node_test: list[dict] = [{} for _i in range(len(roles))]
    if tested is not None:
        for role in tested_roles:
            counts = roles[role].to_numpy()
            p = tested[role].to_numpy(dtype=float)
            z_perm = tested.attrs["z"][role].to_numpy(dtype=float)
            brokers = np.flatnonzero(counts > 0)
            # BH across the brokers in this role; an actor that does not broker in it is not tested
            q, reject = network.benjamini_hochberg(p[brokers], alpha=fdr)
            significant_any[brokers[reject]] = True
            for i, pv, qv, rj, zv in zip(brokers.tolist(), p[brokers].tolist(), q.tolist(), reject.tolist(),
                                         z_perm[brokers].tolist(), strict=True):
                per_node_test[i][role] = {"p": pv, "q": qv, "significant": rj,
                                          "z": zv if math.isfinite(zv) else None}
    # undefined analytic z-scores (a role impossible for the broker's group size, as in sna) and
    # isolates' structural-hole measures are stored as null with one note per column, not one per node
    table = pd.concat(frames, axis=1)
    undefined = [c for c in table.columns if table[c].dtype.kind == "f" and table[c].isna().any()]
    if undefined:
        notes.append(in_both(_("null where undefined in %(n)s columns (%(columns)s): z-scores whose null variance is "
                               "0, as in R sna (e.g. liaison between two sides, coordinator in a group of fewer "
                               "than 3)"), n=len(undefined),
                             columns=", ".join(undefined[:8]) + (" ..." if len(undefined) > 8 else "")))
        table[undefined] = table[undefined].astype(object).where(table[undefined].notna(), None)
    nodes = {}
    membership = communities.membership
    columns = list(table.columns)
    node_data = graph.nodes
    for i, (node, values) in enumerate(zip(table.index, table.itertuples(index=False, name=None), strict=True)):
        data = node_data[node]
        row = {"name": data.get("name"), "name_zh": data.get("name_zh"), "layer": data.get("layer"),
               "kind": data.get("kind"), "side": data.get("side")}
        row.update(zip(columns, values, strict=True))
        row["community"] = membership.get(node)
        if tested is not None:
            row["permutation"] = per_node_test[i]
            row["significant"] = bool(significant_any[i])
            row["significant_roles"] = [r for r, v in per_node_test[i].items() if v["significant"]]
        nodes[node] = row
    top = roles.sort_values("total", ascending=False).head(10)
    synaptic = roles[(roles["liaison"] + roles["gatekeeper"] + roles["representative"] + roles["itinerant"]) > 0]
    n_significant = int(significant_any.sum())
    brokers = [(graph.nodes[n].get("name"), graph.nodes[n].get("name_zh"), int(top.at[n, "total"]))
               for n in top.index[:5]]
    summary = in_both(
        _("%(n)s actors, %(m)s ties (%(classes)s); %(b)s actors broker between %(partition)s%(tested)s. "
          "Top brokers: %(top)s"),
        n=graph.number_of_nodes(), m=graph.number_of_edges(),
        classes={"en": ", ".join(classes), "zh": "、".join(RELATION_CLASSES[c][1] for c in classes)},
        b=len(synaptic), partition=_("the online and physical sides") if attr == "side" else _("layers"),
        tested="" if tested is None else in_both(
            _(", %(s)s significantly (permutation test, %(p)s permutations, Benjamini–Hochberg FDR %(fdr)s)"),
            s=n_significant, p=permutations, fdr=f"{fdr:g}"),
        top={"en": ", ".join(f"{name} ({total})" for name, _zh, total in brokers),
             "zh": "、".join(f"{zh or name}（{total}）" for name, zh, total in brokers)})
    caveats = Caveats()
    caveats.add(f"Only ties of the classes {', '.join(RELATION_CLASSES[c][0] for c in classes)} are used, each "
                "oriented along the flow its type declares; directory listings never enter.",
                f"仅使用以下类别的关系：{'、'.join(RELATION_CLASSES[c][1] for c in classes)}，每条关系按其类型声明的"
                "流向定向；名录收录从不计入。")
    caveats.add("A missing tie means that none was recorded in the sources read, not that none exists.",
                "缺少某条关系只表示所读来源中没有记录，并不表示不存在。")
    if graph.number_of_nodes() < 50:
        caveats.add(f"The network has only {graph.number_of_nodes()} actors: brokerage scores rest on few ties and "
                    "can change with a single new record.",
                    f"网络只有 {graph.number_of_nodes()} 个行动者：中介得分依赖很少的关系，一条新记录就可能改变结果。")
    if tested is None:
        caveats.add("No permutation test was run (permutations = 0): the analytic z-scores assume independent "
                    "ties and are not a significance test.",
                    "未运行置换检验（置换次数为 0）：解析 z 值假定关系相互独立，不能作为显著性检验。")
    elif n_significant == 0:
        caveats.add("No actor brokers significantly more than the permutation test of the group labels gives at "
                    f"a false discovery rate of {fdr:g}: the counts describe positions, not demonstrated brokerage.",
                    f"在错误发现率 {fdr:g} 下，没有任何行动者的中介显著高于组标签置换检验的结果：计数只描述位置，"
                    "并未证明中介作用。")
    if partition == "online_physical" and sum(v for k, v in excluded.items() if k.startswith("organisation")):
        caveats.add("Organisations are placed on the online or physical side by the majority of their partners, "
                    "or left out: their brokerage depends on that rule.",
                    "组织按其多数合作方被归入线上或线下一侧，或被排除：其中介作用取决于这一规则。")
    if not central.attrs["betweenness_exact"]:
        notes.append(in_both(_("betweenness is estimated from %(p)s random source pivots (Brandes & Pich 2007): "
                               "relative standard error of the top 100 scores about %(se)s (from two halves of the "
                               "pivots)"), p=central.attrs["betweenness_pivots"],
                             se=f"{central.attrs['betweenness_rel_se_top100'] or 0:.0%}"))
    ties_by_class = Counter()
    for _u, _v, data in graph.edges(data=True):
        for t in data.get("types", ()):
            ties_by_class[t] += 1
    result = {"partition": partition, "attribute": attr, "relation_classes": classes,
              "relation_types": relation_types_of_classes(classes),
              "organisations": rule if partition == "online_physical" else None,
              "groups": {str(g): int(s) for g, s in zip(roles.attrs["groups"], roles.attrs["group_sizes"],
                                                        strict=True)},
              "arcs_by_type": dict(sorted(ties_by_class.items())),
              "null_models": {
                  "analytic": "Gould & Fernandez (1989) expectations and z-scores as in R sna::brokerage "
                              "(independent arcs with the observed density)",
                  "permutation": None if tested is None else {
                      "permutations": permutations, "seed": seed if seed is not None else 0,
                      "alternative": "greater", "labels": "group labels permuted over the nodes, graph fixed",
                      "correction": "Benjamini-Hochberg across the brokers of each role", "fdr": fdr,
                      "significant": n_significant}},
              "nodes": nodes, "graph": graph_level.to_dict(orient="index"),
              "modularity": communities.modularity, "communities": communities.method,
              "betweenness": {"exact": central.attrs["betweenness_exact"],
                              "pivots": central.attrs["betweenness_pivots"],
                              "error_95": central.attrs["betweenness_error_95"],
                              "rel_se_top100": central.attrs["betweenness_rel_se_top100"]},
              "n_nodes": graph.number_of_nodes(), "n_edges": graph.number_of_edges(),
              "window": {"since": since, "until": until},
              "sample": sample(graph.number_of_nodes(), excluded), "caveats": caveats}

    def _roles():
        from . import figures as figs

        return figs.brokerage_bar(roles, labels={n: graph.nodes[n].get("name_zh") or graph.nodes[n].get("name")
                                                 for n in graph})

    figures = _figures({"brokerage-roles": (in_both(_("Brokerage roles of the top brokers")), _roles)})
    return {"result": result, "summary": summary, "notes": notes, "figures": figures}


def _project_km(lng, lat):
    from . import spatial

    x, y = spatial.project_albers_china(np.asarray(lng, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x) / 1000.0, np.asarray(y) / 1000.0


def _division_areas_km2(codes: set[str], level: str) -> dict[str, float]:
    """Areas of divisions from the bundled outlines, in km² on the equal-area projection."""
    import shapely
    from shapely.geometry import shape

    from observatory.china import divisions

    collection = divisions.provinces_geojson() if level == "province" else divisions.prefectures_geojson()
    areas = {}
    for feature in collection["features"]:
        properties = feature.get("properties", {})
        code = str(properties.get("code") or properties.get("adcode") or "")
        if code not in codes:
            continue
        geometry = shapely.transform(shape(feature["geometry"]),
                                     lambda xy: np.column_stack(_project_km(xy[:, 0], xy[:, 1])))
        areas[code] = float(geometry.area)
    return areas


#: Below this many precise points in a city, no point-pattern statistic is computed: Clark–Evans'
#: normal approximation and a CSR envelope of L(r) say little about so few points (Baddeley, Rubak &
#: Turner 2015 discuss the low power of such tests on small patterns). A run parameter.
MIN_PATTERN_POINTS = 20
#: Kinds that never enter a point pattern, whatever the parameters: they are not places with
#: premises of their own (an event, a ministry, a policy programme, a design).
NEVER_POINT_KINDS = ("event", "government_body", "government_programme", "project")


def _space_kinds(parameters: dict) -> list[str]:
    from observatory.inventory.taxonomy import KINDS, VIRTUAL

    value = parameters.get("kinds")
    if value in (None, "", []):
        return [k for k, (_en, _zh, _layer, group) in KINDS.items() if group == "space"]
    kinds = [k.strip() for k in value.split(",")] if isinstance(value, str) else [str(k) for k in value]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise AnalysisInputError(f"kinds: unknown kind(s) {', '.join(map(repr, unknown))}; accepted: {', '.join(KINDS)}")
    refused = [k for k in kinds if k in NEVER_POINT_KINDS or KINDS[k][2] == VIRTUAL]
    if refused:
        raise AnalysisInputError(f"kinds: {', '.join(map(repr, refused))} never enter a point pattern (events, "
                                 "government bodies and programmes, projects and online communities are not places)")
    return kinds


def _city_outlines(codes: set[str]) -> dict:
    """WGS-84 shapely outlines of the cities (prefecture-level units; a municipality's own province-level
    outline) with these codes, from the bundled boundaries."""
    from shapely.geometry import shape

    from observatory.china import divisions

    outlines = {}
    for collection in (divisions.prefectures_geojson(), divisions.provinces_geojson()):
        for feature in collection["features"]:
            properties = feature.get("properties", {})
            code = str(properties.get("code") or "")
            if code in codes and code not in outlines and properties.get("level") in ("prefecture", "province"):
                outlines[code] = shape(feature["geometry"])
    return outlines


def run_spatial(*, parameters: dict, seed: int | None, progress=None) -> dict:
    """Spaces only (the kinds are a parameter): counts and densities per division, hotspots (DBSCAN,
    haversine), distances to named clusters, and in each city with enough precise points Clark–Evans
    (window area, Donnelly's edge correction) and Besag's L(r) (border-corrected) with a seeded
    Monte-Carlo envelope of complete spatial randomness, both in the city's own outline projected to an
    equal-area plane."""
    from . import spatial
    from .findings import Caveats, in_both, sample

    kinds = _space_kinds(parameters)
    try:
        minimum = int(parameters.get("min_points_pattern", MIN_PATTERN_POINTS))
    except (TypeError, ValueError):
        raise AnalysisInputError("min_points_pattern must be a whole number") from None
    parameters.update(kinds=kinds, min_points_pattern=minimum)
    everything = graphs.spatial_points()
    if everything.empty:
        raise AnalysisInputError("no entity has a location: add locations before the territorial analysis")
    excluded: Counter = Counter()
    not_space = ~everything["kind"].isin(kinds)
    excluded["not a space (kind not among the run's kinds)"] = int(not_space.sum())
    points = everything[~not_space].reset_index(drop=True)
    if points.empty:
        raise AnalysisInputError(f"no located entity is of the kinds {', '.join(kinds)}: add locations of spaces "
                                 "before the territorial analysis")
    notes: list[dict] = []
    caveats = Caveats()
    unplaced = int((points["province_code"].fillna("") == "").sum())
    excluded["outside the bundled divisions (abroad or at sea)"] = unplaced
    coarse = int((~points["point_ok"]).sum())
    if coarse:
        notes.append(in_both(_("%(n)s locations coarser than street level (or placed at a division centroid) are "
                               "counted per division but left out of point-pattern statistics"), n=coarse))
        share = coarse / len(points)
        caveats.add(f"{share:.0%} of the located spaces ({coarse} of {len(points)}) are placed only at district level "
                    "or coarser: they count per division but not in hotspots or point patterns.",
                    f"{share:.0%} 的已定位空间（{len(points)} 个中的 {coarse} 个）仅定位到区县或更粗的层级：它们计入"
                    "各行政区的计数，但不计入热点和点格局。")
    caveats.add("Counts are of the spaces recorded in the inventory, not of all spaces that exist: a dense area may "
                "also be a well-documented one.",
                "计数只包括清单中记录的空间，而非全部实际存在的空间：密集的地区也可能只是记录更充分的地区。")
    result: dict = {"kinds": kinds, "n_points": len(points) - unplaced}
    for level in ("province", "prefecture"):
        codes = points[f"{level}_code"].fillna("").tolist()   # a list: iterating the Series boxes each value
        counts = {code: int(n) for code, n in Counter(c for c in codes if c).most_common()}
        areas = _division_areas_km2(set(counts), level)
        result.setdefault("counts", {})[level] = counts
        result.setdefault("density_per_10k_km2", {})[level] = {
            code: round(n / areas[code] * 10000, 4) for code, n in counts.items() if areas.get(code)}
    if unplaced:
        notes.append(in_both(_("%(n)s points fall outside the bundled divisions (abroad or at sea) and are not "
                               "counted"), n=unplaced))
    exact = points[points["point_ok"]].reset_index(drop=True)
    result["n_exact"] = len(exact)
    eps_km = float(parameters.get("eps_km", 2.0))
    min_samples = int(parameters.get("min_samples", 4))
    figures: dict = {}
    if len(exact) >= 2:
        latlon = exact[["lat", "lng"]].to_numpy(dtype=float)
        labels = spatial.dbscan_haversine(latlon, eps_km, min_samples)
        members: dict[int, list[str]] = {}
        for slug, label in zip(exact["slug"].tolist(), labels.tolist(), strict=True):
            if label >= 0:
                members.setdefault(int(label), []).append(slug)
        result["hotspots"] = {
            "eps_km": eps_km, "min_samples": min_samples, "n_clusters": len(members), "n": len(exact),
            "noise": int((labels < 0).sum()),
            "clusters": [{"id": k, "size": len(v), "members": v,
                          "centre": [float(latlon[labels == k, 0].mean()), float(latlon[labels == k, 1].mean())]}
                         for k, v in sorted(members.items())],
        }
        distances = spatial.distances_to_clusters(latlon, NAMED_CLUSTERS)
        result["nearest_cluster"] = {
            slug: {"name": name, "km": km}
            for slug, name, km in zip(exact["slug"].tolist(), distances["nearest"].tolist(),
                                      distances["nearest_km"].astype(float).tolist(), strict=True)}
    else:
        notes.append(in_both(_("fewer than 2 precise points: no hotspot detection")))
    rng_seed = seed if seed is not None else 0
    patterns = {}
    max_points = int(parameters.get("max_points_pattern", MAX_PATTERN_POINTS))
    large = int(parameters.get("large_pattern", LARGE_PATTERN_POINTS))
    nsim_small = int(parameters.get("nsim", 99))
    nsim_large = int(parameters.get("nsim_large", 39))
    subsampled = []
    by_city = {code: group for code, group in exact.groupby("prefecture_code") if code}
    outlines = _city_outlines(set(by_city))
    too_few = 0
    for code, group in by_city.items():
        if code not in outlines:
            continue
        window = spatial.equal_area_window(outlines[code])
        x, y = window.project(group["lng"].to_numpy(), group["lat"].to_numpy())
        xy = np.column_stack([x, y])
        entry = {"name": _division_label(code), "n": len(xy),
                 "window": {"source": "outline", "division_code": code, "area_km2": window.area_km2,
                            "perimeter_km": window.perimeter_km,
                            "projection": "Lambert azimuthal equal-area centred on the outline (WGS-84), km"}}
        if len(xy) < minimum:
            too_few += 1
            entry["statistics"] = None
            entry["reason"] = {"en": f"too few points for a point-pattern test ({len(xy)} < {minimum})",
                               "zh": f"点数过少，无法进行点格局检验（{len(xy)} < {minimum}）"}
            patterns[code] = entry
            continue
        ce = spatial.clark_evans(xy, (x.min() - 1, x.max() + 1, y.min() - 1, y.max() + 1), correction="Donnelly",
                                 area=window.area_km2, perimeter=window.perimeter_km)
        xmin, ymin, xmax, ymax = window.polygon.bounds
        r_max = 0.25 * min(xmax - xmin, ymax - ymin)
        r = np.linspace(0, r_max, 26)[1:]
        # Ripley's K costs O(n²) pairs at these radii: above max_points, K is estimated on a seeded random
        # subsample (independent thinning leaves K unchanged), and the envelope is simulated for that n.
        used = xy
        if len(xy) > max_points:
            stream = np.random.default_rng([rng_seed, int(code) if str(code).isdigit() else len(patterns)])
            pick = np.sort(stream.choice(len(xy), max_points, replace=False))
            used = xy[pick]
            subsampled.append(code)
        nsim = nsim_large if len(xy) > large else nsim_small
        L = spatial.ripley_l_polygon(used, window, r)
        envelope = spatial.csr_envelope_polygon(len(used), window, r, nsim=nsim,
                                                seed=[rng_seed, int(code) if str(code).isdigit() else 0])
        entry["statistics"] = {
            "clark_evans": ce,
            "ripley": {"r_km": r, "L": L, "envelope_lo": envelope.lo, "envelope_hi": envelope.hi,
                       "correction": "border", "n": len(used), "subsampled": len(used) < len(xy), "nsim": nsim,
                       "envelope_level": 2 / (nsim + 1),
                       "null_model": "complete spatial randomness in the outline (pointwise Monte-Carlo envelope)"}}
        patterns[code] = entry
    result["min_points_pattern"] = minimum
    result["point_patterns"] = patterns
    tested = {c: p for c, p in patterns.items() if p["statistics"] is not None}
    if too_few:
        caveats.add(f"{too_few} of {len(patterns)} cities have fewer than {minimum} precise points: no point-pattern "
                    "statistic is given for them.",
                    f"{len(patterns)} 个城市中有 {too_few} 个精确点少于 {minimum} 个：不给出其点格局统计量。")
    if tested:
        caveats.add("Complete spatial randomness in a whole city outline ignores that spaces follow population and "
                    "built-up land: clustering against it is expected and says where, not why.",
                    "以整个城市轮廓内的完全空间随机性为零模型，忽略了空间分布随人口和建成区而变：相对于它的聚集在"
                    "预料之中，只说明在何处聚集，不说明原因。")
    if subsampled:
        notes.append(in_both(_("Ripley's L and its envelope are estimated on a random subsample of %(k)s points in "
                               "%(n)s cities with more precise points (%(cities)s); Clark–Evans uses every point"),
                             k=max_points, n=len(subsampled), cities=", ".join(subsampled)))
    if tested:
        best = max(tested, key=lambda c: tested[c]["n"])
        ripley = tested[best]["statistics"]["ripley"]

        def _ripley():
            from . import figures as figs

            return figs.ripley_l_plot(ripley["r_km"], ripley["L"], ripley["envelope_lo"], ripley["envelope_hi"],
                                      f"Ripley L(r) − r, {_division_label(best)} (km)")

        figures.update(_figures({"ripley-l": (in_both(_("Ripley's L for %(place)s (n = %(n)s)"),
                                                      place=_division_names(best), n=tested[best]["n"]), _ripley)}))
    else:
        notes.append(in_both(_("no city has %(min)s or more precise points of spaces: Clark–Evans and Ripley's L are "
                               "not computed"), min=minimum))

    def _counts():
        from . import figures as figs

        return figs.counts_bar({_division_label(c): n for c, n in list(result["counts"]["province"].items())[:20]},
                               "Spaces per province")

    figures.update(_figures({"counts-by-province": (in_both(_("Spaces per province (n = %(n)s)"),
                                                            n=result["n_points"]), _counts)}))
    most = [(_division_names(c), n) for c, n in list(result["counts"]["province"].items())[:3]]
    summary = in_both(
        _("%(n)s located spaces; most in %(top)s. %(e)s precise points%(hotspots)s; %(t)s cities with %(min)s or "
          "more precise points tested against complete spatial randomness."),
        n=result["n_points"], e=len(exact), t=len(tested), min=minimum,
        top={"en": ", ".join(f"{name['en']} {n}" for name, n in most),
             "zh": "、".join(f"{name['zh']} {n}" for name, n in most)},
        hotspots="" if "hotspots" not in result else in_both(
            _(", %(h)s hotspots at eps = %(eps)s km"), h=result["hotspots"]["n_clusters"], eps=f"{eps_km:g}"))
    result["sample"] = sample(result["n_points"], excluded)
    result["caveats"] = caveats
    return {"result": result, "summary": summary, "notes": notes, "figures": figures}


def _division_label(code: str) -> str:
    return _division_names(code)["en"]


def _division_names(code: str) -> dict[str, str]:
    """A division's name for English readers (Chinese and English names) and for Chinese ones."""
    from observatory.china import divisions

    unit = divisions.division_by_code(code) if code else None
    if unit is None:
        return {"en": code or "unknown", "zh": code or "未知"}
    return {"en": f"{unit.name_zh} {unit.name_en}", "zh": unit.name_zh}


def _stability_rows(labels: np.ndarray, limit: int, seed: int) -> np.ndarray:
    """Rows on which cluster stability is assessed: all of them up to ``limit``, else a seeded random
    subsample of about ``limit`` rows stratified by cluster (each cluster in proportion, at least
    min(its size, 10) rows, so that no type goes missing)."""
    n = len(labels)
    if n <= limit:
        return np.arange(n)
    rng = np.random.default_rng([seed, n])
    picked = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        take = min(members.size, max(10, round(members.size * limit / n)))
        picked.append(rng.choice(members, take, replace=False))
    return np.sort(np.concatenate(picked))


#: An entity enters the typology only when coded on at least this many of the four dimensions
#: (form, practice, business, knowledge): an entity coded on one dimension says nothing about the others.
MIN_CODED_DIMENSIONS = 2
#: A type is marked doubtful below this mean bootstrap Jaccard (Hennig 2007: below 0.75 a pattern
#: whose membership is doubtful; below 0.6 not to be trusted).
STABLE_JACCARD = 0.75
#: No type is named from fewer members than this: its modal traits would describe a handful of cases.
MIN_TYPE_MEMBERS = 5


def run_typology(*, parameters: dict, seed: int | None, progress=None) -> dict:
    """Specific MCA of coded entities (a dimension never coded is missing, a passive category, not
    "no"; the kind is supplementary only), Ward clustering on the retained axes (HCPC), validated by
    silhouette and bootstrap Jaccard (Hennig 2007); types described by v-tests, named only when large
    enough, marked doubtful when unstable."""
    from . import typology
    from .findings import Caveats, in_both, sample

    try:
        min_dimensions = int(parameters.get("min_dimensions", MIN_CODED_DIMENSIONS))
        stable = float(parameters.get("stable_jaccard", STABLE_JACCARD))
        min_members = int(parameters.get("min_type_members", MIN_TYPE_MEMBERS))
    except (TypeError, ValueError):
        raise AnalysisInputError("min_dimensions and min_type_members must be whole numbers, stable_jaccard a "
                                 "number between 0 and 1") from None
    parameters.update(min_dimensions=min_dimensions, stable_jaccard=stable, min_type_members=min_members)
    full = graphs.typology_table()
    excluded: Counter = Counter()
    if full.empty:
        raise AnalysisInputError("only 0 coded entities: code at least 5 entities before the typology")
    thin = full["n_dimensions"] < min_dimensions
    excluded[f"coded on fewer than {min_dimensions} dimensions"] = int(thin.sum())
    table = full[~thin]
    if len(table) < 5:
        raise AnalysisInputError(f"only {len(table)} coded entities are coded on {min_dimensions} or more dimensions: "
                                 "code at least 5 entities before the typology")
    kind_group = table["kind_group"]
    table = table.drop(columns=["kind_group", "n_dimensions"])
    labels_en = full.attrs.get("labels", {})
    active_values = table.apply(lambda col: col[col != graphs.MISSING].nunique())
    constant = [c for c in table.columns if active_values[c] < 2]
    notes = [in_both(_("variable %(v)s has one known category only and is left out"), v=repr(c)) for c in constant]
    rare = [c for c in table.columns if c not in constant and (table[c] == "yes").sum() < int(
        parameters.get("min_count", 3))]
    if rare:
        notes.append(in_both(_("%(n)s codes used by fewer than %(m)s entities are left out (too rare to shape a type)"),
                             n=len(rare), m=parameters.get("min_count", 3)))
    table = table.drop(columns=constant + rare)
    if table.shape[1] < 2:
        raise AnalysisInputError("fewer than two variables vary across coded entities: nothing to analyse")
    missing_share = float((table == graphs.MISSING).to_numpy().mean())
    result_mca = typology.mca(table, passive=(graphs.MISSING,))
    J = result_mca.J
    keep = int(parameters.get("axes") or max(2, min(5, int((np.asarray(result_mca.eigenvalues) > 1 / J).sum()))))
    coords = result_mca.row_coords.iloc[:, :keep].to_numpy(dtype=float)
    rng_seed = seed if seed is not None else 0
    clusters = typology.hcpc(coords, max_clusters=min(8, len(table) - 1), seed=rng_seed)
    cluster_labels = np.asarray(clusters.labels)
    quality = typology.silhouette(coords, cluster_labels) if clusters.n_clusters > 1 else {"average": None}
    n_boot = int(parameters.get("n_boot", 50))
    boot_rows = _stability_rows(cluster_labels, int(parameters.get("max_boot_rows", MAX_BOOTSTRAP_ROWS)), rng_seed)
    stability = typology.bootstrap_jaccard(coords[boot_rows], cluster_labels[boot_rows], n_boot=n_boot, seed=rng_seed)
    stability_info = {"n_boot": n_boot, "n_rows": int(boot_rows.size), "of": len(coords),
                      "subsampled": bool(boot_rows.size < len(coords)), "doubtful_below": stable,
                      "method": "bootstrap Jaccard (Hennig 2007), Ward clustering of each resample"}
    if stability_info["subsampled"]:
        notes.append(in_both(_("cluster stability (bootstrap Jaccard, %(b)s resamples) is assessed on a stratified "
                               "random subsample of %(k)s of the %(n)s coded entities (each resample is clustered "
                               "again with Ward, O(n²)); smaller samples are less stable, so the Jaccard values are "
                               "conservative"), b=n_boot, k=boot_rows.size, n=len(coords)))
    indicator = typology.indicator_matrix(table)
    indicator = indicator[[c for c in indicator.columns if not c.endswith(f"__{graphs.MISSING}")]]
    vtests = typology.vtest(indicator, cluster_labels)
    readable = {col: labels_en.get(col, col) for col in table.columns}
    categories = {}
    for column in table.columns:
        for value in table[column].unique():
            if value == "yes":
                categories[f"{column}__yes"] = readable[column]
            elif value == "no":
                categories[f"{column}__no"] = f"no {readable[column].lower()}"
            elif value != graphs.MISSING:
                categories[f"{column}__{value}"] = f"{column.replace('_', ' ')}: {value}"
    names = typology.name_types(vtests, labels=categories)
    # the kind: supplementary only, cross-tabulated against the types after the fact
    supplementary_z = pd.get_dummies(kind_group.rename("kind")).astype(float)
    supplementary_z.columns = [f"kind__{c}" for c in supplementary_z.columns]
    kind_vtests = typology.vtest(supplementary_z, cluster_labels)
    members: dict[int, list[str]] = {}
    for slug, label in zip(table.index.tolist(), cluster_labels.tolist(), strict=True):
        members.setdefault(int(label), []).append(slug)
    types = []
    for label, slugs in sorted(members.items()):
        row = stability.loc[label] if label in stability.index else None
        jaccard = None if row is None else float(row["mean_jaccard"])
        over = vtests[(vtests["cluster"] == label) & (vtests["v_test"] > 1.96)].head(6)
        kinds_here = Counter(kind_group.loc[slugs].tolist())
        named = len(slugs) >= min_members
        types.append({
            "id": label, "name": names.get(label, f"type {label}") if named else None,
            "name_reason": None if named else {
                "en": f"not named: {len(slugs)} members, fewer than {min_members}",
                "zh": f"未命名：仅 {len(slugs)} 个成员，少于 {min_members} 个"},
            "size": len(slugs), "members": slugs, "mean_jaccard": jaccard,
            "verdict": None if row is None else str(row["verdict"]),
            "doubtful": jaccard is None or not jaccard >= stable,
            "kinds_supplementary": dict(kinds_here.most_common()),
            "over_represented": [
                {**r, "label": categories.get(r["category"], r["category"])}
                for r in over[["category", "pct_of_cluster", "pct_overall", "v_test"]].to_dict(orient="records")],
            "supplementary_kinds_over_represented": [
                {**r, "label": r["category"].split("__", 1)[1]}
                for r in kind_vtests[(kind_vtests["cluster"] == label) & (kind_vtests["v_test"] > 1.96)][
                    ["category", "pct_of_cluster", "pct_overall", "v_test"]].to_dict(orient="records")]})
    caveats = Caveats()
    caveats.add(f"A dimension on which an entity was never coded is missing, not \"no\" ({missing_share:.0%} of the "
                "cells): it is a passive category of a specific MCA and shapes no axis.",
                f"实体从未被编码的维度视为缺失而非“否”（占 {missing_share:.0%} 的单元格）：在特定多重对应分析中作为"
                "被动类别，不参与构成任何轴。")
    caveats.add("The kind of an entity is not an input: it is cross-tabulated against the types afterwards.",
                "实体的类型（kind）不作为输入变量，只在事后与类型交叉对照。")
    doubtful = [t for t in types if t["doubtful"]]
    if doubtful:
        caveats.add(f"{len(doubtful)} of {len(types)} types have a mean bootstrap Jaccard below {stable:g} (Hennig "
                    "2007): their membership is doubtful.",
                    f"{len(types)} 个类型中有 {len(doubtful)} 个的平均自助法 Jaccard 系数低于 {stable:g}"
                    "（Hennig 2007）：其成员归属存疑。")
    unnamed = [t for t in types if t["name"] is None]
    if unnamed:
        caveats.add(f"{len(unnamed)} types have fewer than {min_members} members and are not named.",
                    f"{len(unnamed)} 个类型的成员少于 {min_members} 个，不予命名。")
    if len(table) < 100:
        caveats.add(f"The typology rests on {len(table)} coded entities: types describe this sample, not the "
                    "population of spaces.",
                    f"类型学基于 {len(table)} 个已编码实体：类型描述的是这一样本，而非全部空间。")
    mca_dict = result_mca.to_dict()
    described = [in_both(_("%(name)s (%(size)s, doubtful)") if t["doubtful"] else _("%(name)s (%(size)s)"),
                         name=t["name"] or _("unnamed"), size=t["size"]) for t in types]
    summary = in_both(
        _("%(n)s entities coded on %(d)s or more dimensions, %(c)s codes; specific MCA (%(k)s axes kept); %(t)s "
          "types%(quality)s: %(types)s"),
        n=len(table), d=min_dimensions, c=table.shape[1], k=keep, t=len(types),
        quality="" if quality.get("average") is None else in_both(_(" (average silhouette %(s)s)"),
                                                                  s=f"{quality['average']:.2f}"),
        types={"en": "; ".join(d["en"] for d in described), "zh": "；".join(d["zh"] for d in described)})

    def _map():
        from . import figures as figs

        return figs.mca_map(result_mca.row_coords, result_mca.col_coords,
                            categories, clusters=cluster_labels)

    return {"result": {"mca": {k: mca_dict[k] for k in ("eigenvalues", "total_inertia", "percent",
                                                         "benzecri_pct", "greenacre_pct", "J", "K")},
                       "method": "specific MCA (missing = passive category), Ward + k-means (HCPC)",
                       "axes_kept": keep, "row_coords": mca_dict["row_coords"], "col_coords": mca_dict["col_coords"],
                       "silhouette": quality.get("average"), "stability": stability_info, "types": types,
                       "variables": readable, "categories": categories, "missing_share": missing_share,
                       "supplementary": ["kind"],
                       "sample": sample(len(table), excluded), "caveats": caveats},
            "summary": summary, "notes": notes,
            "figures": _figures({"mca-map": (in_both(_("MCA factor map (n = %(n)s)"), n=len(table)), _map)})}


#: The timeline's axis starts at the first founding in or after this year (the maker era) unless a
#: run asks otherwise (``axis_from``); foundings before it are listed apart as outliers.
MAKER_ERA_START = 2000
#: Survival groups smaller than this get no curve.
MIN_GROUP = 5


def _years(later, earlier) -> float:
    return (later - earlier).days / 365.25


def _kaplan_meier_lifelines(durations, events, entry, label: str):
    """Kaplan–Meier by lifelines (log(−log) confidence band) with delayed entry, as a frame of
    ``time``, ``at_risk``, ``events``, ``survival``, ``lower``, ``upper``; ``None`` and the reason
    when lifelines cannot estimate it (its StatError)."""
    from lifelines import KaplanMeierFitter
    from lifelines.exceptions import StatError

    fitter = KaplanMeierFitter()
    try:
        fitter.fit(durations, event_observed=events, entry=entry, label=label)
    except (StatError, ValueError) as exc:
        return None, str(exc).splitlines()[0]
    table = fitter.event_table
    band = fitter.confidence_interval_
    frame = pd.DataFrame({"time": fitter.survival_function_.index.to_numpy(dtype=float),
                          "survival": fitter.survival_function_.iloc[:, 0].to_numpy(dtype=float),
                          "lower": band.iloc[:, 0].to_numpy(dtype=float),
                          "upper": band.iloc[:, 1].to_numpy(dtype=float),
                          "at_risk": table["at_risk"].to_numpy(dtype=float),
                          "events": table["observed"].to_numpy(dtype=float)})
    frame = frame[frame["time"] > 0].reset_index(drop=True)
    return frame, None


def run_timeline(*, parameters: dict, seed: int | None, progress=None) -> dict:
    """Foundings and closings per year (axis from the maker era, outliers listed apart); Kaplan–Meier
    survival by kind group (lifelines) with each actor censored at its last evidence of activity and
    left truncation at its first dated evidence, log-rank with entry times; no closing → no curve."""
    from observatory.inventory.taxonomy import KINDS

    from . import timeline
    from .findings import Caveats, in_both, sample

    try:
        era = int(parameters.get("axis_from") or MAKER_ERA_START)
    except (TypeError, ValueError):
        raise AnalysisInputError("axis_from must be a year, e.g. 2000") from None
    truncation = str(parameters.get("left_truncation", True)).lower() not in ("false", "0", "no", "off")
    parameters.update(axis_from=era, left_truncation=truncation)
    table = graphs.timeline_table()
    dated = table[table["founded"].notna()].copy()
    if dated.empty:
        raise AnalysisInputError("no entity has a founding date: the timeline needs founding years")
    excluded: Counter = Counter()
    excluded["no founding date"] = len(table) - len(dated)
    notes = [in_both(_("%(n)s of %(m)s actors have no founding date and are left out"), n=len(table) - len(dated),
                     m=len(table))]
    caveats = Caveats()
    dated["founded_year"] = pd.to_datetime(dated["founded"]).dt.year
    dated["closed_year"] = pd.to_datetime(dated["closing"]).dt.year
    outliers_mask = dated["founded_year"] < era
    outliers = [{"slug": r.slug, "name": r.name, "kind": r.kind, "founded": int(r.founded_year)}
                for r in dated[outliers_mask].sort_values("founded_year").itertuples()]
    in_era = dated[~outliers_mask]
    axis_start = int(in_era["founded_year"].min()) if len(in_era) else era
    per_year = timeline.events_per_year(in_era["founded_year"].to_numpy(), in_era["closed_year"].to_numpy(),
                                        in_era["kind"].to_numpy())
    missing_share = (len(table) - len(dated)) / len(table)
    if missing_share > 0.2:
        caveats.add(f"{missing_share:.0%} of the actors have no founding date: the counts per year cover the others "
                    "only.",
                    f"{missing_share:.0%} 的行动者没有成立日期：逐年计数只涵盖其余行动者。")
    if outliers:
        caveats.add(f"{len(outliers)} actors founded before {era} are listed apart, not drawn on the axis.",
                    f"{len(outliers)} 个在 {era} 年之前成立的行动者单独列出，不画在时间轴上。")
    # survival: founded → closing (event) or last evidence of life (censored); entry at first evidence
    dated["group"] = dated["kind"].map(lambda k: KINDS[k][3])
    founded = dated["founded"].tolist()
    closing = dated["closing"].tolist()
    last = dated["last_alive"].tolist()
    first = dated["first_evidence"].tolist()
    durations, events, entries, usable = [], [], [], []
    for f, c, la, fi in zip(founded, closing, last, first, strict=True):
        if c is not None and not pd.isna(c):
            exit_, event = _years(c, f), True
        elif la is not None and not pd.isna(la):
            exit_, event = _years(la, f), False
        else:
            durations.append(np.nan), events.append(False), entries.append(np.nan), usable.append(
                "no dated evidence of activity (source or status)")
            continue
        entry = max(0.0, _years(fi, f)) if truncation and fi is not None and not pd.isna(fi) else 0.0
        if exit_ <= 0:
            reason = "last evidence or closing not after the founding date"
        elif entry >= exit_ and not event:
            reason = "observed at one date only (enters and leaves observation at once)"
        else:
            reason = ""
            entry = min(entry, exit_ - 1e-9) if event else entry
        durations.append(exit_), events.append(event), entries.append(entry), usable.append(reason)
    dated["duration"], dated["event"], dated["entry"], dated["unusable"] = durations, events, entries, usable
    cohort = dated[dated["unusable"] == ""]
    closings = int(cohort["event"].sum())
    survival = None
    survival_reason = None
    curves: dict = {}
    groups_out: dict = {}
    comparison = None
    if closings == 0:
        survival_reason = in_both(_("survival cannot be estimated: no closing is recorded (every actor is censored)"))
        notes.append(survival_reason)
        caveats.add("No closing is recorded: survival cannot be estimated, and no curve is drawn.",
                    "没有记录任何关闭：无法估计生存，也不绘制曲线。")
    else:
        for group, rows in cohort.groupby("group"):
            if len(rows) < MIN_GROUP:
                groups_out[group] = {"n": len(rows), "estimable": False,
                                     "reason": f"fewer than {MIN_GROUP} actors"}
                continue
            km, problem = _kaplan_meier_lifelines(rows["duration"].to_numpy(dtype=float),
                                                  rows["event"].to_numpy(dtype=bool),
                                                  rows["entry"].to_numpy(dtype=float) if truncation else None,
                                                  str(group))
            if km is None:
                groups_out[group] = {"n": len(rows), "estimable": False, "reason": f"not estimable: {problem}"}
                continue
            curves[group] = km
            median = timeline.median_survival(km)
            groups_out[group] = {"n": len(rows), "closings": int(rows["event"].sum()), "estimable": True,
                                 "median_years": median if math.isfinite(median) else None,
                                 "curve": km.to_dict(orient="records")}
        if len(curves) >= 2:
            a, b = sorted(curves, key=lambda g: -int((cohort["group"] == g).sum()))[:2]
            ra, rb = cohort[cohort["group"] == a], cohort[cohort["group"] == b]
            comparison = {"groups": [a, b], "entry_times": truncation, **timeline.logrank_test(
                ra["duration"].to_numpy(dtype=float), ra["event"].to_numpy(), rb["duration"].to_numpy(dtype=float),
                rb["event"].to_numpy(), entry_a=ra["entry"].to_numpy(dtype=float) if truncation else None,
                entry_b=rb["entry"].to_numpy(dtype=float) if truncation else None)}
        for reason, count in Counter(r for r in usable if r).items():
            excluded[reason] += count
        survival = {"groups": groups_out, "logrank": comparison, "closings": closings, "n": len(cohort),
                    "censoring": "at the last dated evidence of activity (source issue date or alive status)",
                    "left_truncation": "at the first dated evidence" if truncation else None,
                    "estimator": "Kaplan-Meier (lifelines), log(-log) confidence band"}
        if closings < 10:
            caveats.add(f"Only {closings} closings are recorded: survival estimates are very imprecise.",
                        f"仅记录了 {closings} 次关闭：生存估计非常不精确。")
    summary = in_both(_("%(n)s dated actors founded %(a)s–%(b)s (axis from %(ax)s; %(o)s earlier listed apart); "
                        "%(c)s recorded closings%(estimable)s."),
                      n=len(dated), a=int(dated["founded_year"].min()), b=int(dated["founded_year"].max()),
                      ax=axis_start, o=len(outliers), c=closings,
                      estimable=_("; survival not estimable") if survival is None else "")

    def _per_year():
        from . import figures as figs

        return figs.per_year_plot(per_year)

    def _km():
        from . import figures as figs

        return figs.km_plot(curves) if curves else None

    builders = {"per-year": (in_both(_("Foundings and closings per year from %(start)s (n = %(n)s)"),
                                     start=axis_start, n=len(in_era)), _per_year)}
    if curves:
        builders["survival"] = (in_both(_("Survival of actors by group (Kaplan–Meier, n = %(n)s, %(c)s closings)"),
                                        n=len(cohort), c=closings), _km)
    return {"result": {"per_year": per_year.to_dict(orient="records"), "n_dated": len(dated), "n_total": len(table),
                       "axis": {"from": axis_start, "era_start": era}, "outliers": outliers,
                       "survival": survival, "survival_reason": survival_reason,
                       "sample": sample(len(cohort) if survival is not None else len(dated), excluded),
                       "caveats": caveats},
            "summary": summary, "notes": notes, "figures": _figures(builders)}


RUNNERS = {"network": run_network,
           "spatial": _single_threaded(run_spatial, preload=("sklearn.cluster",)),
           "typology": _single_threaded(run_typology, preload=("sklearn.cluster", "sklearn.metrics")),
           "timeline": _single_threaded(run_timeline)}
