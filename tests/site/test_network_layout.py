"""The network explorer's layout for large graphs (observatory/site/selectors/network.py)."""

from __future__ import annotations

import numpy as np

from observatory.site.selectors.network import _sampled_force_layout


def _two_cliques(size: int):
    nodes = [f"a{i}" for i in range(size)] + [f"b{i}" for i in range(size)]
    edges = [(f"{side}{i}", f"{side}{j}") for side in "ab" for i in range(size) for j in range(i + 1, size)
             if (i + j) % 3 == 0]
    return nodes, edges + [("a0", "b0")]


def test_it_is_the_same_layout_for_the_same_seed_and_fits_the_unit_square():
    nodes, edges = _two_cliques(60)
    first = _sampled_force_layout(nodes, edges, seed=3)
    again = _sampled_force_layout(nodes, edges, seed=3)
    assert all(np.array_equal(first[n], again[n]) for n in nodes)
    assert max(abs(float(v)) for p in first.values() for v in p) <= 1.0


def test_it_draws_tied_nodes_closer_than_the_two_groups():
    nodes, edges = _two_cliques(60)
    pos = _sampled_force_layout(nodes, edges, seed=1, sample=40)
    centre_a = np.mean([pos[n] for n in nodes if n.startswith("a")], axis=0)
    centre_b = np.mean([pos[n] for n in nodes if n.startswith("b")], axis=0)
    tied = np.mean([np.linalg.norm(pos[u] - pos[v]) for u, v in edges])
    assert tied < np.linalg.norm(centre_a - centre_b) * 2
    spread_a = np.mean([np.linalg.norm(pos[n] - centre_a) for n in nodes if n.startswith("a")])
    assert spread_a < np.linalg.norm(centre_a - centre_b)
