"""Prepared querysets: a query of fixed shape compiled to SQL once, then run with new values.

Django compiles every queryset afresh: for the handful of small queries behind an entity page,
building and compiling the SQL costs several times more than running it. ``Prepared`` builds the
queryset once per process and database with marker values in place of the variable ones, keeps
its compiled SQL and the compiler's description of the columns, and on each run only substitutes
the values, runs the SQL on a cursor and turns the rows into model instances as Django's own
``ModelIterable`` does (the columns' converters, ``from_db`` with any deferred fields, plus the
``select_related`` objects); the converters and populators are worked out once per connection.

Limits, checked when the query is first compiled: each marker must reach the SQL parameters
unchanged (``exact`` and ``in`` lookups, not ``contains`` or ``iexact``), and the queryset must
yield model instances (no ``values()``, no ``prefetch_related``, no annotations), and it may hold
no date or time but a marker (one taken from the clock would be frozen at the first run).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

__all__ = ["Prepared", "attach_prefetched", "prepared_cursor"]


class Prepared:
    """A queryset of fixed shape, ``build(*values)``, compiled once and run with other values."""

    def __init__(self, build: Callable[..., QuerySet], *markers: Any) -> None:
        self._build = build
        self._markers = markers
        self._compiled: dict[tuple, tuple] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> tuple:
        queryset = self._build(*self._markers)
        if queryset._prefetch_related_lookups or queryset._iterable_class.__name__ != "ModelIterable":
            raise ValueError("a prepared queryset must yield model instances, without prefetch_related")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = tuple(params)
        for value in _lookup_values(queryset.query.where):
            if isinstance(value, (dt.date, dt.time)) and value not in self._markers:
                # a value of the clock (timezone.now() in a filter) would be frozen at the first run
                raise ValueError(f"a prepared queryset takes no date or time but its markers: {value!r}")
        positions = []
        for marker in self._markers:
            found = [i for i, param in enumerate(params) if type(param) is type(marker) and param == marker]
            if not found:
                raise ValueError(f"the marker {marker!r} does not reach the SQL parameters unchanged: {sql}")
            positions.append(found)
        klass_info = compiler.klass_info
        if compiler.annotation_col_map:
            raise ValueError("a prepared queryset takes no annotations")
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        init_list = [column[0].target.attname for column in compiler.select[start:end]]
        compiler.connection = None  # each run binds its own thread's connection; keep none alive
        return compiler, sql, params, positions, klass_info["model"], start, end, init_list

    def run(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> list[Model]:
        connection = connections[using]
        key = (using, connection.vendor)
        entry = self._compiled.get(key)
        if entry is None:
            with self._lock:
                entry = self._compiled.setdefault(key, self._compile(using))
        compiler, sql, params, positions, model, start, end, init_list = entry
        bound = list(params)
        for found, value in zip(positions, values, strict=True):
            for i in found:
                bound[i] = value
        converters, populators = self._row_readers(compiler, connection, using)
        with connection.cursor() as cursor:
            cursor.execute(sql, bound)
            rows = cursor.fetchall()
        objects = []
        for row in rows:
            if converters:
                row = list(row)
                for pos, convs, expression in converters:
                    value = row[pos]
                    for converter in convs:
                        value = converter(value, expression, connection)
                    row[pos] = value
            obj = model.from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects

    def _row_readers(self, compiler, connection, using: str) -> tuple[list, list]:
        """The column converters and the select_related populators, worked out once per connection
        (a converter may be a method of the connection's backend, so they are kept on it; the
        first run on a thread's connection pays what the ORM pays on every query)."""
        kept = connection.__dict__.setdefault("_observatory_prepared", {})
        readers = kept.get(self)
        if readers is None:
            bound = copy.copy(compiler)
            bound.connection = connection
            found = bound.get_converters([column[0] for column in compiler.select[:compiler.col_count]])
            converters = [(pos, convs, expression) for pos, (convs, expression) in sorted(found.items())]
            readers = kept[self] = (converters, get_related_populators(compiler.klass_info, compiler.select, using))
        return readers


def _lookup_values(node):
    """The right-hand values of the lookups in a WHERE tree (the backend may turn dates into text
    in the SQL parameters, so they are looked for here)."""
    for child in getattr(node, "children", ()):
        if hasattr(child, "children"):
            yield from _lookup_values(child)
        elif hasattr(child, "rhs"):
            yield child.rhs


def attach_prefetched(instance: Model, related_name: str, objects: list[Model]) -> None:
    """Give ``instance.<related_name>.all()`` the ``objects`` fetched for it (a reverse foreign key),
    as prefetch_related does: each object knows its instance, and the cached queryset keeps its
    (lazy) filter on the instance for any further filtering."""
    manager = getattr(instance, related_name)
    field = manager.field
    for obj in objects:
        field.set_cached_value(obj, instance)
    queryset = manager._apply_rel_filters(manager.model._default_manager.all())
    queryset._result_cache = objects
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[field.remote_field.cache_name] = queryset


def prepared_cursor(connection):
    """A cursor of ``connection`` whose statements the database keeps prepared.

    On PostgreSQL (unless ``OBSERVATORY_PREPARED_STATEMENTS`` is off), a cursor that binds its
    values on the server and prepares each statement it runs, so that a statement of fixed shape is
    planned once per connection instead of on every run (for the API's entity answer, planning cost
    2 ms and running it 0.7 ms). Django's own cursors bind on the client and never prepare, to keep
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
