"""The dataset fingerprint stored with every :class:`~observatory.analysis.models.AnalysisRun`.

A sha256 over every value an analysis reads, so that two runs with the same fingerprint, parameters,
seed and code version read the same data:

* entities (public, unmerged): slug, kind, layer, name, name_zh, founded and closed dates with their
  precision, province code;
* their locations: lng, lat, precision, placed_at_centroid, province and prefecture codes, and the rank
  of the location among the entity's locations (the analyses use an entity's first location);
* relations between two of those entities: source slug, type, target slug, from and to dates, weight;
* codings of those entities: code path and confidence; and the codes' paths and English labels;
* their dated statuses (value, date, origin, confidence) and the issue dates of the sources that
  establish or locate them (what survival reads: evidence of life, closings, first observation).

It is content-addressed: entities are referred to by slug, never by database id, and each table is
hashed as a multiset of rows (a 64-bit hash per row, pandas' SipHash ``hash_array`` combined
column by column; the sorted row hashes go into the sha256). So the same data gives the same
fingerprint whatever the ids or the order the database returns the rows in, and a change to any value
above (or a row added or removed) changes it. Dates are hashed as the ISO text the database gives for
them (``CAST(... AS text)``), never as Python date objects built only to be hashed.

Speed: the rows are read as ``values_list`` tuples (no model instances) and hashed as arrays, not
row by row; reading the relation rows is most of the time. ``observatory analyze all`` computes the
fingerprint once for its four runs.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
from django.db.models import TextField
from django.db.models.functions import Cast

__all__ = ["FINGERPRINT_VERSION", "dataset_fingerprint"]

#: Bumped whenever what is hashed, or how, changes (so an old fingerprint can never match a new one).
FINGERPRINT_VERSION = "3"

_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-1 64-bit prime, to combine column hashes into a row hash


def _columns(queryset, width: int) -> list[np.ndarray]:
    """The columns (object arrays) of a ``values_list`` queryset: tuples, no model instances. Dates
    must be selected as text (:func:`_iso`)."""
    rows = list(queryset)
    if not rows:
        return [np.empty(0, dtype=object) for _ in range(width)]
    table = np.empty((len(rows), width), dtype=object)
    table[:] = rows
    return [table[:, k] for k in range(width)]


def _iso(field: str):
    """A date column as ISO text (YYYY-MM-DD) from the database itself, on SQLite and PostgreSQL alike:
    no date objects are built only to be turned back into text."""
    return Cast(field, output_field=TextField())


def _ints(values: np.ndarray) -> np.ndarray:
    return values.astype(np.int64)


def _numbers(values: np.ndarray) -> np.ndarray:
    """Floats, NULL as NaN (no stored value is NaN: the analyses refuse them)."""
    return np.where(pd.isna(values), np.nan, values).astype(float)


def _column_hash(values: np.ndarray) -> np.ndarray:
    return pd.util.hash_array(values, categorize=True)


def _row_hashes(columns: list[np.ndarray]) -> np.ndarray:
    """One uint64 per row from the per-column uint64 hashes, combined in column order."""
    if not columns:
        return np.empty(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        row = np.full(len(columns[0]), 0xCBF29CE484222325, dtype=np.uint64)
        for column in columns:
            row = (row ^ column) * _MULTIPLIER
    return row


def _update(digest, name: str, row_hashes: np.ndarray) -> None:
    ordered = np.sort(row_hashes)
    digest.update(f"{name}:{ordered.size};".encode())
    digest.update(ordered.astype("<u8").tobytes())


def dataset_fingerprint(*, public_only: bool = True) -> str:
    """sha256 (hex) of everything the analyses read; see the module docstring."""
    from observatory.coding.models import Code, Coding
    from observatory.inventory.models import Entity, EntitySource, Location, Relation, Source, StatusAssertion

    digest = hashlib.sha256(f"observatory-dataset-fingerprint/{FINGERPRINT_VERSION};".encode())
    entities = Entity.objects.public() if public_only else Entity.objects.filter(merged_into__isnull=True)

    fields = ["slug", "kind", "layer", "name", "name_zh", "founded_iso", "founded_precision", "closed_iso",
              "closed_precision", "province_code"]
    columns = _columns(entities.order_by().annotate(founded_iso=_iso("founded"), closed_iso=_iso("closed"))
                       .values_list("pk", *fields), len(fields) + 1)
    ids = _ints(columns[0])
    slug_hash = _column_hash(columns[1])
    _update(digest, "entities", _row_hashes([_column_hash(values) for values in columns[1:]]))

    # id → slug hash, and whether the id is an entity of the analysis, as dense lookup tables
    size = int(ids.max()) + 1 if ids.size else 1
    known = np.zeros(size, dtype=bool)
    known[ids] = True
    slug_of = np.zeros(size, dtype=np.uint64)
    slug_of[ids] = slug_hash

    def refs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(slug hashes, mask of the rows whose entity is in the analysis) for a column of entity ids."""
        array = _ints(values)
        inside = (array >= 0) & (array < size)
        inside[inside] = known[array[inside]]
        return slug_of[np.where(inside, array, 0)], inside

    # locations, with the rank of each among its entity's locations (by id): the analyses take the first
    owner, pk, lng, lat, precision, centroid, province, prefecture = _columns(
        Location.objects.order_by().values_list("entity_id", "id", "lng", "lat", "precision", "placed_at_centroid",
                                                "province_code", "prefecture_code"), 8)
    entity, inside = refs(owner)
    order = np.lexsort((_ints(pk), _ints(owner)))
    grouped = _ints(owner)[order]
    starts = np.r_[True, grouped[1:] != grouped[:-1]] if grouped.size else np.empty(0, dtype=bool)
    first = np.maximum.accumulate(np.where(starts, np.arange(grouped.size), 0)) if grouped.size else grouped
    rank = np.empty(grouped.size, dtype=np.uint64)
    rank[order] = np.arange(grouped.size) - first
    hashed = [entity, _column_hash(rank), _column_hash(_numbers(lng)), _column_hash(_numbers(lat)),
              _column_hash(precision), _column_hash(centroid.astype(bool).astype(np.uint64)),
              _column_hash(province), _column_hash(prefecture)]
    _update(digest, "locations", _row_hashes(hashed)[inside])

    source, target, rtype, since, until, weight = _columns(
        Relation.objects.order_by().annotate(from_iso=_iso("from_date"), to_iso=_iso("to_date"))
        .values_list("source_entity_id", "target_entity_id", "type", "from_iso", "to_iso", "weight"), 6)
    source, source_inside = refs(source)
    target, target_inside = refs(target)
    hashed = [source, _column_hash(rtype), target, _column_hash(since), _column_hash(until),
              _column_hash(_numbers(weight))]
    _update(digest, "relations", _row_hashes(hashed)[source_inside & target_inside])

    owner, path, confidence = _columns(Coding.objects.order_by().values_list("entity_id", "code__path",
                                                                             "confidence"), 3)
    entity, inside = refs(owner)
    hashed = [entity, _column_hash(path), _column_hash(_numbers(confidence))]
    _update(digest, "codings", _row_hashes(hashed)[inside])

    columns = _columns(Code.objects.order_by().values_list("path", "label_en"), 2)
    _update(digest, "codes", _row_hashes([_column_hash(values) for values in columns]))

    # what survival reads: dated statuses (with origin and confidence) and the issue dates of the
    # sources that establish or locate an entity (as the CSL text: its issued date is inside)
    owner, value, day, origin, confidence = _columns(
        StatusAssertion.objects.order_by().annotate(day_iso=_iso("date"))
        .values_list("entity_id", "value", "day_iso", "origin", "confidence"), 5)
    entity, inside = refs(owner)
    hashed = [entity, _column_hash(value), _column_hash(day), _column_hash(origin), _column_hash(_numbers(confidence))]
    _update(digest, "statuses", _row_hashes(hashed)[inside])
    issued = {pk: json.dumps((csl or {}).get("issued"), sort_keys=True) if isinstance(csl, dict) else ""
              for pk, csl in Source.objects.values_list("pk", "csl")}
    for name, queryset in (("entity-sources", EntitySource.objects.values_list("entity_id", "source_id")),
                           ("location-sources", Location.objects.filter(source__isnull=False)
                            .values_list("entity_id", "source_id"))):
        rows = list(queryset.order_by())
        owner = np.array([r[0] for r in rows], dtype=np.int64)
        dates = np.array([issued.get(r[1], "") for r in rows], dtype=object)
        entity, inside = refs(owner)
        _update(digest, name, _row_hashes([entity, _column_hash(dates)])[inside] if rows else np.empty(0, np.uint64))
    return digest.hexdigest()
