"""The bulk path, writing: rows of database values inserted a table at a time, and the rows of a
chunk decided and written in the import's transaction.

Tables (:class:`_Table`). For each model written, one insert statement and the conversion of each
column's value to what Django's ``bulk_create`` would send (the field's ``get_db_prep_save``), with
fast paths for values already of the field's type. A batch of rows is inserted by ``executemany``
of that one prepared statement on SQLite, and by ``COPY … FROM STDIN`` on PostgreSQL (Django's
client-side binding would send, parse and plan one statement per row); the keys of the rows
inserted are read back by a unique column (:func:`_ids_by`), in batches below SQLite's oldest
limit of 999 parameters.

Chunks (:class:`_Writer`). For each prepared chunk, in file order: the records are inserted or
updated, each row is decided exactly as the per-row path decides it (in-file duplicates, unchanged
rows, rows of existing entities through ``entity_upsert``, rejects), and the new entities are
inserted with their names, locations, statuses, citations, record links and history: one
django-reversion revision for the import, one version of each created entity, serialized as its
JSON serializer writes it.
"""

from __future__ import annotations

import json
from itertools import islice

import reversion
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router
from django.db.models import AutoField, BooleanField, FloatField, ForeignKey, JSONField
from reversion.models import Revision, Version

from observatory.inventory.models import (
    Entity,
    EntitySource,
    Location,
    Name,
    Source,
    SourceRecord,
    StatusAssertion,
)

from .spill import _Keys

#: Keys read back per query (below SQLite's oldest limit of 999 parameters).
_LOOKUP = 900


def _batches(items, size):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


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


def _ids_by(model, key: str, values: list, **filters) -> dict:
    """{value of ``key``: id} of the rows whose ``key`` is in ``values`` (read back after insert)."""
    found = {}
    for batch in _batches(values, _LOOKUP):
        found.update(model.objects.filter(**filters, **{f"{key}__in": batch}).order_by().values_list(key, "id"))
    return found


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
        from ..runner import entity_row_import_existing

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
