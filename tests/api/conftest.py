import pytest
from django.core.cache import cache, caches


@pytest.fixture(autouse=True)
def _own_export_cache(settings, tmp_path_factory):
    """Built exports are cached under VAR_DIR/exports: each test gets its own folder."""
    settings.VAR_DIR = tmp_path_factory.mktemp("var")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache, and read answers in the page cache; every test starts
    with none."""
    cache.clear()
    caches["pages"].clear()
    yield
    cache.clear()
    caches["pages"].clear()


@pytest.fixture
def open_source(db):
    """A redistributable source (CC BY 4.0), for records that exports may publish."""
    from observatory.inventory.services import source_upsert

    source, _ = source_upsert(key="openlist2020", csl={"type": "dataset", "title": "An open list of spaces",
                                                       "issued": {"date-parts": [[2020]]}},
                              licence="CC-BY-4.0", redistributable=True)
    return source
