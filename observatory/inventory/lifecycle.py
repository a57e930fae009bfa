"""The life rules: which evidence says a space was alive, closed, accredited or revoked, and when.

This module is the one place of these rules; the survival analysis, the timeline, the entity page,
the filters "seen since YEAR" and "official status", the API and the exports all read through it.

Evidence comes from three origins (``StatusAssertion.origin``):

- ``document`` — a status a curator read in a source (a directory, an article, an interview);
- ``register`` — an official register imported as published (国家备案众创空间 lists, incubator
  lists and their review results), always counted;
- ``census`` — a status *inferred* from the liveness census's observations of an entity's web
  presence, with the ``confidence`` and ``rule`` that gave it. It counts as evidence only when its
  confidence reaches :data:`LIFECYCLE_CONFIDENCE`.

:data:`LIFECYCLE_CONFIDENCE` is 0.7. The census's rules (``observatory.census.services.RULES``)
give 0.8–0.9 to a sign of life (a website answering on its own domain, a valid SpaceAPI document,
a feed item, a repository commit), 0.75 to a parked or for-sale domain and to HTTP 410, and at most
0.6 to a single failure that is often transient or ambiguous (a DNS failure, a 404, a redirect to
another domain, a timeout, a 5xx, a TLS error); the same failure seen in two runs 30 days apart or
more with no sign of life between them rises to 0.75–0.9. So one bad night of a server never closes
a space in the survival analysis, and a domain that is gone or sold does. See docs/census.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When

from .dates import parse_fuzzy_date

if TYPE_CHECKING:  # pragma: no cover
    from .models import Entity

__all__ = [
    "LIFECYCLE_CONFIDENCE", "ALIVE_VALUES", "CLOSED_VALUES", "OFFICIAL_VALUES", "ALIVE_DATED_Q", "CLOSED", "CLOSED_DATED_Q", "closed_on",
    "StatusAssertionQuerySet", "counting_q", "LastSeen", "Standing",
    "last_seen", "official_standing", "official_statuses", "current_standings", "closing", "seen_since_q", "official_status_q", "source_date",
    "EntityEvidence", "entity_evidence",
]

#: The lowest confidence at which a census-inferred status counts as evidence of life or closing.
LIFECYCLE_CONFIDENCE = 0.7

#: Status values that show an entity alive on the status's date.
ALIVE_VALUES = ("active", "accredited", "relocated")
#: The status that closes a space's door (a revocation only takes it off a register).
CLOSED = "closed"
#: Status values that close an entity's life in the survival analysis (a revocation ends the
#: accredited life a register records; a census "probably closed" is stored as ``closed``).
CLOSED_VALUES = (CLOSED, "revoked")
#: The official standings a register records.
OFFICIAL_VALUES = ("accredited", "revoked")

#: A status that shows its entity alive on a date (with :func:`counting_q`, what :func:`last_seen` reads).
ALIVE_DATED_Q = Q(value__in=ALIVE_VALUES, date__isnull=False)
#: A closing on a known day: the history that stops a citing source from showing its entity alive
#: (:func:`closed_on`).
CLOSED_DATED_Q = Q(value=CLOSED, date__isnull=False)
#: An accreditation or a revocation (with :func:`counting_q`, an entity's official history).
OFFICIAL_Q = Q(value__in=OFFICIAL_VALUES)
#: The order of an entity's history: by date, an undated status first on every database (SQLite
#: puts NULL first by itself, PostgreSQL last), then as recorded.
HISTORY_ORDER = (F("date").asc(nulls_first=True), "pk")


#: The origin whose status notes are public: what the liveness census saw. A curator's note on a
#: document or register status stays private (pages, API, exports).
PUBLIC_NOTE_ORIGIN = "census"


def public_note(origin: str, note: str) -> str:
    """The part of a status's note a reader may see: the note of a census inference, else nothing."""
    return note if origin == PUBLIC_NOTE_ORIGIN else ""


def counting_q(prefix: str = "") -> Q:
    """The condition for a status assertion to count as evidence (``prefix`` for joins, e.g. ``statuses__``)."""
    p = prefix
    return (Q(**{f"{p}origin__in": ("document", "register")})
            | Q(**{f"{p}origin": "census", f"{p}confidence__gte": LIFECYCLE_CONFIDENCE}))


class StatusAssertionQuerySet(models.QuerySet):
    def counting(self):
        """Statuses that count as evidence: documents, registers, census inferences >= LIFECYCLE_CONFIDENCE."""
        return self.filter(counting_q())

    def with_counts(self):
        """Each status annotated with ``counts``: whether :func:`counting_q` holds for it, as a boolean.

        A ``CASE`` rather than the bare condition: a census status without a confidence makes the
        condition NULL in SQL, and it does not count.
        """
        return self.annotate(counts=Case(When(counting_q(), then=Value(True)), default=Value(False),
                                         output_field=models.BooleanField()))

    def closing(self):
        return self.filter(value__in=CLOSED_VALUES)


@dataclass(frozen=True)
class LastSeen:
    """The latest dated evidence that an entity was alive."""

    date: dt.date
    by: str  # "status" or "source"
    origin: str  # document / census / register for a status; "source" for a citing source
    label: str  # what showed it: the status's rule or note, or the source's key
    status_id: int | None = None
    source_id: int | None = None


@dataclass(frozen=True)
class Standing:
    """An entity's latest official standing in one programme (and the announcement that gave it)."""

    programme: str
    value: str  # accredited / revoked
    batch: str
    date: dt.date | None
    source_id: int | None
    status_id: int | None  # None when read from the entity document (entity_evidence)


def source_date(csl: dict) -> dt.date | None:
    """The issued date of a CSL-JSON item, to the finest part given (a year is its 1 January)."""
    issued = csl.get("issued") if isinstance(csl, dict) else None
    try:
        parts = [int(p) for p in issued["date-parts"][0]]
        return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except (TypeError, KeyError, IndexError, ValueError):
        return None


def _status_seen(date: dt.date, origin: str, rule: str, note: str, pk: int | None) -> LastSeen:
    """The evidence a counting, alive, dated status gives (its rule, or the public part of its note)."""
    return LastSeen(date, "status", origin, rule or public_note(origin, note)[:200], status_id=pk)


def closed_on(history: list[tuple[dt.date, bool]], when: dt.date) -> bool:
    """Whether an entity's dated history (``(date, closed)`` of its counting alive and ``closed``
    statuses, in :data:`HISTORY_ORDER`) shows it closed on ``when``: its latest status on or before
    that day is a closing. A revocation is not a closing here: a space off a register may still be open."""
    closed = False
    for date, is_closed in history:
        if date > when:
            break
        closed = is_closed
    return closed


def _later_citation(best: LastSeen | None, when: dt.date | None, key: str, source_id: int | None,
                    history: list[tuple[dt.date, bool]]) -> LastSeen | None:
    """A citing source's date replaces the evidence read so far only when it is later, and only when
    the entity was not closed on that day (a report of a closing, or a later mention of a closed
    space, is no sign of life)."""
    if when and (best is None or when > best.date) and not closed_on(history, when):
        return LastSeen(when, "source", "source", key, source_id=source_id)
    return best


def _dated_sources() -> dict[int, tuple[dt.date, str]]:
    from .models import Source

    dated = {}
    for pk, key, csl in Source.objects.values_list("pk", "key", "csl").iterator():
        when = source_date(csl)
        if when:
            dated[pk] = (when, key)
    return dated


def last_seen(entities) -> LastSeen | None | dict[int, LastSeen]:
    """The latest dated evidence an entity was alive: a counting status with an alive value, or a
    citing source's issued date (a publication that speaks of it as existing) unless the entity's
    statuses show it closed on that day (:func:`closed_on`).

    Given one entity, returns a :class:`LastSeen` or ``None``; given a queryset (or an iterable of
    ids), returns ``{entity_id: LastSeen}`` for those with any evidence.
    """
    from .models import Entity, EntitySource, StatusAssertion

    single = isinstance(entities, Entity)
    if single:
        ids = [entities.pk]
        statuses = StatusAssertion.objects.filter(entity_id=entities.pk)
        citations = EntitySource.objects.filter(entity_id=entities.pk)
    elif isinstance(entities, models.QuerySet):
        statuses = StatusAssertion.objects.filter(entity__in=entities.values("pk"))
        citations = EntitySource.objects.filter(entity__in=entities.values("pk"))
    else:
        ids = list(entities)
        statuses = StatusAssertion.objects.filter(entity_id__in=ids)
        citations = EntitySource.objects.filter(entity_id__in=ids)
    best: dict[int, LastSeen] = {}
    history: dict[int, list[tuple[dt.date, bool]]] = {}
    rows = (statuses.counting().filter(ALIVE_DATED_Q | CLOSED_DATED_Q)
            .values_list("entity_id", "value", "date", "origin", "rule", "note", "pk")
            .order_by("entity_id", *HISTORY_ORDER))
    for entity_id, value, *status in rows.iterator():  # the latest wins
        history.setdefault(entity_id, []).append((status[0], value == CLOSED))
        if value in ALIVE_VALUES:
            best[entity_id] = _status_seen(*status)
    issued: dict[int, dt.date | None] = {}                # each cited source's date, read with the citations
    for entity_id, source_id, key, csl in citations.values_list("entity_id", "source_id", "source__key",
                                                                 "source__csl").order_by("pk").iterator():
        if source_id not in issued:
            issued[source_id] = source_date(csl)
        seen = _later_citation(best.get(entity_id), issued[source_id], key, source_id, history.get(entity_id, []))
        if seen is not None:
            best[entity_id] = seen
    if single:
        return best.get(ids[0])
    return best


def closing(entities) -> dict[int, tuple[dt.date, int]]:
    """The earliest counting closing (closed or revoked) of each entity: ``{id: (date, status_id)}``."""
    from .models import StatusAssertion

    statuses = StatusAssertion.objects.filter(entity__in=entities.values("pk")) if isinstance(
        entities, models.QuerySet) else StatusAssertion.objects.filter(entity_id__in=list(entities))
    first: dict[int, tuple[dt.date, int]] = {}
    for entity_id, date, pk in (statuses.counting().closing().filter(date__isnull=False)
                                .values_list("entity_id", "date", "pk").order_by("entity_id", "-date", "-pk")):
        first[entity_id] = (date, pk)
    return first


def official_statuses(entity: Entity):
    """The entity's accreditations and revocations that count, in order of date (their history)."""
    return entity.statuses.counting().filter(OFFICIAL_Q).order_by(*HISTORY_ORDER)


def official_standing(entity: Entity) -> list[Standing]:
    """The latest official standing per programme: the last dated accreditation or revocation.

    Every accreditation and revocation stays in the entity's history (``StatusAssertion``); this is
    the standing they leave, by programme, with the batch and announcement that gave it.
    """
    return _standings(Standing(status.programme, status.value, status.batch, status.date, status.source_id,
                               status.pk) for status in official_statuses(entity))


def _standings(history) -> list[Standing]:
    """The last standing of each programme in an official history (in order of date), by programme."""
    latest: dict[str, Standing] = {}
    for standing in history:
        latest[standing.programme] = standing
    return sorted(latest.values(), key=lambda s: s.programme)


@dataclass(frozen=True)
class EntityEvidence:
    """One entity's evidence of life: its :func:`last_seen`, its :func:`official_statuses` and the
    :func:`official_standing` they leave."""

    last_seen: LastSeen | None
    official: list[dict]
    standing: list[Standing]


def entity_evidence(statuses: list[dict], citations) -> EntityEvidence:
    """:class:`EntityEvidence` of one entity from its record as already read, with no query: its
    statuses in the entity document's form (``observatory.coding.entity_document``: in
    :data:`HISTORY_ORDER`; a fuzzy ``date``, which reads back as the stored date since a status's date
    is stored as the first day of its period, ``StatusAssertion.clean``; ``counts`` decided by the
    database with :func:`counting_q`) and its cited sources as ``(key, csl)`` pairs in citation order. It reads what :func:`last_seen`,
    :func:`official_statuses` and :func:`official_standing` read from the database for one entity
    (``tests/inventory/test_lifecycle.py`` holds them equal); the statuses and standings name no
    database ids."""
    seen = None
    official = []
    history = []
    for status in statuses:
        if not status["counts"]:
            continue
        date = parse_fuzzy_date(status["date"])[0]
        if date is not None and status["value"] in ALIVE_VALUES:  # ALIVE_DATED_Q; the latest wins
            # census_note is the public part of the note already
            seen = _status_seen(date, status["origin"], status["rule"], status["census_note"], None)
        if date is not None and status["value"] in (*ALIVE_VALUES, CLOSED):   # ALIVE_DATED_Q | CLOSED_DATED_Q
            history.append((date, status["value"] == CLOSED))
        if status["value"] in OFFICIAL_VALUES:                     # OFFICIAL_Q
            official.append(status)
    for key, csl in citations:
        seen = _later_citation(seen, source_date(csl), key, None, history)
    return EntityEvidence(seen, official, _standings(
        Standing(s["programme"], s["value"], s["batch"], parse_fuzzy_date(s["date"])[0], None, None)
        for s in official))


def current_standings(entities) -> dict[int, dict[str, str]]:
    """``{entity_id: {programme: accredited|revoked}}``: :func:`official_standing` for many entities."""
    from .models import StatusAssertion

    statuses = StatusAssertion.objects.filter(entity__in=entities.values("pk")) if isinstance(
        entities, models.QuerySet) else StatusAssertion.objects.filter(entity_id__in=list(entities))
    standings: dict[int, dict[str, str]] = {}
    for entity_id, programme, value in (statuses.counting().filter(OFFICIAL_Q)
                                        .order_by("entity_id", *HISTORY_ORDER).values_list("entity_id", "programme", "value")):
        standings.setdefault(entity_id, {})[programme] = value
    return standings


def seen_since_q(year: int, prefix: str = "") -> Q:
    """Entities with evidence of life dated in or after ``year``: those whose :func:`last_seen` falls in
    or after it."""
    from .models import EntitySource, StatusAssertion

    start = dt.date(int(year), 1, 1)
    alive = StatusAssertion.objects.filter(counting_q(), entity_id=OuterRef(f"{prefix}pk"),
                                           value__in=ALIVE_VALUES, date__gte=start)
    recent_sources = [pk for pk, (when, _key) in _dated_sources().items() if when >= start]
    condition = Q(Exists(alive))
    if recent_sources:
        # a citation shows life unless the entity was closed on its day: entities never closed need no
        # more than the citation; the few with a closing are read by last_seen itself
        closings = StatusAssertion.objects.filter(counting_q()).filter(CLOSED_DATED_Q)
        ever_closed = closings.filter(entity_id=OuterRef(f"{prefix}pk"))
        cited = EntitySource.objects.filter(entity_id=OuterRef(f"{prefix}pk"), source_id__in=recent_sources)
        condition |= Q(Exists(cited)) & ~Q(Exists(ever_closed))
        closed_ids = closings.filter(entity__citations__source_id__in=recent_sources).values_list(
            "entity_id", flat=True).distinct()
        seen = [pk for pk, evidence in last_seen(list(closed_ids)).items() if evidence.date >= start]
        if seen:
            condition |= Q(**{f"{prefix}pk__in": seen})
    return condition


def official_status_q(value: str, programme: str = "") -> Q:
    """Entities whose latest official standing (in ``programme``, or in any) is ``value``."""
    from .models import StatusAssertion

    if value not in OFFICIAL_VALUES:
        raise ValueError(f"official status must be one of {', '.join(OFFICIAL_VALUES)}, not {value!r}")
    official = StatusAssertion.objects.filter(counting_q(), value__in=OFFICIAL_VALUES, entity_id=OuterRef("pk"))
    if programme:
        official = official.filter(programme=programme)
    # a later standing in the same programme replaces an earlier one
    later = StatusAssertion.objects.filter(
        counting_q(), value__in=OFFICIAL_VALUES, entity_id=OuterRef("entity_id"), programme=OuterRef("programme"),
    ).filter(Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), pk__gt=OuterRef("pk")))
    return Q(Exists(official.filter(value=value).exclude(Exists(later))))
