"""Fixed-window rate limits per token (writes and authenticated reads) or per client address,
counted in the Django cache (local memory by default; Redis when REDIS_URL is set, shared across
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


def _client(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("bearer "):
        return "t:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:24]
    return "ip:" + request.META.get("REMOTE_ADDR", "unknown")


def rate_limit_hit(request) -> tuple[bool, int, int, int]:
    """Count the request; returns (over the limit, limit, remaining, seconds until the window ends)."""
    kind = "read" if request.method in {"GET", "HEAD", "OPTIONS"} else "write"
    limit, window = _limits()[kind]
    now = time.time()
    index = int(now // window)
    key = f"api-rl:{kind}:{_client(request)}:{index}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    reset = int((index + 1) * window - now) + 1
    return count > limit, limit, max(limit - count, 0), reset
