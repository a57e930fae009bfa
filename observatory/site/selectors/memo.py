"""One small cache for the public pages' computed answers (search rankings, map clusters, point
table, network layouts, key figures), kept per process.

Every entry is keyed by the data signature (:func:`observatory.pagecache.data_signature`), so any
write, in this process or another, makes the entries computed before it unreachable. Each named
:class:`Memo` keeps at most ``size`` entries and is emptied when full (recomputing is cheap next to
tracking recency). A lock guards its dictionary: the servers run requests on several threads. Two
threads that miss the same key both compute it; the later one's answer is kept, and the two are
equal. :func:`memo_reset` empties every memo (tests that change data call it through
``signature_reset``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

from observatory.pagecache import data_signature

__all__ = ["Memo", "memo_reset"]

_MEMOS: list[Memo] = []


class Memo:
    """A per-process memo of answers keyed by (data signature, key)."""

    def __init__(self, name: str, size: int) -> None:
        self.name, self.size = name, size
        self._entries: dict = {}
        self._lock = threading.Lock()
        _MEMOS.append(self)

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The answer kept for ``key`` under the current data signature, else ``compute()``, kept."""
        full = (data_signature(), key)
        with self._lock:
            if full in self._entries:
                return self._entries[full]
        value = compute()
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.clear()
            self._entries[full] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def memo_reset() -> None:
    """Empty every memo of the site."""
    for memo in _MEMOS:
        memo.clear()
