"""The bulk path from end to end: rows prepared (before the import's transaction if they can be),
then written in it.

:func:`rows_bulk_prepare` prepares every row outside any transaction (on SQLite the import's
transaction holds the one write lock, so it is then held only for the writing) into a
:class:`~.spill.BulkPlan`; :func:`rows_bulk_import` writes the plan if the database has not changed
under it meanwhile (the fingerprint of what preparing read: the source's records, the slugs under its
prefix, the record links, the sources' keys), and prepares again, inside its transaction, if it has.
A row whose identifier appeared earlier in the file is rejected (:func:`_kept`), its reject
reported in file order.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from observatory.inventory.models import Entity, Source, SourceRecord

from .preparation import _Context, _prepared_chunks
from .spill import BulkPlan, _Keys
from .writing import _Writer

__all__ = ["rows_bulk_import", "rows_bulk_prepare"]


def _state(source: Source) -> dict:
    """What preparing depends on in the database: the source's records, the slugs under its
    prefix, the record links, and the sources' keys (citations point to them)."""
    from django.utils.text import slugify

    from ..runner import entity_slug_for

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
