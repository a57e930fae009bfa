"""Entity resolution: the same actor across sources and scripts (docs/entity-resolution.md).

The pure part (no Django), one step per module: :mod:`.normalisation` (name forms, block keys,
place names, domains), :mod:`.records` (the records compared), :mod:`.blocking` (candidate pairs),
:mod:`.scoring` (pair scores) and :mod:`.matching` (:func:`resolve`, the steps in turn, with the
thresholds). :mod:`.services` reads and writes the database (dedupe runs, merge, exact un-merge,
the review queue); :mod:`.evaluation` measures precision and recall on labelled pairs.
"""

from .blocking import candidate_pairs
from .matching import AUTO_MERGE, REVIEW, resolve
from .records import MatchRecord
from .scoring import pair_score
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
