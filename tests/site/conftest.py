"""Fixtures of the public-site tests: stored analysis runs shaped as `observatory analyze` stores them."""

from __future__ import annotations

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _fresh_signature():
    """The map's point table is cached per data signature for a few seconds: start every test fresh."""
    from observatory.site import selectors

    selectors.signature_reset()
    yield
    selectors.signature_reset()


@pytest.fixture
def analysis_runs(mini_dataset):
    """A done run of each kind, with the result keys the pages read."""
    from observatory.analysis.models import AnalysisFigure, AnalysisRun

    def run(kind, result, summary, notes=()):
        item = AnalysisRun.objects.create(kind=kind, parameters={"seed": 1}, seed=1, dataset_fingerprint="f" * 64,
                                          code_version="test", status="done", result=result, summary=summary,
                                          notes=list(notes), finished=timezone.now())
        AnalysisFigure.objects.create(run=item, name=f"{kind}-figure", title=f"A {kind} figure",
                                      svg='<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', png=b"")
        return item

    node = {"coordinator": 0, "itinerant": 0, "representative": 1, "gatekeeper": 2, "liaison": 3, "total": 6,
            "constraint": 0.5, "effective_size": 2.0, "betweenness": 0.4, "pagerank": 0.2, "community": 0}
    quiet = dict(node, representative=0, gatekeeper=0, liaison=0, total=0, betweenness=0.0)
    return {
        "network": run("network", {"nodes": {
            "x-factory": {"name": "X.factory", "name_zh": "柴火造物中心", "layer": "physical", "kind": "makerspace",
                          **node},
            "seeed-studio": {"name": "Seeed Studio", "name_zh": "", "layer": "organizational", "kind": "company",
                             **quiet}}}, "2 actors, 1 tie; 1 actor brokers between layers.",
            ["z-scores are undefined where the null model's variance is 0"]),
        "spatial": run("spatial", {"counts": {"province": {"440000": 5}, "prefecture": {"440300": 5}},
                                   "density_per_10k_km2": {"province": {"440000": 0.2783},
                                                           "prefecture": {"440300": 25.0}}},
                       "5 located actors; most in 广东省 Guangdong 5."),
        "timeline": run("timeline", {"per_year": [
            {"year": 2008, "kind": "company", "foundings": 1, "closings": 0, "active": 1},
            {"year": 2011, "kind": "makerspace", "foundings": 1, "closings": 0, "active": 1},
            {"year": 2012, "kind": "makerspace", "foundings": 0, "closings": 1, "active": 0}]},
            "2 dated actors founded 2008–2011; 1 recorded closing."),
    }
