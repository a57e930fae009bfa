"""Key figures of the home page, the latest analysis runs, the timeline and the kinds' labels."""

from __future__ import annotations

from django.db.models import Count

from observatory.inventory.models import Entity, Relation
from observatory.inventory.taxonomy import LAYERS

from .memo import Memo

__all__ = ["analysis_latest", "brokers_top", "home_figures", "ranked_brokers", "timeline_per_year",
           "timeline_totals"]

_FIGURES = Memo("home-figures", 1)


def home_figures() -> dict:
    """Counts for the home page, kept per data signature."""
    return _FIGURES.get("figures", _home_figures)


def _home_figures() -> dict:
    public = Entity.objects.public()
    by_layer = dict(public.values_list("layer").annotate(n=Count("id")).values_list("layer", "n"))
    return {
        "entities": sum(by_layer.values()),
        "by_layer": [(slug, label, by_layer.get(slug, 0)) for slug, label in LAYERS],
        "relations": Relation.objects.public().count(),
        "provinces": public.exclude(province_code="").values("province_code").distinct().count(),
        "kinds": public.values("kind").distinct().count(),
    }


def analysis_latest(kind: str):
    """The latest finished run of a kind, or None."""
    from observatory.analysis.models import AnalysisRun

    return AnalysisRun.objects.filter(kind=kind, status="done").order_by("-finished", "-started", "-id").first()


def ranked_brokers(run) -> list[str]:
    """The brokers of a network run (slugs), in the order its summary names them: most pairs brokered
    across groups, then most in all (``observatory.analysis.network.broker_ranking``)."""
    nodes = ((run.result or {}).get("nodes") or {}) if run is not None else {}
    if not nodes:
        return []
    import pandas as pd

    from observatory.analysis.network import BROKERAGE_ROLES, broker_ranking

    roles = pd.DataFrame([[data.get(role) or 0 for role in BROKERAGE_ROLES] for data in nodes.values()],
                         index=list(nodes), columns=list(BROKERAGE_ROLES))
    return broker_ranking(roles).tolist()


def brokers_top(run, limit: int = 20) -> list[dict]:
    """The first ``limit`` of :func:`ranked_brokers`, with their roles and other measures."""
    nodes = ((run.result or {}).get("nodes") or {}) if run is not None else {}
    return [{"slug": slug, **{k: nodes[slug].get(k) for k in (
        "name", "name_zh", "layer", "kind", "coordinator", "itinerant", "representative", "gatekeeper",
        "liaison", "total", "constraint", "effective_size", "betweenness", "community", "significant",
        "significant_roles")}} for slug in ranked_brokers(run)[:limit]]


def timeline_per_year() -> tuple[list[dict], str]:
    """Foundings and closings per year and kind: from the latest timeline run, else computed live.
    Returns (records, origin) where origin is "run #N" or "live"."""
    run = analysis_latest("timeline")
    if run is not None and (run.result or {}).get("per_year"):
        return list(run.result["per_year"]), f"run #{run.pk}"
    rows = Entity.objects.public().filter(founded__isnull=False).values_list("founded", "closed", "kind")
    if not rows:
        return [], "live"
    from observatory.analysis.timeline import events_per_year

    founded, closed, kinds = zip(*[(f.year, c.year if c else None, k) for f, c, k in rows], strict=True)
    frame = events_per_year(founded, closed, kinds)
    return frame.to_dict(orient="records"), "live"


def timeline_totals(records: list[dict]) -> list[dict]:
    """Per year over all kinds: foundings, closings, active."""
    years: dict[int, dict] = {}
    for row in records:
        year = int(row["year"])
        slot = years.setdefault(year, {"year": year, "foundings": 0, "closings": 0, "active": 0})
        for key in ("foundings", "closings", "active"):
            slot[key] += int(row.get(key) or 0)
    return [years[y] for y in sorted(years)]
