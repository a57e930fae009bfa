"""The bulk path of an import: the same records, entities and reports as the per-row path
(``runner._import_rows``), prepared as plain rows of values and written a table at a time
(``executemany`` of one prepared statement on SQLite, ``COPY`` on PostgreSQL).

The per-row path (``entity_upsert`` for every row) costs about seventy queries a row, which is
fine for a directory of a few thousand rows and too slow for a 100,000-row spreadsheet. Here the
work is split in two:

- **preparing** a row (:func:`_prepare`): the stored payload and its checksum, the
  importer's parsing and cleaning, the slug, and, for a row whose entity does not exist yet, the
  entity, names, locations, statuses and citations built with the same validation and derivation
  as the entity services (:mod:`observatory.inventory.derivation`), down to the database values of each
  column (tuples of strings, numbers and dates, no model objects). This is computation only: from
  :data:`PARALLEL_FROM` rows on it runs in forked worker processes, one per core, chunk by chunk;
- **writing** (:class:`_Writer`, in this process, in the import's transaction): for each prepared
  chunk, in file order, the records are inserted (their keys read back by external identifier),
  the rows decided exactly as the per-row path decides them (in-file duplicates, unchanged rows,
  rows of existing entities through ``entity_upsert``, rejects), and the new entities inserted
  (their keys read back by slug), then their names, locations, statuses, citations, record links
  and history versions. The workers prepare the next chunks while this process writes.

Workers send back strings, numbers and dates only: pickling model objects cost more than the
second core gave back. History of the creations: one revision for the import, one version of each
created entity (what django-reversion's JSON serializer writes of it); updates of existing
entities are versioned by ``entity_upsert`` as usual. Entities and records created by one import
share its timestamp.
"""

from __future__ import annotations

import json
import os
import pickle
import threading
from collections import defaultdict
from itertools import islice

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router, transaction
from django.db.models import AutoField, BooleanField, FloatField, ForeignKey, JSONField
from django.utils import timezone
from django.utils.encoding import is_protected_type
from reversion.models import Revision, Version

from observatory.china import divisions as china_divisions
from observatory.china import names as china_names
from observatory.china import text as china_text
from observatory.inventory.derivation import (
    NAME_LANGS,
    NAME_TYPE_CODES,
    STATUS_KIND_CODES,
    STATUS_VALUE_CODES,
    choice_check,
    entity_derived_fields,
    entity_values_clean,
    fuzzy_date_check,
    location_derive,
    location_point_check,
    name_keys,
    points_derive,
)
from observatory.inventory.models import (
    Entity,
    EntitySource,
    Location,
    Name,
    Source,
    SourceRecord,
    StatusAssertion,
)
from observatory.inventory.services import checksum_payload
from observatory.inventory.taxonomy import KINDS, kind_layer
from observatory.validation import values_check

from .base import RowRejected, personal_fields_drop

__all__ = ["PARALLEL_FROM", "BulkPlan", "rows_bulk_import", "rows_bulk_prepare"]

#: From this many rows on, rows are prepared in forked worker processes (one per core).
PARALLEL_FROM = 4_000
#: Rows per prepared chunk (a task of a worker; the writer inserts chunk by chunk).
CHUNK = 1_000
#: Keys read back per query (below SQLite's oldest limit of 999 parameters).
_LOOKUP = 900


def _batches(items, size):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# ---------------------------------------------------------------------------------------------
# Tables: the columns written and each column's database value (as the field's get_db_prep_save)


class _Table:
    """The insert statement of one model and the conversion of each column's value to what
    ``bulk_create`` would send (``get_db_prep_save``), with fast paths for values that are
    already of the field's type. JSON columns are converted to their text (what Django sends to
    SQLite, and what PostgreSQL's COPY reads into jsonb)."""

    def __init__(self, model, *, first: tuple[str, ...] = ()):
        self.model = model
        self.alias = router.db_for_write(model)
        # Used for what does not depend on the thread: quoting, the vendor, the conversion of values.
        self.connection = connections[self.alias]
        fields = [f for f in model._meta.concrete_fields
                  if not f.generated and not (f.primary_key and isinstance(f, AutoField))]
        by_attname = {f.attname: f for f in fields}
        self.fields = [by_attname[name] for name in first] + [f for f in fields if f.attname not in first]
        self.columns = [f.attname for f in self.fields]
        # Defaults of the fields a document does not set (valid_from, programme, record, ...).
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.rest = self.columns[len(first):]
        self.convert = [self._converter(f) for f in self.fields[len(first):]]
        quote = self.connection.ops.quote_name
        self.sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in self.fields)}) "
                    f"VALUES ({', '.join(['%s'] * len(self.fields))})")
        self.postgresql = self.connection.vendor == "postgresql"
        self.copy_sql = (f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in self.fields)}) "
                         "FROM STDIN")

    def _converter(self, field):
        connection = self.connection

        def generic(value):
            # None is NULL for every field written here (get_db_prep_save(None) is None).
            return None if value is None else field.get_db_prep_save(value, connection)

        if field.get_internal_type() == "DateTimeField":
            # The import's timestamp, the same object for every row: converted once.
            last: list = [None, None]

            def timestamp(value):
                if value is not last[0]:
                    last[:] = [value, generic(value)]
                return last[1]

            return timestamp
        if isinstance(field, JSONField):
            encoder = field.encoder
            return lambda value: None if value is None else json.dumps(value, cls=encoder)
        if isinstance(field, BooleanField):
            return lambda value: value if value.__class__ is bool else generic(value)
        if isinstance(field, FloatField):
            return lambda value: value if value is None or value.__class__ is float else generic(value)
        if isinstance(field, ForeignKey):
            return lambda value: value if value is None or value.__class__ is int else generic(value)
        if field.get_internal_type() in ("CharField", "TextField", "SlugField", "URLField"):
            return lambda value: value if value.__class__ is str else generic(value)
        return generic

    def values(self, given: dict) -> tuple:
        """The database values of the columns after ``first``, from attname → value (defaults for the rest)."""
        defaults = self.defaults
        return tuple(convert(given[name] if name in given else defaults[name])
                     for name, convert in zip(self.rest, self.convert, strict=True))

    def insert(self, rows: list[tuple]) -> None:
        """Insert rows: one prepared statement run by ``executemany`` (SQLite), or ``COPY … FROM
        STDIN`` (PostgreSQL: Django's client-side binding would send, parse and plan one
        statement per row; COPY streams the rows, JSON columns as their text)."""
        if not rows:
            return
        with connections[self.alias].cursor() as cursor:  # this thread's connection
            if self.postgresql:
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, rows)


def _as_is(text: str) -> str:
    return text


_TABLES: dict = {}


def _table(model, first: tuple[str, ...] = ()) -> _Table:
    key = (model, first, router.db_for_write(model))
    table = _TABLES.get(key)
    if table is None:
        table = _TABLES[key] = _Table(model, first=first)
    return table


def _entity_table() -> _Table:
    return _table(Entity)


def _part_table(model) -> _Table:
    return _table(model, first=("entity_id",))


# ---------------------------------------------------------------------------------------------
# Preparing rows (in worker processes or in this one)


class _Context:
    """What preparing a row needs from the import (inherited by the forked workers)."""

    def __init__(self, *, importer, source: Source, sources: dict[str, Source], existing_records: dict,
                 linked: dict, existing_slugs: set, now):
        self.importer = importer
        self.source = source
        self.sources = sources
        self.licence = {"licence": source.licence or importer.source.licence,
                        "redistributable": source.redistributable}
        self.existing_records = existing_records
        self.linked = linked
        self.existing_slugs = existing_slugs
        self.now = now


class _Loc:
    """A location being prepared: the attributes of :class:`Location` that ``location_derive``
    reads and sets, without a model instance."""

    __slots__ = tuple(f.attname for f in Location._meta.concrete_fields if f.attname not in ("id", "entity_id"))

    def __init__(self, **values):
        for name in self.__slots__:
            setattr(self, name, values.get(name, _LOC_DEFAULTS[name]))


_LOC_DEFAULTS = {f.attname: f.get_default() for f in Location._meta.concrete_fields}


def _ref(ref, sources: dict[str, Source]) -> tuple[int, str]:
    """``source_ref_parse`` over the import's table of every Source (no query): (source id, locator)."""
    if not isinstance(ref, str) or not ref.strip():
        raise ValidationError({"source": "a source reference is required (key or key#locator)"})
    key, _, locator = ref.strip().partition("#")
    source = sources.get(key)
    if source is None:
        raise ValidationError({"source": f"unknown source key {key!r}; add it to the sources first"})
    return source.pk, locator.strip()


def _build(slug: str, document: dict, sources: dict, points: list) -> dict:
    """The parts of a new entity, validated as entity_upsert validates them (plain values).

    A location with a point and no outline is checked here as ``location_derive`` checks it and
    appended to ``points``, to be converted and placed with the others (:func:`~observatory.inventory.derivation.points_derive`);
    the entity is finished by :func:`_finish` once they are.
    """
    kind = choice_check("kind", document.get("kind"), KINDS)
    if not document.get("names"):
        raise ValidationError({"names": f"entity {slug!r} needs at least one name"})
    founded, founded_precision = fuzzy_date_check("founded", document.get("founded"))
    closed, closed_precision = fuzzy_date_check("closed", document.get("closed"))
    if founded and closed and closed < founded:
        raise ValidationError({"closed": f"closed ({document.get('closed')}) is before founded"})
    names, seen = [], set()
    for item in document["names"]:
        source_id, locator = _ref(item["source"], sources) if item.get("source") else (None, "")
        text, lang, name_type = (item.get("text") or "").strip(), item.get("lang", ""), item.get("type", "official")
        if not text:
            raise ValidationError({"text": "a name cannot be empty"})
        choice_check("lang", lang, NAME_LANGS)
        choice_check("type", name_type, NAME_TYPE_CODES)
        pinyin, normalized = name_keys(text)
        if (text, lang, name_type) not in seen:
            seen.add((text, lang, name_type))
            names.append({"text": text, "lang": lang, "type": name_type, "pinyin": pinyin, "normalized": normalized,
                          "source_id": source_id, "source_locator": locator})
            values_check(Name, {"text": text, "source_locator": locator})
    locations = []
    for item in document.get("locations") or []:
        source_id, locator = _ref(item["source"], sources) if item.get("source") else (None, "")
        values = {
            "original_lng": item.get("lng"), "original_lat": item.get("lat"), "crs": item.get("crs", "WGS-84"),
            "precision": item.get("precision", "exact"), "polygon": item.get("polygon"),
            "address_zh": item.get("address_zh", ""), "address_en": item.get("address_en", ""),
            "hint": item.get("hint", ""), "division_code": str(item.get("division", "") or ""),
            "source_id": source_id, "source_locator": locator}
        values_check(Location, values)
        location = _Loc(**values)
        if _is_point(location):
            location_point_check(location)
            points.append(location)
        else:
            derived = location_derive(Location(**values))
            for name in _Loc.__slots__:
                setattr(location, name, getattr(derived, name))
        locations.append(location)
    statuses = []
    for item in document.get("statuses") or []:
        source_id, locator = _ref(item["source"], sources) if item.get("source") else (None, "")
        date, precision = fuzzy_date_check("date", item.get("date"))
        statuses.append({
            "value": choice_check("value", item.get("value"), STATUS_VALUE_CODES),
            "kind": choice_check("kind", item.get("kind"), STATUS_KIND_CODES), "date": date, "date_precision": precision,
            "source_id": source_id, "source_locator": locator})
        values_check(StatusAssertion, statuses[-1])
    citations = list(dict.fromkeys(_ref(ref, sources) for ref in document.get("sources") or []))
    entity = {"slug": slug, "kind": kind, "layer": kind_layer(kind), "website": document.get("website", "") or "",
              "founded": founded, "founded_precision": founded_precision, "closed": closed,
              "closed_precision": closed_precision, "is_public": document.get("is_public", True),
              "note": document.get("note", "") or "", "field_sources": document.get("field_sources") or {}}
    return {"entity": entity, "names": names, "locations": locations, "statuses": statuses, "citations": citations}


def _is_point(location) -> bool:
    return (not location.polygon and type(location.original_lng) in (float, int)
            and type(location.original_lat) in (float, int))


_ENTITY_DEFAULTS = {f.attname: f.get_default() for f in Entity._meta.concrete_fields}
_ENTITY_VERSION_FIELDS = [f for f in Entity._meta.concrete_fields if not f.primary_key]


def _finish(parts: dict, now) -> tuple:
    """The database rows of a built entity: (entity row, name rows, location rows, status rows,
    citation rows, the version's serialized fields, the entity's repr)."""
    entity, names, locations = parts["entity"], parts["names"], parts["locations"]
    entity.update(entity_derived_fields(
        [(n["text"], n["lang"], n["type"]) for n in names],
        [text for loc in locations for text in (loc.address_zh, loc.address_en)],
        [loc.province_code for loc in locations]))
    entity_values_clean(entity)
    entity["created"] = entity["updated"] = now
    entity["merged_into_id"] = None
    table = _entity_table()
    # What django-reversion's JSON serializer writes for the entity (values as the python
    # serializer gives them: protected types as they are, the others as value_to_string).
    fields = {}
    for field in _ENTITY_VERSION_FIELDS:
        value = entity.get(field.attname, _ENTITY_DEFAULTS[field.attname])
        if not (is_protected_type(value) or isinstance(field, JSONField)):
            value = str(value)  # value_to_string of the text fields
        fields[field.name] = value
    version = json.dumps(fields, cls=DjangoJSONEncoder, ensure_ascii=False)
    return (
        table.values(entity),
        [_part_table(Name).values(name) for name in names],
        [_part_table(Location).values({name: getattr(loc, name) for name in _Loc.__slots__}) for loc in locations],
        [_part_table(StatusAssertion).values(status) for status in parts["statuses"]],
        [_part_table(EntitySource).values({"source_id": source_id, "locator": locator})
         for source_id, locator in parts["citations"]],
        version,
        str(entity["name"])[:191],
    )


def _error(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        field, messages = next(iter(exc.message_dict.items()))
        return field, "; ".join(messages)
    return "row", str(exc)


# One prepared row: what the writer needs, in plain values.
#   (status, record_pk, payload_json, checksum, action, detail, notes, duplicate_key, slug)
# status: the record's "created" | "updated" | "unchanged"; action and detail:
#   "rejected" (field, value, reason) · "unchanged" linked entity id · "existing" document ·
#   "create" the rows of _finish · "invalid" (field, reason)


def _prepare(context: _Context, raws: list) -> list[tuple]:
    from .runner import entity_slug_for, payload_jsonable

    importer, source_key = context.importer, context.source.key
    staged, points = [], []
    for raw in raws:
        data = raw.data if isinstance(raw.data, dict) else {"value": raw.data}
        kept, dropped = personal_fields_drop(data)
        payload = {"data": payload_jsonable(kept), "locator": raw.locator, "line": raw.line, **context.licence}
        if dropped:
            payload["dropped_personal_fields"] = dropped
        checksum = checksum_payload(payload)
        known = context.existing_records.get(raw.external_id)
        if known is None:
            status, record_pk, payload_json = "created", None, json.dumps(payload)
        elif known[1] != checksum:
            status, record_pk, payload_json = "updated", known[0], json.dumps(payload)
        else:
            status, record_pk, payload_json = "unchanged", known[0], None
        head = (status, record_pk, payload_json, checksum)
        try:
            parsed = importer.parse(raw)
        except RowRejected as exc:
            staged.append((head, "rejected", (exc.field, str(exc.value)[:300], exc.reason), [], "", ""))
            continue
        notes = [{"locator": raw.locator, "line": raw.line, **n.as_dict()} for n in parsed.notes]
        if dropped:
            notes.append({"locator": raw.locator, "line": raw.line, "field": ", ".join(dropped), "value": "",
                          "action": "personal contact fields dropped from the stored record"})
        slug = entity_slug_for(source_key, raw.external_id)
        linked = context.linked.get((slug, record_pk)) if status == "unchanged" else None
        if linked is not None:
            action, detail = "unchanged", linked
        elif slug in context.existing_slugs:
            action, detail = "existing", parsed.document
        else:
            try:
                action, detail = "create", _build(slug, parsed.document, context.sources, points)
            except (ValidationError, KeyError, TypeError, ValueError) as exc:
                action, detail = "invalid", _error(exc)
        staged.append((head, action, detail, notes, parsed.duplicate_key, slug))
    points_derive(points)
    prepared = []
    for head, action, detail, notes, duplicate_key, slug in staged:
        if action == "create":
            try:
                detail = _finish(detail, context.now)
            except (ValidationError, KeyError, TypeError, ValueError) as exc:
                action, detail = "invalid", _error(exc)
        prepared.append((*head, action, detail, notes, duplicate_key, slug))
    return prepared


_WORKER: dict = {}


def _prepare_chunk(raws: list) -> list[tuple]:
    """A worker's task: prepare one chunk of rows (the import's context is inherited at the fork)."""
    return _prepare(_WORKER["context"], raws)


def _warm() -> None:
    """Load the tables that preparing uses (divisions, pinyin, jieba, OpenCC) before forking, so
    that the workers share them instead of each loading its own."""
    china_text.search_tokens("柴火創客空間 Chaihuo")
    china_names.to_pinyin("柴火")
    china_divisions.locate_many([113.93], [22.53])
    china_divisions.division_by_code("440300")
    from observatory.inventory.importers.cleaning import address_divisions

    address_divisions("广东省深圳市南山区")


def _prepared_chunks(context: _Context, rows, *, total: int):
    """Yield (rows, prepared rows) chunk by chunk, in file order, reading ``rows`` (an iterator) as
    it goes: at most a few chunks per worker are read ahead of the one being written."""
    chunks = _batches(rows, CHUNK)
    workers = os.cpu_count() or 1
    # Forked from the main thread only: a web server's request thread does the work itself (a
    # fork copies one thread, and the locks other threads may hold at that moment).
    if total < PARALLEL_FROM or workers < 2 or threading.current_thread() is not threading.main_thread():
        for raws in chunks:
            yield raws, _prepare(context, raws)
        return
    import gc
    import multiprocessing
    from collections import deque

    _warm()
    _WORKER.update(context=context)
    # Objects that exist at the fork are not scanned by the workers' collector (their pages stay shared).
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            # Pool.imap would read the whole file into its task queue; this keeps 2 chunks a worker in flight.
            pending: deque = deque()
            for raws in chunks:
                pending.append((raws, pool.apply_async(_prepare_chunk, (raws,))))
                if len(pending) >= 2 * workers:
                    raws_done, result = pending.popleft()
                    yield raws_done, result.get()
            while pending:
                raws_done, result = pending.popleft()
                yield raws_done, result.get()
    finally:
        gc.unfreeze()
        _WORKER.clear()


# ---------------------------------------------------------------------------------------------
# Writing (this process, inside the import's transaction)


def _ids_by(model, key: str, values: list, **filters) -> dict:
    """{value of ``key``: id} of the rows whose ``key`` is in ``values`` (read back after insert)."""
    found = {}
    for batch in _batches(values, _LOOKUP):
        found.update(model.objects.filter(**filters, **{f"{key}__in": batch}).order_by().values_list(key, "id"))
    return found


class _Keys:
    """What deciding a row needs to remember of the rows before it: the identifiers seen (a repeated
    one is rejected) and, for each duplicate key, the slug, locator and entity of its first row (a
    later row with the same key is merged into it). They are kept in a private temporary SQLite
    database (on disk, a page cache of about 2 MB), so that an import's memory does not grow with
    its file."""

    def __init__(self):
        import sqlite3

        self.db = sqlite3.connect("")  # "": a temporary on-disk database, deleted when closed
        self.db.execute("CREATE TABLE ids (id TEXT PRIMARY KEY) WITHOUT ROWID")
        self.db.execute("CREATE TABLE firsts (key TEXT PRIMARY KEY, slug TEXT, locator TEXT, entity INTEGER) "
                        "WITHOUT ROWID")
        self.repeated = 0  # rows whose identifier appeared earlier

    def id_new(self, external_id: str) -> bool:
        """Whether ``external_id`` is seen for the first time (it is remembered)."""
        return self.db.execute("INSERT OR IGNORE INTO ids VALUES (?)", (external_id,)).rowcount == 1

    def first(self, key: str) -> tuple | None:
        """(slug, locator, entity id) of the first row with the duplicate key ``key``, or None."""
        return self.db.execute("SELECT slug, locator, entity FROM firsts WHERE key = ?", (key,)).fetchone()

    def firsts_add(self, rows: list[tuple]) -> None:
        self.db.executemany("INSERT INTO firsts VALUES (?, ?, ?, ?)", rows)

    def close(self) -> None:
        self.db.close()


class _Writer:
    def __init__(self, *, importer, source: Source, report, path_name: str, now, keys: _Keys, repeated: dict,
                 user=None):
        self.importer, self.source, self.report, self.user = importer, source, report, user
        self.path_name = path_name
        self.now = now
        self.keys = keys
        self.repeated = repeated  # rejects of repeated ids, by the index of the next row kept
        self.revision = None
        self.through = Entity.records.through
        record_fields = {f.attname: f for f in SourceRecord._meta.concrete_fields}
        connection = connections[router.db_for_write(SourceRecord)]
        self.now_db = record_fields["updated_at"].get_db_prep_save(now, connection)
        self.records = _table(SourceRecord, first=("source_id", "external_id", "payload", "checksum", "imported_at",
                                                   "updated_at"))
        quote = connection.ops.quote_name
        column = {name: quote(field.column) for name, field in record_fields.items()}
        self.record_update = (f"UPDATE {quote(SourceRecord._meta.db_table)} SET {column['payload']} = %s, "
                              f"{column['checksum']} = %s, {column['updated_at']} = %s WHERE {column['id']} = %s")
        self.content_type = ContentType.objects.get_for_model(Entity)

    def _records(self, raws, prepared) -> list[int]:
        """Insert the new records and update the changed ones; the record id of each row."""
        new, changed = [], []
        for raw, (status, record_pk, payload_json, checksum, *_rest) in zip(raws, prepared, strict=True):
            if status == "created":
                new.append((self.source.pk, raw.external_id, payload_json, checksum, self.now_db, self.now_db))
            elif status == "updated":
                changed.append((payload_json, checksum, self.now_db, record_pk))
        self.records.insert(new)
        if changed:
            if self.records.postgresql:
                from psycopg.types.json import Jsonb

                changed = [(Jsonb(payload, dumps=_as_is), *rest) for payload, *rest in changed]
            with connections[self.records.alias].cursor() as cursor:
                cursor.executemany(self.record_update, changed)
        ids = _ids_by(SourceRecord, "external_id", [row[1] for row in new], source=self.source) if new else {}
        return [record_pk if record_pk is not None else ids[raw.external_id]
                for raw, (_status, record_pk, *_rest) in zip(raws, prepared, strict=True)]

    def chunk(self, raws: list, prepared: list[tuple], *, offset: int) -> None:
        """Write one chunk of prepared rows (rows ``offset``… of those kept), deciding each row as
        the per-row path does."""
        from .runner import entity_row_import_existing

        report = self.report
        record_ids = self._records(raws, prepared) if raws else []
        events, creates = [], []
        firsts: dict[str, tuple] = {}  # duplicate key -> (slug, locator, None) of a first row in this chunk
        ids: dict[str, int] = {}  # slug -> entity id of the rows of this chunk imported (not rejected)
        for index, (raw, record_id, row) in enumerate(zip(raws, record_ids, prepared, strict=True), start=offset):
            events += [("rejected", reject) for reject in self.repeated.pop(index, ())]
            record_status, _pk, _json, _checksum, action, detail, notes, duplicate_key, slug = row
            if action == "rejected":
                field_name, value, reason = detail
                events.append(("rejected", {"locator": raw.locator, "line": raw.line, "field": field_name,
                                            "value": value, "reason": reason}))
                continue
            if duplicate_key:
                first = firsts.get(duplicate_key) or self.keys.first(duplicate_key)
                if first is not None:
                    events.append(("merged", raw, record_id, *first, notes))
                    continue
            if action == "unchanged":
                ids[slug] = detail
                events.append(("counted", "unchanged", detail, notes))
            elif action == "existing":
                outcome = entity_row_import_existing(self.importer, self.source, raw, record_id, record_status, slug,
                                               detail, path_name=self.path_name)
                if outcome[0] == "rejected":
                    events.append(outcome)
                    continue
                status, entity_id = outcome
                ids[slug] = entity_id
                events.append(("counted", status, entity_id, notes))
            elif action == "invalid":
                field_name, reason = detail
                events.append(("rejected", {"locator": raw.locator, "line": raw.line, "field": field_name,
                                            "value": "", "reason": reason}))
                continue
            else:
                creates.append((slug, record_id, detail))
                events.append(("created", slug, notes))
            if duplicate_key:
                firsts[duplicate_key] = (slug, raw.locator, None)
        if not raws:  # the end: the repeated rows after the last row kept
            events += [("rejected", reject) for reject in self.repeated.pop(offset, ())]
        ids.update(self._create(creates))
        self.keys.firsts_add([(key, slug, locator, ids[slug]) for key, (slug, locator, _none) in firsts.items()])
        links = []
        for event in events:
            kind = event[0]
            if kind == "rejected":
                report.counts["rejected"] += 1
                report.rejects.append(event[1])
            elif kind == "counted":
                _kind, status, entity_id, notes = event
                report.counts[status] += 1
                report.entities.append(entity_id)
                report.notes.extend(notes)
            elif kind == "created":
                _kind, slug, notes = event
                report.counts["created"] += 1
                report.entities.append(ids[slug])
                report.notes.extend(notes)
            else:  # merged: a duplicate of an earlier row of the file, kept as a record of its entity
                _kind, raw, record_id, slug, first_locator, entity_id, notes = event
                links.append(self.through(entity_id=ids[slug] if entity_id is None else entity_id,
                                          sourcerecord_id=record_id))
                report.counts["merged"] += 1
                notes.append({"locator": raw.locator, "line": raw.line, "field": "row", "value": "",
                              "action": f"duplicate of {first_locator} in the same file: kept as a record of {slug}"})
                report.notes.extend(notes)
        self.through.objects.bulk_create(links, ignore_conflicts=True)

    def _create(self, creates: list) -> dict[str, int]:
        """Insert the new entities of a chunk, read their ids back by slug, insert their parts;
        returns slug → id of the entities inserted."""
        if not creates:
            return {}
        _entity_table().insert([rows[0] for _slug, _record_id, rows in creates])
        ids = _ids_by(Entity, "slug", [slug for slug, _record_id, _rows in creates])
        names, locations, statuses, citations, links, versions = [], [], [], [], [], []
        if self.revision is None:
            self.revision = Revision.objects.create(
                comment=f"Imported from {self.path_name} (bulk)",
                user=self.user if getattr(self.user, "pk", None) else None, date_created=self.now)
            assert reversion.is_registered(Entity)
        revision_id, content_type_id, alias = self.revision.pk, self.content_type.pk, _entity_table().alias
        for slug, record_id, (_entity, entity_names, entity_locations, entity_statuses, entity_citations, version,
                              label) in creates:
            entity_id = ids[slug]
            key = (entity_id,)
            names += [key + row for row in entity_names]
            locations += [key + row for row in entity_locations]
            statuses += [key + row for row in entity_statuses]
            citations += [key + row for row in entity_citations]
            links.append((entity_id, record_id))
            # What serializers.serialize("json", [entity], fields=<concrete fields>) writes.
            versions.append((revision_id, str(entity_id), content_type_id, alias, "json",
                             f'[{{"model": "inventory.entity", "pk": {entity_id}, "fields": {version}}}]', label))
        for model, rows in ((Name, names), (Location, locations), (StatusAssertion, statuses),
                            (EntitySource, citations)):
            _part_table(model).insert(rows)
        _table(self.through, first=("entity_id", "sourcerecord_id")).insert(links)
        _table(Version, first=("revision_id", "object_id", "content_type_id", "db", "format", "serialized_data",
                               "object_repr")).insert(versions)
        return ids


def _state(source: Source) -> dict:
    """What preparing depends on in the database: the source's records, the slugs under its
    prefix, the record links, and the sources' keys (citations point to them)."""
    from django.utils.text import slugify

    from .runner import entity_slug_for

    prefix = entity_slug_for(source.key, "x")[: len(slugify(source.key))]
    through = Entity.records.through
    return {
        "existing_records": {ext: (pk, checksum) for pk, ext, checksum in
                             SourceRecord.objects.filter(source=source).values_list("id", "external_id", "checksum")},
        "existing_slugs": set(Entity.objects.filter(slug__startswith=prefix).values_list("slug", flat=True)),
        "linked": {(slug, record_id): entity_id for entity_id, slug, record_id in
                   through.objects.filter(sourcerecord__source=source).values_list("entity_id", "entity__slug",
                                                                                    "sourcerecord_id")},
        "sources": {s.key: s for s in Source.objects.all()},
    }


def _fingerprint(source: Source, state: dict) -> tuple:
    return (source.pk, source.key, source.licence, source.redistributable, state["existing_records"],
            state["existing_slugs"], state["linked"], {key: s.pk for key, s in state["sources"].items()})


def _kept(rows, keys: _Keys, repeated: dict):
    """The rows kept, as they are read; a row whose identifier appeared earlier in the file is
    left out, its reject put in ``repeated`` under the index of the next row kept (rejects are
    reported in file order, before it)."""
    kept = 0
    for raw in rows:
        if not keys.id_new(raw.external_id):
            keys.repeated += 1
            repeated[kept].append({
                "locator": raw.locator, "line": raw.line, "field": "id", "value": raw.external_id,
                "reason": "the same identifier appears earlier in the file"})
            continue
        kept += 1
        yield raw


class BulkPlan:
    """Rows prepared before the import's transaction (:func:`rows_bulk_prepare`), with the state of
    the database they were prepared against. The prepared chunks wait in a temporary file (pickled
    one by one), not in memory."""

    def __init__(self, *, fingerprint: tuple, now):
        import tempfile

        self.fingerprint, self.now = fingerprint, now
        self.repeated: dict = defaultdict(list)
        self.repeated_count = 0
        self._file = tempfile.TemporaryFile(prefix="observatory-import-")

    def add(self, raws: list, prepared: list) -> None:
        pickle.dump((raws, prepared), self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def chunks(self):
        self._file.seek(0)
        while True:
            try:
                yield pickle.load(self._file)
            except EOFError:
                return

    def close(self) -> None:
        self._file.close()


def rows_bulk_prepare(importer, source: Source, rows, tick, *, total: int) -> BulkPlan:
    """Prepare every row now, outside any transaction: preparing is most of an import's time, and
    on SQLite the import's transaction holds the one write lock, so it is then held only for the
    writing. ``rows_bulk_import`` uses the plan if the database has not changed under it meanwhile
    (and prepares again, inside its transaction, if it has). ``rows`` is read once, as it goes."""
    state = _state(source)
    now = timezone.now()
    context = _Context(importer=importer, source=source, sources=state["sources"],
                       existing_records=state["existing_records"], linked=state["linked"],
                       existing_slugs=state["existing_slugs"], now=now)
    plan = BulkPlan(fingerprint=_fingerprint(source, state), now=now)
    keys = _Keys()
    try:
        for raws, prepared in _prepared_chunks(context, _kept(rows, keys, plan.repeated), total=total):
            plan.add(raws, prepared)
            tick(len(raws))
        plan.repeated_count = keys.repeated
        tick(keys.repeated)
    except BaseException:
        plan.close()
        raise
    finally:
        keys.close()
    return plan


def rows_bulk_import(importer, source: Source, rows, report, tick, *, total: int, user=None,
                     plan: BulkPlan | None = None) -> None:
    """Import ``rows`` (RawRow, an iterator read as it goes) of one file into ``report``: the same
    outcome as ``runner._import_rows``, prepared in chunks (or taken from ``plan``, and then
    ``rows`` is not read) and written in batches."""
    state = _state(source)
    planned = plan is not None and plan.fingerprint == _fingerprint(source, state)
    now = plan.now if planned else timezone.now()
    keys = _Keys()
    try:
        if planned:
            repeated = plan.repeated
            chunks, tick = plan.chunks(), (lambda n=1: None)  # counted while preparing
        else:
            repeated = defaultdict(list)
            context = _Context(importer=importer, source=source, sources=state["sources"],
                               existing_records=state["existing_records"], linked=state["linked"],
                               existing_slugs=state["existing_slugs"], now=now)
            chunks = _prepared_chunks(context, _kept(rows, keys, repeated), total=total)
        writer = _Writer(importer=importer, source=source, report=report, path_name=_name(report.path), now=now,
                         keys=keys, repeated=repeated, user=user)
        with transaction.atomic():
            done = 0
            for raws, prepared in chunks:
                writer.chunk(raws, prepared, offset=done)
                done += len(raws)
                tick(len(raws))
            writer.chunk([], [], offset=done)  # the repeated rows after the last row kept
            tick(keys.repeated)
    finally:
        keys.close()
        if plan is not None:
            plan.close()


def _name(path: str) -> str:
    from pathlib import Path

    return Path(path).name
