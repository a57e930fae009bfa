"""Network measures for the ecosystem graph, one family per module (as networkx's ``algorithms``):

- :mod:`.brokerage`: Gould–Fernandez brokerage roles with sna's analytic null model and a permutation
  test of the group labels, Benjamini–Hochberg across brokers;
- :mod:`.structural_holes`: Burt's constraint, effective size and efficiency;
- :mod:`.centrality`: degree, betweenness and PageRank;
- :mod:`.community`: Leiden communities;
- :mod:`.projection`: one-mode projections of two layers;
- :mod:`.partition`: the online ↔ physical partition of a run;
- :mod:`.convert`: JSON-safe conversion.

Every function takes a networkx graph and returns plain pandas/networkx objects; nothing here reads
the database (the adapter is ``observatory.analysis.graphs``). The definitions follow docs/methods.md, "Network";
brokerage reproduces R ``sna::brokerage`` (Butts) value for value, including its null model. Graphs
are read through networkx's public API only and turned into NumPy/SciPy arrays (:mod:`._arcs`); the
inner loops are compiled (:mod:`._kernels`). Several measures of one graph can share that reading:
pass them its :class:`GraphArrays` instead of the graph.

Undefined values (a z-score whose null variance is 0, the constraint of an isolate) are ``NaN`` in the
returned frames, as in R. Before a result goes into JSON, pass it through :func:`to_json_safe`, which
turns them into ``None`` and records why.
"""

from __future__ import annotations

from ._arcs import GraphArrays
from .brokerage import (
    ACROSS_ROLES,
    BROKERAGE_ROLES,
    SNA_ROLE_NAMES,
    across_groups,
    benjamini_hochberg,
    broker_ranking,
    brokerage,
    brokerage_counts,
    brokerage_graph,
    brokerage_permutation,
)
from .centrality import EXACT_BETWEENNESS_MAX_NODES, betweenness, centralities
from .community import COMMUNITY_METHOD, CommunityPartition, communities
from .convert import to_json_safe
from .partition import LEFT_OUT, ONLINE, ORGANISATION_RULES, PHYSICAL, online_physical
from .projection import BipartiteProjection, bipartite_projection
from .structural_holes import structural_holes

__all__ = [
    "ACROSS_ROLES",
    "BROKERAGE_ROLES",
    "COMMUNITY_METHOD",
    "EXACT_BETWEENNESS_MAX_NODES",
    "LEFT_OUT",
    "ONLINE",
    "ORGANISATION_RULES",
    "PHYSICAL",
    "SNA_ROLE_NAMES",
    "BipartiteProjection",
    "CommunityPartition",
    "GraphArrays",
    "across_groups",
    "benjamini_hochberg",
    "betweenness",
    "bipartite_projection",
    "broker_ranking",
    "brokerage",
    "brokerage_counts",
    "brokerage_graph",
    "brokerage_permutation",
    "centralities",
    "communities",
    "online_physical",
    "structural_holes",
    "to_json_safe",
]
