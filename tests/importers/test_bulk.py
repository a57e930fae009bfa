"""The bulk path writes the same entities, parts and records as the per-row path."""

from __future__ import annotations

from pathlib import Path

import pytest
from reversion.models import Version

from observatory.inventory.importers import importer_get, source_import
from observatory.inventory.models import Entity, SourceRecord
from observatory.inventory.services import _entity_state_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
pytestmark = pytest.mark.django_db


def _snapshot() -> dict:
    return {
        entity.slug: (_entity_state_of(entity), entity.name, entity.name_zh, entity.name_en, entity.search_text,
                      entity.province_code, entity.layer,
                      sorted(entity.records.values_list("external_id", "checksum")),
                      sorted(entity.locations.values_list("lng", "lat", "placed_at_centroid", "county_code")))
        for entity in Entity.objects.all()
    }


@pytest.mark.parametrize(("importer", "filename", "workers"), [
    ("ananse-csv", "ananse_china_subset.csv", False),
    ("ananse-csv", "ananse_china_subset.csv", True),
    ("szmakermap", "szmakermap_list.json", False),
    ("fablabs", "fablabs_labs.json", True),
])
def test_it_gives_the_same_results_in_bulk(importer, filename, workers, monkeypatch):
    from observatory.inventory.importers import bulk as bulk_module

    monkeypatch.setattr(bulk_module, "PARALLEL_FROM", 1 if workers else 10**9)
    per_row = source_import(importer=importer_get(importer), path=FIXTURES / filename, bulk=False)
    expected = _snapshot()
    Entity.objects.all().delete()
    SourceRecord.objects.all().delete()
    bulk = source_import(importer=importer_get(importer), path=FIXTURES / filename, bulk=True)
    assert bulk.summary() == per_row.summary()
    assert _snapshot() == expected
    assert Version.objects.get_for_model(Entity).count() >= len(expected)
    again = source_import(importer=importer_get(importer), path=FIXTURES / filename, bulk=True)
    assert again.summary()["unchanged"] == per_row.summary()["created"]
