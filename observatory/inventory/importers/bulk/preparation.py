"""The bulk path, preparing: each row of a file turned into plain values, ready to be written.

Preparing a row (:func:`_prepare`) computes the stored payload and its checksum, runs the
importer's parsing and cleaning, derives the slug and, for a row whose entity does not exist yet,
builds the entity, names, locations, statuses and citations with the same validation and
derivation as the entity services (:mod:`observatory.inventory.derivation`), down to the database
values of each column (tuples of strings, numbers and dates, no model objects). Points are
converted and placed together, a chunk at a time (:func:`~observatory.inventory.derivation.points_derive`).

This is computation only: from :data:`PARALLEL_FROM` rows on it runs in forked worker processes,
one per core, chunk by chunk (:data:`CHUNK` rows), at most two chunks a worker ahead of the one
being written; the tables it uses (divisions, pinyin, jieba, OpenCC) are loaded before the fork
and shared. Workers send back strings, numbers and dates only: pickling model objects cost more
than the second core gave back. Forked from the main thread only (a fork copies one thread, and
the locks other threads may hold at that moment); elsewhere, as in a web server's request thread,
rows are prepared in the calling process.
"""

from __future__ import annotations

import json
import os
import threading

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import JSONField
from django.utils.encoding import is_protected_type

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
from observatory.inventory.models import Entity, EntitySource, Location, Name, Source, StatusAssertion
from observatory.inventory.services import checksum_payload
from observatory.inventory.taxonomy import KINDS, kind_layer
from observatory.validation import values_check

from ..base import RowRejected, personal_fields_drop
from .writing import _batches, _entity_table, _part_table

__all__ = ["CHUNK", "PARALLEL_FROM"]

#: From this many rows on, rows are prepared in forked worker processes (one per core).
PARALLEL_FROM = 4_000
#: Rows per prepared chunk (a task of a worker; the writer inserts chunk by chunk).
CHUNK = 1_000


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
    from ..runner import entity_slug_for, payload_jsonable

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
