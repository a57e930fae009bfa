"""Two cache backends shared by the worker processes: ``SQLiteCache`` (one file on the host, the
default) and ``RedisCache`` (when ``REDIS_URL`` is set).

``RedisCache`` is Django's Redis backend with one ``redis.Redis`` client per connection pool.
Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache operation,
and redis-py fills a dictionary of about 170 response callbacks in each one's constructor. A page
served from the cache makes two or three operations (data version, page, rate limit), so that
was a third of a millisecond per request, more than the Redis round trips. The client holds no
state but its pool, so one per pool is enough; Django keeps one cache object per thread, so a
client is never shared between threads.
"""

from __future__ import annotations

import os
import pickle
import random
import sqlite3
import time
from pathlib import Path

from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

__all__ = ["RedisCache", "SQLiteCache"]


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # the pools live as long as this object (Django keeps them in self._pools), so their
            # ids are never reused while the entry exists
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count_in_window(self, key: str, timeout: int) -> int:
        """Add one to the counter ``key`` and return it; a new counter expires after ``timeout``
        seconds. One round trip, in a transaction, so no counter is ever left without its expiry
        (Django's ``add`` then ``incr`` take three: add, exists, incrby)."""
        key = self.make_and_validate_key(key)
        client = self._cache.get_client(key, write=True)
        pipe = client.pipeline(transaction=True)
        pipe.set(key, 0, ex=timeout, nx=True)
        pipe.incr(key)
        return pipe.execute()[1]


class SQLiteCache(BaseCache):
    """A cache in one SQLite file beside the database, shared by every worker process on the host:
    what holds the rate-limit counts (API, comments) and the admin login attempts when there is no
    Redis, so a limit of 600 reads a minute is 600 for the site, not per worker.

    A file of its own, not a table of the site's database: on SQLite the site's database has one
    writer at a time, and a count per request written there would make every read wait behind an
    import. Counters are plain SQL integers, so ``incr`` and ``count_in_window`` are one atomic
    statement each; other values are pickled (only this process family writes the file).
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

    def count_in_window(self, key: str, timeout: int) -> int:
        """Add one to the counter ``key`` and return it; a new (or expired) counter starts at 1 and
        expires after ``timeout`` seconds. One statement, so atomic across processes."""
        key = self.make_and_validate_key(key)
        now = time.time()
        db = self._db()
        row = db.execute("INSERT INTO cache VALUES (?, 1, ?) ON CONFLICT(key) DO UPDATE SET "
                         "value = CASE WHEN cache.expires > ? THEN cache.value + 1 ELSE 1 END, "
                         "expires = CASE WHEN cache.expires > ? THEN cache.expires ELSE excluded.expires END "
                         "RETURNING value", (key, now + timeout, now, now)).fetchone()
        self._cull_now_and_then(db)
        return row[0]

    def clear(self) -> None:
        self._db().execute("DELETE FROM cache")

    def close(self, **kwargs) -> None:
        pass  # one connection per process and thread, kept for its life
