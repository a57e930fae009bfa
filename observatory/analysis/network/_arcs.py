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
    if labels.dtype.kind in "iu":
        # integer labels: mapped with pandas' C hash table
        targets = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=total)
        dst = labels.get_indexer(targets).astype(np.int64)
    else:
        position = {node: i for i, node in enumerate(nodes)}
        dst = np.fromiter(map(position.__getitem__, chain.from_iterable(rows)), dtype=np.int64, count=total)
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


def _as_arcs(G: nx.Graph) -> tuple[list, sp.csr_matrix, int]:
    """Nodes, the 0/1 adjacency as a CSR matrix (self-loops removed; a simple graph has no parallel
    arcs) and sna's arc count m (self-loops included, as rows of sna's edge list)."""
    if G.number_of_nodes() == 0:
        raise ValueError("the graph has no nodes: brokerage needs a directed graph with at least 3 nodes")
    nodes, src, dst = _arc_index(G)
    # self-loops count in m but never in a two-path
    return nodes, _csr_from_arcs(len(nodes), src, dst), int(src.size)




def _group_codes(G: nx.Graph, nodes: list, attr: str) -> tuple[np.ndarray, list]:
    values = [value for _node, value in G.nodes(data=attr)]      # graph order, which nodes is in
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




def _skeleton(A: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Undirected skeleton of the 0/1 arc matrix A (no self-loops): each tie once as (lo, hi), lo < hi,
    with a direction code: 1 = only lo→hi, 2 = only hi→lo, 3 = both (reciprocated). Built by a sparse
    sum, so no arc has to be looked up."""
    n = A.shape[0]
    src = np.repeat(np.arange(n, dtype=np.int64), np.diff(A.indptr))
    dst = A.indices.astype(np.int64)
    forward = src < dst
    lo = np.where(forward, src, dst)
    hi = np.where(forward, dst, src)
    S = sp.csr_matrix((np.where(forward, 1, 2).astype(np.int8), (lo, hi)), shape=(n, n))
    S.sum_duplicates()                                   # 1 + 2 = 3 where both arcs exist
    e_lo = np.repeat(np.arange(n, dtype=np.int64), np.diff(S.indptr))
    return e_lo, S.indices.astype(np.int64), S.data


def _triangles(n: int, e_lo: np.ndarray, e_hi: np.ndarray) -> tuple[np.ndarray, ...]:
    """Triangles of an undirected skeleton given as ties (e_lo[t], e_hi[t]), each triangle once as
    corners (a, b, c) with the ids t of its ties a–b, b–c and a–c.

    Ties are oriented from lower to higher (degree, index) rank, so every triangle is the unique path
    a→b→c closed by a→c, found by walking only the short out-lists of that orientation (Chiba &
    Nishizeki 1985; compiled, :func:`._kernels.oriented_triangles`). The tie ids travel as the CSR
    data of the oriented adjacency, so what belongs to a tie (its directions, its weights) is read,
    not looked up."""
    from ._kernels import oriented_triangles

    degree = np.bincount(e_lo, minlength=n) + np.bincount(e_hi, minlength=n)
    by_rank = np.argsort(degree, kind="stable")           # the node of each rank (ties by index)
    rank = np.empty(n, dtype=np.int64)
    rank[by_rank] = np.arange(n)
    # the oriented adjacency on ranks (low → high): the hubs' rows sit together, which the walk
    # revisits most
    r_lo, r_hi = rank[e_lo], rank[e_hi]
    U = sp.csr_matrix((np.arange(1, e_lo.size + 1, dtype=np.int64), (np.minimum(r_lo, r_hi), np.maximum(r_lo, r_hi))),
                      shape=(n, n))                      # data: tie id + 1
    U.sort_indices()
    ra, rb, rc, ab, bc, ac = oriented_triangles(U.indptr, U.indices)
    a, b, c = by_rank[ra], by_rank[rb], by_rank[rc]
    order = np.lexsort((b, c, a))                         # by node (a, c, b), the order of the sums below
    tie = U.data - 1
    return a[order], b[order], c[order], tie[ab[order]], tie[bc[order]], tie[ac[order]]
