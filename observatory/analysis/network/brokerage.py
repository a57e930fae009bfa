"""Gould & Fernandez (1989) brokerage roles, as in R ``sna::brokerage`` (Butts), with sna's analytic
null model and a permutation test of the group labels (docs/methods.md, "Network")."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._arcs import GraphArrays, _skeleton, _triangles

__all__ = ["ACROSS_ROLES", "BROKERAGE_ROLES", "SNA_ROLE_NAMES", "across_groups", "benjamini_hochberg", "broker_ranking", "brokerage",
           "brokerage_counts", "brokerage_graph", "brokerage_permutation"]

#: Gould-Fernandez roles in R sna's column order (w_I, w_O, b_IO, b_OI, b_O, t).
BROKERAGE_ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison", "total")
#: The roles in which a broker links groups: all but the coordinator, whose two-paths stay inside its group.
ACROSS_ROLES = ("itinerant", "representative", "gatekeeper", "liaison")
#: The same roles under the column names of ``sna::brokerage``.
SNA_ROLE_NAMES = dict(zip(BROKERAGE_ROLES, ("w_I", "w_O", "b_IO", "b_OI", "b_O", "t"), strict=True))

_UNDEFINED_Z = ("z-score undefined: the variance of the count under the null model is 0 (the role cannot "
                "occur for a broker of this group size), as NaN in R sna")



#: Labellings tallied per pass over the graph in the permutation test: the labels of a chunk are an
#: (n, 64) byte array (6.4 MB at 100,000 nodes), and each neighbour's groups are read once per chunk.
PERMUTATION_CHUNK = 64


class _TwoPaths:
    """The two-path structure of the 0/1 arc matrix A that does not depend on the groups, found once:
    the in- and out-neighbours of every node, its reciprocated partners, and the closed two-paths
    i→j→k (arc i→k present) by broker j. Counting the roles under any labelling of the nodes then
    needs no enumeration of the Σ in·out two-paths (34 million at 100,000 nodes of the synthetic
    ecosystem), only a pass over each broker's neighbours (:func:`._kernels.brokerage_role_tallies`).

    Every two-path i→j→k with i ≠ k is counted from degrees per group: with in_a(j) and out_a(j) the
    arcs into and out of j from and to group a, and s the broker's group, coordinator =
    in_s·out_s − r_s, itinerant = Σ_{a≠s} in_a·out_a − (r − r_s), representative = in_s·(out − out_s),
    gatekeeper = (in − in_s)·out_s, liaison = (in − in_s)(out − out_s) − Σ_{a≠s} in_a·out_a, where r
    (r_s) counts j's reciprocated ties (within its group), the pairs i = k. Then the closed ones are
    subtracted, each in its role: a closed two-path is an ordered reading of a triangle of the
    undirected skeleton whose three arcs exist, and sparse graphs have few triangles, so they are
    listed (:func:`._arcs._triangles`) and their six orderings checked once
    (:func:`._kernels.closed_two_paths`)."""

    def __init__(self, A: sp.csr_matrix):
        from ._kernels import closed_two_paths

        n = A.shape[0]
        self.n = n
        as_index = lambda values: np.ascontiguousarray(values, dtype=np.int64)  # noqa: E731
        self.out_ptr, self.out_idx = as_index(A.indptr), as_index(A.indices)
        At = A.T.tocsr()
        self.in_ptr, self.in_idx = as_index(At.indptr), as_index(At.indices)
        e_lo, e_hi, code = _skeleton(A, At)
        both = code == 3
        self.rec_ptr, self.rec_idx = _by_first(n, np.concatenate([e_lo[both], e_hi[both]]),
                                               np.concatenate([e_hi[both], e_lo[both]]))
        corners = np.stack(_triangles(n, e_lo, e_hi))       # a, b, c, tie a–b, tie b–c, tie a–c
        self.closed_ptr, self.closed_src, self.closed_dst = closed_two_paths(n, corners, e_lo, code)

    def tally(self, labels: np.ndarray, n_groups: int, observed: np.ndarray | None = None):
        """(ge, le, total, squares), (n, 6) float arrays, over the labellings in the columns of
        ``labels`` (n, P); ge and le count the labellings whose counts are ≥ and ≤ ``observed``."""
        from ._kernels import brokerage_role_tallies

        dtype = np.uint8 if n_groups <= 256 else np.int64
        labels = np.ascontiguousarray(labels, dtype=dtype)
        ge, le, total, squares = (np.zeros((self.n, 6)) for _ in range(4))
        brokerage_role_tallies(self.out_ptr, self.out_idx, self.in_ptr, self.in_idx, self.rec_ptr, self.rec_idx,
                               self.closed_ptr, self.closed_src, self.closed_dst, labels, int(n_groups),
                               np.zeros((self.n, 6)) if observed is None else observed, ge, le, total, squares)
        return ge, le, total, squares

    def counts(self, codes: np.ndarray, n_groups: int) -> np.ndarray:
        """Brokerage counts, an (n, 6) float array in BROKERAGE_ROLES order, under the group codes."""
        return self.tally(np.asarray(codes).reshape(-1, 1), n_groups)[2]


def _by_first(n: int, first: np.ndarray, *rest: np.ndarray) -> tuple[np.ndarray, ...]:
    """CSR-style grouping by ``first`` (values 0..n-1): the row pointer and ``rest`` in that order
    (:func:`._kernels.grouped`, stable)."""
    from ._kernels import grouped

    ptr, slot = grouped(n, np.ascontiguousarray(first, dtype=np.int64))
    grouped_rest = []
    for values in rest:
        placed = np.empty(values.size, dtype=np.int64)
        placed[slot] = values
        grouped_rest.append(placed)
    return (ptr, *grouped_rest)


def _choose2(x: np.ndarray | float) -> np.ndarray | float:
    # R's choose(x, 2) for any real x, which sna's formulas rely on
    return x * (x - 1) / 2


def _vertex_moments(sizes: np.ndarray, d: float) -> tuple[np.ndarray, np.ndarray]:
    """Expected counts and variances per broker group (rows) and role (columns), sna's null model."""
    q = d * d * (1 - d)
    a = d**3 * (1 - d) ** 3
    N = float(sizes.sum())
    k = len(sizes)
    E = np.zeros((k, 6))
    V = np.zeros((k, 6))
    for g in range(k):
        ni = float(sizes[g])
        no = np.delete(sizes, g).astype(float)
        E[g, 0] = q * (ni - 1) * (ni - 2)
        V[g, 0] = E[g, 0] * (1 - q) + 2 * (ni - 1) * (ni - 2) * (ni - 3) * a
        E[g, 1] = q * np.sum(no * (no - 1))
        V[g, 1] = E[g, 1] * (1 - q) + 2 * np.sum(no * (no - 1) * (no - 2)) * a
        E[g, 2] = E[g, 3] = q * (N - ni) * (ni - 1)
        V[g, 2] = V[g, 3] = E[g, 2] * (1 - q) + 2 * ((ni - 1) * _choose2(N - ni) + (N - ni) * _choose2(ni - 1)) * a
        E[g, 4] = q * (np.sum(no) ** 2 - np.sum(no**2))
        V[g, 4] = E[g, 4] * (1 - q) + 4 * np.sum(no * _choose2(N - no - ni)) * a
        E[g, 5] = q * (N - 1) * (N - 2)
        V[g, 5] = E[g, 5] * (1 - q) + 2 * (N - 1) * (N - 2) * (N - 3) * a
    return E, V


def _graph_moments(sizes: np.ndarray, d: float) -> tuple[np.ndarray, np.ndarray]:
    """Expected graph-level counts and their variances per role (sna's exp.gli and sd.gli²)."""
    n = sizes.astype(float)
    N = float(n.sum())
    q = d * d * (1 - d)
    a, b, c = d**3 * (1 - d) ** 3, d**4 * (1 - d) ** 2, d**5 * (1 - d)
    E = np.zeros(6)
    V = np.zeros(6)
    E[0] = q * np.sum(n * (n - 1) * (n - 2))
    V[0] = E[0] * (1 - q) + np.sum(n * (n - 1) * (n - 2) * ((4 * n - 10) * a - 4 * (n - 3) * b + (n - 3) * c))
    E[1] = q * np.sum(n * (N - n) * (n - 1))
    x, y = n[:, None], n[None, :]
    V[1] = (E[1] * (1 - q) + np.sum(x * y * (x - 1) * ((2 * x + 2 * y - 6) * a + (N - x - 1) * c))
            - np.sum(n * n * (n - 1) * ((4 * n - 6) * a + (N - n - 1) * c)))
    E[2] = E[3] = q * np.sum(n * (N - n) * (n - 1))
    V[2] = V[3] = E[2] * (1 - q) + np.sum(n * (N - n) * (n - 1) * ((N - 3) * a + (n - 2) * c))
    E[4] = q * (np.sum(x * y * (N - x - y)) - np.sum(n * n * (N - 2 * n)))
    V[4] = E[4] * (1 - q)
    k = len(n)
    for i in range(k):
        for j in range(k):
            for h in range(k):
                if i != j and j != h and i != h:
                    V[4] += n[i] * n[j] * n[h] * ((4 * (N - n[j]) - 2 * (n[i] + n[h] + 1)) * a
                                                  - (4 * (N - n[h]) - 2 * (n[i] + n[j] + 1)) * b
                                                  + (N - (n[i] + n[h] + 1)) * c)
    E[5] = q * N * (N - 1) * (N - 2)
    V[5] = E[5] * (1 - q) + N * (N - 1) * (N - 2) * ((4 * N - 10) * a - 4 * (N - 3) * b + (N - 3) * c)
    return E, V


def _z(observed: np.ndarray, expected: np.ndarray, sd: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (observed - expected) / sd


def _prepare(G: nx.Graph | GraphArrays, attr: str) -> tuple[GraphArrays, np.ndarray, list]:
    """The graph's arrays (read now unless G already is them), its nodes' group codes and the groups."""
    arrays = GraphArrays.of(G)
    if len(arrays) == 0:
        raise ValueError("the graph has no nodes: brokerage needs a directed graph with at least 3 nodes")
    if len(arrays) < 3:
        raise ValueError(f"the graph has {len(arrays)} node(s); a broker needs a source and a destination, so "
                         "brokerage needs at least 3 nodes")
    codes, groups = arrays.groups(attr)
    return arrays, codes, groups


def brokerage_counts(G: nx.Graph | GraphArrays, attr: str) -> pd.DataFrame:
    """Observed Gould-Fernandez brokerage counts only (no null model); see :func:`brokerage`.

    Returns
    -------
    DataFrame indexed by node (graph order), one integer column per role in ``BROKERAGE_ROLES``.

    Examples
    --------
    >>> G = nx.DiGraph([("a1", "b1"), ("b1", "b2")])
    >>> nx.set_node_attributes(G, {"a1": "A", "b1": "B", "b2": "B"}, "layer")
    >>> int(brokerage_counts(G, "layer").loc["b1", "gatekeeper"])
    1
    """
    arrays, _codes, _groups = _prepare(G, attr)
    counts = arrays.role_counts(attr)
    return pd.DataFrame(counts.astype(np.int64), index=pd.Index(arrays.nodes, name="node"),
                        columns=list(BROKERAGE_ROLES))


def brokerage(G: nx.Graph | GraphArrays, attr: str, *, include_sd: bool = False) -> pd.DataFrame:
    """Gould-Fernandez brokerage roles of every node, with sna's expected counts and z-scores.

    Definition (Gould & Fernandez 1989, as coded in R ``sna::brokerage``). In a directed graph whose
    nodes are partitioned into groups, node j *brokers* the ordered pair (i, k) when i→j and j→k, i ≠ k,
    and there is no arc i→k (an arc k→i does not matter). Each brokered pair counts once for j, in the
    role given by the groups of source, broker and destination:

    ================  ==========  ==============================================
    role              sna column  pattern (source → broker → destination)
    ================  ==========  ==============================================
    coordinator       ``w_I``     A → A → A
    itinerant         ``w_O``     A → B → A (consultant)
    representative    ``b_IO``    A → A → B (broker in the source's group)
    gatekeeper        ``b_OI``    A → B → B (broker in the destination's group)
    liaison           ``b_O``     A → B → C
    total             ``t``       sum of the five
    ================  ==========  ==============================================

    Null model (sna): arcs are independent with probability d = m / (N(N−1)), m the number of arcs, so
    an ordered triple is an open two-path with probability q = d²(1−d). Expected counts and variances
    depend only on the group sizes and the broker's group (Gould & Fernandez 1989); z = (observed − E) / √V.

    Undirected graphs are read as symmetric digraphs: every open two-path counts in both directions,
    which doubles the counts of unordered-pair conventions. Self-loops never make a two-path but count
    in m, and parallel arcs are merged, as in sna's edge list.

    Parameters
    ----------
    G : networkx.DiGraph (or Graph), or its :class:`GraphArrays` (shared with other measures)
    attr : str
        Node attribute holding the group (e.g. ``"layer"``). Every node needs one; at least two groups.
    include_sd : bool, default False
        Also return the null standard deviations as ``sd_<role>`` columns.

    Returns
    -------
    DataFrame indexed by node in graph order with the count columns ``coordinator``, ``itinerant``,
    ``representative``, ``gatekeeper``, ``liaison``, ``total``, then ``expected_<role>`` and ``z_<role>``
    for each role. A z-score is NaN where the null variance is 0 (e.g. ``z_coordinator`` for a broker
    whose group has fewer than 3 members), as in sna; :func:`to_json_safe` turns those into ``None``.

    Raises
    ------
    ValueError
        If the graph has fewer than 3 nodes, a node lacks ``attr``, or there is only one group.

    Examples
    --------
    A worked example: an online forum (A), a fab lab (B) and a market stall (C).

    >>> G = nx.DiGraph([("a1", "a2"), ("a2", "a3"), ("a2", "b1"), ("b1", "b2"), ("a3", "c1"),
    ...                 ("c1", "a3"), ("c1", "a1"), ("c1", "b1"), ("c1", "b2")])
    >>> nx.set_node_attributes(G, {n: n[0].upper() for n in G}, "group")
    >>> roles = brokerage(G, "group")
    >>> roles.loc["c1", ["itinerant", "liaison", "total"]].tolist()
    [1, 2, 3]
    >>> round(float(roles.loc["a2", "expected_representative"]), 3)
    0.378

    References
    ----------
    Gould, R. V. & Fernandez, R. M. (1989). Structures of mediation: a formal approach to brokerage in
    transaction networks. *Sociological Methodology* 19, 89-126.
    Butts, C. T. sna: Tools for Social Network Analysis, R package, function ``brokerage``.
    """
    arrays, codes, groups = _prepare(G, attr)
    nodes, m = arrays.nodes, arrays.arcs
    n = len(nodes)
    counts = arrays.role_counts(attr)
    sizes = np.bincount(codes, minlength=len(groups))
    d = m / (n * (n - 1))
    E, V = _vertex_moments(sizes, d)
    expected = E[codes]
    sd = np.sqrt(V[codes])
    z = _z(counts, expected, sd)
    frame = pd.DataFrame(counts.astype(np.int64), index=pd.Index(nodes, name="node"), columns=list(BROKERAGE_ROLES))
    for r, role in enumerate(BROKERAGE_ROLES):
        frame[f"expected_{role}"] = expected[:, r]
    for r, role in enumerate(BROKERAGE_ROLES):
        frame[f"z_{role}"] = z[:, r]
    if include_sd:
        for r, role in enumerate(BROKERAGE_ROLES):
            frame[f"sd_{role}"] = sd[:, r]
    frame.attrs.update(density=d, arcs=m, groups=groups, group_sizes=sizes.tolist(), undefined=_UNDEFINED_Z)
    return frame


def brokerage_graph(G: nx.Graph | GraphArrays, attr: str, *, counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Graph-level brokerage: total count of each role with its expectation, SD and z (sna's ``*.gli``).

    The observed value of a role is the sum of the node counts of :func:`brokerage`. Expectation and
    variance follow sna::brokerage's graph-level values (Butts); with a = d³(1−d)³, b = d⁴(1−d)², c = d⁵(1−d)
    they include the covariances between overlapping triples. sna warns that the accuracy of the normal
    approximation is unknown: prefer :func:`brokerage_permutation` for inference.

    Parameters
    ----------
    G : networkx.DiGraph (or Graph), or its :class:`GraphArrays` (shared with other measures)
    attr : str
        Node attribute holding the group.
    counts : DataFrame, optional
        The node counts already computed by :func:`brokerage` (or :func:`brokerage_counts`) for this
        graph and ``attr``; the observed totals are taken from them instead of counting again.

    Returns
    -------
    DataFrame indexed by role (``BROKERAGE_ROLES``) with columns ``observed``, ``expected``, ``sd``, ``z``
    (sna's ``raw.gli``, ``exp.gli``, ``sd.gli``, ``z.gli``); z is NaN when sd is 0.

    Examples
    --------
    >>> G = nx.path_graph(["p1", "p2", "p3", "p4"])
    >>> nx.set_node_attributes(G, {"p1": "X", "p2": "X", "p3": "Y", "p4": "Y"}, "layer")
    >>> brokerage_graph(G, "layer").loc["representative", ["observed", "expected", "sd", "z"]].tolist()
    [2.0, 1.0, 1.0, 1.0]

    References
    ----------
    Gould & Fernandez (1989); R ``sna::brokerage`` (see :func:`brokerage`).
    """
    arrays, codes, groups = _prepare(G, attr)
    nodes, m = arrays.nodes, arrays.arcs
    n = len(nodes)
    if counts is None:
        observed = arrays.role_counts(attr).sum(axis=0)
    else:
        observed = counts.loc[nodes, list(BROKERAGE_ROLES)].to_numpy(dtype=np.float64).sum(axis=0)
    sizes = np.bincount(codes, minlength=len(groups))
    d = m / (n * (n - 1))
    E, V = _graph_moments(sizes, d)
    sd = np.sqrt(V)
    frame = pd.DataFrame({"observed": observed, "expected": E, "sd": sd, "z": _z(observed, E, sd)},
                         index=pd.Index(BROKERAGE_ROLES, name="role"))
    frame.attrs.update(density=d, arcs=m, undefined=_UNDEFINED_Z)
    return frame


def brokerage_permutation(G: nx.Graph | GraphArrays, attr: str, *, n: int = 999, seed: int | None = None,
                          alternative: str = "greater") -> pd.DataFrame:
    """Permutation p-values of brokerage counts: the group labels are shuffled over the nodes.

    The graph is kept fixed and the labels are permuted uniformly at random ``n`` times (group sizes are
    preserved), which is the conditional uniform graph test of sna's documentation with the structure
    held fixed: it asks whether a node brokers more between groups than its position alone gives. For
    each node and role the p-value is (1 + #{permutations at least as extreme}) / (n + 1), which is
    never 0 (Phipson & Smyth 2010). The permutation z-score is (observed − mean) / SD of the permuted
    counts (NaN when they never vary). The ``total`` count does not depend on the labels, so its
    p-value is always 1: it is reported for completeness.

    Parameters
    ----------
    G : networkx.DiGraph (or Graph), or its :class:`GraphArrays` (shared with other measures)
    attr : str
        Node attribute holding the group.
    n : int, default 999
        Number of permutations (≥ 1).
    seed : int or None
        Seed of the NumPy random generator, for reproducible p-values.
    alternative : {"greater", "less", "two-sided"}
        "greater" tests whether a node brokers more in a role than its position under random labels
        would give; "two-sided" doubles the smaller tail (capped at 1).

    Returns
    -------
    DataFrame indexed by node with one p-value column per role in ``BROKERAGE_ROLES``;
    ``attrs["observed"]`` holds the observed counts, ``attrs["mean"]``, ``attrs["sd"]`` and
    ``attrs["z"]`` the permuted counts' mean and SD and the permutation z-scores (frames like it).

    Examples
    --------
    >>> G = nx.DiGraph([("a1", "b1"), ("b1", "b2"), ("a2", "b1"), ("b1", "a1")])
    >>> nx.set_node_attributes(G, {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}, "layer")
    >>> p = brokerage_permutation(G, "layer", n=99, seed=1)
    >>> float(p.loc["b1", "total"])
    1.0

    References
    ----------
    Phipson, B. & Smyth, G. K. (2010). Permutation p-values should never be zero. *Statistical
    Applications in Genetics and Molecular Biology* 9(1), 39.
    """
    if n < 1:
        raise ValueError(f"n={n}: the number of permutations must be at least 1 (999 is usual)")
    if alternative not in ("greater", "less", "two-sided"):
        raise ValueError(f"alternative={alternative!r}: use 'greater', 'less' or 'two-sided'")
    arrays, codes, groups = _prepare(G, attr)
    nodes = arrays.nodes
    two_paths = arrays.two_paths()
    observed = arrays.role_counts(attr)
    rng = np.random.default_rng(seed)
    ge = np.zeros_like(observed)
    le = np.zeros_like(observed)
    total = np.zeros_like(observed)
    squares = np.zeros_like(observed)
    # the permutations are drawn in order, one rng.permutation each, and tallied a chunk at a time:
    # the same seed gives the same labellings and, the counts being whole numbers, the same sums
    for start in range(0, n, PERMUTATION_CHUNK):
        labels = np.empty((len(codes), min(PERMUTATION_CHUNK, n - start)), dtype=np.uint8 if len(groups) <= 256
                          else np.int64)
        for column in range(labels.shape[1]):
            labels[:, column] = rng.permutation(codes)
        chunk = two_paths.tally(labels, len(groups), observed)
        for accumulator, part in zip((ge, le, total, squares), chunk, strict=True):
            accumulator += part
    p_ge = (1 + ge) / (n + 1)
    p_le = (1 + le) / (n + 1)
    if alternative == "greater":
        p = p_ge
    elif alternative == "less":
        p = p_le
    else:
        p = np.minimum(1.0, 2 * np.minimum(p_ge, p_le))
    mean = total / n
    sd = np.sqrt(np.maximum(squares / n - mean * mean, 0.0)) if n > 1 else np.full_like(mean, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 1e-12, (observed - mean) / np.where(sd > 1e-12, sd, 1.0), np.nan)
    index = pd.Index(nodes, name="node")
    frame = pd.DataFrame(p, index=index, columns=list(BROKERAGE_ROLES))

    def like(values: np.ndarray, dtype=np.float64) -> pd.DataFrame:
        return pd.DataFrame(values.astype(dtype), index=index, columns=list(BROKERAGE_ROLES))

    frame.attrs.update(observed=like(observed, np.int64), mean=like(mean), sd=like(sd), z=like(z),
                       permutations=n, seed=seed, alternative=alternative)
    return frame


def across_groups(roles: pd.DataFrame) -> pd.Series:
    """The ordered pairs each node brokers across groups: the sum of its :data:`ACROSS_ROLES` counts."""
    return roles[list(ACROSS_ROLES)].astype(float).sum(axis=1)


def broker_ranking(roles: pd.DataFrame, labels: pd.Series | None = None) -> pd.Index:
    """The brokers in the order the findings name them: most two-paths brokered across groups first
    (:data:`ACROSS_ROLES`: who links the online and the physical side, or the layers), then most in
    all, then by ``labels`` (the node otherwise). Nodes that broker nothing are left out.

    ``roles`` has the role columns and ``total`` (:func:`brokerage` or :func:`brokerage_counts`).

    >>> roles = pd.DataFrame({"coordinator": [9, 0, 0], "itinerant": [0, 1, 0], "representative": [0, 1, 0],
    ...                       "gatekeeper": [1, 0, 0], "liaison": [0, 0, 0], "total": [10, 2, 0]}, index=list("abc"))
    >>> broker_ranking(roles).tolist()
    ['b', 'a']
    """
    frame = pd.DataFrame({
        "across": across_groups(roles), "total": roles["total"].astype(float),
        "label": (labels if labels is not None else pd.Series(roles.index, index=roles.index)).astype(str)})
    frame = frame[frame["total"] > 0]
    return frame.sort_values(["across", "total", "label"], ascending=[False, False, True], kind="stable").index


def benjamini_hochberg(p_values, *, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Benjamini–Hochberg (1995) adjusted p-values (q-values) and the rejections at false discovery
    rate ``alpha``. NaN p-values are left out of the family and stay NaN (not rejected).

    >>> q, reject = benjamini_hochberg([0.01, 0.04, 0.03, 0.2])
    >>> [round(float(v), 3) for v in q], reject.tolist()
    ([0.04, 0.053, 0.053, 0.2], [True, False, False, False])

    References
    ----------
    Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and powerful
    approach to multiple testing. *J. R. Stat. Soc. B* 57(1), 289-300.
    """
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    present = np.flatnonzero(~np.isnan(p))
    m = present.size
    if m:
        order = present[np.argsort(p[present], kind="stable")]
        ranked = p[order] * m / np.arange(1, m + 1)
        q[order] = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    with np.errstate(invalid="ignore"):
        reject = q <= alpha
    return q, reject
