"""The bulk path writes the same entities, parts and records as the per-row path."""

from __future__ import annotations

import json
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


def test_versions_of_bulk_creations_are_what_the_json_serializer_writes(monkeypatch):
    from django.core import serializers

    from observatory.inventory.importers import bulk as bulk_module

    monkeypatch.setattr(bulk_module, "PARALLEL_FROM", 10**9)
    source_import(importer=importer_get("ananse-csv"), path=FIXTURES / "ananse_china_subset.csv", bulk=True)
    fields = [f.name for f in Entity._meta.concrete_fields if not f.primary_key]
    entities = {str(entity.pk): entity for entity in Entity.objects.all()}
    versions = list(Version.objects.get_for_model(Entity))
    assert versions
    for version in versions:
        entity = entities[version.object_id]
        # Compared as JSON: PostgreSQL's jsonb gives field_sources back with its keys reordered.
        assert json.loads(version.serialized_data) == json.loads(serializers.serialize("json", [entity], fields=fields))
        assert version.field_dict["name"] == entity.name


def test_points_are_derived_on_arrays_as_location_derive_derives_each():
    import random

    from observatory.inventory.importers.bulk import _point_check, _points_derive
    from observatory.inventory.models import Location
    from observatory.inventory.services import location_derive

    rng = random.Random(7)
    pairs = []
    for index in range(3000):
        crs = ("WGS-84", "GCJ-02", "BD-09")[index % 3]
        lng, lat = rng.uniform(73, 135), rng.uniform(18, 54)
        if index % 10 == 0:
            lng, lat = rng.uniform(-180, 180), rng.uniform(-90, 90)
        division = ("", "440300", "110105", "4403")[index % 4]
        one = {"original_lng": lng if index % 7 else int(lng), "original_lat": lat, "crs": crs, "precision": "exact",
                   "division_code": division}
        pairs.append((Location(**one), Location(**one)))
    for vector, _scalar in pairs:
        _point_check(vector)
    _points_derive([vector for vector, _scalar in pairs])
    for vector, scalar in pairs:
        location_derive(scalar)
        for field in ("lng", "lat", "placed_at_centroid", "polygon_wgs84", "province_code", "prefecture_code",
                      "county_code", "precision"):
            assert getattr(vector, field) == getattr(scalar, field), (field, scalar.original_lng, scalar.original_lat)
