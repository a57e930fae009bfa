"""The network explorer's graph: nodes with positions, layer colours and sizes, and edges."""

from __future__ import annotations

import math

import numpy as np

from observatory.inventory.models import display_name, other_name

from .figures import analysis_latest, ranked_brokers
from .memo import Memo

__all__ = ["LAYER_COLOURS", "NETWORK_METRICS", "NETWORK_VIEWS", "network_data"]

_LAYOUTS = Memo("layout", 16)
LAYER_COLOURS = {"physical": "#1b7837", "organizational": "#2166ac", "virtual": "#b2182b"}


def _layout(nodes: list[str], edges: list[tuple[str, str]], seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions for the graph: networkx's spring layout, or for more than 800 nodes the sampled
    force layout below (igraph's grid Fruchterman–Reingold took minutes at 5,000 nodes and is not
    reproducible from its starting positions); kept per graph."""
    return _LAYOUTS.get((len(nodes), hash(tuple(nodes)), hash(tuple(edges)), seed),
                        lambda: _layout_compute(nodes, edges, seed))


def _layout_compute(nodes: list[str], edges: list[tuple[str, str]], seed: int) -> dict[str, tuple[float, float]]:
    import networkx as nx

    if len(nodes) > 800:
        positions = _sampled_force_layout(nodes, edges, seed=seed)
    else:
        graph = nx.Graph()
        graph.add_nodes_from(nodes)
        graph.add_edges_from(edges)
        positions = nx.spring_layout(graph, seed=seed, iterations=50) if nodes else {}
    return {n: (round(float(p[0]) * 1000, 2), round(float(p[1]) * 1000, 2)) for n, p in positions.items()}


def _sampled_force_layout(nodes: list[str], edges: list[tuple[str, str]], *, seed: int = 7,
                          iterations: int = 50, sample: int = 128) -> dict[str, np.ndarray]:
    """Fruchterman–Reingold with the repulsion of each node estimated from a random sample of the
    others (scaled up by n / sample), so an iteration costs O(n·sample + edges) instead of O(n²):
    about a second for 5,000 nodes, where networkx's spring layout takes close to a minute."""
    rng = np.random.default_rng(seed)
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    pos = rng.uniform(-1, 1, size=(n, 2))
    if edges:
        u = np.array([index[a] for a, _b in edges])
        v = np.array([index[b] for _a, b in edges])
    else:
        u = v = np.zeros(0, dtype=int)
    k = 2.0 / math.sqrt(n)  # ideal distance in a square of side 2
    temperature = 0.2
    take = min(sample, n)
    for _ in range(iterations):
        chosen = rng.choice(n, size=take, replace=False)
        delta = pos[:, None, :] - pos[chosen][None, :, :]
        distance2 = np.maximum((delta ** 2).sum(axis=2), 1e-6)
        displacement = (delta * (k * k / distance2)[:, :, None]).sum(axis=1) * (n / take)
        if len(u):
            d = pos[u] - pos[v]
            length = np.maximum(np.sqrt((d ** 2).sum(axis=1)), 1e-6)
            pull = d * (length / k)[:, None]
            np.add.at(displacement, u, -pull)
            np.add.at(displacement, v, pull)
        displacement -= pos * 0.05 * n * k  # a weak pull to the centre keeps components together
        length = np.maximum(np.sqrt((displacement ** 2).sum(axis=1)), 1e-9)
        pos += displacement / length[:, None] * np.minimum(length, temperature)[:, None]
        temperature *= 0.95
    pos -= pos.mean(axis=0)
    scale = np.abs(pos).max() or 1.0
    return {node: pos[i] / scale for i, node in enumerate(nodes)}


NETWORK_METRICS = ["degree", "total", "betweenness", "pagerank", "effective_size"]


#: Views of the network explorer: which relation classes, oriented by flow (observatory.inventory.taxonomy).
NETWORK_VIEWS = {
    "": None,                                             # every relation as recorded (listings included)
    "flow": ("interaction", "knowledge_flow"),             # what network runs use by default
    "flow_affiliation": ("interaction", "knowledge_flow", "affiliation"),
    "affiliation": ("affiliation",),
    "listing": ("listing",),
}


def network_data(*, kind: str = "", layer: str = "", since=None, until=None, metric: str = "degree",
                 limit: int = 6000, view: str = "", language: str = "en") -> dict:
    """Nodes (with positions, layer colour, size by ``metric``, broker flag, and the names a reader
    of ``language`` sees: ``n`` by inventory.models.display_name, ``o`` the other language's in
    brackets by other_name) and edges for sigma.js.
    ``view`` (``NETWORK_VIEWS``) keeps the relations of some classes, oriented by their flow; a
    listing has no flow, so the listing view shows listings as recorded (actor → directory)."""
    from observatory.analysis.graphs import network_graph

    classes = NETWORK_VIEWS.get(view)
    if classes is None:
        graph = network_graph(since=since, until=until)
    else:
        graph = network_graph(since=since, until=until, classes=classes, oriented=view != "listing")
    if kind:
        graph.remove_nodes_from([n for n, d in list(graph.nodes(data=True)) if d.get("kind") != kind])
    if layer:
        graph.remove_nodes_from([n for n, d in list(graph.nodes(data=True)) if d.get("layer") != layer])
    graph.remove_nodes_from([n for n in list(graph) if graph.degree(n) == 0])
    if graph.number_of_nodes() > limit:
        keep = sorted(graph, key=lambda n: -graph.degree(n))[:limit]
        graph = graph.subgraph(keep).copy()
    run = analysis_latest("network")
    stats = ((run.result or {}).get("nodes") or {}) if run is not None else {}
    ringed = set(ranked_brokers(run)[:len(stats) // 10 + 1])      # the top tenth of the run's brokers
    nodes = sorted(graph)
    edges = sorted((u, v) for u, v in graph.edges())
    positions = _layout(nodes, edges)
    out_nodes = []
    for slug in nodes:
        data = graph.nodes[slug]
        row = stats.get(slug, {})
        if metric == "degree" or metric not in NETWORK_METRICS:
            value = graph.degree(slug)
        else:
            value = row.get(metric)
            value = float(value) if isinstance(value, (int, float)) and not math.isnan(value) else 0.0
        x, y = positions.get(slug, (0.0, 0.0))
        name, name_zh = data.get("name") or slug, data.get("name_zh") or ""
        out_nodes.append({"key": slug, "n": display_name(name, name_zh, language),
                          "o": other_name(name, name_zh, language),
                          "k": data.get("kind"), "l": data.get("layer"), "v": value, "x": x, "y": y,
                          "b": slug in ringed})
    return {"nodes": out_nodes, "edges": [[u, v] for u, v in edges], "metric": metric,
            "run": run.pk if run is not None else None,
            "colours": LAYER_COLOURS}
