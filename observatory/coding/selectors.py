"""Reads of the codings for pages and exports."""

from __future__ import annotations

from .models import Coding

__all__ = ["coding_list"]


def coding_list(*, entity_id: int, public_only: bool = True) -> list[Coding]:
    """The codings of one entity with their code and source, by code path; with ``public_only``,
    only those a reader may see (:meth:`CodingQuerySet.public`)."""
    codings = Coding.objects.select_related("code", "source").filter(entity_id=entity_id)
    if public_only:
        codings = codings.public()
    return list(codings.order_by("code__path", "id"))
