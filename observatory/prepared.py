"""A PostgreSQL cursor whose statements are prepared on the server (the entity document's
statement, :mod:`observatory.coding.entity_document`)."""

from __future__ import annotations

import functools

from django.conf import settings
from django.db.backends.utils import CursorDebugWrapper

__all__ = ["prepared_cursor"]


def prepared_cursor(connection):
    """A cursor of ``connection`` whose statements the database keeps prepared.

    On PostgreSQL (unless ``OBSERVATORY_PREPARED_STATEMENTS`` is off), a cursor that binds its
    values on the server and prepares each statement it runs, so that a statement of fixed shape is
    planned once per connection instead of on every run (the entity document's plan costs more than
    its run: docs/api.md). Django's own cursors bind on the client and never prepare, to keep
    older connection poolers working; psycopg keeps the connection's prepared statements, up to 100,
    and deallocates them after a rollback.

    Only for a statement whose result columns cannot change type: once a migration changes the type
    of a column a prepared statement returns (even a ``max_length``), PostgreSQL refuses to run it
    again on that connection ("cached plan must not change result type"), and a connection kept
    open by ``DATABASE_CONN_MAX_AGE`` would keep failing. A statement that returns one text column,
    as the entity answer does, is planned again instead. Elsewhere, the connection's usual cursor
    (Python's SQLite driver keeps its statements prepared already).

    The cursor goes through Django's wrapper, so errors, execute wrappers and the query log behave
    as for any query.
    """
    if connection.vendor != "postgresql" or not settings.OBSERVATORY_PREPARED_STATEMENTS:
        return connection.cursor()
    # what connection.cursor() does before it makes a cursor
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # psycopg prepares a statement when asked (prepare=True) or after this many runs of it:
        # here only when asked, so that no other cursor of the connection starts preparing
        raw.prepare_threshold = 2**31 - 1
    cursor = _preparing_cursor_class()(raw)
    return _LoggedCursor(cursor, connection) if connection.queries_logged else connection.make_cursor(cursor)


class _LoggedCursor(CursorDebugWrapper):
    """Logs a statement with its values, as Django logs its own queries (psycopg keeps no text of a
    statement whose values are bound on the server, from which Django would read it)."""

    def debug_sql(self, sql=None, params=None, use_last_executed_query=False, many=False):
        if use_last_executed_query and not many:
            try:
                sql = self.db.ops.compose_sql(sql, params)
            except Exception:  # noqa: BLE001 - a value the client cannot write: the query will say so, wrapped
                pass
            use_last_executed_query = False
        return super().debug_sql(sql, params, use_last_executed_query, many)


@functools.cache
def _preparing_cursor_class():
    import psycopg  # only on PostgreSQL

    class PreparingCursor(psycopg.Cursor):
        """Binds its parameters on the server, and prepares what it runs."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor
