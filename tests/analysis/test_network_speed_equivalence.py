"""The vectorised brokerage counts equal the straightforward enumeration on heavy-tailed graphs with
many triangles and reciprocated ties (the cases the closed-two-path subtraction has to get right)."""

from __future__ import annotations

import importlib.util
import sys

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from observatory.analysis.network import brokerage_counts

from .conftest import REPO_ROOT


def _bench(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO_ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(f"bench_{name}", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", [1, 2])
def test_it_counts_like_the_baseline_on_the_synthetic_ecosystem(seed):
    G = _bench("synthetic").generate(1500, seed).graph()
    naive = _bench("baseline_brokerage").brokerage_naive(G, "layer")
    fast = brokerage_counts(G, "layer")
    pd.testing.assert_frame_equal(fast, naive.loc[fast.index].rename_axis("node"), check_dtype=False)


def test_it_counts_like_the_baseline_on_a_dense_reciprocated_graph_with_four_groups():
    rng = np.random.default_rng(4)
    G = nx.gnp_random_graph(120, 0.15, seed=4, directed=True)
    G.add_edges_from([(v, u) for u, v in list(G.edges) if rng.random() < 0.5])  # many mutual ties
    nx.set_node_attributes(G, {v: f"g{rng.integers(4)}" for v in G}, "layer")
    naive = _bench("baseline_brokerage").brokerage_naive(G, "layer")
    fast = brokerage_counts(G, "layer")
    np.testing.assert_array_equal(fast.to_numpy(), naive.loc[fast.index].to_numpy())


def _graphs():
    directed = nx.DiGraph(nx.gnp_random_graph(150, 0.04, seed=1, directed=True))
    directed.add_edge(3, 3)                                    # a self-loop never lies on a shortest path
    undirected = nx.gnp_random_graph(120, 0.05, seed=2)
    disconnected = nx.DiGraph([("a", "b"), ("b", "c"), ("x", "y"), ("y", "x"), ("y", "z")])
    disconnected.add_node("alone")
    heavy = _bench("synthetic").generate(800, 3).graph()
    return [directed, undirected, disconnected, nx.DiGraph(nx.barbell_graph(6, 2)), heavy]


@pytest.mark.parametrize("index", range(5))
@pytest.mark.parametrize("k", [None, 40, 1])
def test_array_betweenness_equals_networkx_exact_and_with_the_same_pivots(index, k):
    from observatory.analysis.network import betweenness

    G = _graphs()[index]
    k = None if k is None else min(k, len(G) - 1)
    expected = nx.betweenness_centrality(G, k=k, normalized=True, seed=7)
    got = betweenness(G, k=k, seed=7)
    np.testing.assert_allclose(got.to_numpy(), [expected[v] for v in got.index], rtol=1e-12, atol=1e-15)


def test_sampled_betweenness_records_pivots_and_a_half_split_error():
    from observatory.analysis.network import centralities

    G = _bench("synthetic").generate(1200, 2).graph()
    G.remove_nodes_from([v for v in list(G) if G.degree(v) == 0])
    exact = centralities(G)
    sampled = centralities(G, betweenness_k=300, seed=3)
    assert exact.attrs["betweenness_rel_se_top100"] is None and exact.attrs["betweenness_pivots"] is None
    assert sampled.attrs["betweenness_pivots"] == 300
    rel_se = sampled.attrs["betweenness_rel_se_top100"]
    assert 0 < rel_se < 1
    top = exact["betweenness"].nlargest(100).index
    observed = np.sqrt(np.mean((sampled.loc[top, "betweenness"] - exact.loc[top, "betweenness"]) ** 2))
    # the half-split estimate is of the right order of magnitude (a single draw of a noisy estimate)
    assert observed / exact.loc[top, "betweenness"].mean() < 3 * rel_se


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_skeleton_and_its_triangles_equal_networkx(seed):
    from observatory.analysis.network._arcs import GraphArrays, _skeleton, _triangles

    G = _bench("synthetic").generate(600, seed).graph() if seed == 0 else nx.gnp_random_graph(
        80, 0.12, seed=seed, directed=True)
    G.add_edge(*[next(iter(G))] * 2)                            # a self-loop is no tie of the skeleton
    arrays = GraphArrays(G)
    A = arrays.csr()
    e_lo, e_hi, code = _skeleton(A, A.T.tocsr())
    nodes = arrays.nodes
    expected = {}
    for u, v in G.edges:
        if u != v:
            i, j = nodes.index(u), nodes.index(v)
            expected[min(i, j), max(i, j)] = expected.get((min(i, j), max(i, j)), 0) | (1 if i < j else 2)
    assert dict(zip(zip(e_lo.tolist(), e_hi.tolist(), strict=True), code.tolist(), strict=True)) == expected
    assert np.all(np.diff(e_lo) >= 0) and len(expected) == e_lo.size

    a, b, c, ab, bc, ac = _triangles(len(nodes), e_lo, e_hi)
    skeleton = nx.Graph(list(expected))
    listed = {frozenset(corners) for corners in zip(a.tolist(), b.tolist(), c.tolist(), strict=True)}
    assert len(listed) == a.size
    assert listed == {frozenset(t) for t in nx.enumerate_all_cliques(skeleton) if len(t) == 3}
    ties = list(zip(e_lo.tolist(), e_hi.tolist(), strict=True))
    for x, y, tie in ((a, b, ab), (b, c, bc), (a, c, ac)):          # each tie id names the tie of its corners
        assert [ties[t] for t in tie.tolist()] == [(min(p, q), max(p, q)) for p, q in zip(x.tolist(), y.tolist(), strict=True)]
