"""The API's reads: querysets and plain dicts for the handlers. Public reads only ever start from
``Entity.objects.public()``; curator's notes, per-field provenance, user accounts and raw source
payloads are never part of an answer."""

from __future__ import annotations

import datetime as dt
import functools

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from observatory.inventory import lifecycle
from observatory.inventory.dates import format_fuzzy_date
from observatory.inventory.models import Entity, Location, Relation, StatusAssertion
from observatory.inventory.selectors import entity_search_filter
from observatory.prepared import Prepared

from .errors import ApiError

__all__ = ["bbox_parse", "entity_as_dict", "entity_queryset", "json_response", "relation_as_dict",
           "relation_queryset"]

def json_response(request, data: dict) -> HttpResponse:
    """``data`` rendered by the API's own renderer, as it renders a validated answer, for a handler
    whose dict already has its schema's shape and types."""
    from .api import api  # the API module imports the endpoints, which import this one

    renderer = api.renderer
    return HttpResponse(renderer.render(request, data, response_status=200),
                        content_type=f"{renderer.media_type}; charset={renderer.charset}")


def bbox_parse(value: str) -> tuple[float, float, float, float]:
    """``"minlon,minlat,maxlon,maxlat"`` (WGS-84) -> four floats, or a 400 saying what is wrong."""
    parts = value.split(",")
    try:
        if len(parts) != 4:
            raise ValueError
        west, south, east, north = (float(p) for p in parts)
        if any(v != v for v in (west, south, east, north)):  # NaN
            raise ValueError
    except ValueError:
        raise ApiError(400, f"bbox={value[:100]!r} is not a bounding box; write minlon,minlat,maxlon,maxlat in "
                            "WGS-84 degrees, e.g. bbox=113.7,22.4,114.6,22.9", code="bad_filter",
                       details={"field": "bbox"}) from None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise ApiError(400, f"bbox={value[:100]!r}: need -180 ≤ minlon ≤ maxlon ≤ 180 and -90 ≤ minlat ≤ maxlat ≤ 90",
                       code="bad_filter", details={"field": "bbox"})
    return west, south, east, north


def _division_field(code: str) -> str:
    if code.endswith("0000"):
        return "province_code"
    if code.endswith("00"):
        return "prefecture_code"
    return "county_code"


def entity_queryset(*, kind: str = "", layer: str = "", status: str = "", division: str = "", bbox: str = "",
                    q: str = "", updated_since: dt.datetime | None = None) -> QuerySet:
    """Public entities matching the filters, annotated with their current status and first point."""
    queryset = Entity.objects.public()
    if kind:
        queryset = queryset.filter(kind=kind)
    if layer:
        queryset = queryset.filter(layer=layer)
    if division:
        field = _division_field(division)
        queryset = queryset.filter(pk__in=Location.objects.filter(**{field: division}).values("entity_id"))
    if bbox:
        west, south, east, north = bbox_parse(bbox)
        queryset = queryset.filter(pk__in=Location.objects.filter(
            lng__gte=west, lng__lte=east, lat__gte=south, lat__lte=north).values("entity_id"))
    if q:
        queryset = entity_search_filter(queryset, q)
    if updated_since is not None:
        if timezone.is_naive(updated_since):
            updated_since = timezone.make_aware(updated_since, dt.UTC)
        queryset = queryset.filter(updated__gte=updated_since)
    # NULL dates sort last on both databases (PostgreSQL would put them first in a descending order)
    latest_status = (StatusAssertion.objects.counting().filter(entity=OuterRef("pk"))
                     .order_by(F("date").desc(nulls_last=True), "-id").values("value")[:1])
    first_point = Location.objects.filter(entity=OuterRef("pk"), lat__isnull=False).order_by("id")
    queryset = queryset.annotate(current_status=Subquery(latest_status),
                                 point_lng=Subquery(first_point.values("lng")[:1]),
                                 point_lat=Subquery(first_point.values("lat")[:1]))
    if status:
        queryset = queryset.filter(current_status=status)
    return queryset


def status_evidence(status) -> dict:
    """A status's origin, confidence and rule (issue 15), in the API's and the exports' shape."""
    return {"origin": status.origin, "confidence": status.confidence, "rule": status.rule}


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


@functools.cache
def _entity_url_template() -> str:
    return reverse("api:entity_detail", args=["slug-placeholder"])


def entity_url(slug: str) -> str:
    # one reverse() per process instead of one per listed entity (a measurable share of a page)
    return _entity_url_template().replace("slug-placeholder", slug)


# the relations of one entity between public entities, compiled once (observatory/prepared.py);
# of the joined rows only what relation_as_dict reads (whole entities would bring their search text
# and provenance, and decode JSON, for two slugs)
_ENTITY_RELATIONS = Prepared(lambda pk: relation_queryset(entity_id=pk).order_by("id").only(
    "id", "type", "source_entity__slug", "target_entity__slug", "from_date", "from_precision", "to_date",
    "to_precision", "weight", "confidence", "evidence", "source__key", "source__licence", "source_locator",
    "updated"), -(2**31) + 19)


def relation_queryset(*, type: str = "", entity: Entity | None = None, entity_id: int | None = None) -> QuerySet:
    # both ends public, tested on the joined ends (an IN over the public entities' ids would build
    # that whole set for each query: 100 ms at 100,000 entities)
    queryset = Relation.objects.filter(
        source_entity__is_public=True, source_entity__merged_into__isnull=True,
        target_entity__is_public=True, target_entity__merged_into__isnull=True,
    ).select_related("source_entity", "target_entity", "source")
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


def entity_detail_as_dict(entity: Entity) -> dict:
    data = entity_as_dict(entity)
    statuses = list(entity.statuses.all())
    counting = [s for s in statuses if lifecycle.status_counts(s)]
    if counting:
        # the latest date; an undated status ranks below any dated one (as the list's nulls_last)
        latest = max(counting, key=lambda s: (s.date is not None, s.date or dt.date.min, s.id))
        data["status"] = latest.value
    locations = list(entity.locations.all())
    point = next((loc for loc in locations if loc.lat is not None), None)
    data["lng"], data["lat"] = (point.lng, point.lat) if point else (None, None)
    data["names"] = [{"text": n.text, "lang": n.lang, "type": n.type, "pinyin": n.pinyin, "valid_from": n.valid_from,
                      "valid_to": n.valid_to, "source": _source_ref(n)} for n in entity.names.all()]
    data["locations"] = [{
        "original_lng": loc.original_lng, "original_lat": loc.original_lat, "crs": loc.crs, "lng": loc.lng,
        "lat": loc.lat, "precision": loc.precision, "placed_at_centroid": loc.placed_at_centroid,
        "polygon": loc.polygon, "polygon_wgs84": loc.polygon_wgs84, "address_zh": loc.address_zh,
        "address_en": loc.address_en, "hint": loc.hint, "division_code": loc.division_code,
        "province_code": loc.province_code, "prefecture_code": loc.prefecture_code,
        "county_code": loc.county_code, "valid_from": loc.valid_from, "valid_to": loc.valid_to,
        "source": _source_ref(loc)} for loc in locations]
    data["statuses"] = [{"value": s.value, "kind": s.kind, "date": format_fuzzy_date(s.date, s.date_precision) or None,
                         "programme": s.programme, "batch": s.batch, "revoked_on": s.revoked_on,
                         "source": _source_ref(s), **status_evidence(s)} for s in statuses]
    data["relations"] = [relation_as_dict(r) for r in _ENTITY_RELATIONS.run(entity.pk)]
    data["codes"] = [{"code": c.code.path, "label_en": c.code.label_en, "label_zh": c.code.label_zh,
                      "confidence": c.confidence, "quote": c.quote, "coded_on": c.coded_on,
                      "source": _source_ref(c)} for c in entity.codings.all()]
    data["sources"] = [{"key": c.source.key, "title": c.source.title, "licence": c.source.licence,
                        "redistributable": c.source.redistributable, "locator": c.locator,
                        # the schema's object; services refuse anything else, but the admin's raw JSON
                        # field could store a list
                        "csl": c.source.csl if isinstance(c.source.csl, dict) else {}}
                       for c in entity.citations.all()]
    return data
