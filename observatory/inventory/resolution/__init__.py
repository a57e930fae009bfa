"""Entity resolution: the same actor across sources and scripts (docs/entity-resolution.md).

:mod:`.matching` is pure (records, blocking, scoring); :mod:`.services` reads and writes the
database (dedupe runs, merge, exact un-merge, the review queue); :mod:`.evaluation` measures
precision and recall on labelled pairs.
"""

from .matching import AUTO_MERGE, REVIEW, MatchRecord, candidate_pairs, pair_score, resolve
from .services import (
    DedupeReport,
    dedupe_judge,
    dedupe_report_write,
    dedupe_run,
    entity_merge,
    entity_unmerge,
    judged_pairs_read,
    match_records,
    merge_carried_document,
    merge_decision_accept,
    merge_decision_reject,
)

__all__ = [
    "AUTO_MERGE",
    "REVIEW",
    "DedupeReport",
    "MatchRecord",
    "candidate_pairs",
    "dedupe_judge",
    "dedupe_report_write",
    "dedupe_run",
    "entity_merge",
    "entity_unmerge",
    "judged_pairs_read",
    "match_records",
    "merge_carried_document",
    "merge_decision_accept",
    "merge_decision_reject",
    "pair_score",
    "resolve",
]
