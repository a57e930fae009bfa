"""The census's writes: choose the targets, run (or resume) a census, keep every observation,
and infer from them a dated status beside the curated ones (never over them).

The fetching runs in a background thread with its own event loop (fetch.py); this thread keeps
the database: each observation is written as soon as it arrives, one short transaction each, so a
``kill -9`` loses only the observations in flight, and ``--resume`` fetches only what is missing.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

import observatory
from observatory.inventory import services as inventory_services
from observatory.inventory.lifecycle import LIFECYCLE_CONFIDENCE
from observatory.inventory.models import Entity, StatusAssertion

from .fetch import FetchSettings, Result, Target, census_fetch
from .models import CensusRun, Observation

__all__ = ["census_targets", "census_run", "census_infer", "CENSUS_SOURCE", "user_agent", "RULES"]

CENSUS_SOURCE = "observatory-census"
_FORGES = ("github.com", "gitee.com")

# The inference rules: name -> (value, confidence of one observation, confidence when persistent).
# A failure is persistent when it was seen in two runs or more, 30 days apart or more, with no
# sign of life between them. LIFECYCLE_CONFIDENCE (0.7) decides which of them count as evidence.
RULES = {
    "feed-item": ("active", 0.9, 0.9),
    "spaceapi-valid": ("active", 0.9, 0.9),
    "spaceapi-lastchange": ("active", 0.85, 0.85),
    "repository-commit": ("active", 0.85, 0.85),
    "website-answers": ("active", 0.8, 0.8),
    "parked-domain": ("closed", 0.75, 0.9),
    "dns-failure": ("closed", 0.6, 0.85),
    "http-410": ("closed", 0.75, 0.9),
    "http-404": ("closed", 0.5, 0.75),
    "redirect-off-domain": ("closed", 0.4, 0.6),
    "unreachable": ("closed", 0.3, 0.5),
}
PERSISTENT_DAYS = 30


def user_agent() -> str:
    contact = getattr(settings, "OBSERVATORY_CENSUS_CONTACT", "")
    return f"Observatory-census/{observatory.__version__} (+{contact}; research liveness census of innovation spaces)"


def _http(url: str) -> bool:
    return isinstance(url, str) and url.strip().lower().startswith(("http://", "https://"))


def census_targets(*, kinds: list[str] | None = None, sources: list[str] | None = None,
                   entities: list[str] | None = None, only: list[str] | None = None) -> list[Target]:
    """Every address to observe, in a stable order: websites (a GitHub or Gitee address is a
    repository), the SpaceAPI endpoints and the feeds kept in the entities' source records."""
    selection = Entity.objects.filter(merged_into__isnull=True)
    if kinds:
        selection = selection.filter(kind__in=kinds)
    if sources:
        selection = selection.filter(citations__source__key__in=sources)
    if entities:
        selection = selection.filter(slug__in=entities)
    selection = selection.distinct()
    found: dict[tuple, Target] = {}

    def add(entity_id, kind, url):
        url = url.strip()
        if _http(url) and len(url) <= 1000:
            found.setdefault((entity_id, kind, url), Target(entity_id, kind, url))

    for pk, website in selection.exclude(website="").values_list("pk", "website").iterator():
        host = website.split("/")[2].lower().removeprefix("www.") if website.count("/") >= 2 else ""
        add(pk, "repository" if host in _FORGES else "website", website)
    through = Entity.records.through.objects.filter(entity__in=selection.values("pk"))
    for pk, payload in through.values_list("entity_id", "sourcerecord__payload").iterator():
        if not isinstance(payload, dict):
            continue
        if _http(payload.get("endpoint")):
            add(pk, "spaceapi", payload["endpoint"])
        feeds = payload.get("feeds")
        if isinstance(feeds, dict):
            for name in ("blog", "wiki"):
                feed = feeds.get(name)
                if isinstance(feed, dict) and _http(feed.get("url")):
                    add(pk, "feed", feed["url"])
    targets = sorted(found.values(), key=lambda t: (t.entity_id, t.kind, t.url))
    if only:
        targets = [t for t in targets if t.kind in only]
    return targets


def _observation(run: CensusRun, result: Result) -> Observation:
    fields = {name: getattr(result, name) for name in (
        "http_status", "final_url", "left_domain", "redirects", "error", "error_detail", "parked", "title",
        "last_modified", "feed_newest", "spaceapi_version", "spaceapi_open", "spaceapi_lastchange",
        "repository_last_commit", "attempts", "elapsed_ms")}
    fields["title"] = fields["title"][:300]
    target = result.target
    try:  # one statement, autocommitted: what is written survives a kill -9
        return Observation.objects.create(run=run, entity_id=target.entity_id, kind=target.kind, url=target.url,
                                          observed_at=result.observed_at, outcome=result.outcome, **fields)
    except IntegrityError:  # already observed in this run (the unique constraint): keep the first
        return None


@dataclass
class CensusOutcome:
    run: CensusRun
    counts: Counter
    inferred: Counter
    interrupted: bool


def census_run(*, fetch_settings: FetchSettings, kinds=None, sources=None, entities=None, only=None,
               resume: CensusRun | None = None, on_result: Callable[[Result], None] | None = None,
               on_start: Callable[[CensusRun, int], None] | None = None,
               stop: threading.Event | None = None) -> CensusOutcome:
    """Run a census (or finish an interrupted one) and infer statuses from what it saw."""
    if resume is not None:
        run = resume
        options = run.options
        kinds, sources, entities, only = (options.get(k) for k in ("kinds", "sources", "entities", "only"))
    else:
        run = CensusRun.objects.create(options={"kinds": kinds, "sources": sources, "entities": entities,
                                                "only": only}, user_agent=fetch_settings.user_agent[:300])
    targets = census_targets(kinds=kinds, sources=sources, entities=entities, only=only)
    seen = set(run.observations.values_list("entity_id", "kind", "url"))
    pending = [t for t in targets if (t.entity_id, t.kind, t.url) not in seen]
    run.total, run.done, run.status, run.finished = len(targets), len(targets) - len(pending), "running", None
    run.save(update_fields=["total", "done", "status", "finished"])
    if on_start:
        on_start(run, len(pending))
    stop = stop or threading.Event()
    results: queue.Queue = queue.Queue(maxsize=max(8, fetch_settings.concurrency * 2))
    failure: list[BaseException] = []

    async def deliver(result: Result):
        import asyncio

        while not stop.is_set():  # a bounded hand-over: the fetchers wait while the database catches up
            try:
                results.put_nowait(result)
                return
            except queue.Full:
                await asyncio.sleep(0.005)

    def fetch():
        try:
            census_fetch(pending, fetch_settings, deliver, should_stop=stop.is_set)
        except BaseException as error:  # noqa: BLE001 — handed to the main thread, re-raised there
            failure.append(error)
        finally:
            results.put(None)

    thread = threading.Thread(target=fetch, name="census-fetch", daemon=True)
    thread.start()
    counts: Counter = Counter(run.observations.values_list("outcome", flat=True))
    last_saved = 0.0
    interrupted = False
    try:
        while True:
            result = results.get()
            if result is None:
                break
            _observation(run, result)
            counts[result.outcome] += 1
            run.done += 1
            if on_result:
                on_result(result)
            now = timezone.now().timestamp()
            if now - last_saved > 1.0:
                CensusRun.objects.filter(pk=run.pk).update(done=run.done)
                last_saved = now
            if stop.is_set():
                break  # what is fetched and not yet written is lost, as in flight at a kill
    except KeyboardInterrupt:
        stop.set()
    if stop.is_set():
        interrupted = True
        thread.join(timeout=fetch_settings.timeout + 1)
    if failure:
        raise failure[0]
    run.counts = dict(counts)
    if interrupted:
        run.status = "interrupted"
        run.save(update_fields=["done", "status", "counts"])
        return CensusOutcome(run, counts, Counter(), True)
    inferred = census_infer(run)
    run.counts = {**dict(counts), **{f"inferred {k}": v for k, v in inferred.items()}}
    run.status, run.finished = "done", timezone.now()
    run.save(update_fields=["done", "status", "counts", "finished"])
    return CensusOutcome(run, counts, inferred, False)


# ------------------------------------------------------------------------------------------------
# inference


def _alive_evidence(observation: Observation):
    """(date, rule, what) of the sign of life an observation gives, or None."""
    day = observation.observed_at.date()
    if observation.outcome != "alive":
        return None
    if observation.kind == "feed" and observation.feed_newest:
        return min(observation.feed_newest.date(), day), "feed-item", "the newest item of its feed"
    if observation.kind == "repository" and observation.repository_last_commit:
        return min(observation.repository_last_commit.date(), day), "repository-commit", "its latest commit"
    if observation.kind == "spaceapi" and observation.spaceapi_version:
        lastchange = observation.spaceapi_lastchange
        if lastchange and (observation.observed_at - lastchange).days > 365:
            return lastchange.date(), "spaceapi-lastchange", "the last change of its SpaceAPI door state"
        return day, "spaceapi-valid", "a valid SpaceAPI document"
    if observation.kind == "website":
        return day, "website-answers", f"its website answering {observation.http_status} on its own domain"
    return None


def _failure_rule(observation: Observation) -> str | None:
    if observation.parked:
        return "parked-domain"
    if observation.error == "dns":
        return "dns-failure"
    if observation.http_status == 410:
        return "http-410"
    if observation.http_status == 404:
        return "http-404"
    if observation.outcome == "moved":
        return "redirect-off-domain"
    if observation.outcome == "failed":
        return "unreachable"
    return None


def _describe(observation: Observation) -> str:
    if observation.error:
        return f"{observation.get_error_display()} at {observation.url}"
    if observation.parked:
        return f"a parked or for-sale page at {observation.final_url or observation.url}"
    if observation.outcome == "moved":
        return f"{observation.url} redirecting to another domain ({observation.final_url})"
    return f"HTTP {observation.http_status} at {observation.url}"


def census_infer(run: CensusRun) -> Counter:
    """One inferred status per entity observed in ``run``: "seen alive on DATE by X" when any of its
    addresses showed life, else "probably closed since DATE" from the failure that speaks loudest,
    dated at the first failure since its last sign of life. Re-running replaces only this run's own
    inferences; curated statuses and earlier runs' inferences are never touched."""
    source, _ = inventory_services.source_upsert(key=CENSUS_SOURCE, csl={
        "type": "dataset", "title": "Observatory liveness census", "publisher": "Observatory",
        "URL": "https://github.com/observatory-research/observatory/blob/main/docs/census.md"})
    locator = f"run:{run.pk}"
    counts: Counter = Counter()
    entity_ids = sorted(set(run.observations.values_list("entity_id", flat=True)))
    with transaction.atomic():
        StatusAssertion.objects.filter(origin="census", source=source, source_locator=locator).delete()
        for start in range(0, len(entity_ids), 500):
            chunk = entity_ids[start:start + 500]
            history: dict[int, list[Observation]] = {}
            for observation in Observation.objects.filter(entity_id__in=chunk, run__started__lte=run.started) \
                    .order_by("entity_id", "observed_at", "pk"):
                history.setdefault(observation.entity_id, []).append(observation)
            statuses = [s for s in (_infer_one(entity_id, history.get(entity_id, []), run, source, locator)
                                    for entity_id in chunk) if s]
            StatusAssertion.objects.bulk_create(statuses)
            for status in statuses:
                counts[f"{status.value} ({'counts' if status.confidence >= LIFECYCLE_CONFIDENCE else 'weak'})"] += 1
    return counts


def _infer_one(entity_id: int, history: list[Observation], run: CensusRun, source, locator: str):
    current = [o for o in history if o.run_id == run.pk]
    signs = [s + (o,) for o in current if (s := _alive_evidence(o))]
    if signs:
        day, rule, what, observation = max(signs, key=lambda s: (s[0], RULES[s[1]][1]))
        value, confidence, _ = RULES[rule]
        note = f"seen alive on {day.isoformat()} by {what} ({observation.url})"
        return StatusAssertion(entity_id=entity_id, value="active", kind="inferred", date=day, date_precision="day",
                               origin="census", confidence=confidence, rule=f"census:{rule}", note=note,
                               source=source, source_locator=locator)
    failing = [(o, r) for o in current if (r := _failure_rule(o))]
    if not failing:
        return None
    observation, rule = max(failing, key=lambda f: RULES[f[1]][1])
    # the streak: this address's observations since its last sign of life
    same = [o for o in history if o.kind == observation.kind and o.url == observation.url]
    last_alive = max((i for i, o in enumerate(same) if o.outcome == "alive"), default=-1)
    streak = [o for o in same[last_alive + 1:] if o.outcome not in ("skipped",)]
    since = streak[0].observed_at if streak else observation.observed_at
    runs = {o.run_id for o in streak}
    persistent = len(runs) >= 2 and (observation.observed_at - since) >= dt.timedelta(days=PERSISTENT_DAYS)
    _value, single, lasting = RULES[rule]
    confidence = lasting if persistent else single
    span = (f"seen in {len(runs)} runs over {(observation.observed_at - since).days} days" if persistent
            else "seen once")
    note = f"probably closed since {since.date().isoformat()}: {_describe(observation)} ({span})"
    return StatusAssertion(entity_id=entity_id, value="closed", kind="inferred", date=since.date(),
                           date_precision="day", origin="census", confidence=confidence,
                           rule=f"census:{rule}{'+persistent' if persistent else ''}", note=note[:2000],
                           source=source, source_locator=locator)
