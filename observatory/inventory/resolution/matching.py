"""Entity resolution, the pure part: records in, scored pairs out (no Django).

:func:`resolve` prepares the records (:mod:`.records`, their names normalised by
:mod:`.normalisation`), proposes the candidate pairs (:mod:`.blocking`) and scores them
(:mod:`.scoring`), in one worker process per core for many pairs. Pairs scoring at or above
:data:`AUTO_MERGE` are merged, those between :data:`REVIEW` and :data:`AUTO_MERGE` queued for a
curator (:mod:`.services`). See docs/entity-resolution.md for the thresholds and measured precision
and recall.
"""

from __future__ import annotations

import os

from .blocking import MAX_BLOCK, candidate_pairs
from .records import MatchRecord, records_prepare
from .scoring import PairScore, pair_score

__all__ = ["AUTO_MERGE", "REVIEW", "resolve"]

#: Pairs scoring at or above AUTO_MERGE are merged; between REVIEW and AUTO_MERGE, queued.
AUTO_MERGE = 0.85
REVIEW = 0.6


_SCORING: dict = {}


def _score_chunk(chunk: list[tuple[int, int]]) -> list[tuple[int, int, PairScore]]:
    records, review = _SCORING["records"], _SCORING["review"]
    found = []
    for i, j in chunk:
        result = pair_score(records[i], records[j])
        if result.score >= review:
            found.append((i, j, result))
    return found


def resolve(records: list[MatchRecord], *, auto_merge: float = AUTO_MERGE, review: float = REVIEW,
            max_block: int = MAX_BLOCK, parallel_from: int = 200_000) -> tuple[list[tuple[int, int, PairScore]], dict]:
    """Score the candidate pairs; return those at or above ``review`` (best first) and the statistics.

    From ``parallel_from`` candidate pairs on, the pairs are scored in one worker process per core
    (forked, so the records are shared, not copied).
    """
    records_prepare(records)
    pairs, stats = candidate_pairs(records, max_block=max_block)
    ordered = sorted(pairs)
    _SCORING.update(records=records, review=review)
    try:
        workers = os.cpu_count() or 1
        if len(ordered) >= parallel_from and workers > 1:
            import multiprocessing

            size = max(10_000, len(ordered) // (workers * 8))
            chunks = [ordered[k:k + size] for k in range(0, len(ordered), size)]
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                scored = [item for part in pool.imap(_score_chunk, chunks) for item in part]
        else:
            scored = _score_chunk(ordered)
    finally:
        _SCORING.clear()
    scored.sort(key=lambda item: (-item[2].score, records[item[0]].id, records[item[1]].id))
    stats["above_review"] = len(scored)
    stats["above_auto_merge"] = sum(1 for _, _, s in scored if s.score >= auto_merge)
    return scored, stats
