"""Entity resolution, blocking: the candidate pairs worth scoring (no Django).

Blocking (Christen 2012, *Data Matching*, ch. 4) proposes as candidates only the pairs that share
a block key:

- a **name key**: a distinctive word of a name (generic words such as "makerspace", "fab lab",
  创客空间 removed); for a Chinese name, its pinyin word pairs ("chaihuo" from 柴火创客空间), so
  that 柴火创客空间 meets "Chaihuo Makerspace"; keys held by more than ``max_block`` records are
  dropped (they are the generic words of this corpus);
- the **website domain** (hosting and social-network domains excluded);
- a **grid cell** of about 250 m (0.0025°), each record also probing the 8 neighbouring cells.

A pair that shares only one weak key is left out (meta-blocking, Papadakis et al. 2014; see
:func:`candidate_pairs`).

References
----------
Christen, P. (2012). *Data Matching*. Springer, ch. 4 (indexing).
Papadakis, G., Koutrika, G., Palpanas, T. & Nejdl, W. (2014). Meta-blocking: taking entity
resolution to the next level. *IEEE Trans. Knowl. Data Eng.* 26(8), 1946-1960.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from .normalisation import domain_key
from .records import MatchRecord

__all__ = ["GRID", "MAX_BLOCK", "candidate_pairs"]

#: Grid cells per degree (400: cells of 0.0025°, about 250 m; each record also probes the 8 around).
GRID = 400
#: Block keys shared by more records than this are not distinctive in the corpus and are dropped.
MAX_BLOCK = 50


def _cells(record: MatchRecord) -> tuple[str, list[str]]:
    x, y = math.floor(record.lng * GRID), math.floor(record.lat * GRID)
    own = f"g:{x}:{y}"
    around = [f"g:{x + dx}:{y + dy}" for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    return own, around


def candidate_pairs(records: Iterable[MatchRecord], *, max_block: int = MAX_BLOCK) -> tuple[set[tuple[int, int]], dict]:
    """Candidate pairs (i, j), i < j (indexes into ``records``), and blocking statistics.

    A pair is kept when it shares a strong key (the whole distinctive name ``f:``, a distinctive
    word of four letters or more, a six-letter prefix, the website domain, a grid cell or its
    neighbour) or at least two weaker keys: one three-letter word or one pinyin syllable pair
    (``s:``) alone is too common in a large corpus (meta-blocking; Papadakis et al. 2014).
    """
    records = list(records)
    n = len(records)
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        keys = set(record.keys)
        domain = domain_key(record.domain)
        if domain:
            keys.add("d:" + domain)
        if record.lat is not None and record.lng is not None:
            keys.add(_cells(record)[0])
        for key in keys:
            blocks[key].append(index)
    dropped = {key for key, members in blocks.items() if len(members) > max_block}
    counts: dict[int, int] = defaultdict(int)
    strong: set[int] = set()
    for key, members in blocks.items():
        if key in dropped or len(members) < 2 or key.startswith("g:"):
            continue
        is_strong = key[0] in "fdp" or (key[0] == "n" and len(key) >= 6)  # a whole word of 4 letters or more
        for position, a in enumerate(members):
            for b in members[position + 1:]:
                pair = a * n + b if a < b else b * n + a
                counts[pair] += 1
                if is_strong:
                    strong.add(pair)
    for index, record in enumerate(records):
        if record.lat is None or record.lng is None:
            continue
        for cell in _cells(record)[1]:
            if cell in dropped:
                continue
            for other in blocks.get(cell, ()):
                if other > index:
                    strong.add(index * n + other)
    kept = strong | {pair for pair, count in counts.items() if count >= 2}
    pairs = {divmod(pair, n) for pair in kept}
    compared = len(strong | counts.keys())
    stats = {"records": n, "blocks": len(blocks), "dropped_blocks": len(dropped), "blocked_pairs": compared,
             "candidate_pairs": len(pairs), "pairs_per_record": (2 * len(pairs) / n) if n else 0.0}
    return pairs, stats
