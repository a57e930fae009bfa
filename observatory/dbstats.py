"""Planner statistics after large writes.

PostgreSQL chooses its plans from table statistics that autovacuum refreshes only some time after
a large write (by default once a tenth of a table has changed, checked every minute). Right after a
bulk import the statistics still describe the empty or smaller tables, and a query joining the
relations to both of their entities was planned as a nested loop over every pair of entities, a
thousand times slower than with statistics (bench/bench_site.py --postgres). So the importer
refreshes them itself when it has written in bulk. ``ANALYZE`` samples at most 30,000 rows per
table, and it may run inside a transaction.

SQLite's planner works without statistics (and ``ANALYZE`` there would read every index whole), so
nothing is done there.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

__all__ = ["statistics_refresh"]


def statistics_refresh(models: Iterable[type[Model]], *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Refresh the planner statistics of the models' tables; whether anything was done."""
    connection = connections[using]
    tables = sorted({model._meta.db_table for model in models})
    if connection.vendor != "postgresql" or not tables:
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in tables))
    return True
