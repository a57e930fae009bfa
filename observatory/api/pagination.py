"""Opaque, stable cursors: the position after the last item of a page, over the primary key.

Ordering by id keeps pages stable while records are edited (an edit does not move a record);
integrators who sync use ``updated_since`` with a fresh walk."""

from __future__ import annotations

import base64
import binascii

from .errors import ApiError

__all__ = ["MAX_LIMIT", "DEFAULT_LIMIT", "cursor_decode", "cursor_encode", "paginate"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def cursor_encode(kind: str, last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{last_id}".encode()).decode().rstrip("=")


def cursor_decode(kind: str, cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        prefix, _, value = raw.partition(":")
        if prefix != kind or not value.isdigit() or len(value) > 19:
            raise ValueError(raw)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, f"cursor {cursor[:60]!r} is not a cursor of this list; use the next_cursor of a "
                            "previous page, or leave it out to start from the beginning",
                       code="bad_cursor", details={"field": "cursor"}) from None


def paginate(queryset, *, kind: str, cursor: str | None, limit: int) -> tuple[list, str | None]:
    after = cursor_decode(kind, cursor)
    rows = list(queryset.filter(pk__gt=after).order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (cursor_encode(kind, rows[-1].pk) if more and rows else None)
