"""Public reading endpoints: entities, relations, the codebook, analysis runs, posts."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.urls import reverse
from ninja import Query, Router

from observatory.analysis.models import AnalysisRun
from observatory.blog.selectors import post_list_published
from observatory.coding.entity_document import entity_document_json
from observatory.coding.models import Codebook
from observatory.inventory.selectors import entity_detail

from .. import queries
from ..errors import ERROR_CODES, ApiError, ErrorOut
from ..pagination import DEFAULT_LIMIT, MAX_LIMIT, paginate
from ..schemas import (
    AnalysisRunDetail,
    AnalysisRunPage,
    CodebookOut,
    EntityDetail,
    EntityPage,
    Kind,
    Layer,
    PostPage,
    RelationPage,
    RelationType,
    StatusValue,
)

router = Router()

ERRORS = dict.fromkeys(ERROR_CODES - {401, 403, 409}, ErrorOut)
LIMIT = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"items per page, 1–{MAX_LIMIT}")
STATUS = Query(None, description="value of the latest status assertion")
UPDATED_SINCE = Query(None, description="ISO 8601 date or date-time")
CURSOR = Query(None, max_length=200, description="next_cursor of the previous page")


def reject_unknown(request, allowed: set[str]) -> None:
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise ApiError(400, f"unknown parameter(s): {', '.join(unknown)}; accepted: {', '.join(sorted(allowed))}",
                       code="unknown_parameter", details={"unknown": unknown, "accepted": sorted(allowed)})


def _value(choice) -> str:
    return choice.value if choice is not None else ""


@router.get("/entities", response={200: EntityPage, **ERRORS}, tags=["entities"], url_name="entity_list",
            summary="List public entities, filtered, in pages")
def entity_list(request, kind: Kind | None = None, layer: Layer | None = None,
                status: StatusValue | None = STATUS,
                division: str | None = Query(None, pattern=r"^\d{6}$",
                                             description="GB/T 2260 code: province (440000), prefecture (440300) "
                                                         "or county (440305)"),
                bbox: str | None = Query(None, max_length=200,
                                         description="minlon,minlat,maxlon,maxlat in WGS-84 degrees"),
                q: str | None = Query(None, max_length=200, description="text: Chinese, pinyin or English"),
                updated_since: dt.datetime | None = UPDATED_SINCE,
                seen_since: int | None = Query(None, ge=1900, le=2100,
                                               description="evidence of life dated in this year or later "
                                                           "(docs/census.md)"),
                official: str | None = Query(None, pattern="^(accredited|revoked)$",
                                             description="latest official standing in some programme"),
                cursor: str | None = CURSOR, limit: int = LIMIT):
    reject_unknown(request, {"kind", "layer", "status", "division", "bbox", "q", "updated_since", "seen_since",
                             "official", "cursor", "limit"})
    queryset = queries.entity_queryset(kind=_value(kind), layer=_value(layer), status=_value(status),
                                       division=division or "", bbox=bbox or "", q=q or "",
                                       updated_since=updated_since, seen_since=seen_since, official=official or "")
    rows, next_cursor = paginate(queryset, kind="entity", cursor=cursor, limit=limit)
    return {"items": [queries.entity_as_dict(e) for e in rows], "next_cursor": next_cursor, "limit": limit}


@router.get("/entities/{slug}", response={200: EntityDetail, **ERRORS}, tags=["entities"], url_name="entity_detail",
            summary="One entity with its names, locations, statuses, relations, codes and sources")
def entity_get(request, slug: str):
    reject_unknown(request, set())
    text = entity_document_json(slug)  # the one entity document, sent as the database wrote it
    if text is not None:
        return HttpResponse(text, content_type="application/json; charset=utf-8")
    raise ApiError(404, f"no public entity with slug {slug[:120]!r}", details={"slug": slug[:120]})


@router.get("/relations", response={200: RelationPage, **ERRORS}, tags=["relations"], url_name="relation_list",
            summary="List relations between public entities")
def relation_list(request, type: RelationType | None = None,
                  entity: str | None = Query(None, max_length=120, description="slug of an entity at either end"),
                  cursor: str | None = CURSOR, limit: int = LIMIT):
    reject_unknown(request, {"type", "entity", "cursor", "limit"})
    end = None
    if entity:
        end = entity_detail(entity)
        if end is None:
            raise ApiError(404, f"no public entity with slug {entity[:120]!r}", details={"entity": entity[:120]})
    rows, next_cursor = paginate(queries.relation_queryset(type=_value(type), entity=end), kind="relation",
                                 cursor=cursor, limit=limit)
    return {"items": [queries.relation_as_dict(r) for r in rows], "next_cursor": next_cursor, "limit": limit}


@router.get("/codebook", response={200: CodebookOut, **ERRORS}, tags=["codebook"], url_name="codebook",
            summary="The default codebook: dimensions and codes with their definitions")
def codebook(request):
    reject_unknown(request, set())
    book = Codebook.objects.filter(is_default=True).order_by("-created").first()
    if book is None:
        raise ApiError(404, "no codebook is loaded yet (observatory load-curated loads the default one)")
    codes = list(book.codes.select_related("parent").order_by("order", "id"))
    return {"key": book.key, "version": book.version, "title_en": book.title_en, "title_zh": book.title_zh,
            "description": book.description,
            "codes": [{"path": c.path, "parent": c.parent.path if c.parent else None, "key": c.key,
                       "label_en": c.label_en, "label_zh": c.label_zh, "definition": c.definition,
                       "examples": c.examples, "is_dimension": c.parent_id is None} for c in codes]}


def _run_summary(run: AnalysisRun) -> dict:
    return {"id": run.pk, "kind": run.kind, "status": run.status, "parameters": run.parameters or {},
            "seed": run.seed, "dataset_fingerprint": run.dataset_fingerprint, "code_version": run.code_version,
            "summary": run.summary, "started": run.started, "finished": run.finished, "duration_s": run.duration_s}


@router.get("/analysis-runs", response={200: AnalysisRunPage, **ERRORS}, tags=["analysis"],
            url_name="analysis_run_list", summary="Stored analysis runs, newest last")
def analysis_run_list(request, kind: str | None = Query(None, pattern="^(network|spatial|typology|timeline)$"),
                      status: str | None = Query(None, pattern="^(running|done|failed)$"),
                      cursor: str | None = CURSOR, limit: int = LIMIT):
    reject_unknown(request, {"kind", "status", "cursor", "limit"})
    queryset = AnalysisRun.objects.all()
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    rows, next_cursor = paginate(queryset, kind="run", cursor=cursor, limit=limit)
    return {"items": [_run_summary(r) for r in rows], "next_cursor": next_cursor, "limit": limit}


def run_error_public(error: str) -> str:
    """What a reader may see of why a run failed: the message of bad input (one line), but of a
    defect only that it was one (its exception text, or a traceback, may show code and paths)."""
    if not error:
        return ""
    if error.startswith("internal error") or "Traceback (most recent call last)" in error:
        return "internal error: the analysis failed on a defect; it is recorded for the maintainers"
    line = error.strip().splitlines()[0] if error.strip() else ""
    return line[:300]


@router.get("/analysis-runs/{int:run_id}", response={200: AnalysisRunDetail, **ERRORS}, tags=["analysis"],
            url_name="analysis_run_detail", summary="One analysis run with its parameters and result")
def analysis_run_get(request, run_id: int):
    reject_unknown(request, set())
    run = AnalysisRun.objects.filter(pk=run_id).first() if run_id < 2**63 else None
    if run is None:
        raise ApiError(404, f"no analysis run #{run_id}")
    result = run.result if isinstance(run.result, dict) else {}
    return {**_run_summary(run), "sample": result.get("sample"), "caveats": result.get("caveats") or [],
            "result": run.result, "notes": run.notes, "error": run_error_public(run.error),
            "figures": list(run.figures.values_list("name", flat=True))}


@router.get("/posts", response={200: PostPage, **ERRORS}, tags=["posts"], url_name="post_list",
            summary="Published blog posts")
def post_list(request, limit: int = LIMIT):
    reject_unknown(request, {"limit"})
    posts = post_list_published()[:limit]
    return {"items": [{"slug": post.slug, "title": post.title, "published": post.published_at,
                       "url": post.get_absolute_url(), "summary": post.summary} for post in posts],
            "available": True}


def api_root_links() -> dict:
    return {"openapi": reverse("api:openapi-json"), "docs": reverse("api:docs"),
            "entities": reverse("api:entity_list")}
