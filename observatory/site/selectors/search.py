"""Ranked search over the public entities: tokens of names and addresses (Chinese words, pinyin,
English), weighted by idf, computed in Python over plain rows so that SQLite and PostgreSQL give
the same answers. The candidates come from the token index (:mod:`observatory.inventory.search_index`)."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.db import connections

from observatory.china import text as china_text
from observatory.inventory import search_index
from observatory.inventory.models import Entity, Name

from .memo import Memo

__all__ = ["SearchHit", "search_ranked", "search_ranked_compute"]

_ANSWERS = Memo("search", 512)
_COUNTS = Memo("search-counts", 64)


def _public_count(kind: str, layer: str, queryset) -> int:
    """The number of public entities (the N of idf)."""
    return _COUNTS.get((kind, layer), queryset.count)


@dataclass
class SearchHit:
    entity: Entity
    score: float
    matched: list[str]
    why: str


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


@lru_cache(maxsize=50000)
def _name_tokens(text: str) -> frozenset[str]:
    return frozenset(china_text.search_tokens(text))


_CANDIDATE_LIMIT = 3000


def search_ranked(query: str, *, kind: str = "", layer: str = "", limit: int = 50) -> tuple[list[SearchHit], int]:
    """:func:`search_ranked_compute`, memoised per data signature and query."""
    return _ANSWERS.get((query[:200], kind, layer, limit),
                        lambda: search_ranked_compute(query, kind=kind, layer=layer, limit=limit))


def search_ranked_compute(query: str, *, kind: str = "", layer: str = "", limit: int = 50
                          ) -> tuple[list[SearchHit], int]:
    """Public entities matching any token of ``query``, ranked; returns (hits, number of matches).

    Score = Σ over matched query tokens of idf(token) × 3 if the token is in one of the entity's names,
    × 1 if only in its address; + 100 for an exact name match (case, width and spaces ignored);
    × the share of the query's tokens matched. idf = ln(1 + N / df) over public entities.
    Ties break on the name. The same arithmetic on SQLite and PostgreSQL: the database only filters.
    """
    query = china_text.strip_tones(query[:200])
    tokens = search_index.query_tokens(query)
    if not tokens:
        return [], 0
    public = Entity.objects.public()
    if kind:
        public = public.filter(kind=kind)
    if layer:
        public = public.filter(layer=layer)
    condition = search_index.match(connections[public.db].vendor, tokens, every=False)
    rows = list(public.filter(condition).values_list("id", "search_text", "name", "name_zh", "name_en")
                .order_by("id")[:_CANDIDATE_LIMIT])
    if not rows:
        return [], 0
    total = max(_public_count(kind, layer, public), 1)
    token_sets = {row[0]: set(row[1].split()) for row in rows}
    df = {t: sum(1 for s in token_sets.values() if t in s) for t in tokens}
    idf = {t: math.log(1 + total / df[t]) if df[t] else 0.0 for t in tokens}
    names: dict[int, list[str]] = {}
    for entity_id, text in Name.objects.filter(entity_id__in=list(token_sets)).values_list("entity_id", "text"):
        names.setdefault(entity_id, []).append(text)
    folded_query = _fold(query)
    compact_query = folded_query.replace("'", "")
    scored = []
    for entity_id, _text, name, name_zh, name_en in rows:
        all_names = [n for n in [name, name_zh, name_en, *names.get(entity_id, [])] if n]
        in_names: set[str] = set()
        for text in dict.fromkeys(all_names):
            in_names |= _name_tokens(text)
        matched = [t for t in tokens if t in token_sets[entity_id]]
        score = sum(idf[t] * (3.0 if t in in_names else 1.0) for t in matched)
        score *= len(matched) / len(tokens)
        exact = any(_fold(n) == folded_query for n in all_names) or any(
            _compact_pinyin(n) == compact_query for n in all_names)
        why = "name"
        if exact:
            score += 100.0
            why = "exact"
        elif not any(t in in_names for t in matched):
            why = "address"
        scored.append((-score, name, entity_id, matched, why))
    scored.sort()
    chosen = scored[:limit]
    by_id = Entity.objects.in_bulk([row[2] for row in chosen])
    hits = [SearchHit(entity=by_id[eid], score=-neg, matched=matched, why=why)
            for neg, _name, eid, matched, why in chosen if eid in by_id]
    return hits, len(rows)


@lru_cache(maxsize=50000)
def _compact_pinyin(text: str) -> str:
    from observatory.china.names import is_cjk, pinyin_compact

    return pinyin_compact(text).casefold() if is_cjk(text) else ""
