"""One-mode projections of a two-mode (layer × layer) graph (Breiger 1974; Newman 2001)."""

from __future__ import annotations

from typing import NamedTuple

import networkx as nx
import scipy.sparse as sp

__all__ = ["BipartiteProjection", "bipartite_projection"]


class BipartiteProjection(NamedTuple):
    """Result of :func:`bipartite_projection`: the graph on the b nodes, then the graph on the a nodes."""

    onto_b: nx.Graph
    onto_a: nx.Graph


def bipartite_projection(G: nx.Graph, layer_attr: str = "layer", a: str = "virtual", b: str = "physical", *,
                         weight: str | None = None) -> BipartiteProjection:
    """Weighted one-mode projections of the ties between two layers (e.g. online communities ↔ spaces).

    Only ties between a node of layer ``a`` and a node of layer ``b`` are used, in either direction.
    Two b nodes (spaces) are linked in the projection onto b when they share at least one a partner
    (a community); the tie's ``weight`` is the number of shared partners, or, with ``weight``, the sum
    over shared partners of the product of the two tie weights (Newman 2001 without the 1/(k−1)
    discount). The projection onto a is the same with the roles swapped. Every node of the layer
    appears in its projection, isolated if it has no shared partner.

    Parameters
    ----------
    G : networkx.Graph or DiGraph
    layer_attr : str
        Node attribute holding the layer.
    a, b : str
        The two layer values (default: virtual communities and physical spaces).
    weight : str or None
        Tie attribute to multiply; None counts shared partners.

    Returns
    -------
    BipartiteProjection
        ``onto_b`` (graph on the b nodes, e.g. spaces) and ``onto_a`` (graph on the a nodes).

    Examples
    --------
    >>> G = nx.Graph([("forum", "fablab"), ("forum", "market"), ("wechat", "market")])
    >>> nx.set_node_attributes(G, {"forum": "virtual", "wechat": "virtual",
    ...                            "fablab": "physical", "market": "physical"}, "layer")
    >>> spaces, comms = bipartite_projection(G)
    >>> spaces["fablab"]["market"]["weight"], comms["forum"]["wechat"]["weight"]
    (1, 1)

    References
    ----------
    Breiger, R. L. (1974). The duality of persons and groups. *Social Forces* 53(2), 181-190.
    Newman, M. E. J. (2001). Scientific collaboration networks II. *Physical Review E* 64, 016132.
    """
    if a == b:
        raise ValueError(f"a and b are both {a!r}: name two different layers")
    layer = nx.get_node_attributes(G, layer_attr)
    a_nodes = [v for v in G if layer.get(v) == a]
    b_nodes = [v for v in G if layer.get(v) == b]
    if not a_nodes or not b_nodes:
        present = sorted({str(x) for x in layer.values()})
        raise ValueError(f"no node has {layer_attr}={a!r}" if not a_nodes else f"no node has {layer_attr}={b!r}"
                         + f"; layers present: {present}. Pass a= and b= with two of them")
    a_index = {v: i for i, v in enumerate(a_nodes)}
    b_index = {v: i for i, v in enumerate(b_nodes)}
    ties: dict[tuple[int, int], float] = {}
    for u, v, data in G.edges(data=True):
        if u in a_index and v in b_index:
            key = (a_index[u], b_index[v])
        elif v in a_index and u in b_index:
            key = (a_index[v], b_index[u])
        else:
            continue
        w = 1.0 if weight is None else float(data.get(weight, 1.0))
        ties[key] = ties.get(key, 0.0) + w if weight is not None else 1.0
    B = sp.csr_matrix((list(ties.values()), ([k[0] for k in ties], [k[1] for k in ties])),
                      shape=(len(a_nodes), len(b_nodes)), dtype=float)

    def project(X: sp.csr_matrix, names: list) -> nx.Graph:
        C = (X.T @ X).tocoo()
        H = nx.Graph()
        H.add_nodes_from(names)
        for i, j, w in zip(C.row, C.col, C.data, strict=True):
            if i < j and w:
                H.add_edge(names[i], names[j], weight=int(w) if weight is None else float(w))
        return H

    return BipartiteProjection(project(B, b_nodes), project(B.T.tocsr(), a_nodes))
