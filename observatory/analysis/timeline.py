"""Lifecycles of innovation spaces: survival (Kaplan-Meier, log-rank) and foundings/closings per year.

Durations are "closing date (or, if still open, the date of data collection: censored) − founding
date" (docs/methods.md, "Timeline and survival"). Spaces first observed after they were founded (a registry that starts in
2015, say) enter with *delayed entry*: pass ``entry`` so they are at risk only once observed,
otherwise survival is overestimated. Nothing here imports Django.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "events_per_year",
    "kaplan_meier",
    "logrank_test",
    "median_survival",
]

_Z95 = float(stats.norm.ppf(0.975))


def _survival_input(durations, events, entry, *, what: str = "durations"):
    t = np.asarray(durations, dtype=float).ravel()
    if t.size == 0:
        raise ValueError(f"{what} is empty: pass one duration per space")
    e = np.ones_like(t) if events is None else np.asarray(events, dtype=float).ravel()
    if e.shape != t.shape:
        raise ValueError(f"{what} has {t.size} values but events has {e.size}: give one event flag per duration")
    if not np.isin(e, (0, 1)).all():
        raise ValueError("events must be 1 (closed: the event happened) or 0 (still open: censored)")
    if not np.isfinite(t).all():
        raise ValueError(f"{what} contains NaN or infinite values; drop spaces without dates first")
    if entry is None:
        a = np.full_like(t, -np.inf)
    else:
        a = np.asarray(entry, dtype=float).ravel()
        if a.shape != t.shape:
            raise ValueError(f"entry has {a.size} values for {t.size} durations: give one entry time per space")
        if (a >= t).any():
            bad = int(np.flatnonzero(a >= t)[0])
            raise ValueError(f"space #{bad} enters at {a[bad]} but leaves at {t[bad]}: entry must be earlier "
                             "than the duration (exit)")
    return t, e.astype(int), a


def _risk_table(t: np.ndarray, e: np.ndarray, a: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """At risk (entry < time ≤ exit) and events at each of ``times``."""
    t_sorted = np.sort(t)
    a_sorted = np.sort(a)
    exited_before = np.searchsorted(t_sorted, times, side="left")     # exit < time
    entered = np.searchsorted(a_sorted, times, side="left")           # entry < time
    at_risk = entered - exited_before
    event_times = np.sort(t[e == 1])
    deaths = (np.searchsorted(event_times, times, side="right") - np.searchsorted(event_times, times, side="left"))
    return at_risk.astype(float), deaths.astype(float)


def kaplan_meier(durations, events=None, entry=None, *, alpha: float = 0.05) -> pd.DataFrame:
    """Kaplan-Meier estimate of the survival function, with Greenwood errors and log-log intervals.

    Definition. At each distinct event time t_i with d_i events among n_i spaces at risk,
    Ŝ(t) = Π_{t_i ≤ t} (1 − d_i/n_i). A space is at risk at t iff entry < t ≤ exit (left truncation,
    as R ``Surv(entry, exit, event)``). Greenwood: Var(log Ŝ) = Σ d_i / (n_i (n_i − d_i)). The
    confidence interval is built on log(−log Ŝ) (R ``conf.type = "log-log"``, the lifelines default):
    Ŝ^exp(±z·se/log Ŝ).

    Parameters
    ----------
    durations : array of exit times (closing, or end of observation when censored)
    events : array of 1 (closed) / 0 (censored); default all 1
    entry : array of entry times, optional (delayed entry)
    alpha : float
        1 − confidence level.

    Returns
    -------
    DataFrame, one row per distinct event time, columns ``time``, ``at_risk``, ``events``, ``survival``,
    ``se`` (Greenwood standard error of log Ŝ, R's ``std.err``), ``lower``, ``upper``. The interval is
    NaN where it is undefined (Ŝ = 0 or 1, or an infinite variance once everybody has closed).

    Examples
    --------
    >>> km = kaplan_meier([2, 3, 3, 5], [1, 1, 0, 1])
    >>> km[["time", "at_risk", "events", "survival"]].values.tolist()
    [[2.0, 4.0, 1.0, 0.75], [3.0, 3.0, 1.0, 0.5], [5.0, 1.0, 1.0, 0.0]]

    References
    ----------
    Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete observations. *JASA* 53, 457-481.
    Greenwood, M. (1926). The natural duration of cancer. *Reports on Public Health and Medical Subjects* 33.
    Kalbfleisch, J. D. & Prentice, R. L. (2002). *The Statistical Analysis of Failure Time Data*, 2nd ed.
    """
    t, e, a = _survival_input(durations, events, entry)
    times = np.unique(t[e == 1])
    at_risk, deaths = _risk_table(t, e, a, times)
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(1 - deaths / at_risk)
        var = np.cumsum(deaths / (at_risk * (at_risk - deaths)))
        se = np.sqrt(var)
        z = stats.norm.ppf(1 - alpha / 2)
        log_s = np.log(survival)
        defined = (survival > 0) & (survival < 1) & np.isfinite(se)
        spread = np.where(defined, z * se / log_s, np.nan)
        lower = np.where(defined, survival ** np.exp(-spread), np.nan)
        upper = np.where(defined, survival ** np.exp(spread), np.nan)
    frame = pd.DataFrame({"time": times, "at_risk": at_risk, "events": deaths, "survival": survival,
                          "se": se, "lower": lower, "upper": upper})
    frame.attrs["undefined"] = ("lower/upper are undefined (NaN) where the estimate is 0 or 1 or its variance "
                                "is infinite")
    return frame


def median_survival(km, events=None, entry=None) -> float:
    """Median survival time: the first time Ŝ(t) ≤ 0.5 (R ``survfit`` rule: when Ŝ equals 0.5 exactly
    up to the next event time, the midpoint of the two times).

    Parameters
    ----------
    km : DataFrame from :func:`kaplan_meier`, or an array of durations (then ``events``/``entry`` as
        in :func:`kaplan_meier`).

    Returns
    -------
    float; NaN when survival never falls to 0.5 ("not reached": report it as such, not as a number).

    Examples
    --------
    >>> median_survival(kaplan_meier([2, 3, 3, 5], [1, 1, 0, 1]))
    4.0
    """
    if not isinstance(km, pd.DataFrame):
        km = kaplan_meier(km, events, entry)
    surv = km["survival"].to_numpy()
    times = km["time"].to_numpy()
    below = np.flatnonzero(surv <= 0.5 + 1e-12)
    if below.size == 0:
        return math.nan
    i = int(below[0])
    if abs(surv[i] - 0.5) < 1e-12 and i + 1 < len(times):
        return float((times[i] + times[i + 1]) / 2)
    return float(times[i])


def logrank_test(durations_a, events_a, durations_b, events_b, entry_a=None, entry_b=None) -> dict:
    """Log-rank test of equal survival in two groups (Mantel 1966), with delayed entry.

    At each distinct event time of the pooled sample, with n = n_a + n_b at risk and d events,
    E_a = d·n_a/n and V = d·(n_a/n)(n_b/n)(n − d)/(n − 1); the statistic (Σ(O_a − E_a))² / ΣV is
    χ² with 1 degree of freedom under equal hazards.

    Returns
    -------
    dict with ``statistic``, ``p``, ``df`` (1), ``observed_a``, ``expected_a``, ``observed_b``,
    ``expected_b``. ``statistic`` and ``p`` are NaN when no event happens (variance 0).

    Examples
    --------
    >>> result = logrank_test([1, 2, 3], [1, 1, 1], [4, 5, 6], [1, 1, 1])
    >>> round(result["statistic"], 3), round(result["p"], 4)
    (5.052, 0.0246)

    References
    ----------
    Mantel, N. (1966). Evaluation of survival data and two new rank order statistics arising in its
    consideration. *Cancer Chemotherapy Reports* 50, 163-170.
    """
    ta, ea, aa = _survival_input(durations_a, events_a, entry_a, what="durations_a")
    tb, eb, ab = _survival_input(durations_b, events_b, entry_b, what="durations_b")
    times = np.unique(np.concatenate([ta[ea == 1], tb[eb == 1]]))
    na, da = _risk_table(ta, ea, aa, times)
    nb, db = _risk_table(tb, eb, ab, times)
    n, d = na + nb, da + db
    with np.errstate(divide="ignore", invalid="ignore"):
        expected_a = np.where(n > 0, d * na / n, 0.0)
        var = np.where(n > 1, d * (na / n) * (nb / n) * (n - d) / (n - 1), 0.0)
    o_a, e_a, v = float(da.sum()), float(expected_a.sum()), float(var.sum())
    statistic = (o_a - e_a) ** 2 / v if v > 0 else math.nan
    p = float(stats.chi2.sf(statistic, 1)) if v > 0 else math.nan
    return {"statistic": statistic, "p": p, "df": 1, "observed_a": o_a, "expected_a": e_a,
            "observed_b": float(db.sum()), "expected_b": float(d.sum()) - e_a}


def events_per_year(founded_years: Iterable, closed_years: Iterable | None = None, kinds: Iterable | None = None, *,
                    start: int | None = None, end: int | None = None) -> pd.DataFrame:
    """Foundings, closings and active spaces per year and kind.

    A space founded in year f and closed in year c (None: still open) counts as a founding in f, a
    closing in c, and as active at the end of every year y with f ≤ y < c. So, for every kind,
    active(y) = active(y − 1) + foundings(y) − closings(y), the usual stock-flow identity. Spaces
    without a founding year are skipped and counted in ``attrs["skipped"]``.

    Parameters
    ----------
    founded_years : iterable of int or None
    closed_years : iterable of int or None, optional
    kinds : iterable of str, optional (default: a single kind "all")
    start, end : int, optional
        Year range; default from the first founding to the last founding or closing.

    Returns
    -------
    DataFrame with columns ``year``, ``kind``, ``foundings``, ``closings``, ``active``, one row per year
    and kind, sorted by kind then year.

    Examples
    --------
    >>> table = events_per_year([2014, 2015, 2015], [2016, None, None])
    >>> table[["year", "foundings", "closings", "active"]].values.tolist()
    [[2014, 1, 0, 1], [2015, 2, 0, 3], [2016, 0, 1, 2]]
    """
    founded = list(founded_years)
    closed = [None] * len(founded) if closed_years is None else list(closed_years)
    kind_list = ["all"] * len(founded) if kinds is None else [str(k) for k in kinds]
    if not (len(founded) == len(closed) == len(kind_list)):
        raise ValueError(f"founded_years ({len(founded)}), closed_years ({len(closed)}) and kinds "
                         f"({len(kind_list)}) must have the same length: one entry per space")

    def year(value):
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
            return None
        return int(getattr(value, "year", value))

    records, skipped = [], 0
    for f, c, k in zip(founded, closed, kind_list, strict=True):
        fy, cy = year(f), year(c)
        if fy is None:
            skipped += 1
            continue
        if cy is not None and cy < fy:
            raise ValueError(f"a space of kind {k!r} closes in {cy} before it is founded in {fy}: fix its dates")
        records.append((fy, cy, k))
    if not records:
        raise ValueError("no space has a founding year: nothing to count")
    years_seen = [r[0] for r in records] + [r[1] for r in records if r[1] is not None]
    first = start if start is not None else min(years_seen)
    last = end if end is not None else max(years_seen)
    years = np.arange(first, last + 1)
    rows = []
    for kind in sorted({r[2] for r in records}):
        mine = [r for r in records if r[2] == kind]
        f = np.array([r[0] for r in mine])
        c = np.array([r[1] if r[1] is not None else np.iinfo(np.int64).max for r in mine], dtype=np.int64)
        for y in years:
            rows.append({"year": int(y), "kind": kind, "foundings": int((f == y).sum()),
                         "closings": int((c == y).sum()), "active": int(((f <= y) & (c > y)).sum())})
    frame = pd.DataFrame(rows, columns=["year", "kind", "foundings", "closings", "active"])
    frame.attrs["skipped"] = skipped
    return frame
