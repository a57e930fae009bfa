"""Fixed-window rate limits per client address (as ``ClientAddressMiddleware`` set it behind the
trusted proxies), and for writes per token too,
counted with ``add`` and ``incr`` in the default cache (one SQLite file shared by the host's workers,
observatory/sqlite_cache.py; Redis when REDIS_URL is set, shared across
workers)."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

__all__ = ["DEFAULT_RATE_LIMITS", "rate_limit_hit"]

# requests per window (seconds); override with settings.OBSERVATORY_API_RATE_LIMITS
DEFAULT_RATE_LIMITS = {"read": (600, 60), "write": (120, 60)}


def _limits() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_RATE_LIMITS, **getattr(settings, "OBSERVATORY_API_RATE_LIMITS", {})}


def _clients(request, kind: str) -> list[str]:
    """Who a request is counted against: always its address (a made-up token must not buy a fresh
    allowance), and for writes also the token, so curators behind one address each have theirs."""
    clients = ["ip:" + request.META.get("REMOTE_ADDR", "unknown")]
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if kind == "write" and header.lower().startswith("bearer "):
        clients.append("t:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:24])
    return clients


def _count(key: str, window: int) -> int:
    """Add one to the window's counter and return it; a new counter expires after the window (Redis
    keeps a key's expiry through INCR)."""
    cache.add(key, 0, timeout=window + 5)
    try:
        return cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        return 1


def rate_limit_hit(request) -> tuple[bool, int, int, int]:
    """Count the request; returns (over the limit, limit, remaining, seconds until the window ends)."""
    kind = "read" if request.method in {"GET", "HEAD", "OPTIONS"} else "write"
    limit, window = _limits()[kind]
    now = time.time()
    index = int(now // window)
    count = max(_count(f"api-rl:{kind}:{client}:{index}", window) for client in _clients(request, kind))
    reset = int((index + 1) * window - now) + 1
    return count > limit, limit, max(limit - count, 0), reset
