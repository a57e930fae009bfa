"""What every stored run states about itself: its ``sample`` (the cases used and, per reason, the
cases left out) and its ``caveats`` (plain statements, in English and Chinese, of what the result can
and cannot support), generated from the run. Also the one place where a value the data cannot
support becomes ``None`` with its reason."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

__all__ = ["Caveats", "not_estimable", "sample"]


def sample(n: int, excluded: Mapping[str, int] | Counter | None = None) -> dict:
    """``{"n": cases used, "excluded": {reason: count}}``, reasons with a zero count dropped."""
    return {"n": int(n), "excluded": {str(k): int(v) for k, v in (excluded or {}).items() if int(v)}}


def not_estimable(reason_en: str, reason_zh: str) -> dict:
    """The record of a value that cannot be estimated: stored beside the ``None`` it explains."""
    return {"estimable": False, "reason": {"en": reason_en, "zh": reason_zh}}


class Caveats(list):
    """A list of ``{"en": ..., "zh": ...}`` statements; :meth:`add` keeps them unique and in order."""

    def add(self, en: str, zh: str) -> None:
        entry = {"en": en, "zh": zh}
        if entry not in self:
            self.append(entry)
