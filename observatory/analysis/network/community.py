"""Leiden communities (Traag, Waltman & van Eck 2019) of the undirected weighted projection, via igraph."""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx
import numpy as np
import scipy.sparse as sp

from ._arcs import GraphArrays

__all__ = ["COMMUNITY_METHOD", "CommunityPartition", "communities"]

#: How :func:`communities` finds them, for the record of a run (the parameters are those of the call).
COMMUNITY_METHOD = "leiden"


class CommunityPartition(tuple):
    """Result of :func:`communities`: ``membership`` (node → community id) and ``modularity``.

    Unpacks as a pair (``membership, q = communities(G)``), also accepts ``result["modularity"]``, and
    records how the partition was found in ``method`` (algorithm, objective, resolution, iterations,
    seed, implementation), which does not take part in comparisons."""

    def __new__(cls, membership: dict, modularity: float, method: dict | None = None):
        self = super().__new__(cls, (membership, modularity))
        self.method = dict(method or {})
        return self

    def __getnewargs__(self):
        return (self[0], self[1], self.method)

    @property
    def membership(self) -> dict:
        return tuple.__getitem__(self, 0)

    @property
    def modularity(self) -> float:
        return tuple.__getitem__(self, 1)

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            if key not in ("membership", "modularity", "method"):
                raise KeyError(key)
            return getattr(self, key)
        return tuple.__getitem__(self, key)

    def __repr__(self) -> str:
        return (f"CommunityPartition(communities={len(set(self.membership.values()))}, "
                f"modularity={self.modularity!r}, method={self.method!r})")

    @property
    def communities(self) -> list[list]:
        """Members of each community, community 0 first."""
        groups: dict[int, list] = {}
        for node, cid in self.membership.items():
            groups.setdefault(cid, []).append(node)
        return [groups[c] for c in sorted(groups)]


def _undirected_ties(arrays: GraphArrays, weight: str | None) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
    """The undirected weighted projection of G as ties (lo, hi), lo ≤ hi positions in graph order, in
    lexicographic order: arcs u→v and v→u merged, their weights added (1 per arc when ``weight`` is
    None or the attribute is absent); an undirected tie counts once; self-loops kept."""
    nodes, src, dst = arrays.nodes, arrays.src, arrays.dst
    n = len(nodes)
    w = arrays.weights(weight)
    if not arrays.directed:                               # each tie is listed from both ends
        once = src <= dst
        src, dst, w = src[once], dst[once], w[once]
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    T = sp.coo_matrix((w, (lo, hi)), shape=(n, n)).tocsr()   # sums the two arcs of a reciprocated tie
    T.sort_indices()
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(T.indptr))
    return nodes, rows, T.indices.astype(np.int64), T.data


def _sort_key(node: Hashable) -> tuple[str, str]:
    return (type(node).__name__, str(node))


def _igraph_seeded(seed: int | None):
    """A context in which igraph draws its random numbers from ``random.Random(seed)`` (igraph uses the
    module-level ``random`` by default); the default generator is put back afterwards."""
    import contextlib
    import random

    import igraph

    @contextlib.contextmanager
    def context():
        igraph.set_random_number_generator(random.Random(seed))
        try:
            yield igraph
        finally:
            igraph.set_random_number_generator(random)

    return context()


def communities(G: nx.Graph | GraphArrays, *, seed: int | None = 0, resolution: float = 1.0, weight: str | None = "weight",
                n_iterations: int = 2) -> CommunityPartition:
    """Leiden communities of the undirected weighted projection of G, with their modularity.

    Arcs u→v and v→u are merged into one undirected tie whose weight is the sum of theirs (1 per arc
    when the attribute is absent). Communities are found with the Leiden algorithm (Traag, Waltman &
    van Eck 2019) maximising modularity at the given ``resolution`` (γ; larger gives smaller
    communities), as implemented in igraph's C core (``Graph.community_leiden``, objective
    ``"modularity"``, β = 0.01, ``n_iterations`` passes; 2 is the default of igraph and leidenalg).
    Leiden refines Louvain (Blondel et al. 2008): every community it returns is connected, and the
    modularity is at least as high in practice. Communities are numbered deterministically: largest
    first, ties broken by the smallest member.

    Parameters
    ----------
    G : networkx.Graph or DiGraph, or its :class:`GraphArrays` (shared with other measures)
    seed : int or None, default 0
        Seed of the random generator igraph draws from (node order, refinement); the same graph and
        seed give the same partition, run to run. None draws a fresh one.
    resolution : float
        Modularity resolution γ.
    weight : str or None
        Edge attribute holding tie strength.
    n_iterations : int
        Leiden iterations; a negative number iterates until the partition no longer changes (slow
        on large graphs).

    Returns
    -------
    CommunityPartition
        ``membership`` maps each node to a community id 0, 1, ...; ``modularity`` is Newman's Q of that
        partition on the projection, at the same resolution; ``method`` records the algorithm and its
        parameters.

    Examples
    --------
    >>> membership, q = communities(nx.barbell_graph(5, 0))
    >>> sorted(set(membership.values())), round(q, 3)
    ([0, 1], 0.452)

    References
    ----------
    Traag, V. A., Waltman, L. & van Eck, N. J. (2019). From Louvain to Leiden: guaranteeing
    well-connected communities. *Scientific Reports* 9, 5233.
    Blondel, V. D., Guillaume, J.-L., Lambiotte, R. & Lefebvre, E. (2008). Fast unfolding of communities
    in large networks. *J. Stat. Mech.* P10008.
    """
    arrays = GraphArrays.of(G)
    if len(arrays) == 0:
        raise ValueError("the graph has no nodes: communities need at least one tie")
    nodes, lo, hi, w = _undirected_ties(arrays, weight)
    n = len(nodes)
    method = {"algorithm": COMMUNITY_METHOD, "objective": "modularity", "resolution": resolution, "beta": 0.01,
              "n_iterations": n_iterations, "seed": seed, "weight": weight,
              "implementation": "igraph " + _igraph_version()}
    rank = np.empty(n, dtype=np.int64)                    # position of each node in _sort_key order
    if all(type(node) is str for node in nodes):          # one type: _sort_key orders as the strings do
        rank[sorted(range(n), key=nodes.__getitem__)] = np.arange(n)
    else:
        rank[sorted(range(n), key=lambda i: _sort_key(nodes[i]))] = np.arange(n)
    if lo.size == 0:
        return CommunityPartition(dict(zip(nodes, rank.tolist(), strict=True)), float("nan"), method)
    with _igraph_seeded(seed) as igraph:
        H = igraph.Graph(n=n, edges=np.column_stack((lo, hi)), directed=False)
        weights = w.tolist()
        found = H.community_leiden(objective_function="modularity", weights=weights, resolution=resolution,
                                   beta=0.01, n_iterations=n_iterations)
        raw = np.asarray(found.membership, dtype=np.int64)
        # largest first, ties broken by the smallest member (in _sort_key order)
        sizes = np.bincount(raw)
        smallest = np.full(sizes.size, n, dtype=np.int64)
        np.minimum.at(smallest, raw, rank)
        order = np.lexsort((smallest, -sizes))
        renumber = np.empty_like(order)
        renumber[order] = np.arange(order.size)
        membership = renumber[raw]
        q = H.modularity(membership.tolist(), weights=weights, resolution=resolution, directed=False)
    return CommunityPartition(dict(zip(nodes, membership.tolist(), strict=True)), float(q), method)


def _igraph_version() -> str:
    import igraph

    return igraph.__version__
