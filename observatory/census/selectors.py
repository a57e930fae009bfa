"""Reads of the census's observations for the entity page, the API and the exports."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from .models import Observation

__all__ = ["observations_latest", "observation_list", "OBSERVATION_FIELDS"]

#: The fields of an observation the API and the exports publish (no error details: they can hold
#: server banners; the error's kind is enough to read the evidence).
OBSERVATION_FIELDS = ("observed_at", "kind", "url", "outcome", "http_status", "final_url", "left_domain", "error",
                      "parked", "title", "last_modified", "feed_newest", "spaceapi_version", "spaceapi_open",
                      "spaceapi_lastchange", "repository_last_commit", "run_id")


def observations_latest(entity, *, limit: int = 5) -> list[Observation]:
    """The entity's latest observations, newest first."""
    return list(Observation.objects.filter(entity=entity).order_by("-observed_at", "-pk")[:limit])


def observation_list(*, entity=None, kind: str = "", outcome: str = "", since: dt.date | None = None,
                     public_only: bool = True) -> QuerySet:
    queryset = Observation.objects.select_related("entity")
    if public_only:
        queryset = queryset.filter(entity__is_public=True, entity__merged_into__isnull=True)
    if entity is not None:
        queryset = queryset.filter(entity=entity)
    if kind:
        queryset = queryset.filter(kind=kind)
    if outcome:
        queryset = queryset.filter(outcome=outcome)
    if since is not None:
        queryset = queryset.filter(observed_at__date__gte=since)
    return queryset.order_by("-observed_at", "-pk")
