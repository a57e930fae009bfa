"""Reads from the inventory for pages, the API and exports. Public reads never include
non-public entities or merged-away duplicates."""

from __future__ import annotations

import datetime as dt

from django.db import connections
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from observatory.prepared import Prepared, attach_prefetched

from . import lifecycle, search_index
from .models import Entity, EntitySource, Location, Name, Relation, StatusAssertion
from .taxonomy import KINDS

__all__ = ["entity_list", "entity_detail", "entity_relations_grouped", "entity_search_filter"]


def entity_search_filter(queryset: QuerySet, query: str, *, slug: bool = False) -> QuerySet:
    """Entities whose names or addresses share every query token (Chinese words, pinyin, English);
    with ``slug``, a token may also be a word of the slug (the admin's search).

    Ranking lives in the search page; this is the filter that works the same on SQLite and
    PostgreSQL: every token must be a word of the pre-computed ``search_text``, looked up in the
    token index (:mod:`observatory.inventory.search_index`).
    """
    tokens = search_index.query_tokens(query)
    if not tokens:
        return queryset.none()
    return queryset.filter(search_index.match(connections[queryset.db].vendor, tokens, every=True, slug=slug))


def _division_field(code: str) -> str:
    if code.endswith("0000"):
        return "province_code"
    if code.endswith("00"):
        return "prefecture_code"
    return "county_code"


def entity_list(*, kind: str = "", layer: str = "", province: str = "", division: str = "",
                bbox: tuple[float, float, float, float] | None = None, status: str = "", query: str = "",
                updated_since: dt.datetime | None = None, seen_since: int | None = None, official: str = "",
                public_only: bool = True, relation_count: bool = False) -> QuerySet:
    """Entities matching the filters, annotated with their current status (the latest status
    assertion) and first point (``current_status``, ``point_lng``, ``point_lat``).

    ``province`` is the entity's own province (that of its first located place); ``division`` a
    GB/T 2260 code of any level that one of its locations lies in; ``bbox`` (west, south, east,
    north) in WGS-84 degrees; ``query`` text as :func:`entity_search_filter` reads it;
    ``seen_since`` a year of evidence of life or later and ``official`` a latest official standing
    (:mod:`observatory.inventory.lifecycle`). The current status counts only the statuses that count
    (``StatusAssertion.objects.counting()``). With ``relation_count``, also the number of its
    relations in both directions.
    """
    queryset = Entity.objects.public() if public_only else Entity.objects.filter(merged_into__isnull=True)
    if kind:
        queryset = queryset.filter(kind=kind)
    if layer:
        queryset = queryset.filter(layer=layer)
    if province:
        queryset = queryset.filter(province_code=province)
    if division:
        queryset = queryset.filter(pk__in=Location.objects.filter(**{_division_field(division): division})
                                   .values("entity_id"))
    if bbox is not None:
        west, south, east, north = bbox
        queryset = queryset.filter(pk__in=Location.objects.filter(
            lng__gte=west, lng__lte=east, lat__gte=south, lat__lte=north).values("entity_id"))
    if query:
        queryset = entity_search_filter(queryset, query)
    if updated_since is not None:
        if timezone.is_naive(updated_since):
            updated_since = timezone.make_aware(updated_since, dt.UTC)
        queryset = queryset.filter(updated__gte=updated_since)
    if seen_since is not None:  # evidence of life (issue 15)
        queryset = queryset.filter(lifecycle.seen_since_q(seen_since))
    if official:
        queryset = queryset.filter(lifecycle.official_status_q(official))
    # NULL dates sort last on both databases (PostgreSQL would put them first in a descending order)
    latest_status = (StatusAssertion.objects.counting().filter(entity=OuterRef("pk"))
                     .order_by(F("date").desc(nulls_last=True), "-id").values("value")[:1])
    first_point = Location.objects.filter(entity=OuterRef("pk"), lat__isnull=False).order_by("id")
    queryset = queryset.annotate(current_status=Subquery(latest_status),
                                 point_lng=Subquery(first_point.values("lng")[:1]),
                                 point_lat=Subquery(first_point.values("lat")[:1]))
    if status:
        queryset = queryset.filter(current_status=status)
    if relation_count:
        queryset = queryset.annotate(relation_count=Count("relations_out", distinct=True)
                                     + Count("relations_in", distinct=True))
    return queryset


_SLUG, _ID = "\x00slug\x00", -(2**31) + 17  # markers: values no real slug or id takes
# a part's source is shown by its key (and, in the API, its licence): its CSL record, often the
# largest column and decoded from JSON, is read for the citations only
_KEY_ONLY = ("source__csl", "source__note")
# One query per kind of part, each joined to its source, compiled once per process (compiling these
# small queries cost more than running them: observatory/prepared.py, docs/benchmarks.md). Each is
# ordered as the models' Meta.ordering orders within one entity: its leading "entity" would join
# the entity table to sort by its name, a constant here.
_DETAIL = {
    True: Prepared(lambda slug: Entity.objects.public().filter(slug=slug).order_by()[:1], _SLUG),
    False: Prepared(lambda slug: Entity.objects.filter(slug=slug).order_by()[:1], _SLUG),
}
_PARTS = {
    "names": Prepared(lambda pk: Name.objects.select_related("source").defer(*_KEY_ONLY).filter(entity_id=pk)
                      .order_by("id"), _ID),
    "statuses": Prepared(lambda pk: StatusAssertion.objects.select_related("source").defer(*_KEY_ONLY)
                         .filter(entity_id=pk).order_by("date", "id"), _ID),
    "citations": Prepared(lambda pk: EntitySource.objects.select_related("source").filter(entity_id=pk)
                          .order_by("id"), _ID),
    "locations": Prepared(lambda pk: Location.objects.select_related("source").defer(*_KEY_ONLY)
                          .filter(entity_id=pk).order_by("id"), _ID),
}


def _relations(pk, *, public_only: bool):
    # ordered by the source entity's name (the join is there for select_related anyway); the other
    # ends are shown by name and link, so their search text, notes and provenance stay in the database
    relations = Relation.objects.public() if public_only else Relation.objects.all()
    return (relations.filter(Q(source_entity_id=pk) | Q(target_entity_id=pk))
            .select_related("source_entity", "target_entity", "source")
            .defer(*_KEY_ONLY, *(f"{end}__{field}" for end in ("source_entity", "target_entity")
                                 for field in ("search_text", "note", "field_sources")))
            .order_by("source_entity__name", "type", "id"))


_RELATIONS = {public: Prepared(lambda pk, public=public: _relations(pk, public_only=public), _ID)
              for public in (True, False)}


def entity_detail(slug: str, *, public_only: bool = True) -> Entity | None:
    """An entity with its names, statuses, citations and locations attached, as ``prefetch_related``
    would (``entity.names.all()`` and so on answer without a query); the codings are the coding
    app's (:func:`observatory.coding.selectors.coding_list`)."""
    found = _DETAIL[public_only].run(slug)
    if not found:
        return None
    entity = found[0]
    for name, prepared in _PARTS.items():
        attach_prefetched(entity, name, prepared.run(entity.pk))
    return entity


def entity_relations_grouped(entity: Entity, *, public_only: bool = True) -> list[tuple[str, list[dict]]]:
    """Relations of an entity grouped by type (both directions), each with the other end."""
    groups: dict[str, list[dict]] = {}
    for relation in _RELATIONS[public_only].run(entity.pk):
        outgoing = relation.source_entity_id == entity.pk
        other = relation.target_entity if outgoing else relation.source_entity
        label = relation.get_type_display() if outgoing else f"{relation.get_type_display()} (inverse)"
        groups.setdefault(label, []).append({"relation": relation, "other": other, "outgoing": outgoing})
    return sorted(groups.items())


def kind_labels() -> list[tuple[str, str]]:
    return [(slug, label) for slug, (label, _zh, _layer, _group) in KINDS.items()]
