"""Django's SQLite backend, with reads that never take the write lock.

SQLite in WAL mode lets any number of readers work beside one writer, but a transaction started
with ``BEGIN IMMEDIATE`` holds the write lock from its first statement. Django's ``transaction_mode``
applies one mode to every ``atomic()`` block, so a page that only reads inside one (the admin's
changelists, which django-reversion wraps in a revision) used to lock out every writer while it ran.

Here a transaction starts ``BEGIN IMMEDIATE`` (a writer queues for the lock up front, and so never
fails on upgrading a read lock) unless the code runs inside :func:`reads_only` — which
``observatory.middleware.DatabaseLockMiddleware`` applies to every GET, HEAD and OPTIONS request —
where it starts ``BEGIN DEFERRED`` and only ever takes a read snapshot. A read request that writes
all the same still works; it takes the lock at its first write.

A file database's folder (``var/`` by default) is created on the first connection, so that
``observatory migrate`` works in a fresh checkout.

Selected in settings.py as ENGINE ``observatory.sqlite_backend``.
"""

from __future__ import annotations

import contextlib
import contextvars
from pathlib import Path

from django.db.backends.sqlite3 import base

__all__ = ["DatabaseWrapper", "reads_only"]

_reads_only = contextvars.ContextVar("observatory_sqlite_reads_only", default=False)


@contextlib.contextmanager
def reads_only():
    """Transactions opened inside start deferred: they hold no write lock until they write."""
    token = _reads_only.set(True)
    try:
        yield
    finally:
        _reads_only.reset(token)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        name = conn_params.get("database")
        if isinstance(name, str | Path) and not self.is_in_memory_db() and not str(name).startswith("file:"):
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        return super().get_new_connection(conn_params)

    def _start_transaction_under_autocommit(self):
        if _reads_only.get():
            self.cursor().execute("BEGIN DEFERRED")
        else:
            super()._start_transaction_under_autocommit()
