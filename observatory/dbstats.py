"""Database upkeep after large writes: planner statistics, and the SQLite write-ahead log.

PostgreSQL chooses its plans from table statistics that autovacuum refreshes only some time after
a large write (by default once a tenth of a table has changed, checked every minute). Right after a
bulk import the statistics still describe the empty or smaller tables, and a query joining the
relations to both of their entities was planned as a nested loop over every pair of entities, a
thousand times slower than with statistics (bench/bench_site.py --postgres). So the importer
refreshes them itself when it has written in bulk. ``ANALYZE`` samples at most 30,000 rows per
table, and it may run inside a transaction.

SQLite's planner works without statistics (and ``ANALYZE`` there would read every index whole), so
nothing is done there.

SQLite in WAL mode appends every page a transaction writes to the write-ahead log, pages of a
transaction that is rolled back (an import's dry run) included, and reuses that file without
shrinking it: after a large import the log stayed as large as everything the import wrote
(docs/benchmarks.md, section large-import), until the last connection to the database closed.
:func:`wal_truncate` copies the log into the database and empties the file
(``PRAGMA wal_checkpoint(TRUNCATE)``, https://www.sqlite.org/pragma.html#pragma_wal_checkpoint);
the importer calls it before and after each import, so the log a killed import left is emptied by
the next one. ``journal_size_limit`` (settings.py) bounds what any other writer leaves behind.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

__all__ = ["statistics_refresh", "wal_truncate"]


def statistics_refresh(models: Iterable[type[Model]], *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Refresh the planner statistics of the models' tables; whether anything was done."""
    connection = connections[using]
    tables = sorted({model._meta.db_table for model in models})
    if connection.vendor != "postgresql" or not tables:
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in tables))
    return True


def wal_truncate(*, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Checkpoint SQLite's write-ahead log and empty its file; whether it was emptied.

    Only outside a transaction (a checkpoint cannot copy what a transaction still holds). The
    checkpoint waits for readers still reading older pages up to the busy timeout, and holds back
    other writers meanwhile; if readers remain it does what it can and leaves the file (False).
    """
    connection = connections[using]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, _pages, _copied = cursor.fetchone()
    return busy == 0
