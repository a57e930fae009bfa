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
