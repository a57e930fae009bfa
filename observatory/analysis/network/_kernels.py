"""Compiled inner loops of :mod:`observatory.analysis.network` (numba, compiled on first use and
cached beside this file). Each works on a graph given as CSR arrays (``indptr``, ``indices``: the
out-neighbours of node v are ``indices[indptr[v]:indptr[v + 1]]``), int64, and returns arrays.

The triangles of a sparse graph are found among its wedges (ten million at 100,000 nodes of the
synthetic ecosystem, for about 40,000 triangles): NumPy and SciPy can only materialise every wedge
(a sparse product), which took 10-20 times longer. The callers in ``network`` document what they
compute; here is only how.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def oriented_triangles(indptr: np.ndarray, indices: np.ndarray):  # pragma: no cover - compiled
    """Triangles a→b→c closed by a→c in an acyclic orientation (each undirected triangle once), as a
    (6, t) array of corners (a, b, c) and the CSR positions of the ties a→b, b→c and a→c, ordered by
    (a, b, c) when the indices of each row are sorted.

    For each a, its out-neighbours c are marked with their position; every out-neighbour b of a then
    looks its own out-neighbours up among the marks (Chiba & Nishizeki's compact-forward scheme), up to
    the highest mark, so the work is at most the number of oriented wedges and the memory the
    number of triangles. Needs the indices of each row sorted."""
    n = indptr.size - 1
    mark = np.full(n, -1, dtype=np.int64)
    out = np.empty((6, 1024), dtype=np.int64)
    t = 0
    for a in range(n):
        start, stop = indptr[a], indptr[a + 1]
        if stop - start < 2:
            continue
        for p in range(start, stop):
            mark[indices[p]] = p
        highest = indices[stop - 1]                      # rows sorted: no c above it is marked
        for p in range(start, stop - 1):
            b = indices[p]
            for q in range(indptr[b], indptr[b + 1]):
                c = indices[q]
                if c > highest:
                    break
                r = mark[c]
                if r >= 0:
                    if t == out.shape[1]:
                        grown = np.empty((6, 2 * t), dtype=np.int64)
                        grown[:, :t] = out
                        out = grown
                    out[0, t] = a
                    out[1, t] = b
                    out[2, t] = c
                    out[3, t] = p
                    out[4, t] = q
                    out[5, t] = r
                    t += 1
        for p in range(start, stop):
            mark[indices[p]] = -1
    return out[:, :t].copy()


@njit(cache=True, nogil=True)
def _role(gi, gj, gk):  # pragma: no cover - compiled
    if gi == gj:
        return 0 if gj == gk else 2
    if gj == gk:
        return 3
    return 1 if gi == gk else 4


@njit(cache=True, nogil=True)
def _arc_along(x, tie, e_lo, code):  # pragma: no cover - compiled
    # is there an arc from corner x along the tie (lo, hi) whose direction code is 1 lo→hi, 2 hi→lo, 3 both?
    return (code[tie] & (1 if x == e_lo[tie] else 2)) > 0


@njit(cache=True, nogil=True)
def brokerage_roles(indptr, indices, codes, n_groups, e_lo, e_hi, code, triangles):  # pragma: no cover
    """Gould-Fernandez counts (n, 6) of the open two-paths i→j→k, i ≠ k, with broker j: every
    two-path counted from each broker's in- and out-degrees per group, less the reciprocated pairs
    (i = k), less the closed two-paths, which are the orderings of the skeleton's triangles
    (``triangles``: corners a, b, c and tie ids a–b, b–c, a–c, as ``network._triangles`` lists them)
    whose three arcs exist."""
    n = indptr.size - 1
    outdeg = np.zeros(n)
    indeg = np.zeros(n)
    out_same = np.zeros(n)
    in_same = np.zeros(n)
    in_g = np.zeros((n, n_groups))
    out_g = np.zeros((n, n_groups))
    for u in range(n):
        gu = codes[u]
        for p in range(indptr[u], indptr[u + 1]):
            v = indices[p]
            gv = codes[v]
            outdeg[u] += 1.0
            indeg[v] += 1.0
            out_g[u, gv] += 1.0
            in_g[v, gu] += 1.0
            if gu == gv:
                out_same[u] += 1.0
                in_same[v] += 1.0
    recip = np.zeros(n)
    recip_same = np.zeros(n)
    for t in range(e_lo.size):
        if code[t] == 3:
            a, b = e_lo[t], e_hi[t]
            recip[a] += 1.0
            recip[b] += 1.0
            if codes[a] == codes[b]:
                recip_same[a] += 1.0
                recip_same[b] += 1.0
    counts = np.zeros((n, 6))
    for j in range(n):
        same_pair = 0.0
        for g in range(n_groups):
            same_pair += in_g[j, g] * out_g[j, g]
        other_same = same_pair - in_same[j] * out_same[j]     # g_i = g_k ≠ g_j, i = k included
        counts[j, 0] = in_same[j] * out_same[j] - recip_same[j]
        counts[j, 1] = other_same - (recip[j] - recip_same[j])
        counts[j, 2] = in_same[j] * (outdeg[j] - out_same[j])
        counts[j, 3] = (indeg[j] - in_same[j]) * out_same[j]
        counts[j, 4] = (indeg[j] - in_same[j]) * (outdeg[j] - out_same[j]) - other_same
    corner = np.empty(3, dtype=np.int64)
    tie = np.empty(3, dtype=np.int64)                       # tie between corners (0, 1), (1, 2), (0, 2)
    for t in range(triangles.shape[1]):
        corner[0], corner[1], corner[2] = triangles[0, t], triangles[1, t], triangles[2, t]
        tie[0], tie[1], tie[2] = triangles[3, t], triangles[4, t], triangles[5, t]
        for o in range(6):
            # the six orderings (p, q, r) of the corners; q is the broker
            if o == 0:
                p, q, r = 0, 1, 2
            elif o == 1:
                p, q, r = 0, 2, 1
            elif o == 2:
                p, q, r = 1, 0, 2
            elif o == 3:
                p, q, r = 1, 2, 0
            elif o == 4:
                p, q, r = 2, 0, 1
            else:
                p, q, r = 2, 1, 0
            pq = tie[0] if p + q == 1 else (tie[1] if p + q == 3 else tie[2])
            qr = tie[0] if q + r == 1 else (tie[1] if q + r == 3 else tie[2])
            pr = tie[0] if p + r == 1 else (tie[1] if p + r == 3 else tie[2])
            if (_arc_along(corner[p], pq, e_lo, code) and _arc_along(corner[q], qr, e_lo, code)
                    and _arc_along(corner[p], pr, e_lo, code)):
                j = corner[q]
                counts[j, _role(codes[corner[p]], codes[j], codes[corner[r]])] -= 1.0
    for j in range(n):
        counts[j, 5] = counts[j, 0] + counts[j, 1] + counts[j, 2] + counts[j, 3] + counts[j, 4]
    return counts
