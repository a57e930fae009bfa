"""The graph as arrays: nodes in graph order, arcs as (source, target) positions and CSR matrices,
group codes, the undirected skeleton and its triangles. Read through networkx's public API only
(``G.adjacency()``, ``G.nodes(data=...)``); every measure of the package starts here."""

from __future__ import annotations

from itertools import chain
from operator import methodcaller

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp


def _rows(G: nx.Graph) -> list:
    """Each node's successor mapping (its neighbours for an undirected graph), in graph order, as
    ``G.adjacency()`` yields them: an undirected tie is an arc in both directions."""
    return [neighbours for _node, neighbours in G.adjacency()]


def _arc_index(G: nx.Graph) -> tuple[list, np.ndarray, np.ndarray]:
    """Nodes and every arc as positions (src[t], dst[t]) in the order of the successor lists (graph
    order, then each node's successors in insertion order), self-loops included. An undirected tie
    is two arcs (a self-loop one), as in networkx's adjacency."""
    nodes = list(G)
    n = len(nodes)
    rows = _rows(G)
    outdeg = np.fromiter(map(len, rows), dtype=np.int64, count=n)
    total = int(outdeg.sum())
    labels = pd.Index(nodes)
    # the targets mapped to positions with pandas' C hash table (measured about a third faster than a
    # Python dict lookup per arc at a million arcs)
    if labels.dtype.kind in "iu":
        targets = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=total)
    else:
        targets = np.fromiter(chain.from_iterable(rows), dtype=object, count=total)
    dst = labels.get_indexer(targets).astype(np.int64)
    src = np.repeat(np.arange(n, dtype=np.int64), outdeg)
    return nodes, src, dst


def _arc_weights(G: nx.Graph, weight: str | None, count: int) -> np.ndarray:
    """The ``weight`` attribute of every arc in :func:`_arc_index` order (1 where absent or when
    ``weight`` is None)."""
    if weight is None:
        return np.ones(count)
    data = chain.from_iterable(map(methodcaller("values"), _rows(G)))
    return np.fromiter(map(methodcaller("get", weight, 1.0), data), dtype=np.float64, count=count)


def _csr_from_arcs(n: int, src: np.ndarray, dst: np.ndarray) -> sp.csr_matrix:
    """0/1 CSR matrix of arcs given with src non-decreasing (as :func:`_arc_index` lists them),
    self-loops dropped; each row's indices in the order given (not sorted: nothing here needs it)."""
    loops = dst == src
    if loops.any():
        dst, src = dst[~loops], src[~loops]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return sp.csr_matrix((np.ones(dst.size, dtype=np.int32), dst.astype(np.int32), indptr), shape=(n, n))


class GraphArrays:
    """A networkx graph read once into the arrays every measure of this package starts from, for
    several measures of the same graph to share: pass it instead of the graph to :func:`.brokerage`,
    :func:`.brokerage_permutation`, :func:`.brokerage_graph`, :func:`.structural_holes`,
    :func:`.centralities`, :func:`.betweenness` and :func:`.communities`, which then read the graph
    once between them instead of once each (the results are the same either way).

    It holds the nodes in graph order and every arc as positions ``(src[t], dst[t])`` (:func:`_arc_index`),
    and makes on first use, then keeps: the 0/1 arc matrix, the arcs' weights by attribute, the group
    codes by node attribute, the two-path structure of brokerage and the observed brokerage counts by
    node attribute. The weights and node attributes are read from ``graph`` when first asked for, so
    the graph must not change while its arrays are in use: build them after its last change.

    >>> G = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> arrays = GraphArrays(G)
    >>> arrays.nodes, arrays.src.tolist(), arrays.dst.tolist()
    (['a', 'b', 'c'], [0, 1], [1, 2])
    """

    def __init__(self, G: nx.Graph):
        self.graph = G
        self.directed = G.is_directed()
        self.nodes, self.src, self.dst = _arc_index(G)
        self._csr: sp.csr_matrix | None = None
        self._weights: dict = {}
        self._groups: dict = {}
        self._two_paths = None
        self._role_counts: dict = {}

    @classmethod
    def of(cls, G: nx.Graph | GraphArrays) -> GraphArrays:
        """``G`` itself if it is already a :class:`GraphArrays`, else the arrays of the graph ``G``."""
        return G if isinstance(G, GraphArrays) else cls(G)

    def __len__(self) -> int:
        return len(self.nodes)

    @property
    def arcs(self) -> int:
        """The number of arcs, self-loops included (an undirected tie counts twice, a self-loop once)."""
        return int(self.src.size)

    def csr(self) -> sp.csr_matrix:
        """The 0/1 arc matrix without self-loops (:func:`_csr_from_arcs`); do not modify it."""
        if self._csr is None:
            self._csr = _csr_from_arcs(len(self.nodes), self.src, self.dst)
        return self._csr

    def weights(self, weight: str | None) -> np.ndarray:
        """The arcs' ``weight`` attribute in arc order (:func:`_arc_weights`); do not modify it."""
        if weight is None:
            return np.ones(self.arcs)
        if weight not in self._weights:
            self._weights[weight] = _arc_weights(self.graph, weight, self.arcs)
        return self._weights[weight]

    def groups(self, attr: str) -> tuple[np.ndarray, list]:
        """The group code of every node on the node attribute ``attr`` and the groups in order of first
        appearance (:func:`_group_codes`, which raises ValueError for a node without one or a single group)."""
        if attr not in self._groups:
            self._groups[attr] = _group_codes(self.graph, self.nodes, attr)
        return self._groups[attr]

    def two_paths(self):
        """The two-path structure of the arc matrix (``brokerage._TwoPaths``), which no labelling changes."""
        if self._two_paths is None:
            from .brokerage import _TwoPaths

            self._two_paths = _TwoPaths(self.csr())
        return self._two_paths

    def role_counts(self, attr: str) -> np.ndarray:
        """Observed brokerage counts under the groups of ``attr``, (n, 6) floats; do not modify them."""
        if attr not in self._role_counts:
            codes, groups = self.groups(attr)
            self._role_counts[attr] = self.two_paths().counts(codes, len(groups))
        return self._role_counts[attr]


def _group_codes(G: nx.Graph, nodes: list, attr: str) -> tuple[np.ndarray, list]:
    values = [data.get(attr) for _node, data in G.nodes(data=True)]   # graph order, which nodes is in
    if None in values:
        missing = [node for node, value in zip(nodes, values, strict=True) if value is None]
        shown = ", ".join(map(repr, missing[:5])) + (" ..." if len(missing) > 5 else "")
        raise ValueError(f"{len(missing)} node(s) have no {attr!r} attribute ({shown}); give every node a "
                         f"group, e.g. G.nodes[n][{attr!r}] = 'physical'")
    labels = np.fromiter(values, dtype=object, count=len(values))
    codes, uniques = pd.factorize(labels, sort=False)
    if len(uniques) < 2:
        raise ValueError(f"the partition on {attr!r} has only one group ({uniques[0]!r}): brokerage roles compare "
                         "groups, so give the nodes at least two distinct values")
    return codes.astype(np.int64), list(uniques)




def _skeleton(A: sp.csr_matrix, At: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Undirected skeleton of the 0/1 arc matrix A (no self-loops), given with its transpose At: each
    tie once as (lo, hi), lo < hi, grouped by lo, with a direction code: 1 = only lo→hi, 2 = only
    hi→lo, 3 = both (reciprocated). One compiled pass over the arcs (:func:`._kernels.skeleton_ties`)."""
    from ._kernels import skeleton_ties

    as_index = lambda values: np.asarray(values, dtype=np.int64)  # noqa: E731
    return skeleton_ties(as_index(A.indptr), as_index(A.indices), as_index(At.indptr), as_index(At.indices))


def _triangles(n: int, e_lo: np.ndarray, e_hi: np.ndarray) -> tuple[np.ndarray, ...]:
    """Triangles of an undirected skeleton given as ties (e_lo[t], e_hi[t]), each triangle once as
    corners (a, b, c) with the ids t of its ties a–b, b–c and a–c, in the order the walk finds them.

    Ties are oriented from lower to higher (degree, index) rank, so every triangle is the unique path
    a→b→c closed by a→c, found by walking only the short out-lists of that orientation (Chiba &
    Nishizeki 1985; compiled, :func:`._kernels.oriented_triangles`). The tie ids travel with the
    oriented adjacency, so what belongs to a tie (its directions, its weights) is read, not looked up."""
    from ._kernels import oriented_adjacency, oriented_triangles

    degree = np.bincount(e_lo, minlength=n) + np.bincount(e_hi, minlength=n)
    by_rank = np.argsort(degree, kind="stable")           # the node of each rank (ties by index)
    rank = np.empty(n, dtype=np.int64)
    rank[by_rank] = np.arange(n)
    # the walk runs on ranks, so the hubs' rows, which it revisits most, sit together; 32-bit
    # positions where they fit halve the memory it walks
    index = np.int32 if max(n, e_lo.size) < 2**31 else np.int64
    ra, rb, rc, ab, bc, ac = oriented_triangles(*oriented_adjacency(n, rank[e_lo].astype(index),
                                                                    rank[e_hi].astype(index)))
    return by_rank[ra], by_rank[rb], by_rank[rc], ab, bc, ac
