"""The four analyses as run on the inventory: read through :mod:`..graphs`, compute with the pure
algorithms, and return ``{"result", "summary", "notes", "figures"}`` for :func:`..services.analysis_run`.

The summary, each note and each figure title is a message of the catalogue with named placeholders,
rendered in English and Chinese once, here, by :func:`..findings.in_both`: the run stores both.

Each runner checks that the data can support it and raises :class:`AnalysisInputError` with a
sentence a researcher can act on when it cannot.

One module per analysis (:mod:`.network`, :mod:`.spatial`, :mod:`.typology`, :mod:`.timeline`);
:mod:`.base` holds what they share (date parameters, figure rendering, one thread for BLAS/OpenMP).
"""

from __future__ import annotations

from .base import single_threaded
from .network import DEFAULT_FDR, DEFAULT_PERMUTATIONS, PARTITIONS, run_network
from .spatial import (
    LARGE_PATTERN_POINTS,
    MAX_PATTERN_POINTS,
    MIN_PATTERN_POINTS,
    NAMED_CLUSTERS,
    NEVER_POINT_KINDS,
    run_spatial,
)
from .timeline import MAKER_ERA_START, MIN_GROUP, run_timeline
from .typology import MAX_BOOTSTRAP_ROWS, MIN_CODED_DIMENSIONS, MIN_TYPE_MEMBERS, STABLE_JACCARD, run_typology

__all__ = ["DEFAULT_FDR", "DEFAULT_PERMUTATIONS", "LARGE_PATTERN_POINTS", "MAKER_ERA_START", "MAX_BOOTSTRAP_ROWS",
           "MAX_PATTERN_POINTS", "MIN_CODED_DIMENSIONS", "MIN_GROUP", "MIN_PATTERN_POINTS", "MIN_TYPE_MEMBERS",
           "NAMED_CLUSTERS", "NEVER_POINT_KINDS", "PARTITIONS", "RUNNERS", "STABLE_JACCARD", "run_network",
           "run_spatial", "run_timeline", "run_typology"]

RUNNERS = {"network": run_network,
           "spatial": single_threaded(run_spatial, preload=("sklearn.cluster",)),
           "typology": single_threaded(run_typology, preload=("sklearn.cluster", "sklearn.metrics")),
           "timeline": single_threaded(run_timeline)}
