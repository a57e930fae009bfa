"""Reads from the inventory for pages, the API and exports. Public reads never include
non-public entities or merged-away duplicates."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from observatory.china import text as china_text
from observatory.prepared import Prepared, attach_prefetched

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


_SLUG, _ID = "\x00slug\x00", -(2**31) + 17  # markers: values no real slug or id takes


def _codings(entity_id, *, public_only: bool) -> QuerySet:
    from observatory.coding.models import Coding  # coding depends on inventory, not the reverse

    codings = Coding.objects.select_related("code", "source").filter(entity_id=entity_id)
    if public_only:
        # a coding whose only evidence is an excerpt of a private field note stays private with it
        codings = codings.filter(Q(source__isnull=False) | Q(excerpt__document__is_public=True))
    return codings.order_by("code__path", "id")


# One query per kind of part, each joined to its source, compiled once per process (see
# observatory/prepared.py: compiling these small queries cost more than running them). Each is
# ordered as the models' Meta.ordering orders within one entity: its leading "entity" would join
# the entity table to sort by its name, a constant here.
_DETAIL = {
    True: Prepared(lambda slug: Entity.objects.public().filter(slug=slug).order_by()[:1], _SLUG),
    False: Prepared(lambda slug: Entity.objects.filter(slug=slug).order_by()[:1], _SLUG),
}
# a part's source is shown by its key (and, in the API, its licence): its CSL record, often the
# largest column and decoded from JSON, is read for the citations only
_KEY_ONLY = ("source__csl", "source__note")
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
_CODINGS = {public: Prepared(lambda pk, public=public: _codings(pk, public_only=public), _ID)
            for public in (True, False)}


# Meta.ordering, by the source entity's name in the database's collation (the join is there for
# select_related anyway); the other ends are shown by name and link, so their search text, notes and
# provenance are left in the database
_RELATIONS = Prepared(lambda pk: Relation.objects.filter(Q(source_entity_id=pk) | Q(target_entity_id=pk))
                      .select_related("source_entity", "target_entity", "source")
                      .defer(*_KEY_ONLY, *(f"{end}__{field}" for end in ("source_entity", "target_entity")
                                           for field in ("search_text", "note", "field_sources")))
                      .order_by("source_entity__name", "type", "id"), _ID)


def entity_detail(slug: str, *, public_only: bool = True) -> Entity | None:
    """An entity with its names, statuses, citations, codings and locations attached, as
    ``prefetch_related`` would (``entity.names.all()`` and so on answer without a query)."""
    found = _DETAIL[public_only].run(slug)
    if not found:
        return None
    entity = found[0]
    for name, prepared in _PARTS.items():
        attach_prefetched(entity, name, prepared.run(entity.pk))
    attach_prefetched(entity, "codings", _CODINGS[public_only].run(entity.pk))
    return entity


def entity_relations_grouped(entity: Entity, *, public_only: bool = True) -> list[tuple[str, list[dict]]]:
    """Relations of an entity grouped by type (both directions), each with the other end."""
    relations = _RELATIONS.run(entity.pk)
    groups: dict[str, list[dict]] = {}
    for relation in relations:
        outgoing = relation.source_entity_id == entity.pk
        other = relation.target_entity if outgoing else relation.source_entity
        if public_only and (not other.is_public or other.merged_into_id):
            continue
        label = relation.get_type_display() if outgoing else f"{relation.get_type_display()} (inverse)"
        groups.setdefault(label, []).append({"relation": relation, "other": other, "outgoing": outgoing})
    return sorted(groups.items())


def kind_labels() -> list[tuple[str, str]]:
    return [(slug, label) for slug, (label, _zh, _layer, _group) in KINDS.items()]
