"""The inventory as tables: what every export reads.

An export is public by default: it keeps public, unmerged entities that at least one
redistributable source establishes, and of their names, locations, statuses, relations and
codings those whose own source (if any) is redistributable; it never has curators' notes, raw
source payloads or user accounts. ``include_restricted=True`` is the private backup: every row of
every table needed to restore the database, as it is.

Each table is one model, its columns the model's fields (database column names), plus a
``licence`` column stating the licence of the record's source(s) in public exports. Values are
written so that SQLite and PostgreSQL give the same text: dates and times in ISO 8601 (UTC),
floats by ``repr`` (exact), JSON with sorted keys.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from observatory.census.models import CensusRun, Observation
from observatory.coding.models import Code, Codebook, Coding, Document, Excerpt
from observatory.inventory.models import (
    Entity,
    EntitySource,
    Location,
    Name,
    Relation,
    Source,
    SourceRecord,
    StatusAssertion,
)

__all__ = ["TABLES", "Selection", "Table", "cell", "selection_build", "table_columns", "table_rows"]

CHUNK = 5000


@dataclass(frozen=True)
class Table:
    name: str
    model: type[models.Model]
    fields: tuple[str, ...]  # attnames, in column order
    private: tuple[str, ...] = ()  # columns only in a restricted (backup) export
    restricted_only: bool = False  # the whole table is private (raw payloads, field notes)
    licence: bool = True  # public exports add a licence column
    description: str = ""


TABLES: tuple[Table, ...] = (
    Table("sources", Source, ("id", "key", "csl", "title", "licence", "redistributable", "retrieved", "created",
                              "updated"), private=("note",), licence=False,
          description="Bibliographic items (CSL-JSON) every fact cites, with their licence"),
    Table("source_records", SourceRecord, ("id", "source_id", "external_id", "payload", "checksum", "imported_at",
                                           "updated_at"), restricted_only=True, licence=False,
          description="Raw imported rows (may hold personal data: private backups only)"),
    Table("entities", Entity, ("id", "slug", "kind", "layer", "name", "name_zh", "name_en", "website", "founded",
                               "founded_precision", "closed", "closed_precision", "province_code", "created",
                               "updated"),
          private=("is_public", "note", "field_sources", "merged_into_id", "search_text"),
          description="Actors: places, organizations, communities, events, projects"),
    Table("entity_sources", EntitySource, ("id", "entity_id", "source_id", "locator"),
          description="The sources that establish each entity, with the locator (row, feature, page)"),
    Table("entity_records", Entity.records.through, ("id", "entity_id", "sourcerecord_id"), restricted_only=True,
          licence=False, description="Which raw records each entity was built from"),
    Table("names", Name, ("id", "entity_id", "text", "lang", "type", "pinyin", "normalized", "valid_from",
                          "valid_to", "source_id", "source_locator"), private=("record_id",),
          description="Names of entities in Chinese, English and other languages"),
    Table("locations", Location, ("id", "entity_id", "original_lng", "original_lat", "crs", "lng", "lat",
                                  "precision", "placed_at_centroid", "polygon", "polygon_wgs84", "address_zh",
                                  "address_en", "hint", "division_code", "province_code", "prefecture_code",
                                  "county_code", "valid_from", "valid_to", "source_id", "source_locator"),
          private=("record_id",),
          description="Original coordinates with their system (crs), the WGS-84 point, precision, divisions"),
    Table("statuses", StatusAssertion, ("id", "entity_id", "value", "kind", "date", "date_precision", "programme",
                                        "batch", "revoked_on", "note", "source_id", "source_locator", "origin",
                                        "confidence", "rule"),
          private=("record_id",), description="Dated, sourced status assertions, including accreditations; origin "
                                              "document, census (inferred, with confidence and rule) or register"),
    Table("relations", Relation, ("id", "source_entity_id", "target_entity_id", "type", "from_date",
                                  "from_precision", "to_date", "to_precision", "weight", "confidence", "evidence",
                                  "source_id", "source_locator", "created", "updated"), private=("record_id",),
          description="Typed, directed ties: source_entity <type> target_entity"),
    # the liveness census (docs/census.md): its runs and every dated observation
    Table("census_runs", CensusRun, ("id", "started", "finished", "status", "options", "total", "done", "counts",
                                     "user_agent"), licence=False,
          description="Runs of the liveness census: selection, progress and totals"),
    Table("observations", Observation, ("id", "run_id", "entity_id", "kind", "url", "observed_at", "outcome",
                                        "http_status", "final_url", "left_domain", "redirects", "error", "parked",
                                        "title", "last_modified", "feed_newest", "spaceapi_version", "spaceapi_open",
                                        "spaceapi_lastchange", "repository_last_commit", "attempts", "elapsed_ms"),
          private=("error_detail",), licence=False,
          description="What the census saw at an entity's website, SpaceAPI endpoint, feed or repository, and when"),
    Table("codebooks", Codebook, ("id", "key", "version", "title_en", "title_zh", "description", "is_default",
                                  "created"), licence=False, description="Research codebooks (versions)"),
    Table("codes", Code, ("id", "codebook_id", "parent_id", "path", "key", "label_en", "label_zh", "definition",
                          "examples", "order"), licence=False,
          description="Dimensions (no parent) and codes, with operational definitions"),
    Table("documents", Document, ("id", "title", "kind", "text", "entity_id", "source_id", "date", "is_public"),
          restricted_only=True, licence=False, description="Field notes and documents (private)"),
    Table("excerpts", Excerpt, ("id", "document_id", "start", "end", "text"), restricted_only=True, licence=False,
          description="Passages of documents quoted as evidence (private)"),
    Table("codings", Coding, ("id", "entity_id", "code_id", "source_id", "source_locator", "quote", "confidence",
                              "coded_on", "created", "updated"), private=("excerpt_id", "coder_name", "note"),
          description="Entity × code, with the evidence: a source and the quoted passage"),
)
TABLE_BY_NAME = {t.name: t for t in TABLES}


@dataclass
class Selection:
    """Which rows an export holds, and how many were left out and why."""

    include_restricted: bool
    entity_ids: set[int] = field(default_factory=set)
    redistributable: set[int] = field(default_factory=set)
    source_licence: dict[int, str] = field(default_factory=dict)
    entity_licence: dict[int, str] = field(default_factory=dict)
    left_out: Counter = field(default_factory=Counter)

    def keeps_source(self, source_id: int | None) -> bool:
        return self.include_restricted or source_id is None or source_id in self.redistributable

    def licence_of(self, source_id: int | None, entity_id: int | None = None) -> str:
        if source_id is not None:
            return self.source_licence.get(source_id, "")
        return self.entity_licence.get(entity_id, "") if entity_id is not None else ""

    def summary(self) -> list[str]:
        """One line per reason, for command summaries and package READMEs."""
        return [f"{count} {reason}" for reason, count in sorted(self.left_out.items()) if count]


def selection_build(*, include_restricted: bool = False) -> Selection:
    selection = Selection(include_restricted=include_restricted)
    for pk, licence, redistributable in Source.objects.values_list("id", "licence", "redistributable"):
        selection.source_licence[pk] = licence or "unknown"
        if redistributable:
            selection.redistributable.add(pk)
    sources_of: dict[int, list[int]] = defaultdict(list)
    for entity_id, source_id in EntitySource.objects.values_list("entity_id", "source_id").iterator(chunk_size=CHUNK):
        sources_of[entity_id].append(source_id)
    if include_restricted:
        selection.entity_ids = set(Entity.objects.values_list("id", flat=True))
    else:
        public = set(Entity.objects.public().values_list("id", flat=True))
        everyone = Entity.objects.count()
        selection.left_out["entities not public or merged into another"] = everyone - len(public)
        for entity_id in public:
            if any(s in selection.redistributable for s in sources_of.get(entity_id, ())):
                selection.entity_ids.add(entity_id)
            elif entity_id in sources_of:
                selection.left_out["entities whose sources all forbid redistribution (or state no licence)"] += 1
            else:
                selection.left_out["entities that cite no source"] += 1
    for entity_id, source_ids in sources_of.items():
        kept = [s for s in source_ids if selection.keeps_source(s) and s is not None]
        selection.entity_licence[entity_id] = "; ".join(sorted({selection.source_licence[s] for s in kept}))
    return selection


def table_columns(table: Table, selection: Selection) -> list[str]:
    columns = list(table.fields)
    if selection.include_restricted:
        columns += list(table.private)
    elif table.licence:
        columns.append("licence")
    return columns


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def cell(value: Any) -> str:
    """The text of one value in a CSV cell: the same on SQLite and PostgreSQL."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict | list):
        return _json(value)
    return str(value)


def json_cell(value: Any) -> str:
    """The text of a JSON column: always JSON (a JSON string too), empty for SQL NULL."""
    return "" if value is None else _json(value)


def _text_cell(value: Any) -> str:
    return "" if value is None else str(value)


def _float_cell(value: Any) -> str:
    return "" if value is None else repr(float(value))


def _bool_cell(value: Any) -> str:
    return "" if value is None else ("true" if value else "false")


def _date_cell(value: Any) -> str:
    return "" if value is None else value.isoformat()


def _datetime_cell(value: Any) -> str:
    return "" if value is None else value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _field_cell(field: models.Field):
    """The cell writer for one model field: the same text as :func:`cell`, without testing the
    type of every value (it is most of the time of a large CSV export)."""
    if isinstance(field, models.JSONField):
        return json_cell
    if isinstance(field, models.BooleanField):
        return _bool_cell
    if isinstance(field, models.FloatField):
        return _float_cell
    if isinstance(field, models.DateTimeField):
        return _datetime_cell
    if isinstance(field, models.DateField):
        return _date_cell
    return _text_cell


def table_cells(table: Table, columns: list[str]):
    """A function turning a row dict into the list of cell texts of ``columns``."""
    fields = {f.attname: f for f in table.model._meta.concrete_fields}
    converters = [(column, _field_cell(fields[column]) if column in fields else cell) for column in columns]
    return lambda row: [convert(row.get(column)) for column, convert in converters]


def _keep(table: Table, row: dict, selection: Selection) -> str | None:
    """None to keep a row of a public export, else the reason it is left out."""
    name = table.name
    if name in {"sources", "codebooks", "codes", "census_runs"}:
        return None
    if name == "observations":
        return None if row["entity_id"] in selection.entity_ids else ""  # follows its entity
    if name == "entities":
        return None if row["id"] in selection.entity_ids else ""  # counted by selection_build
    if name == "relations":
        if row["source_entity_id"] not in selection.entity_ids or row["target_entity_id"] not in selection.entity_ids:
            return ""  # follows its ends
        return None if selection.keeps_source(row["source_id"]) else (
            "relations whose source forbids redistribution")
    if row["entity_id"] not in selection.entity_ids:
        return ""
    if name == "codings" and row["source_id"] is None:
        return "codings whose only evidence is a private field note"
    return None if selection.keeps_source(row["source_id"]) else f"{name} whose source forbids redistribution"


def table_rows(table: Table, selection: Selection) -> Iterator[dict]:
    """The rows of one table in id order, as dicts of Python values (plus ``licence``)."""
    if table.restricted_only and not selection.include_restricted:
        return
    needs = list(dict.fromkeys([*table.fields, *table.private]))
    queryset = table.model.objects.order_by("id").values(*needs)
    for row in queryset.iterator(chunk_size=CHUNK):
        if not selection.include_restricted:
            reason = _keep(table, row, selection)
            if reason is not None:
                if reason:
                    selection.left_out[reason] += 1
                continue
            if table.licence:
                if table.name == "entities":
                    row["licence"] = selection.entity_licence.get(row["id"], "")
                else:
                    row["licence"] = selection.licence_of(row.get("source_id"), row.get("entity_id"))
            for private in table.private:
                row.pop(private, None)
        yield row


def dataset_signature() -> str:
    """A cheap fingerprint of everything an export reads (row counts, highest ids, latest
    updates per table): the key under which a built export can be reused."""
    import hashlib

    from django.db.models import Count, Max

    digest = hashlib.sha256()
    for table in TABLES:
        names = {f.name for f in table.model._meta.concrete_fields}
        aggregates = {"n": Count("id"), "last": Max("id")}
        for stamp in ("updated", "updated_at", "created"):
            if stamp in names:
                aggregates[stamp] = Max(stamp)
                break
        values = table.model.objects.aggregate(**aggregates)
        digest.update(repr((table.name, sorted((k, cell(v)) for k, v in values.items()))).encode())
    return digest.hexdigest()
