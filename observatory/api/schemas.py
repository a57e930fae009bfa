"""Response and request shapes of the API (they are the OpenAPI description)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

from observatory.inventory.models import Entity, EntitySource, Location, Name, StatusAssertion
from observatory.inventory.taxonomy import (
    CRS_CHOICES,
    KINDS,
    LAYERS,
    NAME_LANGUAGES,
    NAME_TYPES,
    PRECISIONS,
    RELATION_TYPES,
    STATUS_KINDS,
    STATUS_VALUES,
)
from observatory.validation import polygon_problem, text_problem

Kind = Enum("Kind", {k: k for k in KINDS}, type=str)
Layer = Enum("Layer", {k: k for k, _ in LAYERS}, type=str)
StatusValue = Enum("StatusValue", {k: k for k, _ in STATUS_VALUES}, type=str)
StatusKind = Enum("StatusKind", {k: k for k, _ in STATUS_KINDS}, type=str)
RelationType = Enum("RelationType", {k: k for k in RELATION_TYPES}, type=str)
Crs = Enum("Crs", {k.replace("-", "_"): k for k, _ in CRS_CHOICES}, type=str)
Precision = Enum("Precision", {k: k for k in PRECISIONS}, type=str)
NameLang = Enum("NameLang", {k.replace("-", "_"): k for k, _ in NAME_LANGUAGES if k != "pinyin"}, type=str)
NameType = Enum("NameType", {k: k for k, _ in NAME_TYPES}, type=str)


class SourceRef(Schema):
    key: str
    locator: str = ""
    licence: str = ""


class EntitySummary(Schema):
    slug: str
    kind: str
    layer: str
    name: str
    name_zh: str
    name_en: str
    website: str
    founded: str | None = Field(None, description="YYYY, YYYY-MM, YYYY-MM-DD or 'circa YYYY'")
    closed: str | None = None
    status: str | None = Field(None, description="value of the latest status assertion")
    province_code: str
    lng: float | None = Field(None, description="WGS-84 longitude of the first location")
    lat: float | None = Field(None, description="WGS-84 latitude of the first location")
    updated: dt.datetime
    url: str


class EntityPage(Schema):
    items: list[EntitySummary]
    next_cursor: str | None = Field(None, description="pass as ?cursor= to get the next page; null on the last")
    limit: int


class NameOut(Schema):
    text: str
    lang: str
    type: str
    pinyin: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    source: SourceRef | None = None


class LocationOut(Schema):
    original_lng: float | None = Field(None, description="as the source gives it, in `crs`")
    original_lat: float | None = None
    crs: str
    lng: float | None = Field(None, description="WGS-84, derived from the original")
    lat: float | None = None
    precision: str
    placed_at_centroid: bool
    polygon: list | None = Field(None, description="original outline, rings of [lng, lat] in `crs`")
    polygon_wgs84: list | None = None
    address_zh: str
    address_en: str
    hint: str
    division_code: str
    province_code: str
    prefecture_code: str
    county_code: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    source: SourceRef | None = None


class StatusOut(Schema):
    value: str
    kind: str
    date: str | None = None
    programme: str
    batch: str
    revoked_on: dt.date | None = None
    source: SourceRef | None = None
    # evidence of life (issue 15): where the status comes from, and for an inferred one how sure
    origin: str = Field("document", description="document (read by a curator), census (inferred from "
                                                "observations) or register (an official register)")
    confidence: float | None = Field(None, description="0-1 for a census inference; null for documents and "
                                                       "registers, which always count")
    rule: str = Field("", description="the census rule that inferred it, e.g. census:http-410+persistent")
    census_note: str = Field("", description="what the census saw, for a census inference (the notes of other "
                                             "statuses are the curators' and stay private)")
    counts: bool = Field(description="counts as evidence of life or closing (lifecycle.LIFECYCLE_CONFIDENCE)")


class StatusListItem(StatusOut):
    entity: str = Field(description="slug of the entity")


class StatusPage(Schema):
    items: list[StatusListItem]
    next_cursor: str | None = None
    limit: int


class ObservationOut(Schema):
    entity: str = Field(description="slug of the entity")
    run: int = Field(description="the census run that made it")
    observed_at: dt.datetime
    kind: str = Field(description="website, spaceapi, feed or repository")
    url: str
    outcome: str = Field(description="alive, moved, parked, gone, failed or skipped")
    http_status: int | None = None
    final_url: str = ""
    left_domain: bool = False
    error: str = Field("", description="dns, refused, connection, tls, timeout, too_many_redirects, robots, "
                                       "too_large, invalid or protocol; empty when none")
    parked: bool = False
    title: str = ""
    last_modified: dt.datetime | None = None
    feed_newest: dt.datetime | None = None
    spaceapi_version: str = ""
    spaceapi_open: bool | None = None
    spaceapi_lastchange: dt.datetime | None = None
    repository_last_commit: dt.datetime | None = None


class ObservationPage(Schema):
    items: list[ObservationOut]
    next_cursor: str | None = None
    limit: int


class RelationOut(Schema):
    id: int
    type: str
    source_entity: str = Field(description="slug of the entity the relation starts from")
    target_entity: str
    from_date: str | None = None
    to_date: str | None = None
    weight: float
    confidence: float
    evidence: str
    source: SourceRef | None = None
    updated: dt.datetime


class RelationPage(Schema):
    items: list[RelationOut]
    next_cursor: str | None = None
    limit: int


class CodingOut(Schema):
    code: str
    label_en: str
    label_zh: str
    confidence: float
    quote: str
    coded_on: dt.date | None = None
    source: SourceRef | None = None


class SourceOut(Schema):
    key: str
    title: str
    licence: str
    redistributable: bool
    locator: str = ""
    csl: dict[str, Any]


class EntityDetail(EntitySummary):
    names: list[NameOut]
    locations: list[LocationOut]
    statuses: list[StatusOut]
    relations: list[RelationOut]
    codes: list[CodingOut]
    sources: list[SourceOut]


class CodeOut(Schema):
    path: str
    parent: str | None = None
    key: str
    label_en: str
    label_zh: str
    definition: str
    examples: str
    is_dimension: bool


class CodebookOut(Schema):
    key: str
    version: str
    title_en: str
    title_zh: str
    description: str
    codes: list[CodeOut]


class AnalysisRunSummary(Schema):
    id: int
    kind: str
    status: str
    parameters: dict[str, Any]
    seed: int | None = None
    dataset_fingerprint: str
    code_version: str
    summary: str
    started: dt.datetime
    finished: dt.datetime | None = None
    duration_s: float | None = None


class RunSample(Schema):
    n: int = Field(description="cases the run used")
    excluded: dict[str, int] = Field(description="cases left out, per reason")


class Caveat(Schema):
    en: str
    zh: str


class AnalysisRunDetail(AnalysisRunSummary):
    sample: RunSample | None = Field(None, description="null for runs stored before samples were recorded, and for "
                                                       "failed runs")
    caveats: list[Caveat] = Field(default_factory=list, description="what the result can and cannot support")
    result: Any = None
    notes: Any = None
    error: str
    figures: list[str]


class AnalysisRunPage(Schema):
    items: list[AnalysisRunSummary]
    next_cursor: str | None = None
    limit: int


class PostOut(Schema):
    slug: str
    title: str
    published: dt.datetime | None = None
    url: str | None = None
    summary: str = ""


class PostPage(Schema):
    items: list[PostOut]
    available: bool = Field(True, description="always true (kept for clients written before the blog existed)")


# --- writing -------------------------------------------------------------------------------------
# Text as observatory/validation.py accepts it (no NUL, no lone surrogate) and no longer than the
# model's max_length, so an input is refused here the same way on SQLite and on PostgreSQL.

def _text_valid(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _polygon_valid(value: list | None) -> list | None:
    problem = None if value is None else polygon_problem(value)
    if problem:
        raise ValueError(f"the polygon {problem}")
    return value


def Text(max_length: int | None = None, min_length: int | None = None):  # noqa: N802  (a type)
    return Annotated[str, Field(max_length=max_length, min_length=min_length), AfterValidator(_text_valid)]


def _max(model, field: str) -> int:
    return model._meta.get_field(field).max_length


# A source reference: key#locator.
SourceRefText = Text(_max(EntitySource._meta.get_field("source").related_model, "key") + 1
                     + _max(EntitySource, "locator"))
DateText = Text(40)
SlugText = Text(_max(Entity, "slug"))


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class NameIn(Strict):
    text: Text(_max(Name, "text"), min_length=1)
    lang: NameLang
    type: NameType = NameType.official
    source: SourceRefText | None = Field(None, description="source reference: key or key#locator")
    valid_from: DateText | None = None
    valid_to: DateText | None = None


class LocationIn(Strict):
    lng: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    crs: Crs = Crs.WGS_84
    precision: Precision = Precision.exact
    division: str | None = Field(None, pattern=r"^\d{6}$")
    polygon: Annotated[list[list[list[float]]] | None, AfterValidator(_polygon_valid)] = Field(
        None, description="rings of at least 3 [lng, lat] pairs in `crs`")
    address_zh: Text(_max(Location, "address_zh")) = ""
    address_en: Text(_max(Location, "address_en")) = ""
    hint: Text(_max(Location, "hint")) = ""
    valid_from: DateText | None = None
    valid_to: DateText | None = None
    source: SourceRefText | None = None


class StatusIn(Strict):
    value: StatusValue
    kind: StatusKind
    date: DateText | None = None
    programme: Text(_max(StatusAssertion, "programme")) = ""
    batch: Text(_max(StatusAssertion, "batch")) = ""
    revoked_on: DateText | None = None
    note: Text() = ""
    source: SourceRefText | None = None


class EntityIn(Strict):
    kind: Kind
    names: list[NameIn] = Field(min_length=1)
    sources: list[SourceRefText] = Field(min_length=1, description="references that establish the entity")
    website: Text(_max(Entity, "website")) = ""
    founded: DateText | None = None
    closed: DateText | None = None
    locations: list[LocationIn] = []
    statuses: list[StatusIn] = []
    public: bool = True


class EntityWriteOut(Schema):
    slug: str
    status: str = Field(description="created, updated or unchanged")
    url: str


class RelationIn(Strict):
    source_entity: SlugText = Field(description="slug")
    type: RelationType
    target_entity: SlugText = Field(description="slug")
    source: SourceRefText = Field(description="source reference: key or key#locator")
    from_date: DateText | None = None
    to_date: DateText | None = None
    weight: float = Field(1.0, ge=0, allow_inf_nan=False)
    confidence: float = Field(1.0, ge=0, le=1, allow_inf_nan=False)
    evidence: Text() = ""


class RelationWriteOut(Schema):
    id: int
    status: str


class CodingIn(Strict):
    entity: SlugText = Field(description="slug")
    code: Text(300) = Field(description="code path in the default codebook, e.g. practice.rapid-prototyping")
    source: SourceRefText = Field(description="source reference: key or key#locator")
    quote: Text() = ""
    confidence: float = Field(1.0, ge=0, le=1, allow_inf_nan=False)
    note: Text() = ""


class CodingWriteOut(Schema):
    id: int
    status: str
