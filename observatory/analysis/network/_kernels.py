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
def skeleton_ties(out_ptr, out_idx, in_ptr, in_idx):  # pragma: no cover - compiled
    """The undirected ties of a digraph given as CSR of its out- and in-neighbours (no self-loops
    needed; any are skipped): arrays (lo, hi, code), lo < hi, grouped by lo, with code 1 = only the
    arc lo→hi, 2 = only hi→lo, 3 = both. One pass over the arcs: the ties of lo to higher nodes are
    found among its out-neighbours first, each remembering its slot, then its in-neighbours either
    complete a slot of this pass or open a tie of their own."""
    n = out_ptr.size - 1
    slot = np.full(n, -1, dtype=np.int64)
    cap = out_idx.size
    lo = np.empty(cap, dtype=np.int64)
    hi = np.empty(cap, dtype=np.int64)
    code = np.empty(cap, dtype=np.int8)
    t = 0
    for u in range(n):
        first = t                                        # slots below it belong to earlier nodes
        for q in range(out_ptr[u], out_ptr[u + 1]):
            v = out_idx[q]
            if v > u:
                slot[v] = t
                lo[t] = u
                hi[t] = v
                code[t] = 1
                t += 1
        for q in range(in_ptr[u], in_ptr[u + 1]):
            v = in_idx[q]
            if v > u:
                s = slot[v]
                if s >= first:
                    code[s] = 3
                else:
                    lo[t] = u
                    hi[t] = v
                    code[t] = 2
                    t += 1
    return lo[:t].copy(), hi[:t].copy(), code[:t].copy()


@njit(cache=True, nogil=True)
def grouped(n, keys):  # pragma: no cover - compiled
    """A stable counting sort of items by their key in 0..n-1: the row pointer (items with key v go
    to ptr[v]:ptr[v + 1]) and each item's slot in that order, without moving the items."""
    ptr = np.zeros(n + 1, dtype=np.int64)
    for key in keys:
        ptr[key + 1] += 1
    for v in range(n):
        ptr[v + 1] += ptr[v]
    fill = ptr[:-1].copy()
    slot = np.empty(keys.size, dtype=np.int64)
    for i in range(keys.size):
        slot[i] = fill[keys[i]]
        fill[keys[i]] += 1
    return ptr, slot


@njit(cache=True, nogil=True)
def oriented_adjacency(n, r_lo, r_hi):  # pragma: no cover - compiled
    """Every tie (r_lo[t], r_hi[t]) between ranks 0..n-1 oriented from its lower to its higher rank,
    as CSR (indptr, indices, tie ids) with each row sorted (insertion sort: the rows of a degree
    orientation are short). The indices and tie ids have the dtype of ``r_lo``."""
    m = r_lo.size
    indptr, slot = grouped(n, np.minimum(r_lo, r_hi))
    indices = np.empty(m, dtype=r_lo.dtype)
    tie = np.empty(m, dtype=r_lo.dtype)
    for t in range(m):
        indices[slot[t]] = max(r_lo[t], r_hi[t])
        tie[slot[t]] = t
    for v in range(n):
        first, stop = indptr[v], indptr[v + 1]
        for i in range(first + 1, stop):
            x, y = indices[i], tie[i]
            j = i - 1
            while j >= first and indices[j] > x:
                indices[j + 1] = indices[j]
                tie[j + 1] = tie[j]
                j -= 1
            indices[j + 1] = x
            tie[j + 1] = y
    return indptr, indices, tie


@njit(cache=True, nogil=True)
def oriented_triangles(indptr, indices, tie):  # pragma: no cover - compiled
    """Triangles a→b→c closed by a→c of an acyclic orientation given by :func:`oriented_adjacency`
    (each undirected triangle once), as a (6, k) array of corners (a, b, c) and the tie ids of a–b,
    b–c and a–c.

    For each a, its out-neighbours c are marked with their tie; every out-neighbour b of a then looks
    its own out-neighbours up among the marks (Chiba & Nishizeki's compact-forward scheme), up to the
    highest mark, so the work is at most the number of oriented wedges. A triangle at a is a pair of
    its out-neighbours, so room for d(d − 1)/2 more is made before a's walk (d its out-degree), which
    keeps every check of room out of the hot loop."""
    n = indptr.size - 1
    mark = np.full(n, -1, dtype=indices.dtype)
    out = np.empty((6, 1024), dtype=np.int64)
    k = 0
    for a in range(n):
        start, stop = indptr[a], indptr[a + 1]
        d = stop - start
        if d < 2:
            continue
        room = k + d * (d - 1) // 2
        if room > out.shape[1]:
            grown = np.empty((6, max(room, 2 * out.shape[1])), dtype=np.int64)
            grown[:, :k] = out[:, :k]
            out = grown
        for p in range(start, stop):
            mark[indices[p]] = tie[p]
        highest = indices[stop - 1]                      # rows sorted: no c above it is marked
        for p in range(start, stop - 1):
            b = indices[p]
            for q in range(indptr[b], indptr[b + 1]):
                c = indices[q]
                if c > highest:
                    break
                r = mark[c]
                if r >= 0:
                    out[0, k] = a
                    out[1, k] = b
                    out[2, k] = c
                    out[3, k] = tie[p]
                    out[4, k] = tie[q]
                    out[5, k] = r
                    k += 1
        for p in range(start, stop):
            mark[indices[p]] = -1
    return out[:, :k].copy()


@njit(cache=True, nogil=True)
def closed_two_paths(n, corners, e_lo, code):  # pragma: no cover - compiled
    """The closed two-paths i→j→k (arc i→k present) of a digraph, grouped by broker j, from the
    triangles of its skeleton: ``corners`` is (6, k) as :func:`oriented_triangles` gives it (nodes
    a, b, c, then the tie ids of a–b, b–c, a–c) and the ties' (``e_lo``, ``code``) say which arcs
    exist. Each of a triangle's six orderings (i, j, k) is a closed two-path when its three arcs
    exist. Returns (ptr, src, dst): broker j's closed two-paths are src/dst[ptr[j]:ptr[j + 1]]."""
    k = corners.shape[1]
    found = np.empty((3, 6 * k), dtype=np.int64)          # broker, source, destination
    f = 0
    node = np.empty(3, dtype=np.int64)
    for t in range(k):
        node[0], node[1], node[2] = corners[0, t], corners[1, t], corners[2, t]
        ties = (corners[3, t], corners[4, t], corners[5, t])  # corners 0–1, 1–2, 0–2
        for x in range(3):
            for y in range(3):
                if x == y:
                    continue
                z = 3 - x - y
                # the arcs x→y, y→z and x→z (source x, broker y, destination z)
                ok = True
                for u, v in ((x, y), (y, z), (x, z)):
                    s = ties[0] if u + v == 1 else (ties[1] if u + v == 3 else ties[2])
                    if (code[s] & (1 if node[u] == e_lo[s] else 2)) == 0:
                        ok = False
                        break
                if ok:
                    found[0, f] = node[y]
                    found[1, f] = node[x]
                    found[2, f] = node[z]
                    f += 1
    ptr, slot = grouped(n, found[0, :f])
    src = np.empty(f, dtype=np.int64)
    dst = np.empty(f, dtype=np.int64)
    for g in range(f):
        src[slot[g]] = found[1, g]
        dst[slot[g]] = found[2, g]
    return ptr, src, dst


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
