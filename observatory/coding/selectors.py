"""Reads of the codings for pages and exports."""

from __future__ import annotations

from observatory.prepared import Prepared

from .models import Coding

__all__ = ["coding_list"]


def _codings(entity_id, *, public_only: bool):
    codings = Coding.objects.select_related("code", "source").filter(entity_id=entity_id)
    if public_only:
        codings = codings.public()
    return codings.order_by("code__path", "id")


# compiled once per process (observatory/prepared.py): the entity page reads them afresh
_CODINGS = {public: Prepared(lambda pk, public=public: _codings(pk, public_only=public), -(2**31) + 17)
            for public in (True, False)}


def coding_list(*, entity_id: int, public_only: bool = True) -> list[Coding]:
    """The codings of one entity with their code and source, by code path; with ``public_only``,
    only those a reader may see (:meth:`CodingQuerySet.public`)."""
    return _CODINGS[public_only].run(entity_id)
