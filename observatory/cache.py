"""Django's Redis cache backend, with one ``redis.Redis`` client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache operation,
and redis-py fills a dictionary of about 170 response callbacks in each one's constructor. A page
served from the cache makes two or three operations (data version, page, rate limit), so that
was a third of a millisecond per request, more than the Redis round trips. The client holds no
state but its pool, so one per pool is enough; Django keeps one cache object per thread, so a
client is never shared between threads.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis

__all__ = ["RedisCache"]


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
