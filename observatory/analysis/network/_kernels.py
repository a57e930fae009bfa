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
def brokerage_role_tallies(out_ptr, out_idx, in_ptr, in_idx, rec_ptr, rec_idx, closed_ptr, closed_src, closed_dst,
                           labels, n_groups, observed, ge, le, total, squares):  # pragma: no cover - compiled
    """Gould-Fernandez counts of the open two-paths i→j→k, i ≠ k, of every broker j under each of P
    labellings at once, tallied into (n, 6) accumulators instead of being stored: for labelling p with
    counts c, ``total += c``, ``squares += c²``, ``ge += c ≥ observed``, ``le += c ≤ observed``,
    labellings in order.

    ``labels`` is (n, P): row v holds node v's group under each labelling, so that a neighbour's
    groups are one contiguous read. Per broker j and labelling, the in- and out-neighbours are
    counted per group (``*_ptr``/``*_idx``: CSR of the out-neighbours, of the in-neighbours, of the
    reciprocated partners, and of the closed two-paths i→j→k with i→k, by broker j); all two-paths
    follow from these counts, less the reciprocated pairs (i = k), less the closed two-paths."""
    n, P = labels.shape
    in_g = np.zeros((n_groups, P), dtype=np.int64)
    out_g = np.zeros((n_groups, P), dtype=np.int64)
    counts = np.zeros(6)
    for j in range(n):
        in_g[:, :] = 0
        out_g[:, :] = 0
        # one comparison per group and labelling (no scattered write), which the compiler vectorises
        for q in range(out_ptr[j], out_ptr[j + 1]):
            row = labels[out_idx[q]]
            for g in range(n_groups):
                for p in range(P):
                    out_g[g, p] += row[p] == g
        for q in range(in_ptr[j], in_ptr[j + 1]):
            row = labels[in_idx[q]]
            for g in range(n_groups):
                for p in range(P):
                    in_g[g, p] += row[p] == g
        indeg = float(in_ptr[j + 1] - in_ptr[j])
        outdeg = float(out_ptr[j + 1] - out_ptr[j])
        recip = float(rec_ptr[j + 1] - rec_ptr[j])
        own = labels[j]
        for p in range(P):
            s = own[p]
            same_pair = 0.0
            for g in range(n_groups):
                same_pair += float(in_g[g, p] * out_g[g, p])
            in_s = float(in_g[s, p])
            out_s = float(out_g[s, p])
            recip_same = 0.0
            for q in range(rec_ptr[j], rec_ptr[j + 1]):
                if labels[rec_idx[q], p] == s:
                    recip_same += 1.0
            other_same = same_pair - in_s * out_s               # g_i = g_k ≠ g_j, i = k included
            counts[0] = in_s * out_s - recip_same               # coordinator
            counts[1] = other_same - (recip - recip_same)       # itinerant
            counts[2] = in_s * (outdeg - out_s)                 # representative
            counts[3] = (indeg - in_s) * out_s                  # gatekeeper
            counts[4] = (indeg - in_s) * (outdeg - out_s) - other_same   # liaison
            for q in range(closed_ptr[j], closed_ptr[j + 1]):
                gi = labels[closed_src[q], p]
                gk = labels[closed_dst[q], p]
                if gi == s:
                    counts[0 if gk == s else 2] -= 1.0
                elif gk == s:
                    counts[3] -= 1.0
                else:
                    counts[1 if gi == gk else 4] -= 1.0
            counts[5] = counts[0] + counts[1] + counts[2] + counts[3] + counts[4]
            for r in range(6):
                c = counts[r]
                total[j, r] += c
                squares[j, r] += c * c
                if c >= observed[j, r]:
                    ge[j, r] += 1.0
                if c <= observed[j, r]:
                    le[j, r] += 1.0
