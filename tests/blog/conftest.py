"""Blog fixtures: the mini dataset with two literature sources, published posts, a stored run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

KEANE = {"type": "article-journal", "title": "Renegades on the Frontier of Innovation: The Shanzhai Grassroots "
         "Communities of Shenzhen in China's Creative Economy", "author": [{"family": "Keane", "given": "Michael"},
         {"family": "Zhao", "given": "Elaine Jing"}], "issued": {"date-parts": [[2012]]},
         "container-title": "Eurasian Geography and Economics", "volume": "53", "issue": "2", "page": "216-230"}
CASTELLS = {"type": "book", "title": "The Informational City: Information Technology, Economic Restructuring, and "
            "the Urban-Regional Process", "author": [{"family": "Castells", "given": "Manuel"}],
            "issued": {"date-parts": [[1989]]}, "publisher": "Blackwell", "publisher-place": "Oxford"}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def literature(db):
    from observatory.inventory.services import source_upsert

    source_upsert(key="keane2012", csl=KEANE)
    source_upsert(key="castells1989", csl=CASTELLS)


@pytest.fixture
def make_post(db, literature):
    from observatory.blog.models import Post
    from observatory.blog.services import post_save

    def make(slug="shanzhai", body="Shanzhai makers [@keane2012, p. 220].", *, status="published", language="en",
             tags=("shenzhen",), published_at=None, **extra):
        post = Post(slug=slug, title=extra.pop("title", slug.replace("-", " ").title()), language=language,
                    status=status, body_markdown=body,
                    published_at=published_at or (timezone.now() - dt.timedelta(days=1)), **extra)
        return post_save(post, tags=list(tags))

    return make


@pytest.fixture
def network_runs(db):
    """Two done network runs with the same figure name: #old pinned by a post, #new the current one."""
    from observatory.analysis.models import AnalysisFigure, AnalysisRun

    runs = []
    for i in range(2):
        run = AnalysisRun.objects.create(kind="network", parameters={"seed": 1}, seed=1, dataset_fingerprint=f"{i}" * 64,
                                         code_version="test", status="done",
                                         result={"brokers": [{"slug": "seeed-studio", "betweenness": 0.25 + i},
                                                             {"slug": "chaihuo-makerspace", "betweenness": 0.125}],
                                                 "summary": {"nodes": 7, "edges": 9}})
        AnalysisFigure.objects.create(run=run, name="brokerage-roles", title="Brokerage roles",
                                      svg="<svg xmlns='http://www.w3.org/2000/svg'></svg>", png=b"")
        runs.append(run)
    return runs
