"""The bulk path of an import: the same rows, records and entities as the per-row path, written
with ``bulk_create`` in batches.

The per-row path (``entity_upsert`` for every row) costs about seventy queries a row, which is
fine for a directory of a few thousand rows and too slow for a 100,000-row spreadsheet. For the
rows whose entity does not exist yet, this module builds the entities, names, locations,
statuses, citations and record links in memory with the same validation and derivation as the
entity services (``_name_derive``, ``location_derive``, the rules of ``entity_refresh_derived``)
and inserts them in batches. Rows whose entity already exists go through ``entity_upsert`` as
before (an update is recorded in history). History of the creations: one revision for the
import, holding one version of each created entity (its names and locations are in the same
transaction and in the source records).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from functools import lru_cache
from itertools import islice

import numpy as np
import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router, transaction
from django.db.models import AutoField
from django.utils import timezone
from reversion.models import Revision, Version

from observatory.china import coords as china_coords
from observatory.china import divisions as china_divisions
from observatory.china import text as china_text
from observatory.inventory.models import Entity, EntitySource, Location, Name, SourceRecord, StatusAssertion
from observatory.inventory.services import (
    _CRS,
    _LANGS,
    _NAME_TYPES,
    _STATUS_KINDS,
    _STATUS_VALUES,
    _choice,
    _division_chain,
    _fuzzy,
    _name_derive,
    location_derive,
    source_ref_parse,
)
from observatory.inventory.taxonomy import KINDS, PRECISIONS, kind_layer

__all__ = ["entities_bulk_create"]

BATCH = 2000
_RANK = {"official": 0, "common": 1, "abbreviation": 2, "former": 3}


def _batches(items, size=BATCH):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _build(slug: str, document: dict, sources: dict, points: list) -> tuple[Entity, list, list, list, list]:
    """The unsaved entity and its parts, validated as entity_upsert validates them.

    A location with a point and no outline is checked here as ``location_derive`` checks it and
    appended to ``points``, to be converted and placed with the others (:func:`_points_derive`);
    the entity is finished by :func:`_finish` once they are.
    """
    kind = _choice("kind", document.get("kind"), KINDS)
    if not document.get("names"):
        raise ValidationError({"names": f"entity {slug!r} needs at least one name"})
    founded, founded_precision = _fuzzy("founded", document.get("founded"))
    closed, closed_precision = _fuzzy("closed", document.get("closed"))
    if founded and closed and closed < founded:
        raise ValidationError({"closed": f"closed ({document.get('closed')}) is before founded"})
    names, seen = [], set()
    for item in document["names"]:
        source, locator = source_ref_parse(item["source"], sources) if item.get("source") else (None, "")
        name = Name(text=(item.get("text") or "").strip(), lang=item.get("lang", ""), type=item.get("type", "official"),
                    source=source, source_locator=locator)
        if not name.text:
            raise ValidationError({"text": "a name cannot be empty"})
        _choice("lang", name.lang, _LANGS)
        _choice("type", name.type, _NAME_TYPES)
        name.pinyin, name.normalized = _name_keys(name.text)
        if (name.text, name.lang, name.type) not in seen:
            seen.add((name.text, name.lang, name.type))
            names.append(name)
    locations = []
    for item in document.get("locations") or []:
        source, locator = source_ref_parse(item["source"], sources) if item.get("source") else (None, "")
        location = Location(
            original_lng=item.get("lng"), original_lat=item.get("lat"), crs=item.get("crs", "WGS-84"),
            precision=item.get("precision", "exact"), polygon=item.get("polygon"),
            address_zh=item.get("address_zh", ""), address_en=item.get("address_en", ""), hint=item.get("hint", ""),
            division_code=str(item.get("division", "") or ""), source=source, source_locator=locator)
        if _is_point(location):
            _point_check(location)
            points.append(location)
            locations.append(location)
        else:
            locations.append(location_derive(location))
    statuses = []
    for item in document.get("statuses") or []:
        source, locator = source_ref_parse(item["source"], sources) if item.get("source") else (None, "")
        date, precision = _fuzzy("date", item.get("date"))
        statuses.append(StatusAssertion(
            value=_choice("value", item.get("value"), _STATUS_VALUES),
            kind=_choice("kind", item.get("kind"), _STATUS_KINDS), date=date, date_precision=precision,
            source=source, source_locator=locator))
    citations = list(dict.fromkeys(source_ref_parse(ref, sources) for ref in document.get("sources") or []))
    entity = Entity(slug=slug, kind=kind, layer=kind_layer(kind), website=document.get("website", "") or "",
                    founded=founded, founded_precision=founded_precision, closed=closed,
                    closed_precision=closed_precision, is_public=document.get("is_public", True),
                    note=document.get("note", "") or "", field_sources=document.get("field_sources") or {})
    return entity, names, locations, statuses, citations


def _finish(parts: tuple) -> tuple:
    entity, names, locations, _statuses, _citations = parts
    _derive(entity, names, locations)
    entity.full_clean(exclude=["name", "slug"], validate_unique=False, validate_constraints=False)
    return parts


def _is_point(location: Location) -> bool:
    return (not location.polygon and type(location.original_lng) in (float, int)
            and type(location.original_lat) in (float, int))


def _point_check(location: Location) -> None:
    """The checks of ``location_derive`` for a point, in its order and with its messages."""
    _choice("crs", location.crs, _CRS)
    _choice("precision", location.precision, PRECISIONS)
    lng, lat = location.original_lng, location.original_lat
    if not (-180 <= lng <= 180) or not (-90 <= lat <= 90):
        raise ValidationError({"original_lat": f"({lng}, {lat}) is outside longitude −180…180 / latitude −90…90; "
                                               "check for swapped latitude and longitude"})


def _points_derive(locations: list[Location]) -> None:
    """``location_derive`` of checked point locations, on arrays: one conversion per coordinate
    system and one point-in-division lookup for all (arrays give exactly the scalar numbers)."""
    if not locations:
        return
    by_crs: dict[str, list[Location]] = defaultdict(list)
    for location in locations:
        by_crs[location.crs].append(location)
    for crs, group in by_crs.items():
        lngs = np.array([location.original_lng for location in group], dtype=float)
        lats = np.array([location.original_lat for location in group], dtype=float)
        wgs_lng, wgs_lat = china_coords.convert(lngs, lats, crs, "WGS-84")
        for location, lng, lat in zip(group, wgs_lng.tolist(), wgs_lat.tolist(), strict=True):
            location.lng, location.lat = lng, lat
    found_all = china_divisions.locate_many([location.lng for location in locations],
                                            [location.lat for location in locations])
    for location, found in zip(locations, found_all, strict=True):
        location.placed_at_centroid = False
        location.polygon_wgs84 = None
        location.province_code = location.prefecture_code = location.county_code = ""
        if location.division_code:
            location.province_code, location.prefecture_code, location.county_code = _division_chain(
                location.division_code)
        if found is not None:
            location.province_code = found.province_code
            location.prefecture_code = found.prefecture_code or ""
            location.county_code = found.county_code or location.county_code


@lru_cache(maxsize=50_000)
def _search_tokens(text: str) -> tuple[str, ...]:
    # The same function as entity_refresh_derived uses, remembered by text: directories repeat
    # addresses and names, and segmentation with pinyin costs about a millisecond a text.
    return tuple(china_text.search_tokens(text))


@lru_cache(maxsize=50_000)
def _name_keys(text: str) -> tuple[str, str]:
    name = _name_derive(Name(text=text, lang="en", type="official"))
    return name.pinyin, name.normalized


def _derive(entity: Entity, names: list[Name], locations: list[Location]) -> None:
    """The rules of services.entity_refresh_derived, on unsaved objects (names in document order)."""
    def best(langs):
        candidates = [(index, n) for index, n in enumerate(names) if n.lang in langs and n.type != "former"]
        candidates.sort(key=lambda pair: (_RANK.get(pair[1].type, 9), pair[0]))
        return candidates[0][1].text if candidates else ""

    entity.name_zh = best(("zh-Hans",)) or best(("zh-Hant",))
    entity.name_en = best(("en",)) or best(("other",))
    entity.name = entity.name_en or entity.name_zh or names[0].text
    tokens: list[str] = []
    for text in [n.text for n in names] + [t for loc in locations for t in (loc.address_zh, loc.address_en)]:
        if text:
            tokens.extend(_search_tokens(text))
    entity.search_text = " ".join(dict.fromkeys(tokens))
    first = next((loc for loc in locations if loc.province_code), None)
    entity.province_code = first.province_code if first else ""


_BUILD: dict = {}
#: From this many new entities on, they are built in one forked worker process per core.
PARALLEL_FROM = 20_000


def _error(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        field, messages = next(iter(exc.message_dict.items()))
        return field, "; ".join(messages)
    return "row", str(exc)


def _build_all(documents: list[tuple[str, dict]], sources: dict) -> list[tuple[tuple | None, tuple[str, str] | None]]:
    """(parts, None) or (None, (field, reason)) for each (slug, document)."""
    staged: list = []
    points: list[Location] = []
    for slug, document in documents:
        try:
            staged.append((_build(slug, document, sources, points), None))
        except (ValidationError, KeyError, TypeError, ValueError) as exc:
            staged.append((None, _error(exc)))
    _points_derive(points)
    results = []
    for parts, error in staged:
        if error is None:
            try:
                parts = _finish(parts)
            except (ValidationError, KeyError, TypeError, ValueError) as exc:
                parts, error = None, _error(exc)
        results.append((parts, error))
    return results


def _build_chunk(chunk: list[tuple[str, dict]]) -> list:
    return _build_all(chunk, _BUILD["sources"])


def entities_bulk_create(items: list[tuple[str, dict, SourceRecord]], *, sources: dict, comment: str,
                         user=None) -> tuple[dict[str, Entity], list[tuple[int, str, str]]]:
    """Create the entities of ``items`` ((slug, document, record) triples) in batches.

    Returns ({slug: entity}, rejects as (index in items, field, reason)).
    """
    built, rejects = [], []
    documents = [(slug, document) for slug, document, _record in items]
    workers = os.cpu_count() or 1
    if len(documents) >= PARALLEL_FROM and workers > 1:
        # Building is computation only (pinyin, search tokens, coordinate conversion, divisions):
        # forked workers share the loaded tables and send back the unsaved objects.
        import multiprocessing

        _BUILD["sources"] = sources
        size = max(200, len(documents) // (workers * 8))
        chunks = [documents[k:k + size] for k in range(0, len(documents), size)]
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = [result for part in pool.imap(_build_chunk, chunks) for result in part]
        finally:
            _BUILD.clear()
    else:
        results = _build_all(documents, sources)
    for index, ((parts, error), (_slug, _document, record)) in enumerate(zip(results, items, strict=True)):
        if error is not None:
            rejects.append((index, *error))
        else:
            built.append((parts, record))
    created: dict[str, Entity] = {}
    with transaction.atomic():
        for batch in _batches(built):
            entities = Entity.objects.bulk_create([parts[0] for parts, _record in batch], batch_size=BATCH)
            names, locations, statuses, citations, links = [], [], [], [], []
            through = Entity.records.through
            for entity, ((_e, entity_names, entity_locations, entity_statuses, entity_citations), record) in zip(
                    entities, batch, strict=True):
                for obj in (*entity_names, *entity_locations, *entity_statuses):
                    obj.entity = entity
                names += entity_names
                locations += entity_locations
                statuses += entity_statuses
                citations += [EntitySource(entity=entity, source=s, locator=loc) for s, loc in entity_citations]
                links.append(through(entity_id=entity.pk, sourcerecord_id=record.pk))
                created[entity.slug] = entity
            for model, objs in ((Name, names), (Location, locations), (StatusAssertion, statuses),
                                (EntitySource, citations), (through, links)):
                _insert(model, objs)
        if created:
            _history(list(created.values()), comment=comment, user=user)
    return created, rejects


def _insert(model, objs: list) -> None:
    """Insert unsaved objects whose primary keys are not read back, with the values bulk_create
    would send (each field's ``pre_save`` and ``get_db_prep_save``) but one prepared statement run
    by ``executemany`` instead of a multi-row statement compiled per batch (on SQLite, at most
    999 parameters a statement), which was most of the time of bulk_create here."""
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields
              if not f.generated and not (f.primary_key and isinstance(f, AutoField))]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        for batch in _batches(objs, 10 * BATCH):
            cursor.executemany(sql, [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
                                     for obj in batch])


def _history(entities: list[Entity], *, comment: str, user=None) -> None:
    """One revision for the import, one version per created entity (as reversion would store it)."""
    revision = Revision.objects.create(comment=comment, user=user if getattr(user, "pk", None) else None,
                                       date_created=timezone.now())
    content_type = ContentType.objects.get_for_model(Entity)
    # Concrete fields only: serialising the many-to-many fields would cost two queries an entity.
    fields = [f.name for f in Entity._meta.concrete_fields if not f.primary_key]
    versions = []
    for batch in _batches(entities):
        # What serializers.serialize("json", [entity], fields=fields) writes, one serializer per batch.
        for entity, data in zip(batch, serializers.serialize("python", batch, fields=fields), strict=True):
            versions.append(Version(
                revision=revision, object_id=str(entity.pk), content_type=content_type, db="default", format="json",
                serialized_data=_json_list(data), object_repr=str(entity)[:191]))
    _insert(Version, versions)
    assert reversion.is_registered(Entity)


def _json_list(data: dict) -> str:
    return "[" + json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False) + "]"
