"""The four analyses as run on the inventory: read through :mod:`.graphs`, compute with the pure
algorithms, and return ``{"result", "summary", "notes", "figures"}`` for :func:`.services.analysis_run`.

Each runner checks that the data can support it and raises :class:`AnalysisInputError` with a
sentence a researcher can act on when it cannot.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pandas as pd

from . import graphs
from .services import AnalysisInputError

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
    import matplotlib

    from observatory.fonts import use_cjk_font

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = {}
    with matplotlib.rc_context(use_cjk_font({})):
        for name, (title, build) in figure_builders.items():
            fig = build()
            if fig is None:
                continue
            import io

            svg, png = io.StringIO(), io.BytesIO()
            fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
            fig.savefig(png, format="png", dpi=110, bbox_inches="tight")
            plt.close(fig)
            out[name] = (title, svg.getvalue(), png.getvalue())
    return out


def run_network(*, parameters: dict, seed: int | None, progress=None) -> dict:
    from . import network

    since, until = _date(parameters.get("since")), _date(parameters.get("until"))
    partition = parameters.get("partition", "layer")
    graph = graphs.network_graph(since=since, until=until)
    graph.remove_nodes_from([n for n in list(graph) if graph.degree(n) == 0])
    if graph.number_of_edges() == 0:
        raise AnalysisInputError("the relation graph is empty for this window: record relations (or widen "
                                 "--since/--until) before running the network analysis")
    groups = {data.get(partition) for _, data in graph.nodes(data=True)}
    if len(groups) < 2:
        raise AnalysisInputError(f"brokerage needs at least two groups, but every node has the same {partition!r} "
                                 f"({groups.pop()!r}); choose another partition")
    roles = network.brokerage(graph, partition)
    holes = network.structural_holes(graph, weight="weight")
    central = network.centralities(graph, seed=seed)
    communities = network.communities(graph, seed=seed if seed is not None else 0)
    graph_level = network.brokerage_graph(graph, partition)
    nodes = {}
    membership = communities["membership"] if isinstance(communities, dict) else communities
    for node, data in graph.nodes(data=True):
        row = {"name": data.get("name"), "name_zh": data.get("name_zh"), "layer": data.get("layer"),
               "kind": data.get("kind")}
        row.update({k: roles.at[node, k] for k in roles.columns})
        row.update({k: holes.at[node, k] for k in holes.columns})
        row.update({k: central.at[node, k] for k in central.columns})
        row["community"] = membership.get(node)
        nodes[node] = row
    top = roles.sort_values("total", ascending=False).head(10)
    synaptic = roles[(roles["liaison"] + roles["gatekeeper"] + roles["representative"] + roles["itinerant"]) > 0]
    summary = (f"{graph.number_of_nodes()} actors, {graph.number_of_edges()} ties; {len(synaptic)} actors broker "
               f"between {partition}s. Top brokers: " + ", ".join(
                   f"{graph.nodes[n].get('name')} ({int(top.at[n, 'total'])})" for n in top.index[:5]))
    notes = []
    if any(np.isnan(roles[[c for c in roles.columns if c.startswith("z_")]].to_numpy(dtype=float)).ravel()):
        notes.append("z-scores are undefined (null) where the null model's variance is 0, e.g. coordinator roles in "
                     "a group of fewer than 3 actors (as in R sna)")
    result = {"partition": partition, "nodes": nodes, "graph": graph_level,
              "modularity": communities.get("modularity") if isinstance(communities, dict) else None,
              "n_nodes": graph.number_of_nodes(), "n_edges": graph.number_of_edges(),
              "window": {"since": since, "until": until}}
    figures = {}
    try:
        from . import figures as figs

        figures = _figures({"brokerage-roles": ("Brokerage roles of the top brokers",
                                                lambda: figs.brokerage_bar(roles, labels={
                                                    n: graph.nodes[n].get("name_zh") or graph.nodes[n].get("name")
                                                    for n in graph}))})
    except (ImportError, AttributeError, TypeError):
        notes.append("figure not drawn: the figure helpers are unavailable")
    return {"result": result, "summary": summary, "notes": notes, "figures": figures}


def run_spatial(*, parameters: dict, seed: int | None, progress=None) -> dict:
    from . import spatial

    points = graphs.spatial_points()
    if points.empty:
        raise AnalysisInputError("no entity has a location: add locations before the territorial analysis")
    counts_province = Counter(points["province_code"].fillna(""))
    counts_prefecture = Counter(points["prefecture_code"].fillna(""))
    exact = points[points["point_ok"]]
    notes = [f"{int((~points['point_ok']).sum())} locations coarser than street level (or placed at a division "
             "centroid) are counted per division but left out of point-pattern statistics"]
    result: dict = {"counts": {"province": dict(counts_province), "prefecture": dict(counts_prefecture)},
                    "n_points": len(points), "n_exact": len(exact)}
    eps_km = float(parameters.get("eps_km", 1.0))
    min_samples = int(parameters.get("min_samples", 4))
    if len(exact) >= 2:
        latlon = exact[["lat", "lng"]].to_numpy(dtype=float)
        labels = spatial.dbscan_haversine(latlon, eps_km, min_samples)
        result["hotspots"] = {"eps_km": eps_km, "min_samples": min_samples,
                              "labels": dict(zip(exact["slug"], map(int, labels), strict=True)),
                              "n_clusters": int(len(set(labels) - {-1}))}
        result["distances_km"] = {
            name: dict(zip(exact["slug"], col, strict=True))
            for name, col in spatial.distances_to_clusters(latlon, NAMED_CLUSTERS).items()}
    else:
        notes.append("fewer than 2 precise points: no hotspot detection")
    summary = (f"{len(points)} located actors in {len([c for c in counts_province if c])} provinces; "
               f"{len(exact)} precise points" + (f", {result['hotspots']['n_clusters']} hotspots at "
                                                 f"eps = {eps_km:g} km" if "hotspots" in result else ""))
    return {"result": result, "summary": summary, "notes": notes, "figures": {}}


def run_typology(*, parameters: dict, seed: int | None, progress=None) -> dict:
    from . import typology

    table = graphs.typology_table()
    if len(table) < 5:
        raise AnalysisInputError(f"only {len(table)} coded entities: code at least 5 entities before the typology")
    constant = [c for c in table.columns if table[c].nunique() < 2]
    notes = [f"variable {c!r} has one category only and is left out" for c in constant]
    table = table.drop(columns=constant)
    if table.shape[1] < 2:
        raise AnalysisInputError("fewer than two variables vary across coded entities: nothing to analyse")
    result_mca = typology.mca(table)
    summary = f"MCA of {len(table)} coded entities on {table.shape[1]} variables."
    return {"result": {"mca": result_mca if isinstance(result_mca, dict) else result_mca.__dict__},
            "summary": summary, "notes": notes, "figures": {}}


def run_timeline(*, parameters: dict, seed: int | None, progress=None) -> dict:
    from . import timeline

    table = graphs.timeline_table()
    dated = table[table["founded"].notna()]
    if dated.empty:
        raise AnalysisInputError("no entity has a founding date: the timeline needs founding years")
    founded = pd.to_datetime(dated["founded"]).dt.year
    closed = pd.to_datetime(dated["closed"]).dt.year
    per_year = timeline.events_per_year(founded.to_numpy(), closed.to_numpy(), dated["kind"].to_numpy())
    return {"result": {"per_year": per_year.to_dict(orient="records") if hasattr(per_year, "to_dict") else per_year,
                       "n_dated": len(dated), "n_total": len(table)},
            "summary": f"{len(dated)} of {len(table)} actors have a founding date.",
            "notes": [f"{len(table) - len(dated)} actors without a founding date are left out"], "figures": {}}


RUNNERS = {"network": run_network, "spatial": run_spatial, "typology": run_typology, "timeline": run_timeline}
