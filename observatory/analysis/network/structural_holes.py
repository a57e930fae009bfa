"""Burt's (1992) structural holes: constraint, effective size and efficiency (docs/methods.md, "Network")."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._arcs import GraphArrays, _triangles

__all__ = ["structural_holes"]


def structural_holes(G: nx.Graph | GraphArrays, weight: str | None = None) -> pd.DataFrame:
    """Burt's constraint, effective size and efficiency of every node.

    Definition (Burt 1992; networkx conventions; docs/methods.md, "Network"). The mutual weight of u and v is
    m_uv = w_uv + w_vu (arcs in either direction; 1 per arc when ``weight`` is None) and
    p_uv = m_uv / Σ_w m_uw over all neighbours w of u (in and out). Then

    - local constraint ℓ(u, v) = (p_uv + Σ_w p_uw p_wv)², constraint c(u) = Σ_{v ∈ N(u)} ℓ(u, v);
    - effective size e(u) = Σ_{v ∈ N(u)} (1 − Σ_w p_uw m̂_vw), with m̂_vw = m_vw / max_k m_vk, which
      for an unweighted undirected graph is Borgatti's n − 2t/n (n alters, t ties among them);
    - efficiency = e(u) / n, n the number of distinct neighbours.

    Computed directly from these formulas (sparse matrices), not with networkx ``effective_size``,
    whose vectorised path (``nodes=None``, networkx ≤ 3.6.1) normalises by the wrong axis for weighted
    or directed graphs. Self-loops are ignored.

    Parameters
    ----------
    G : networkx.Graph or DiGraph, or its :class:`GraphArrays` (shared with other measures)
    weight : str or None
        Edge attribute holding tie strength; None counts every arc as 1.

    Returns
    -------
    DataFrame indexed by node with columns ``constraint``, ``effective_size``, ``efficiency``; an
    isolated node has NaN in all three (undefined: no alters), as in networkx.

    Examples
    --------
    Borgatti's (1997) example: G sits between otherwise unconnected alters.

    >>> G = nx.Graph([("A", "B"), ("A", "F"), ("A", "G"), ("A", "E"), ("E", "G"), ("F", "G"),
    ...               ("B", "G"), ("B", "D"), ("D", "G"), ("G", "C")])
    >>> holes = structural_holes(G)
    >>> round(float(holes.loc["G", "effective_size"]), 4), round(float(holes.loc["G", "constraint"]), 4)
    (4.6667, 0.4003)

    References
    ----------
    Burt, R. S. (1992). *Structural Holes: The Social Structure of Competition*. Harvard University Press.
    Borgatti, S. P. (1997). Structural holes: unpacking Burt's redundancy measures. *Connections* 20(1), 35-38.
    """
    arrays = GraphArrays.of(G)
    if len(arrays) == 0:
        raise ValueError("the graph has no nodes: structural holes need at least one tie")
    nodes, src, dst = arrays.nodes, arrays.src, arrays.dst
    n = len(nodes)
    w = arrays.weights(weight)
    keep = src != dst
    W = sp.csr_matrix((w[keep], (src[keep], dst[keep])), shape=(n, n), dtype=float)
    # directed: m_uv = w_uv + w_vu; undirected: the successor lists hold each tie both ways, so W is
    # already the symmetric m_uv = w_uv
    M = (W + W.T).tocsr() if arrays.directed else W
    M.eliminate_zeros()
    M.sum_duplicates()                                     # canonical: sorted, one entry per tie
    totals = np.asarray(M.sum(axis=1)).ravel()
    row_max = M.max(axis=1).toarray().ravel()
    alters = np.diff(M.indptr)
    # P = D⁻¹M and M̂ = (row max)⁻¹M on M's pattern (canonical CSR: M.data in row-major order)
    rows = np.repeat(np.arange(n, dtype=np.int64), alters)
    cols = M.indices.astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(totals > 0, 1 / totals, 0.0)[rows] * M.data
        mhat = np.where(row_max > 0, 1 / row_max, 0.0)[rows] * M.data
    # Σ_w p_uw p_wv and Σ_w p_uw m̂_vw for every tie (u, v) run over the common neighbours w, i.e. over
    # the triangles of the (symmetric) pattern: listed once, each read in its six orders, instead of
    # the two full sparse products P·P and P·M̂ᵀ, which fill in every two-step pair before masking.
    ids = sp.csr_matrix((np.arange(1, M.nnz + 1, dtype=np.int64), M.indices, M.indptr), shape=(n, n))
    mirror = ids.T.tocsr()
    mirror.sort_indices()
    mirror = mirror.data - 1                               # position of (v, u) for the entry (u, v)
    upper = np.flatnonzero(rows < cols)
    triangles = _triangles(n, rows[upper], cols[upper])
    order = np.lexsort((triangles[1], triangles[2], triangles[0]))   # the sums below in a fixed node order
    t0, t1, t2, t01, t12, t02 = (values[order] for values in triangles)
    indirect = np.zeros(M.nnz)
    redundancy = np.zeros(M.nnz)
    if t0.size:
        corner = (t0, t1, t2)
        tie = {(0, 1): t01, (1, 2): t12, (0, 2): t02}

        def entry(x: int, y: int) -> np.ndarray:           # CSR position of (corner x, corner y)
            t = tie[min(x, y), max(x, y)]
            forward = upper[t]
            return np.where(corner[x] == rows[forward], forward, mirror[forward])

        for x, y, w in ((0, 1, 2), (1, 0, 2), (0, 2, 1), (2, 0, 1), (1, 2, 0), (2, 1, 0)):
            uv, uw = entry(x, y), entry(x, w)
            indirect += np.bincount(uv, weights=p[uw] * p[entry(w, y)], minlength=M.nnz)
            redundancy += np.bincount(uv, weights=p[uw] * mhat[entry(y, w)], minlength=M.nnz)
    positive = M.data > 0
    local = np.where(positive, (p + indirect) ** 2, 0.0)
    constraint = np.bincount(rows, weights=local, minlength=n).astype(np.float64)
    effective = alters - np.bincount(rows, weights=np.where(positive, redundancy, 0.0), minlength=n).astype(np.float64)
    isolated = alters == 0
    constraint[isolated] = np.nan
    effective = effective.astype(float)
    effective[isolated] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        efficiency = effective / alters
    frame = pd.DataFrame({"constraint": constraint, "effective_size": effective, "efficiency": efficiency},
                         index=pd.Index(nodes, name="node"))
    frame.attrs["undefined"] = "NaN for isolated nodes: constraint and effective size need at least one alter"
    return frame
