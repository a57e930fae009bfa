"""A Frictionless Data Package of the whole inventory: ``datapackage.json`` (Table Schemas with
primary and foreign keys), one CSV per table, and a README saying what was left out and why.

With ``include_restricted`` it is the full backup that ``observatory import-package`` restores."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import models

from .csvfiles import csv_tables, write_csv
from .tables import TABLE_BY_NAME, Selection, Table, table_columns

__all__ = ["PACKAGE_NAME", "table_schema", "write_datapackage"]

PACKAGE_NAME = "observatory-inventory"
FORMAT_VERSION = 1


def _field_type(field: models.Field) -> tuple[str, dict]:
    if isinstance(field, models.BooleanField):
        return "boolean", {"trueValues": ["true"], "falseValues": ["false"]}
    if isinstance(field, models.ForeignKey | models.AutoField | models.IntegerField):
        return "integer", {}
    if isinstance(field, models.FloatField):
        return "number", {}
    if isinstance(field, models.DateTimeField):
        return "datetime", {}
    if isinstance(field, models.DateField):
        return "date", {}
    if isinstance(field, models.JSONField):
        return "string", {"format": "default", "description": "JSON"}
    return "string", {}


def table_schema(table: Table, selection: Selection) -> dict:
    concrete = {f.attname: f for f in table.model._meta.concrete_fields}
    fields, foreign_keys = [], []
    for column in table_columns(table, selection):
        if column == "licence":
            fields.append({"name": "licence", "type": "string",
                           "description": "licence of the record's source(s), as the source states it"})
            continue
        field = concrete[column]
        kind, extra = _field_type(field)
        spec = {"name": column, "type": kind, **extra}
        help_text = str(getattr(field, "help_text", "") or "")
        if help_text and "description" not in spec:
            spec["description"] = help_text
        if column == "id" or (not field.null and not field.blank and kind in {"integer", "boolean"}):
            spec["constraints"] = {"required": True}
        if column == "id":
            spec["constraints"]["unique"] = True
        fields.append(spec)
        if isinstance(field, models.ForeignKey):
            target = _table_of(field.related_model)
            if target is not None and (selection.include_restricted or not target.restricted_only):
                foreign_keys.append({"fields": column, "reference": {
                    "resource": "" if target is table else target.name, "fields": "id"}})
    schema = {"fields": fields, "primaryKey": ["id"], "missingValues": [""]}
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def _table_of(model) -> Table | None:
    return next((t for t in TABLE_BY_NAME.values() if t.model is model), None)


def _readme(selection: Selection, counts: dict[str, int]) -> str:
    lines = ["# Observatory inventory (data package)", "",
             "China's connected spaces of innovation: entities, names, locations, statuses, relations, the "
             "research codebook and the codings, as CSV tables described by `datapackage.json` (Frictionless "
             "Data Package). Every row states the licence of its source in the `licence` column.", ""]
    if selection.include_restricted:
        lines += ["**This is a private backup** (`--include-restricted`): it holds every record, including "
                  "non-public entities, records from sources that forbid redistribution, curators' notes and "
                  "the raw source records (which may contain personal data). Do not publish it. Restore it into "
                  "an empty database with `observatory import-package DIR`.", ""]
    else:
        left = selection.summary()
        lines += ["Left out of this public export:" if left else "Nothing was left out.", ""]
        lines += [f"- {line}" for line in left]
        lines += ["", "Records are left out when every source they rest on forbids redistribution or states no "
                      "licence (`Source.redistributable` is false), when the entity is not public, or when "
                      "their evidence is a private field note. Curators' notes, raw source records and user "
                      "accounts are never exported; the model holds no personal contact data.", ""]
    lines += ["| table | rows |", "| --- | ---: |", *(f"| {name} | {n} |" for name, n in counts.items()), ""]
    return "\n".join(lines)


def write_datapackage(out: Path, selection: Selection) -> dict[str, int]:
    """Write the package into the folder ``out``; returns row counts per table."""
    out.mkdir(parents=True, exist_ok=True)
    counts = write_csv(out, selection, spreadsheet_safe=False)  # a backup: text exactly as stored
    left = selection.summary()
    description = ("Private full backup of the Observatory inventory (includes restricted records)."
                   if selection.include_restricted else
                   "Public export of the Observatory inventory. Left out: " + ("; ".join(left) if left else "nothing")
                   + ". Records are left out when every source they rest on forbids redistribution.")
    descriptor = {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME + ("-backup" if selection.include_restricted else ""),
        "title": "Observatory: China's connected spaces of innovation",
        "description": description,
        **({} if selection.include_restricted else {"licenses": [
            {"name": licence, "title": f"{licence} (records citing sources under this licence; see each row's "
                                       "licence column)"}
            for licence in sorted({selection.source_licence[s] for s in selection.redistributable})]}),
        "observatory": {"format_version": FORMAT_VERSION, "include_restricted": selection.include_restricted,
                        "left_out": {k: v for k, v in sorted(selection.left_out.items()) if v}, "counts": counts},
        "resources": [{
            "name": table.name, "path": f"{table.name}.csv", "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "description": table.description,
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
            "schema": table_schema(table, selection)} for table in csv_tables(selection)],
    }
    (out / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n",
                                          encoding="utf-8")
    (out / "README.md").write_text(_readme(selection, counts), encoding="utf-8")
    return counts
