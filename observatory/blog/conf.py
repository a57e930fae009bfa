"""The blog's settings, read with defaults (documented in docs/blog.md and docs/configuration.md)."""

from __future__ import annotations

from django.conf import settings


def get(name: str, default):
    return getattr(settings, name, default)


def citation_style() -> str:
    return get("OBSERVATORY_CITATION_STYLE", "apa") or "apa"


def notify_authors() -> bool:
    """E-mail the post's authors when a comment waits for moderation (off by default)."""
    return bool(get("OBSERVATORY_COMMENT_NOTIFY", False))


def rate_limit() -> tuple[int, int]:
    """At most N comments per address in S seconds: OBSERVATORY_COMMENT_RATE = "N/S" (5/600)."""
    raw = str(get("OBSERVATORY_COMMENT_RATE", "5/600"))
    try:
        count, seconds = (int(x) for x in raw.split("/"))
        if count >= 1 and seconds >= 1:
            return count, seconds
    except ValueError:
        pass
    return 5, 600


def akismet_key() -> str:
    """An Akismet API key turns the optional Akismet check on (off by default; see docs/blog.md)."""
    return str(get("OBSERVATORY_AKISMET_KEY", "") or "")
