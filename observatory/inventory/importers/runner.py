"""Running an importer over a file: one transaction, every raw row kept, a report per row.

:func:`source_import` reads the file once to check and count its rows (a malformed file raises
:class:`~.base.ImportFileError` before anything is written), then again, row by row (the file is
never held in memory), and in one transaction:

- makes sure the importer's Source exists (an existing Source, e.g. one from the curated
  dataset, is left as it is: the curated bibliography wins);
- for each row: keeps the raw payload as a SourceRecord (personal contact fields dropped, their
  names listed, the licence of the source attached), parses it, and creates or updates the
  entity whose slug is derived from the source key and the row's external identifier, so that
  re-importing the same file changes nothing and a newer file updates what changed (the entity
  services record the change in history);
- a row equal to an earlier row of the same file (same duplicate key) is kept as a record of the
  earlier row's entity and counted as ``merged``;
- a row that cannot be imported is counted as ``rejected`` with its locator, line, field, value
  and reason; its raw record is still kept.

``dry_run`` does all of it and rolls back. The report is saved as an :class:`ImportRun`.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import tempfile
import zipfile
import zlib
from array import array
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from observatory.dbstats import statistics_refresh, wal_truncate
from observatory.inventory.models import Entity, ImportRun, Source
from observatory.inventory.services import entity_upsert, source_record_upsert, source_upsert
from observatory.validation import json_value_problem

from .base import Importer, ImportFileError, ImportFileTooLarge, RawRow, RowRejected, personal_fields_drop

__all__ = ["ImportReport", "entity_slug_for", "size_check", "source_ensure", "source_import"]

SUMMARY_COLUMNS = ["created", "updated", "unchanged", "rejected", "merged"]


class SpilledList:
    """A list that keeps its first :attr:`kept` items in memory and the rest in a temporary file
    (pickled in batches): the notes of a million-row import are a few hundred bytes each, and what
    reads them (the report's first lines, the run's first 5,000 notes, ``--notes FILE``) reads them
    in order. Supports append, extend, len, iteration and slices."""

    kept = 5_000
    _BATCH = 1_000

    def __init__(self, items=()):
        self._head: list = []
        self._tail: list = []  # items not yet written to the file
        self._file = None
        self._length = 0
        self.extend(items)

    def append(self, item) -> None:
        self._length += 1
        if len(self._head) < self.kept:
            self._head.append(item)
            return
        self._tail.append(item)
        if len(self._tail) >= self._BATCH:
            if self._file is None:
                self._file = tempfile.TemporaryFile(prefix="observatory-import-report-")
            self._file.seek(0, 2)
            pickle.dump(self._tail, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._tail = []

    def extend(self, items) -> None:
        for item in items:
            self.append(item)

    def __len__(self) -> int:
        return self._length

    def __bool__(self) -> bool:
        return self._length > 0

    def __iter__(self):
        yield from self._head
        if self._file is not None:
            self._file.seek(0)
            while True:
                try:
                    batch = pickle.load(self._file)
                except EOFError:
                    break
                yield from batch
        yield from self._tail

    def __getitem__(self, index):
        if isinstance(index, slice) and (index.start or 0) >= 0 and index.stop is not None \
                and 0 <= index.stop <= len(self._head):
            return self._head[index]
        if isinstance(index, int) and 0 <= index < len(self._head):
            return self._head[index]
        return list(self)[index]

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    def __repr__(self) -> str:
        return f"SpilledList({len(self)} items)"


@dataclass
class ImportReport:
    importer: str
    path: str
    source_key: str
    dry_run: bool = False
    total: int = 0
    counts: Counter = field(default_factory=Counter)
    rejects: SpilledList = field(default_factory=SpilledList)
    notes: SpilledList = field(default_factory=SpilledList)
    entities: array = field(default_factory=lambda: array("q"))  # 8 bytes an entity
    run_id: int | None = None

    def summary(self) -> dict[str, int]:
        return {column: self.counts.get(column, 0) for column in SUMMARY_COLUMNS}

    def note_counts(self) -> Counter:
        counts: Counter = Counter()
        for note in self.notes:
            counts[_note_kind(note["action"])] += 1
        return counts


def _note_kind(action: str) -> str:
    for pattern, kind in (("no location", "no location"), ("swapped", "latitude/longitude swapped"), ("degrees-minutes", "DMS coordinates"),
                          ("Excel serial", "Excel serial dates"), ("text repaired", "text repaired (encoding)"),
                          ("centroid", "placed at a division centroid"), ("division", "divisions read from address"),
                          ("closed (first", "polygon ring closed"), ("duplicate", "duplicate rows"),
                          ("left empty", "values left empty"),
                          ("dropped", "personal fields dropped"),
                          ("contact data removed", "contact data removed from addresses"),
                          ("empty Point", "empty points"),
                          ("bare ring", "polygon ring closed")):
        if pattern in action:
            return kind
    return "other"


def entity_slug_for(source_key: str, external_id: str) -> str:
    """A stable slug from the source key and the row's external identifier (max 120 characters)."""
    base = slugify(f"{source_key}-{external_id}".replace(":", "-").replace("/", "-"))
    digest = hashlib.sha1(f"{source_key}\x00{external_id}".encode()).hexdigest()[:10]
    key = _slugified(source_key)
    if not base or base == key or not re.search(r"[a-z0-9]", base[len(key):]):
        return f"{key}-{digest}"[:120]
    if len(base) > 100 or not external_id.isascii():
        return f"{base[:100].rstrip('-')}-{digest}"
    return base


@lru_cache(maxsize=64)
def _slugified(source_key: str) -> str:
    return slugify(source_key)


def source_ensure(importer: Importer) -> Source:
    """The importer's Source: created from its declaration if absent, else left as it is."""
    info = importer.source
    source = Source.objects.filter(key=info.key).first()
    if source is not None:
        return source
    source, _changed = source_upsert(key=info.key, csl=info.csl(), licence=info.licence,
                                     redistributable=info.redistributable, note=info.note)
    return source


class _Rollback(Exception):
    pass


# What the parsers of a damaged file raise: OSError, ValueError (UnicodeDecodeError, JSON), the
# lookups of a wrong structure, SyntaxError (xml.etree's ParseError, lxml's XMLSyntaxError inside an
# XLSX), zipfile.BadZipFile and zlib.error (a damaged XLSX), EOFError (a truncated one), and
# RecursionError (JSON or XML nested deeper than Python's stack).
_FILE_ERRORS = (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, LookupError, SyntaxError,
                EOFError, RecursionError, zipfile.BadZipFile, zlib.error)


def _file_error_reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "it is nested too deeply to read (a damaged or hostile file)"
    if isinstance(exc, UnicodeDecodeError):
        return f"it is not text in {exc.encoding} (byte {exc.start})"
    if isinstance(exc, SyntaxError):
        return f"it holds malformed XML ({exc.msg if hasattr(exc, 'msg') else exc})"
    if isinstance(exc, zipfile.BadZipFile | zlib.error | EOFError):
        return f"it is a damaged or truncated archive ({exc or type(exc).__name__})"
    return " ".join(str(exc).split()) or type(exc).__name__


def _rows_read(importer: Importer, path: Path):
    """The rows of the file, each checked (:func:`_raw_row_check`), as the importer reads them;
    a file that cannot be read raises ImportFileError when the reading gets there."""
    try:
        for raw in importer.rows(path):
            _raw_row_check(path, raw)
            yield raw
    except ImportFileError:
        raise
    except _FILE_ERRORS as exc:
        raise ImportFileError(path, f"cannot be read as {importer.name} ({importer.description}): "
                                    f"{_file_error_reason(exc)}"[:1000]) from None


def _raw_row_check(path: Path, raw: RawRow) -> None:
    """A value no database can keep (a NUL, a lone surrogate such as a JSON "\\ud800", NaN or
    Infinity) makes the file unreadable: the raw record of every row is kept, so the row cannot
    merely be rejected."""
    problem = json_value_problem(raw.data, max_depth=64, json_types=False)
    if problem:
        raise ImportFileError(path, f"{raw.locator}: {problem}"[:1000], line=raw.line)


#: Files with at least this many rows take the bulk path (importers/bulk/) for new entities
#: (the two paths are measured side by side in bench/bench_import.py; docs/benchmarks.md).
BULK_THRESHOLD = 500


def size_check(path: Path, limit: int | None = None) -> None:
    """Refuse, unread, a file larger than ``limit`` (default ``OBSERVATORY_IMPORT_MAX_BYTES``; 0:
    no limit). Rows are read as they are needed, so the limit is not what bounds an import's
    memory; it bounds its time and its temporary files (docs/importers.md#large-files)."""
    limit = settings.OBSERVATORY_IMPORT_MAX_BYTES if limit is None else limit
    size = path.stat().st_size
    if limit > 0 and size > limit:
        raise ImportFileTooLarge(path, size=size, limit=limit)


def source_import(*, importer: Importer, path: Path | str, dry_run: bool = False, user=None, progress=None,
                  save_run: bool = True, bulk: bool | None = None, max_bytes: int | None = None) -> ImportReport:
    """Import ``path`` with ``importer`` (see the module docstring); returns the report.

    The file is read twice, row by row, and never held whole: first to check every row and count
    them (a malformed file raises ImportFileError before anything is written; the count is the
    progress bar's total), then to import them. ``progress(n=1, total=None)`` is called with the
    total, then with the rows done.

    ``bulk``: write new entities in batches (same results, far fewer queries); by default for
    files of at least :data:`BULK_THRESHOLD` rows. ``max_bytes``: the size limit of this import
    (default ``OBSERVATORY_IMPORT_MAX_BYTES``).
    """
    path = Path(path)
    if path.is_dir():
        raise ImportFileError(path, f"is a folder; give the {importer.name} file to import")
    if not path.is_file():
        raise ImportFileError(path, "is not a regular file (a device or a pipe); give the file to import"
                              if path.exists() else "no such file")
    size_check(path, max_bytes)
    with path.open("rb") as handle:
        checksum = hashlib.file_digest(handle, "sha256").hexdigest()
    total = sum(1 for _raw in _rows_read(importer, path))
    report = ImportReport(importer=importer.name, path=str(path), source_key=importer.source.key, dry_run=dry_run,
                          total=total)
    tick = progress or (lambda n=1, total=None: None)
    tick(0, total=total)
    wal_truncate()  # what an earlier import killed mid-way left in SQLite's log
    rows = _rows_read(importer, path)  # read when the import gets to it
    use_bulk = bulk if bulk is not None else total >= BULK_THRESHOLD
    plan = None
    if use_bulk and not dry_run:
        # Rows prepared before the transaction, which then only writes: on SQLite it holds the one
        # write lock, and other writers wait for it (docs/importers.md#imports-beside-a-running-site).
        from .bulk import rows_bulk_prepare

        plan = rows_bulk_prepare(importer, source_ensure(importer), rows, tick, total=total)
        rows = _rows_read(importer, path)  # read again only if the plan cannot be used
    try:
        with transaction.atomic():
            source = source_ensure(importer)
            if use_bulk:
                from .bulk import rows_bulk_import

                rows_bulk_import(importer, source, rows, report, tick, total=total, user=user, plan=plan)
                if not dry_run:
                    # a large write: the planner's statistics would describe the tables before it
                    statistics_refresh(apps.get_app_config("inventory").get_models())
            else:
                _import_rows(importer, source, rows, report, tick)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if save_run:
        run = ImportRun.objects.create(
            importer=importer.name, source=Source.objects.filter(key=importer.source.key).first(),
            filename=path.name, file_checksum=checksum, dry_run=dry_run,
            status="dry-run" if dry_run else "done", counts=report.summary(), rejects=list(report.rejects),
            notes=report.notes[:5000], user=user if getattr(user, "pk", None) else None, finished=timezone.now())
        report.run_id = run.pk
    wal_truncate()  # the pages this import wrote, committed or rolled back, out of SQLite's log
    return report


def _import_rows(importer: Importer, source: Source, rows, report: ImportReport, tick) -> None:
    from observatory.inventory.resolution import merge_carried_document

    licence = {"licence": source.licence or importer.source.licence, "redistributable": source.redistributable}
    first_of: dict[str, Entity] = {}
    first_locator: dict[str, str] = {}
    seen_ids: set[str] = set()
    for raw in rows:
        tick()
        if raw.external_id in seen_ids:
            report.counts["rejected"] += 1
            report.rejects.append({"locator": raw.locator, "line": raw.line, "field": "id", "value": raw.external_id,
                                   "reason": "the same identifier appears earlier in the file"})
            continue
        seen_ids.add(raw.external_id)
        data = raw.data if isinstance(raw.data, dict) else {"value": raw.data}
        kept, dropped = personal_fields_drop(data)
        payload = {"data": payload_jsonable(kept), "locator": raw.locator, "line": raw.line, **licence}
        if dropped:
            payload["dropped_personal_fields"] = dropped
        with transaction.atomic():
            record, record_status = source_record_upsert(source=source, external_id=raw.external_id, payload=payload)
            try:
                parsed = importer.parse(raw)
            except RowRejected as exc:
                report.counts["rejected"] += 1
                report.rejects.append({"locator": raw.locator, "line": raw.line, "field": exc.field,
                                       "value": str(exc.value)[:300], "reason": exc.reason})
                continue
            notes = [{"locator": raw.locator, "line": raw.line, **n.as_dict()} for n in parsed.notes]
            if dropped:
                notes.append({"locator": raw.locator, "line": raw.line, "field": ", ".join(dropped), "value": "",
                              "action": "personal contact fields dropped from the stored record"})
            if parsed.duplicate_key and parsed.duplicate_key in first_of:
                entity = first_of[parsed.duplicate_key]
                entity.records.add(record)
                report.counts["merged"] += 1
                notes.append({"locator": raw.locator, "line": raw.line, "field": "row", "value": "",
                              "action": f"duplicate of {first_locator[parsed.duplicate_key]} in the same file: "
                                        f"kept as a record of {entity.slug}"})
                report.notes.extend(notes)
                continue
            slug = entity_slug_for(source.key, raw.external_id)
            if record_status == "unchanged":
                # The raw row is the one imported last time: nothing to apply (and a curator's later
                # edit of the entity is not overwritten by re-importing the same file).
                linked = Entity.objects.filter(slug=slug, records=record).first()
                if linked is not None:
                    report.counts["unchanged"] += 1
                    report.entities.append(linked.pk)
                    report.notes.extend(notes)
                    if parsed.duplicate_key:
                        first_of[parsed.duplicate_key] = linked
                        first_locator[parsed.duplicate_key] = raw.locator
                    continue
            document = dict(parsed.document)
            existing = Entity.objects.filter(slug=slug).first()
            if existing is not None:
                document = merge_carried_document(existing, document)
            try:
                with transaction.atomic():
                    entity, status = entity_upsert(slug=slug, source_index={source.key: source},
                                                   comment=f"Imported from {Path(report.path).name} ({raw.locator})",
                                                   **document)
            except (ValidationError, KeyError, TypeError, ValueError) as exc:
                field_name, reason = _validation_reason(exc)
                report.counts["rejected"] += 1
                report.rejects.append({"locator": raw.locator, "line": raw.line, "field": field_name, "value": "",
                                       "reason": reason})
                continue
            entity.records.add(record)
            if status == "unchanged" and record_status == "updated":
                status = "updated"
            report.counts[status] += 1
            report.entities.append(entity.pk)
            report.notes.extend(notes)
            if parsed.duplicate_key:
                first_of[parsed.duplicate_key] = entity
                first_locator[parsed.duplicate_key] = raw.locator


def entity_row_import_existing(importer, source, raw, record_id, record_status, slug, document, *,
                         path_name: str) -> tuple:
    """A row of the bulk path whose entity exists: entity_upsert as in :func:`_import_rows`.

    Returns (status, entity id), or ("rejected", the reject)."""
    from observatory.inventory.resolution import merge_carried_document

    existing = Entity.objects.get(slug=slug)
    document = merge_carried_document(existing, dict(document))
    try:
        with transaction.atomic():
            entity, status = entity_upsert(slug=slug, source_index={source.key: source},
                                           comment=f"Imported from {path_name} ({raw.locator})", **document)
    except (ValidationError, KeyError, TypeError, ValueError) as exc:
        field_name, reason = _validation_reason(exc)
        return "rejected", {"locator": raw.locator, "line": raw.line, "field": field_name, "value": "",
                            "reason": reason}
    entity.records.add(record_id)
    if status == "unchanged" and record_status == "updated":
        status = "updated"
    return status, entity.pk


def payload_jsonable(value):
    """Values as JSON can hold them: dates in ISO form, non-finite floats as strings."""
    if isinstance(value, dict):
        if all(key.__class__ is str and item.__class__ is str for key, item in value.items()):
            return dict(value)  # a row of text (CSV): nothing to change
        return {str(k): payload_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [payload_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _validation_reason(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        field_name, messages = next(iter(exc.message_dict.items()))
        return field_name, "; ".join(messages)
    return "row", str(exc)
