"""Reads from the inventory for pages, the API and exports. Public reads never include
non-public entities or merged-away duplicates."""

from __future__ import annotations

import datetime as dt

from django.db import connections
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from . import lifecycle, search_index
from .models import Entity, Location, Source, StatusAssertion
from .taxonomy import KINDS

__all__ = ["entity_list", "entity_detail", "entity_names", "entity_search_filter"]


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


def entity_detail(slug: str, *, public_only: bool = True) -> Entity | None:
    """The entity ``slug`` (its row), or None. The public record of an entity, all its parts and
    codings included, is the entity document (:mod:`observatory.coding.entity_document`)."""
    entities = Entity.objects.public() if public_only else Entity.objects.all()
    return entities.filter(slug=slug).order_by().first()


def entity_names(slugs) -> dict[str, Entity]:
    """The public entities among ``slugs``, by slug, with their names only (the entity page's
    relations show the other ends by name and link)."""
    return {entity.slug: entity for entity in Entity.objects.public().filter(slug__in=list(slugs))
            .only("id", "slug", "name", "name_zh", "name_en")}


def source_records(keys) -> dict[str, dict]:
    """The CSL-JSON record of each source among ``keys``, by key (to cite a source the caller knows
    by key only)."""
    return dict(Source.objects.filter(key__in=list(keys)).values_list("key", "csl"))


def kind_labels() -> list[tuple[str, str]]:
    return [(slug, label) for slug, (label, _zh, _layer, _group) in KINDS.items()]
