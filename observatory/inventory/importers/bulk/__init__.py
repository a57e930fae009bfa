"""The bulk path of an import: the same records, entities and reports as the per-row path
(``runner._import_rows``), prepared as plain rows of values and written a table at a time
(``executemany`` of one prepared statement on SQLite, ``COPY`` on PostgreSQL).

The per-row path (``entity_upsert`` for every row) costs about seventy queries a row, which is
fine for a directory of a few thousand rows and too slow for a 100,000-row spreadsheet. Here the
work is split in two, one module each:

- :mod:`.preparation`: a row's stored payload and checksum, the importer's parsing and cleaning, the
  slug and, for a new entity, its parts built with the same validation and derivation as the entity
  services (:mod:`observatory.inventory.derivation`), down to the database values of each column.
  Computation only: from ``preparation.PARALLEL_FROM`` rows on it runs in forked worker processes,
  one per core, chunk by chunk;
- :mod:`.writing`: in this process, in the import's transaction, chunk by chunk in file order:
  the records inserted, the rows decided exactly as the per-row path decides them, the new entities
  and their parts inserted a table at a time, and their history versions.

:mod:`.spill` keeps on disk what would otherwise grow with the file (the identifiers seen, the
prepared chunks waiting for the transaction); :mod:`.pipeline` runs the two steps, preparing before
the import's transaction where it can. History of the creations: one revision for the import, one
version of each created entity (what django-reversion's JSON serializer writes of it); updates of
existing entities are versioned by ``entity_upsert`` as usual. Entities and records created by one
import share its timestamp.
"""

from __future__ import annotations

from .pipeline import rows_bulk_import, rows_bulk_prepare
from .spill import BulkPlan

__all__ = ["BulkPlan", "rows_bulk_import", "rows_bulk_prepare"]
