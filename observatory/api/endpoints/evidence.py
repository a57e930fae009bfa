"""Evidence of life (issue 15): the census's observations and the status assertions with their
origin, confidence and rule (docs/census.md)."""

from __future__ import annotations

import datetime as dt

from ninja import Query

from observatory.census.selectors import observation_list
from observatory.inventory.dates import format_fuzzy_date
from observatory.inventory.models import StatusAssertion
from observatory.inventory.selectors import entity_detail

from ..errors import ApiError
from ..queries import _source_ref, status_evidence
from ..schemas import ObservationPage, StatusPage, StatusValue
from .read import CURSOR, ERRORS, LIMIT, _value, paginate, reject_unknown, router

OBSERVATION_KIND = Query(None, pattern="^(website|spaceapi|feed|repository)$", description="the address's kind")
OUTCOME = Query(None, pattern="^(alive|moved|parked|gone|failed|skipped)$", description="what it showed")
SINCE = Query(None, description="observed on this date or later (YYYY-MM-DD)")


def _entity(slug: str):
    entity = entity_detail(slug)
    if entity is None:
        raise ApiError(404, f"no public entity with slug {slug[:120]!r}", details={"entity": slug[:120]})
    return entity


def _observation(o) -> dict:
    return {"entity": o.entity.slug, "run": o.run_id, "observed_at": o.observed_at, "kind": o.kind, "url": o.url,
            "outcome": o.outcome, "http_status": o.http_status, "final_url": o.final_url,
            "left_domain": o.left_domain, "error": o.error, "parked": o.parked, "title": o.title,
            "last_modified": o.last_modified, "feed_newest": o.feed_newest, "spaceapi_version": o.spaceapi_version,
            "spaceapi_open": o.spaceapi_open, "spaceapi_lastchange": o.spaceapi_lastchange,
            "repository_last_commit": o.repository_last_commit}


def _observations(request, entity, kind, outcome, since, cursor, limit):
    queryset = observation_list(entity=entity, kind=kind or "", outcome=outcome or "", since=since)
    rows, next_cursor = paginate(queryset, kind="observation", cursor=cursor, limit=limit)
    return {"items": [_observation(o) for o in rows], "next_cursor": next_cursor, "limit": limit}


@router.get("/observations", response={200: ObservationPage, **ERRORS}, tags=["evidence of life"],
            url_name="observation_list", summary="The liveness census's observations of public entities")
def observation_list_endpoint(request, entity: str | None = Query(None, max_length=120, description="slug"),
                              kind: str | None = OBSERVATION_KIND, outcome: str | None = OUTCOME,
                              since: dt.date | None = SINCE, cursor: str | None = CURSOR, limit: int = LIMIT):
    reject_unknown(request, {"entity", "kind", "outcome", "since", "cursor", "limit"})
    return _observations(request, _entity(entity) if entity else None, kind, outcome, since, cursor, limit)


@router.get("/entities/{slug}/observations", response={200: ObservationPage, **ERRORS},
            tags=["evidence of life"], url_name="entity_observations",
            summary="One entity's census observations")
def entity_observations(request, slug: str, kind: str | None = OBSERVATION_KIND, outcome: str | None = OUTCOME,
                        since: dt.date | None = SINCE, cursor: str | None = CURSOR, limit: int = LIMIT):
    reject_unknown(request, {"kind", "outcome", "since", "cursor", "limit"})
    return _observations(request, _entity(slug), kind, outcome, since, cursor, limit)


@router.get("/statuses", response={200: StatusPage, **ERRORS}, tags=["evidence of life"], url_name="status_list",
            summary="Status assertions of public entities: documents, census inferences, official registers")
def status_list(request, entity: str | None = Query(None, max_length=120, description="slug"),
                origin: str | None = Query(None, pattern="^(document|census|register)$"),
                value: StatusValue | None = None,
                programme: str | None = Query(None, max_length=200, description="e.g. 国家备案众创空间"),
                counting: bool | None = Query(None, description="true: only statuses that count as evidence "
                                                                "(census ones from LIFECYCLE_CONFIDENCE)"),
                cursor: str | None = CURSOR, limit: int = LIMIT):
    reject_unknown(request, {"entity", "origin", "value", "programme", "counting", "cursor", "limit"})
    queryset = StatusAssertion.objects.with_counts().select_related("entity", "source").filter(
        entity__is_public=True, entity__merged_into__isnull=True)
    if entity:
        queryset = queryset.filter(entity=_entity(entity))
    if origin:
        queryset = queryset.filter(origin=origin)
    if value is not None:
        queryset = queryset.filter(value=_value(value))
    if programme:
        queryset = queryset.filter(programme=programme)
    if counting is not None:
        queryset = queryset.filter(counts=counting)
    rows, next_cursor = paginate(queryset, kind="status", cursor=cursor, limit=limit)
    items = [{"entity": s.entity.slug, "value": s.value, "kind": s.kind,
              "date": format_fuzzy_date(s.date, s.date_precision) or None, "programme": s.programme,
              "batch": s.batch, "revoked_on": s.revoked_on, "source": _source_ref(s), **status_evidence(s)}
             for s in rows]
    return {"items": items, "next_cursor": next_cursor, "limit": limit}
