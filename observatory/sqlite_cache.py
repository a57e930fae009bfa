"""``SQLiteCache``: the default cache (rate-limit counts, admin login attempts), one SQLite file on
the host shared by the worker processes. Several hosts share Redis (``REDIS_URL``, django-redis).

It implements Django's public cache API (``BaseCache``) only; the rate limits count with ``add`` and
``incr`` here as on every other backend.
"""

from __future__ import annotations

import os
import pickle
import random
import sqlite3
import time
from pathlib import Path

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

__all__ = ["SQLiteCache"]


class SQLiteCache(BaseCache):
    """A cache in one SQLite file beside the database, shared by every worker process on the host:
    what holds the rate-limit counts (API, comments) and the admin login attempts when there is no
    Redis, so a limit of 600 reads a minute is 600 for the site, not per worker.

    A file of its own, not a table of the site's database: on SQLite the site's database has one
    writer at a time, and a count per request written there would make every read wait behind an
    import. Counters are plain SQL integers, so ``add`` and ``incr`` are one atomic statement
    each (the rate limits count with them, as on every backend); other values are pickled (only this process family writes the file).
    Durability is not needed (a lost count after a power cut is harmless): ``synchronous=OFF``.
    """

    _SCHEMA = ("CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value, expires REAL NOT NULL) "
               "WITHOUT ROWID")

    def __init__(self, location, params) -> None:
        super().__init__(params)
        self._path = str(location)
        self._connection = None
        self._pid = 0

    def _db(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():  # a fork inherits no connection
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self._path, timeout=10, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute(self._SCHEMA)
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def _expiry(self, timeout) -> float:
        seconds = self.get_backend_timeout(timeout)
        return 1e18 if seconds is None else seconds

    @staticmethod
    def _dump(value):
        return value if type(value) is int else sqlite3.Binary(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))

    @staticmethod
    def _load(value):
        return value if isinstance(value, int) else pickle.loads(value)  # noqa: S301 (our own file)

    def _cull_now_and_then(self, db) -> None:
        if random.random() < 0.01:  # noqa: S311
            db.execute("DELETE FROM cache WHERE expires <= ?", (time.time(),))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        db = self._db()
        cursor = db.execute("INSERT INTO cache VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                            "expires = excluded.expires WHERE cache.expires <= ?",
                            (key, self._dump(value), self._expiry(timeout), time.time()))
        self._cull_now_and_then(db)
        return cursor.rowcount == 1

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self._db().execute("SELECT value FROM cache WHERE key = ? AND expires > ?", (key, time.time())).fetchone()
        return default if row is None else self._load(row[0])

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        key = self.make_and_validate_key(key, version=version)
        db = self._db()
        db.execute("INSERT OR REPLACE INTO cache VALUES (?, ?, ?)", (key, self._dump(value), self._expiry(timeout)))
        self._cull_now_and_then(db)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        cursor = self._db().execute("UPDATE cache SET expires = ? WHERE key = ? AND expires > ?",
                                    (self._expiry(timeout), key, time.time()))
        return cursor.rowcount == 1

    def delete(self, key, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return self._db().execute("DELETE FROM cache WHERE key = ?", (key,)).rowcount == 1

    def has_key(self, key, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return self._db().execute("SELECT 1 FROM cache WHERE key = ? AND expires > ?",
                                  (key, time.time())).fetchone() is not None

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self._db().execute("UPDATE cache SET value = value + ? WHERE key = ? AND expires > ? "
                                 "AND typeof(value) = 'integer' RETURNING value", (delta, key, time.time())).fetchone()
        if row is None:
            raise ValueError(f"Key '{key}' not found")
        return row[0]

    def clear(self) -> None:
        self._db().execute("DELETE FROM cache")

    def close(self, **kwargs) -> None:
        pass  # one connection per process and thread, kept for its life
