"""Response and request shapes of the API (they are the OpenAPI description)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

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


class AnalysisRunDetail(AnalysisRunSummary):
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

class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class NameIn(Strict):
    text: str = Field(min_length=1, max_length=300)
    lang: NameLang
    type: NameType = NameType.official
    source: str | None = Field(None, description="source reference: key or key#locator")
    valid_from: str | None = None
    valid_to: str | None = None


class LocationIn(Strict):
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    crs: Crs = Crs.WGS_84
    precision: Precision = Precision.exact
    division: str | None = Field(None, pattern=r"^\d{6}$")
    polygon: list[list[list[float]]] | None = None
    address_zh: str = ""
    address_en: str = ""
    hint: str = ""
    valid_from: str | None = None
    valid_to: str | None = None
    source: str | None = None


class StatusIn(Strict):
    value: StatusValue
    kind: StatusKind
    date: str | None = None
    programme: str = ""
    batch: str = ""
    revoked_on: str | None = None
    note: str = ""
    source: str | None = None


class EntityIn(Strict):
    kind: Kind
    names: list[NameIn] = Field(min_length=1)
    sources: list[str] = Field(min_length=1, description="references that establish the entity")
    website: str = ""
    founded: str | None = None
    closed: str | None = None
    locations: list[LocationIn] = []
    statuses: list[StatusIn] = []
    public: bool = True


class EntityWriteOut(Schema):
    slug: str
    status: str = Field(description="created, updated or unchanged")
    url: str


class RelationIn(Strict):
    source_entity: str = Field(description="slug")
    type: RelationType
    target_entity: str = Field(description="slug")
    source: str = Field(description="source reference: key or key#locator")
    from_date: str | None = None
    to_date: str | None = None
    weight: float = Field(1.0, ge=0, allow_inf_nan=False)
    confidence: float = Field(1.0, ge=0, le=1, allow_inf_nan=False)
    evidence: str = ""


class RelationWriteOut(Schema):
    id: int
    status: str


class CodingIn(Strict):
    entity: str = Field(description="slug")
    code: str = Field(description="code path in the default codebook, e.g. practice.rapid-prototyping")
    source: str = Field(description="source reference: key or key#locator")
    quote: str = ""
    confidence: float = Field(1.0, ge=0, le=1)
    note: str = ""


class CodingWriteOut(Schema):
    id: int
    status: str
