"""Naive Gould-Fernandez brokerage counts, and a benchmark against the vectorised version.

The naive version is the textbook loop: for every broker j, every predecessor i and successor k,
check ``G.has_edge(i, k)`` and classify by groups. It is the reference the fast implementation in
``observatory.analysis.network`` is tested against, and the baseline of its speed-up.

Usage::

    .venv/bin/python bench/baseline_brokerage.py --nodes 10000 --arcs 100000 --groups 3 --seed 1
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison", "total")


def brokerage_naive(G: nx.DiGraph, attr: str) -> pd.DataFrame:
    """Brokerage counts by direct enumeration of open two-paths i→j→k (i ≠ k, no arc i→k)."""
    group = nx.get_node_attributes(G, attr)
    rows = {}
    for j in G:
        counts = [0, 0, 0, 0, 0]
        gj = group[j]
        for i in G.predecessors(j):
            if i == j:
                continue
            gi = group[i]
            for k in G.successors(j):
                if k == j or k == i or G.has_edge(i, k):
                    continue
                gk = group[k]
                if gi == gj:
                    counts[0 if gk == gj else 2] += 1
                elif gk == gj:
                    counts[3] += 1
                elif gi == gk:
                    counts[1] += 1
                else:
                    counts[4] += 1
        rows[j] = [*counts, sum(counts)]
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(ROLES))


def random_digraph(nodes: int, arcs: int, groups: int, seed: int) -> nx.DiGraph:
    """Uniform random digraph (G(n, m), no self-loops) with a random group label per node."""
    rng = np.random.default_rng(seed)
    G = nx.gnm_random_graph(nodes, arcs, seed=seed, directed=True)
    labels = rng.integers(0, groups, size=nodes)
    nx.set_node_attributes(G, {n: f"g{labels[n]}" for n in G}, "layer")
    return G


def main(argv: list[str] | None = None) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout
    from observatory.analysis.network import brokerage, brokerage_counts

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--arcs", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-naive", action="store_true", help="time the vectorised version only")
    args = parser.parse_args(argv)

    G = random_digraph(args.nodes, args.arcs, args.groups, args.seed)
    start = time.perf_counter()
    fast = brokerage_counts(G, "layer")
    t_fast = time.perf_counter() - start
    start = time.perf_counter()
    brokerage(G, "layer")
    t_full = time.perf_counter() - start
    print(f"graph: {args.nodes} nodes, {G.number_of_edges()} arcs, {args.groups} groups")
    print(f"vectorised counts: {t_fast:.3f} s; with null model: {t_full:.3f} s")
    if not args.skip_naive:
        start = time.perf_counter()
        naive = brokerage_naive(G, "layer")
        t_naive = time.perf_counter() - start
        same = (naive.loc[fast.index].to_numpy() == fast.to_numpy()).all()
        print(f"naive networkx loop: {t_naive:.3f} s; identical counts: {bool(same)}; "
              f"speed-up {t_naive / t_fast:.1f}x")


if __name__ == "__main__":
    main()
