"""Running and storing analyses reproducibly.

:func:`analysis_run` reads the inventory through :mod:`.graphs`, calls the pure algorithms through
the runners in :mod:`.runners`, and stores an :class:`AnalysisRun` with its parameters, seed,
dataset fingerprint and code version. Results are JSON: an undefined number (a z-score whose
variance is 0, a silhouette of a single cluster) is stored as ``null`` and explained in ``notes`` —
never as NaN or infinity. The summary, notes and figure titles are stored in English in their fields
and, in English and Chinese, in ``result["texts"]`` (:func:`.findings.in_both`).
"""

from __future__ import annotations

import math
import subprocess
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import observatory

from .fingerprint import dataset_fingerprint
from .models import AnalysisFigure, AnalysisRun

__all__ = ["AnalysisInputError", "JsonReady", "Outcome", "analysis_run", "analysis_runs", "code_version", "dataset_fingerprint",
           "json_safe"]


class AnalysisInputError(ValueError):
    """The data cannot support the analysis asked for (empty graph, one group, no points...)."""


@lru_cache(maxsize=1)
def code_version() -> str:
    """The package version and, in a git checkout, the commit (with ``+dirty`` for local edits)."""
    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True,
                                timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "observatory"], cwd=root,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return f"{observatory.__version__}+{commit}{'.dirty' if dirty else ''}"
    except (OSError, subprocess.SubprocessError):
        return observatory.__version__


class JsonReady(dict):
    """A mapping its runner built of JSON values only — str, int, bool, None, finite floats, and
    lists and dicts of them — with every undefined number already null and noted: :func:`json_safe`
    keeps it as it is instead of walking it (a network run's actors at 100k entities hold about 3.5
    million values). A test holds each one equal to what the walk would make of it."""


def json_safe(value: Any, notes: list[dict], path: str = "result") -> Any:
    """Convert numpy/pandas values to JSON; NaN and infinities become ``None`` with a note (an English
    and Chinese pair, :func:`.findings.in_both`).

    One pass over the value; the path of an element (``result.nodes.a.z_liaison``, ``result.L[3]``)
    is only spelled out for the note of an undefined number, and arrays of finite numbers are
    converted whole (the results of large runs hold hundreds of thousands of numbers)."""
    trail: list = []   # keys (str, after a dict) and indices (int, in a list) from ``path`` down
    sentences: dict = {}   # the two notes in both languages, placeholders unfilled: rendered once per call

    def undefined(number: float) -> None:
        where = path + "".join(f"[{step}]" if type(step) is int else f".{step}" for step in trail)
        if not sentences:
            from .findings import in_both

            sentences[True] = in_both(_("%(field)s: undefined (NaN), stored as null"))
            sentences[False] = in_both(_("%(field)s: undefined (infinite), stored as null"))
        notes.append({key: text % {"field": where} for key, text in sentences[math.isnan(number)].items()})

    def walk(item: Any) -> Any:
        kind = type(item)
        if kind is JsonReady:
            return item
        if kind is float:
            if item - item == 0.0:          # finite (NaN and ±inf give NaN)
                return item
            undefined(item)
            return None
        if kind is str or kind is int or kind is bool or item is None:
            return item
        if kind is dict or isinstance(item, dict):
            out = {}
            for key, element in item.items():
                key = key if type(key) is str else str(key)
                kind = type(element)
                if (kind is str or kind is int or kind is bool or element is None
                        or (kind is float and element - element == 0.0)):   # as JSON takes it: no call, no trail
                    out[key] = element
                    continue
                trail.append(key)
                out[key] = walk(element)
                trail.pop()
            return out
        if kind is list or kind is tuple or isinstance(item, list | tuple):
            out = []
            for index, element in enumerate(item):
                kind = type(element)
                if (kind is str or kind is int or kind is bool or element is None
                        or (kind is float and element - element == 0.0)):
                    out.append(element)
                    continue
                trail.append(index)
                out.append(walk(element))
                trail.pop()
            return out
        if isinstance(item, np.ndarray):
            if item.dtype.kind in "biu" or (item.dtype.kind == "f" and np.isfinite(item).all()):
                return item.tolist()
            return walk(item.tolist())
        if isinstance(item, np.bool_ | bool):
            return bool(item)
        if isinstance(item, np.integer):
            return int(item)
        if isinstance(item, np.floating | float):
            return walk(float(item))
        if hasattr(item, "isoformat"):
            return item.isoformat()
        return item

    return walk(value)


def analysis_run(kind: str, *, parameters: dict | None = None, seed: int | None = 0, user=None,
                 progress=None, fingerprint: str | None = None) -> AnalysisRun:
    """Run one analysis on the current data and store it. Raises :class:`AnalysisInputError` with a
    clear message when the data cannot support it (the failed run is stored with that message).

    ``fingerprint`` is the :func:`dataset_fingerprint` of the data as it is now, when the caller has
    just computed it (``analyze all`` computes it once for its four runs); by default it is computed
    here."""
    from .runners import RUNNERS

    if kind not in RUNNERS:
        raise AnalysisInputError(f"unknown analysis {kind!r}; choose one of: {', '.join(RUNNERS)}")
    parameters = dict(parameters or {})
    run = AnalysisRun.objects.create(kind=kind, parameters=json_safe(parameters, []), seed=seed,
                                     dataset_fingerprint=fingerprint or dataset_fingerprint(),
                                     code_version=code_version(), created_by=user)
    started = time.perf_counter()
    try:
        outcome = RUNNERS[kind](parameters=parameters, seed=seed, progress=progress)
    except AnalysisInputError as exc:
        _fail(run, str(exc), started)
        raise
    except Exception as exc:
        # A defect, not bad data: keep the failed run with the error so it can be reported.
        _fail(run, f"internal error: {type(exc).__name__}: {exc}", started)
        raise
    # the runner's texts are English/Chinese pairs (observatory.analysis.findings.in_both)
    notes: list[dict] = list(outcome.get("notes", []))
    summary = outcome.get("summary") or {"en": "", "zh": ""}
    figures = outcome.get("figures", {})
    result = dict(outcome["result"])
    # every run states its sample and its limits (observatory.analysis.findings)
    result.setdefault("sample", {"n": 0, "excluded": {}})
    result.setdefault("caveats", [])
    with transaction.atomic():
        run.parameters = json_safe(parameters, [])       # as the runner completed them (defaults named)
        run.result = json_safe(result, notes)
        run.result["texts"] = {"summary": summary, "notes": notes,
                               "titles": {name: title for name, (title, _drawn) in figures.items()},
                               "reasons": dict(outcome.get("reasons") or {})}
        run.summary = summary["en"]
        run.notes = [note["en"] for note in notes]
        run.status = "done"
        run.finished, run.duration_s = timezone.now(), time.perf_counter() - started
        run.save()
        for name, (title, drawn) in figures.items():
            (svg, png), (svg_zh, png_zh) = drawn["en"], drawn["zh-hans"]
            AnalysisFigure.objects.create(run=run, name=name, title=title["en"], svg=svg, png=png, svg_zh=svg_zh,
                                          png_zh=png_zh)
    return run


class Outcome(NamedTuple):
    """What became of one analysis of :func:`analysis_runs`: its stored run, or why it did not run
    (``failure`` is ``"input"`` for data that cannot support it, ``"internal"`` for a defect)."""

    kind: str
    run_id: int | None
    failure: str = ""
    message: str = ""


def _outcome(kind: str, parameters: dict, seed: int | None, fingerprint: str) -> Outcome:
    try:
        run = analysis_run(kind, parameters=parameters, seed=seed, fingerprint=fingerprint)
    except AnalysisInputError as exc:
        return Outcome(kind, None, "input", str(exc))
    except Exception as exc:  # noqa: BLE001 — a defect: reported by the caller, the other analyses go on
        return Outcome(kind, None, "internal", f"{type(exc).__name__}: {exc}")
    return Outcome(kind, run.pk)


def _outcome_in_worker(task: tuple) -> Outcome:
    from django.db import connections

    try:
        return _outcome(*task)
    finally:
        connections.close_all()


def parallel_possible() -> bool:
    """True when analyses may run in forked processes: the database is one other processes can open
    (not SQLite in memory), no transaction is open (its uncommitted rows would be invisible to them,
    as in a test), and this is the main thread (a fork copies one thread only)."""
    import threading

    from django.db import connection

    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    return not in_memory and not connection.in_atomic_block and threading.current_thread() is threading.main_thread()


def analysis_runs(kinds: list[str], *, parameters: dict[str, dict], seed: int | None = 0, jobs: int = 1,
                  fingerprint: str | None = None, on_done=None) -> list[Outcome]:
    """Run several analyses of the same data (one :func:`dataset_fingerprint` for all) and return
    their :class:`Outcome` in the order of ``kinds``; ``on_done(outcome)`` is called as each ends.

    With ``jobs`` > 1 (and :func:`parallel_possible`), the analyses run in that many forked worker
    processes, the first kinds first (put the longest first): they read the same data and each is
    seeded, so a run stores what it stores when run alone; each writes its own run. Otherwise they
    run one after another in this process."""
    fingerprint = fingerprint or dataset_fingerprint()
    tasks = [(kind, dict(parameters.get(kind) or {}), seed, fingerprint) for kind in kinds]
    done: dict[str, Outcome] = {}
    if jobs > 1 and len(tasks) > 1 and parallel_possible():
        import multiprocessing

        from django.db import connections

        connections.close_all()                            # each worker opens its own
        with multiprocessing.get_context("fork").Pool(min(jobs, len(tasks))) as pool:
            for outcome in pool.imap_unordered(_outcome_in_worker, tasks, chunksize=1):
                done[outcome.kind] = outcome
                if on_done:
                    on_done(outcome)
    else:
        for task in tasks:
            outcome = done[task[0]] = _outcome(*task)
            if on_done:
                on_done(outcome)
    return [done[kind] for kind in kinds]


def _fail(run: AnalysisRun, message: str, started: float) -> None:
    run.status, run.error = "failed", message
    run.finished, run.duration_s = timezone.now(), time.perf_counter() - started
    run.save()
