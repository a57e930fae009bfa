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
