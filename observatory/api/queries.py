"""The API's reads: querysets and plain dicts for the handlers. Public reads only ever start from
``Entity.objects.public()``; curator's notes, per-field provenance, user accounts and raw source
payloads are never part of an answer."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from observatory.china import coords as china_coords
from observatory.coding.entity_document import entity_url
from observatory.inventory import lifecycle
from observatory.inventory.dates import format_fuzzy_date
from observatory.inventory.models import Entity, Relation
from observatory.inventory.selectors import entity_list

from .errors import ApiError

__all__ = ["entity_as_dict", "entity_queryset", "entity_url", "relation_as_dict",
           "relation_queryset"]


def entity_queryset(*, kind: str = "", layer: str = "", status: str = "", division: str = "", bbox: str = "",
                    q: str = "", updated_since: dt.datetime | None = None, seen_since: int | None = None,
                    official: str = "") -> QuerySet:
    """Public entities matching the API's filters (:func:`observatory.inventory.selectors.entity_list`);
    a bounding box that does not parse is a 400 naming the accepted form."""
    try:
        box = china_coords.bbox_parse(bbox) if bbox else None
    except ValueError as exc:
        raise ApiError(400, str(exc), code="bad_filter", details={"field": "bbox"}) from None
    return entity_list(kind=kind, layer=layer, status=status, division=division, bbox=box, query=q,
                       updated_since=updated_since, seen_since=seen_since, official=official)


def status_evidence(status) -> dict:
    """A status's origin, confidence and rule (issue 15), in the API's and the exports' shape, with
    what the census saw for a census inference (a curator's note on another status stays private)
    and whether it counts as evidence (a status read through ``StatusAssertion.objects.with_counts()``)."""
    return {"origin": status.origin, "confidence": status.confidence, "rule": status.rule,
            "census_note": lifecycle.public_note(status.origin, status.note), "counts": status.counts}


def _source_ref(obj, source=None, locator: str | None = None) -> dict | None:
    source = source if source is not None else getattr(obj, "source", None)
    if source is None:
        return None
    return {"key": source.key, "locator": locator if locator is not None else getattr(obj, "source_locator", ""),
            "licence": source.licence}


def entity_as_dict(entity: Entity) -> dict:
    return {
        "slug": entity.slug, "kind": entity.kind, "layer": entity.layer, "name": entity.name,
        "name_zh": entity.name_zh, "name_en": entity.name_en, "website": entity.website,
        "founded": format_fuzzy_date(entity.founded, entity.founded_precision) or None,
        "closed": format_fuzzy_date(entity.closed, entity.closed_precision) or None,
        "status": getattr(entity, "current_status", None), "province_code": entity.province_code,
        "lng": getattr(entity, "point_lng", None), "lat": getattr(entity, "point_lat", None),
        "updated": entity.updated, "url": entity_url(entity.slug),
    }


def relation_queryset(*, type: str = "", entity: Entity | None = None, entity_id: int | None = None) -> QuerySet:
    queryset = Relation.objects.public().select_related("source_entity", "target_entity", "source")
    if type:
        queryset = queryset.filter(type=type)
    if entity is not None:
        entity_id = entity.pk
    if entity_id is not None:
        queryset = queryset.filter(Q(source_entity_id=entity_id) | Q(target_entity_id=entity_id))
    return queryset


def relation_as_dict(relation: Relation) -> dict:
    return {
        "id": relation.pk, "type": relation.type, "source_entity": relation.source_entity.slug,
        "target_entity": relation.target_entity.slug,
        "from_date": format_fuzzy_date(relation.from_date, relation.from_precision) or None,
        "to_date": format_fuzzy_date(relation.to_date, relation.to_precision) or None,
        "weight": relation.weight, "confidence": relation.confidence, "evidence": relation.evidence,
        "source": _source_ref(relation), "updated": relation.updated,
    }
