"""Restore a data package written by ``observatory export datapackage DIR --include-restricted``
into an empty database, in one transaction: the backup/restore path, and the way to move from
SQLite to PostgreSQL.

Rows keep their ids, so every reference and every later export is the same; derived values
(WGS-84 points, pinyin, search text) are restored as they were, not recomputed, and timestamps
(created, updated) are kept. User accounts are not part of a package: who recorded a relation or
coded an entity is not restored (the coder's name is).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.color import no_style
from django.db import connection, models, transaction

from .datapackage import FORMAT_VERSION
from .tables import TABLE_BY_NAME, TABLES, Table

__all__ = ["PackageError", "package_restore"]

BATCH = 2000


class PackageError(Exception):
    """A package that cannot be restored; ``problems`` say file, line, column, value."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""))


@dataclass
class RestoreReport:
    counts: dict[str, int] = field(default_factory=dict)
    lossy: bool = False


def _converter(model_field: models.Field):
    def parse(text: str):
        if text == "":
            if isinstance(model_field, models.JSONField):
                return None if model_field.null else model_field.get_default()
            return None if model_field.null else ("" if isinstance(model_field, models.CharField | models.TextField)
                                                  else model_field.get_default())
        if isinstance(model_field, models.BooleanField):
            if text not in {"true", "false"}:
                raise ValueError("expected true or false")
            return text == "true"
        if isinstance(model_field, models.ForeignKey | models.AutoField | models.IntegerField):
            return int(text)
        if isinstance(model_field, models.FloatField):
            value = float(text)
            if not math.isfinite(value):  # float() takes "inf" and "nan"; no field holds them
                raise ValueError("expected a finite number")
            return value
        if isinstance(model_field, models.DateTimeField):
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if isinstance(model_field, models.DateField):
            return dt.date.fromisoformat(text)
        if isinstance(model_field, models.JSONField):
            return json.loads(text)
        return text
    return parse


@contextmanager
def _keep_timestamps(models_: list[type[models.Model]]):
    """auto_now / auto_now_add would stamp restored rows with today; switch them off meanwhile."""
    saved = []
    for model in models_:
        for model_field in model._meta.concrete_fields:
            if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
                saved.append((model_field, model_field.auto_now, model_field.auto_now_add))
                model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in saved:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


def _read_descriptor(root: Path) -> dict:
    path = root / "datapackage.json"
    if not path.is_file():
        raise PackageError([f"{path}: no datapackage.json; give the folder written by "
                            "'observatory export datapackage DIR --include-restricted'"])
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError([f"{path}: not a readable JSON file ({exc})"]) from None
    meta = descriptor.get("observatory") if isinstance(descriptor, dict) else None
    if not isinstance(meta, dict) or meta.get("format_version") != FORMAT_VERSION:
        raise PackageError([f"{path}: not an Observatory data package of format version {FORMAT_VERSION}"])
    return descriptor


def _not_empty() -> list[str]:
    return [f"{t.name} ({n} rows)" for t in TABLES if (n := t.model.objects.count())]


def package_restore(root: Path, *, progress=None) -> RestoreReport:
    """Load every table of the package at ``root`` into an empty database, all or nothing."""
    root = Path(root)
    descriptor = _read_descriptor(root)
    report = RestoreReport(lossy=not descriptor["observatory"].get("include_restricted", False))
    resources = {r.get("name"): r for r in descriptor.get("resources", []) if isinstance(r, dict)}
    unknown = sorted(set(resources) - set(TABLE_BY_NAME))
    problems = [f"datapackage.json: unknown resource {name!r}; known: {', '.join(TABLE_BY_NAME)}" for name in unknown]
    if problems:
        raise PackageError(problems)
    tick = progress or (lambda n=1: None)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with transaction.atomic(), _keep_timestamps([t.model for t in TABLES]):
        occupied = _not_empty()
        if occupied:
            raise PackageError([f"the database is not empty: {', '.join(occupied)}; import-package restores into "
                                "an empty database (create one and run 'observatory migrate' first)"])
        for table in TABLES:
            resource = resources.get(table.name)
            if resource is None:
                report.counts[table.name] = 0
                continue
            report.counts[table.name] = _load_table(root, table, resource, tick)
        _reset_sequences()
        if report.lossy:
            _refresh_search_text()
    return report


def _refresh_search_text() -> None:
    """A public package has no search text (it is not published): derive it again from the names
    and addresses the mirror has, as the inventory services do, so that search works; the exported
    names and everything else stay as they were."""
    from observatory.china import text as china_text
    from observatory.inventory.models import Entity

    entities = Entity.objects.filter(search_text="").prefetch_related("names", "locations")
    for entity in entities.iterator(chunk_size=2000):
        texts = [n.text for n in entity.names.all()]
        for location in entity.locations.all():
            texts += [location.address_zh, location.address_en]
        tokens = [token for text in texts if text for token in china_text.search_tokens(text)]
        if tokens:
            Entity.objects.filter(pk=entity.pk).update(search_text=" ".join(dict.fromkeys(tokens)))


def _load_table(root: Path, table: Table, resource: dict, tick) -> int:
    path = root / str(resource.get("path", f"{table.name}.csv"))
    if not path.is_file() or path.resolve().parent != root.resolve():
        raise PackageError([f"{path}: missing (resource {table.name!r})"])
    fields = {f.attname: f for f in table.model._meta.concrete_fields}
    count = 0
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise PackageError([f"{path.name}: empty file; expected a header row"])
        columns = [c for c in header if c != "licence"]
        unknown = [c for c in columns if c not in fields]
        if unknown:
            raise PackageError([f"{path.name}: unknown column(s) {', '.join(unknown)}; "
                                f"expected: {', '.join(table.fields + table.private)}"])
        if "id" not in columns:
            raise PackageError([f"{path.name}: no id column"])
        parsers = [(index, name, _converter(fields[name])) for index, name in enumerate(header) if name in fields]
        batch = []
        for line, row in enumerate(reader, start=2):
            values = {}
            for index, name, parse in parsers:
                text = row[index] if index < len(row) else ""
                try:
                    values[name] = parse(text)
                except (ValueError, json.JSONDecodeError) as exc:
                    raise PackageError([f"{path.name}:{line}: column {name}: {text[:80]!r} is not valid ({exc})"]) from None
            batch.append(table.model(**values))
            if len(batch) >= BATCH:
                table.model.objects.bulk_create(batch)
                count += len(batch)
                tick(len(batch))
                batch = []
        if batch:
            table.model.objects.bulk_create(batch)
            count += len(batch)
            tick(len(batch))
    return count


def _reset_sequences() -> None:
    """Rows came with their ids: move PostgreSQL's sequences past them (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [t.model for t in TABLES])
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
