"""Rule checks on a submitted comment, before (and beside) the statistical classifier.

Each check is a pure function of the submission and a :class:`CommentLimits`; :func:`check_rules`
runs them all and returns the :class:`RuleHit` list (empty when the comment passes). The rules
catch what text statistics cannot see: bots that fill every field (the honeypot), post the
moment the page loads (fill time), or post too often from one address (the rate limiter).

Rate limiting and addresses
---------------------------
The limiter is keyed by a *hashed* IP address, never the address itself: :func:`hash_ip` is an
HMAC-SHA-256 of the address under a secret salt kept in the settings (not in the database), so a
leaked database or cache does not reveal readers' addresses and the key cannot be reversed by
hashing all 2**32 IPv4 addresses without the salt. Raw addresses must not be stored or logged.
Rotating the salt resets every counter, which is harmless.

:class:`RateLimiter` is the interface the Django layer depends on (``allow(key, now) -> bool``);
:class:`InMemoryRateLimiter` implements it for one process and for tests, with the sliding
window counter: the count of the previous fixed window, weighted by how much of it still
overlaps the sliding window, plus the count of the current one. It needs two counters per key
(unlike a log of timestamps) and errs by at most the unevenness of the previous window, which
is why the same algorithm is the usual choice over a shared cache (Redis ``INCR`` + ``EXPIRE``
on ``key:window``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass
from typing import Protocol

from .features import comment_links, normalise

__all__ = [
    "CommentLimits",
    "InMemoryRateLimiter",
    "RateLimiter",
    "RuleHit",
    "body_length_problem",
    "check_rules",
    "count_links",
    "filled_too_fast",
    "hash_ip",
    "honeypot_filled",
    "too_many_links",
]


@dataclass(frozen=True)
class CommentLimits:
    """The limits the rules apply; the defaults suit a research blog's comment form."""

    min_fill_seconds: float = 3.0  # a person needs longer than this to read and type
    max_links: int = 2
    min_length: int = 2  # characters after normalisation
    max_length: int = 5000


@dataclass(frozen=True)
class RuleHit:
    """A rule the comment broke: ``rule`` is a stable code, ``detail`` a sentence for moderators.

    ``hard`` rules (honeypot, rate limit, length) reject the comment outright; the others send
    it to moderation.
    """

    rule: str
    detail: str
    hard: bool


def honeypot_filled(value: str | None) -> bool:
    """True when the hidden field that people never see (and bots fill) holds anything."""
    return bool(value and value.strip())


def filled_too_fast(rendered_at: float | None, submitted_at: float, min_seconds: float) -> bool:
    """True when fewer than ``min_seconds`` passed between rendering the form and submitting it.

    Times are seconds (e.g. ``time.time()``). A missing or future render time counts as too
    fast: it means the signed timestamp field was removed or forged.
    """
    if rendered_at is None or not math.isfinite(rendered_at):
        return True
    # "not >=" so that a NaN submission time also counts as too fast.
    return not submitted_at - rendered_at >= min_seconds


def count_links(text: str) -> int:
    """Number of links in ``text``: explicit URLs, bare host names (``example.com``) and link
    targets inside HTML tags (``<a href=…>``), which the normalised text no longer shows."""
    return len(comment_links(text))


def too_many_links(text: str, max_links: int) -> bool:
    """True when ``text`` holds more than ``max_links`` links."""
    return count_links(text) > max_links


def body_length_problem(text: str, limits: CommentLimits) -> str | None:
    """A sentence saying why the body is too short or too long, or None when it is fine."""
    length = len(normalise(text))
    if length < limits.min_length:
        return f"the comment has {length} characters; the minimum is {limits.min_length}"
    if length > limits.max_length:
        return f"the comment has {length} characters; the maximum is {limits.max_length}"
    return None


class RateLimiter(Protocol):
    """Decides whether one more comment from ``key`` (a hashed IP) is allowed at ``now``."""

    def allow(self, key: str, now: float) -> bool:
        """Count an attempt by ``key`` at time ``now`` (seconds) and say whether it is allowed."""
        ...


class InMemoryRateLimiter:
    """At most ``limit`` comments per key in any ``window_seconds``, by the sliding window counter.

    Only attempts that are allowed are counted, so a blocked bot that keeps trying is let
    through again once its earlier comments age out. Counters live in this process: for
    several processes use the same algorithm over a shared cache.

    >>> limiter = InMemoryRateLimiter(limit=2, window_seconds=60)
    >>> [limiter.allow("k", t) for t in (0, 1, 2)]
    [True, True, False]
    >>> limiter.allow("k", 125)
    True
    """

    def __init__(self, *, limit: int, window_seconds: float) -> None:
        if limit < 1 or window_seconds <= 0:
            raise ValueError("limit must be at least 1 and window_seconds positive")
        self.limit = limit
        self.window_seconds = float(window_seconds)
        self._counts: dict[str, tuple[int, int, int]] = {}  # key -> (window, previous, current)

    def _state(self, key: str, now: float) -> tuple[int, int, int, float]:
        """(window, previous count, current count, weighted estimate) of ``key`` at ``now``."""
        window = math.floor(now / self.window_seconds)
        stored, previous, current = self._counts.get(key, (window, 0, 0))
        if stored < window:
            previous, current = (current if stored == window - 1 else 0), 0
            stored = window
        # stored > window means the clock went back: keep the newer counts, fully weighted.
        overlap = 1.0 - (now / self.window_seconds - window) if stored == window else 1.0
        return stored, previous, current, previous * overlap + current

    def estimate(self, key: str, now: float) -> float:
        """The weighted number of comments by ``key`` in the window ending at ``now``."""
        return self._state(key, now)[3]

    def allow(self, key: str, now: float) -> bool:
        window, previous, current, estimate = self._state(key, now)
        if estimate + 1 > self.limit:
            self._counts[key] = (window, previous, current)
            return False
        self._counts[key] = (window, previous, current + 1)
        return True

    def forget_idle(self, now: float) -> None:
        """Drop keys with no comment in the last two windows (bounds memory)."""
        window = math.floor(now / self.window_seconds)
        self._counts = {k: v for k, v in self._counts.items() if v[0] >= window - 1}


def hash_ip(address: str, salt: bytes) -> str:
    """The rate-limit key of an IP address: hex HMAC-SHA-256 of its canonical form under ``salt``.

    IPv6 addresses are cut to their /64 network first, since one home or phone gets a whole
    /64 and would otherwise have unlimited keys. ``salt`` must be a secret of at least 16 bytes.
    """
    if len(salt) < 16:
        raise ValueError("the salt must be a secret of at least 16 bytes")
    ip = ipaddress.ip_address(address.strip())
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv6Address):
        canonical = str(ipaddress.IPv6Network((ip, 64), strict=False))
    else:
        canonical = str(ip)
    return hmac.new(salt, canonical.encode("ascii"), hashlib.sha256).hexdigest()


def check_rules(
    body: str,
    *,
    honeypot: str | None = None,
    rendered_at: float | None = None,
    submitted_at: float,
    limits: CommentLimits | None = None,
    rate_limiter: RateLimiter | None = None,
    rate_key: str | None = None,
) -> list[RuleHit]:
    """Every rule the submission breaks, hard ones first; an empty list means it passes.

    ``rate_key`` must come from :func:`hash_ip`; the rate limiter is consulted only when both it
    and ``rate_key`` are given, and only if no other hard rule already rejected the comment (a
    rejected bot should not use up a shared address's allowance).
    """
    limits = limits or CommentLimits()
    hits: list[RuleHit] = []
    if honeypot_filled(honeypot):
        hits.append(RuleHit("honeypot", "the hidden field that only bots fill was filled", True))
    length_problem = body_length_problem(body, limits)
    if length_problem:
        hits.append(RuleHit("length", length_problem, True))
    if not hits and rate_limiter is not None and rate_key is not None:
        if not rate_limiter.allow(rate_key, submitted_at):
            hits.append(RuleHit("rate", "too many comments from this address in a short time", True))
    if filled_too_fast(rendered_at, submitted_at, limits.min_fill_seconds):
        hits.append(
            RuleHit(
                "fill-time",
                f"the form was sent less than {limits.min_fill_seconds:g} s after it was shown",
                False,
            )
        )
    links = count_links(body)
    if links > limits.max_links:
        hits.append(
            RuleHit("links", f"{links} links; at most {limits.max_links} are published unreviewed", False)
        )
    return hits
