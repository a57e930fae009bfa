"""Reads from the inventory for pages, the API and exports. Public reads never include
non-public entities or merged-away duplicates."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from observatory.china import text as china_text

from .models import Entity, EntitySource, Location, Name, Relation, StatusAssertion
from .taxonomy import KINDS

__all__ = ["entity_list", "entity_detail", "entity_relations_grouped", "entity_search_filter"]


def entity_search_filter(queryset: QuerySet, query: str) -> QuerySet:
    """Entities whose names or addresses share every query token (Chinese words, pinyin, English).

    Ranking lives in the search page; this is the portable filter that works the same on SQLite
    and PostgreSQL: every token must be a word of the pre-computed ``search_text``.
    """
    tokens = [t for t in china_text.search_tokens(query) if t]
    if not tokens:
        return queryset.none()
    condition = Q()
    for token in dict.fromkeys(tokens):
        padded = Q(search_text__startswith=f"{token} ") | Q(search_text__contains=f" {token} ") | Q(
            search_text__endswith=f" {token}") | Q(search_text=token)
        condition &= padded
    return queryset.filter(condition)


def entity_list(*, kind: str = "", layer: str = "", province: str = "", query: str = "",
                public_only: bool = True) -> QuerySet:
    queryset = Entity.objects.public() if public_only else Entity.objects.filter(merged_into__isnull=True)
    if kind:
        queryset = queryset.filter(kind=kind)
    if layer:
        queryset = queryset.filter(layer=layer)
    if province:
        queryset = queryset.filter(province_code=province)
    if query:
        queryset = entity_search_filter(queryset, query)
    return queryset.annotate(relation_count=Count("relations_out", distinct=True) + Count("relations_in", distinct=True))


def entity_detail(slug: str, *, public_only: bool = True) -> Entity | None:
    from observatory.coding.models import Coding  # coding depends on inventory, not the reverse

    queryset = Entity.objects.public() if public_only else Entity.objects.all()
    codings = Coding.objects.select_related("code", "source")
    if public_only:
        # a coding whose only evidence is an excerpt of a private field note stays private with it
        codings = codings.filter(Q(source__isnull=False) | Q(excerpt__document__is_public=True))
    # One query per kind of part, each joined to its source (half the queries of a prefetch per hop).
    # Each is ordered explicitly as the models' Meta.ordering orders within one entity: their
    # leading "entity" would join the entity table to sort by its name, a constant here.
    found = list(
        queryset.filter(slug=slug)
        .order_by()
        .prefetch_related(
            Prefetch("names", queryset=Name.objects.select_related("source").order_by("id")),
            Prefetch("statuses", queryset=StatusAssertion.objects.select_related("source").order_by("date", "id")),
            Prefetch("citations", queryset=EntitySource.objects.select_related("source").order_by("id")),
            Prefetch("codings", queryset=codings.order_by("code__path")),
            Prefetch("locations", queryset=Location.objects.select_related("source").order_by("id")),
        )[:1]
    )
    return found[0] if found else None


def entity_relations_grouped(entity: Entity, *, public_only: bool = True) -> list[tuple[str, list[dict]]]:
    """Relations of an entity grouped by type (both directions), each with the other end."""
    # Meta.ordering (source entity's name, type, id) without its ORDER BY on a joined name: by type
    # and id here, and the inverse relations by the name of their source below
    relations = Relation.objects.filter(Q(source_entity=entity) | Q(target_entity=entity)).select_related(
        "source_entity", "target_entity", "source").order_by("type", "id")
    groups: dict[str, list[dict]] = {}
    for relation in relations:
        outgoing = relation.source_entity_id == entity.pk
        other = relation.target_entity if outgoing else relation.source_entity
        if public_only and (not other.is_public or other.merged_into_id):
            continue
        label = relation.get_type_display() if outgoing else f"{relation.get_type_display()} (inverse)"
        groups.setdefault(label, []).append({"relation": relation, "other": other, "outgoing": outgoing})
    for items in groups.values():
        if not items[0]["outgoing"]:
            items.sort(key=lambda item: item["other"].name)  # stable: ids stay in order within a name
    return sorted(groups.items())


def kind_labels() -> list[tuple[str, str]]:
    return [(slug, label) for slug, (label, _zh, _layer, _group) in KINDS.items()]
