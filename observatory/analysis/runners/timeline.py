"""The timeline runner: foundings and closings per year, survival by kind group (Kaplan–Meier, log-rank)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _

from .. import graphs
from ..services import AnalysisInputError
from .base import render_figures

#: The timeline's axis starts at the first founding in or after this year (the maker era) unless a
#: run asks otherwise (``axis_from``); foundings before it are listed apart as outliers.
MAKER_ERA_START = 2000
#: Survival groups smaller than this get no curve.
MIN_GROUP = 5
#: Why a dated actor stays out of the survival cohort, by the code the cohort's rows carry.
_UNUSABLE = {
    "no_evidence": _("no dated evidence of activity (source or status)"),
    "not_after_founding": _("last evidence or closing not after the founding date"),
    "one_date": _("observed at one date only (enters and leaves observation at once)"),
}


def _years(later, earlier) -> float:
    return (later - earlier).days / 365.25


def _kaplan_meier_lifelines(durations, events, entry, label: str):
    """Kaplan–Meier by lifelines (log(−log) confidence band) with delayed entry, as a frame of
    ``time``, ``at_risk``, ``events``, ``survival``, ``lower``, ``upper``; ``None`` and the reason
    when lifelines cannot estimate it (its StatError)."""
    from lifelines import KaplanMeierFitter
    from lifelines.exceptions import StatError

    fitter = KaplanMeierFitter()
    try:
        fitter.fit(durations, event_observed=events, entry=entry, label=label)
    except (StatError, ValueError) as exc:
        return None, str(exc).splitlines()[0]
    table = fitter.event_table
    band = fitter.confidence_interval_
    frame = pd.DataFrame({"time": fitter.survival_function_.index.to_numpy(dtype=float),
                          "survival": fitter.survival_function_.iloc[:, 0].to_numpy(dtype=float),
                          "lower": band.iloc[:, 0].to_numpy(dtype=float),
                          "upper": band.iloc[:, 1].to_numpy(dtype=float),
                          "at_risk": table["at_risk"].to_numpy(dtype=float),
                          "events": table["observed"].to_numpy(dtype=float)})
    frame = frame[frame["time"] > 0].reset_index(drop=True)
    return frame, None


def run_timeline(*, parameters: dict, seed: int | None, progress=None) -> dict:
    """Foundings and closings per year (axis from the maker era, outliers listed apart); Kaplan–Meier
    survival by kind group (lifelines) with each actor censored at its last evidence of activity and
    left truncation at its first dated evidence, log-rank with entry times; no closing → no curve."""
    from observatory.inventory.taxonomy import KINDS

    from .. import timeline
    from ..findings import Caveats, Excluded, in_both, sample

    try:
        era = int(parameters.get("axis_from") or MAKER_ERA_START)
    except (TypeError, ValueError):
        raise AnalysisInputError("axis_from must be a year, e.g. 2000") from None
    truncation = str(parameters.get("left_truncation", True)).lower() not in ("false", "0", "no", "off")
    parameters.update(axis_from=era, left_truncation=truncation)
    table = graphs.timeline_table()
    dated = table[table["founded"].notna()].copy()
    if dated.empty:
        raise AnalysisInputError("no entity has a founding date: the timeline needs founding years")
    excluded = Excluded()
    excluded.add(_("no founding date"), len(table) - len(dated))
    notes = [in_both(_("%(n)s of %(m)s actors have no founding date and are left out"), n=len(table) - len(dated),
                     m=len(table))]
    caveats = Caveats()
    dated["founded_year"] = pd.to_datetime(dated["founded"]).dt.year
    dated["closed_year"] = pd.to_datetime(dated["closing"]).dt.year
    outliers_mask = dated["founded_year"] < era
    outliers = [{"slug": r.slug, "name": r.name, "kind": r.kind, "founded": int(r.founded_year)}
                for r in dated[outliers_mask].sort_values("founded_year").itertuples()]
    in_era = dated[~outliers_mask]
    axis_start = int(in_era["founded_year"].min()) if len(in_era) else era
    per_year = timeline.events_per_year(in_era["founded_year"].to_numpy(), in_era["closed_year"].to_numpy(),
                                        in_era["kind"].to_numpy())
    missing_share = (len(table) - len(dated)) / len(table)
    if missing_share > 0.2:
        caveats.add(in_both(_("%(share)s of the actors have no founding date: the counts per year cover the others "
                              "only."), share=f"{missing_share:.0%}"))
    if outliers:
        caveats.add(in_both(_("%(n)s actors founded before %(year)s are listed apart, not drawn on the axis."),
                            n=len(outliers), year=era))
    # survival: founded → closing (event) or last evidence of life (censored); entry at first evidence
    dated["group"] = dated["kind"].map(lambda k: KINDS[k][3])
    founded = dated["founded"].tolist()
    closing = dated["closing"].tolist()
    last = dated["last_alive"].tolist()
    first = dated["first_evidence"].tolist()
    durations, events, entries, usable = [], [], [], []
    for f, c, la, fi in zip(founded, closing, last, first, strict=True):
        if c is not None and not pd.isna(c):
            exit_, event = _years(c, f), True
        elif la is not None and not pd.isna(la):
            exit_, event = _years(la, f), False
        else:
            durations.append(np.nan), events.append(False), entries.append(np.nan), usable.append("no_evidence")
            continue
        entry = max(0.0, _years(fi, f)) if truncation and fi is not None and not pd.isna(fi) else 0.0
        if exit_ <= 0:
            reason = "not_after_founding"
        elif entry >= exit_ and not event:
            reason = "one_date"
        else:
            reason = ""
            entry = min(entry, exit_ - 1e-9) if event else entry
        durations.append(exit_), events.append(event), entries.append(entry), usable.append(reason)
    dated["duration"], dated["event"], dated["entry"], dated["unusable"] = durations, events, entries, usable
    cohort = dated[dated["unusable"] == ""]
    closings = int(cohort["event"].sum())
    survival = None
    survival_reason = None
    curves: dict = {}
    groups_out: dict = {}
    comparison = None
    if closings == 0:
        survival_reason = in_both(_("survival cannot be estimated: no closing is recorded (every actor is censored)"))
        notes.append(survival_reason)
        caveats.add(in_both(_("No closing is recorded: survival cannot be estimated, and no curve is drawn.")))
    else:
        for group, rows in cohort.groupby("group"):
            if len(rows) < MIN_GROUP:
                groups_out[group] = {"n": len(rows), "estimable": False,
                                     "reason": f"fewer than {MIN_GROUP} actors"}
                continue
            km, problem = _kaplan_meier_lifelines(rows["duration"].to_numpy(dtype=float),
                                                  rows["event"].to_numpy(dtype=bool),
                                                  rows["entry"].to_numpy(dtype=float) if truncation else None,
                                                  str(group))
            if km is None:
                groups_out[group] = {"n": len(rows), "estimable": False, "reason": f"not estimable: {problem}"}
                continue
            curves[group] = km
            median = timeline.median_survival(km)
            groups_out[group] = {"n": len(rows), "closings": int(rows["event"].sum()), "estimable": True,
                                 "median_years": median if math.isfinite(median) else None,
                                 "curve": km.to_dict(orient="records")}
        if len(curves) >= 2:
            a, b = sorted(curves, key=lambda g: -int((cohort["group"] == g).sum()))[:2]
            ra, rb = cohort[cohort["group"] == a], cohort[cohort["group"] == b]
            comparison = {"groups": [a, b], "entry_times": truncation, **timeline.logrank_test(
                ra["duration"].to_numpy(dtype=float), ra["event"].to_numpy(), rb["duration"].to_numpy(dtype=float),
                rb["event"].to_numpy(), entry_a=ra["entry"].to_numpy(dtype=float) if truncation else None,
                entry_b=rb["entry"].to_numpy(dtype=float) if truncation else None)}
        for reason, count in Counter(r for r in usable if r).items():
            excluded.add(_UNUSABLE[reason], count)
        survival = {"groups": groups_out, "logrank": comparison, "closings": closings, "n": len(cohort),
                    "censoring": "at the last dated evidence of activity (source issue date or alive status)",
                    "left_truncation": "at the first dated evidence" if truncation else None,
                    "estimator": "Kaplan-Meier (lifelines), log(-log) confidence band"}
        if closings < 10:
            caveats.add(in_both(_("Only %(n)s closings are recorded: survival estimates are very imprecise."),
                                n=closings))
    summary = in_both(_("%(n)s dated actors founded %(a)s–%(b)s (axis from %(ax)s; %(o)s earlier listed apart); "
                        "%(c)s recorded closings%(estimable)s."),
                      n=len(dated), a=int(dated["founded_year"].min()), b=int(dated["founded_year"].max()),
                      ax=axis_start, o=len(outliers), c=closings,
                      estimable=_("; survival not estimable") if survival is None else "")

    def _per_year():
        from .. import figures as figs

        return figs.per_year_plot(per_year)

    def _km():
        from .. import figures as figs

        return figs.km_plot(curves) if curves else None

    builders = {"per-year": (in_both(_("Foundings and closings per year from %(start)s (n = %(n)s)"),
                                     start=axis_start, n=len(in_era)), _per_year)}
    if curves:
        builders["survival"] = (in_both(_("Survival of actors by group (Kaplan–Meier, n = %(n)s, %(c)s closings)"),
                                        n=len(cohort), c=closings), _km)
    return {"result": {"per_year": per_year.to_dict(orient="records"), "n_dated": len(dated), "n_total": len(table),
                       "axis": {"from": axis_start, "era_start": era}, "outliers": outliers,
                       "survival": survival, "survival_reason": survival_reason,
                       "sample": sample(len(cohort) if survival is not None else len(dated), excluded),
                       "caveats": caveats},
            "summary": summary, "notes": notes, "figures": render_figures(builders), "reasons": excluded.texts}
