"""Running and storing analyses reproducibly.

:func:`analysis_run` reads the inventory through :mod:`.graphs`, calls the pure algorithms through
the runners in :mod:`.runners`, and stores an :class:`AnalysisRun` with its parameters, seed,
dataset fingerprint and code version. Results are JSON: an undefined number (a z-score whose
variance is 0, a silhouette of a single cluster) is stored as ``null`` and explained in ``notes`` —
never as NaN or infinity.
"""

from __future__ import annotations

import math
import subprocess
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

import observatory

from . import graphs
from .models import AnalysisFigure, AnalysisRun

__all__ = ["AnalysisInputError", "analysis_run", "code_version", "json_safe"]


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


def json_safe(value: Any, notes: list[str], path: str = "result") -> Any:
    """Convert numpy/pandas values to JSON; NaN and infinities become ``None`` with a note."""
    if isinstance(value, dict):
        return {str(k): json_safe(v, notes, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v, notes, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist(), notes, path)
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            notes.append(f"{path}: undefined ({'NaN' if math.isnan(number) else 'infinite'}) — stored as null")
            return None
        return number
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def analysis_run(kind: str, *, parameters: dict | None = None, seed: int | None = 0, user=None,
                 progress=None) -> AnalysisRun:
    """Run one analysis on the current data and store it. Raises :class:`AnalysisInputError` with a
    clear message when the data cannot support it (the failed run is stored with that message)."""
    from .runners import RUNNERS

    if kind not in RUNNERS:
        raise AnalysisInputError(f"unknown analysis {kind!r}; choose one of: {', '.join(RUNNERS)}")
    parameters = dict(parameters or {})
    run = AnalysisRun.objects.create(kind=kind, parameters=json_safe(parameters, []), seed=seed,
                                     dataset_fingerprint=graphs.dataset_fingerprint(), code_version=code_version(),
                                     created_by=user)
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
    notes: list[str] = list(outcome.get("notes", []))
    with transaction.atomic():
        run.result = json_safe(outcome["result"], notes)
        run.summary = outcome.get("summary", "")
        run.notes = notes
        run.status = "done"
        run.finished, run.duration_s = timezone.now(), time.perf_counter() - started
        run.save()
        for name, (title, svg, png) in outcome.get("figures", {}).items():
            AnalysisFigure.objects.create(run=run, name=name, title=title, svg=svg, png=png)
    return run


def _fail(run: AnalysisRun, message: str, started: float) -> None:
    run.status, run.error = "failed", message
    run.finished, run.duration_s = timezone.now(), time.perf_counter() - started
    run.save()
