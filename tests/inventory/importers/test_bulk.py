"""The bulk path writes the same entities, parts and records as the per-row path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reversion.models import Version

from observatory.inventory.importers import importer_get, source_import
from observatory.inventory.models import Entity, SourceRecord
from observatory.inventory.services import _entity_state_of

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "importers"
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
    from observatory.inventory.importers.bulk import preparation

    monkeypatch.setattr(preparation, "PARALLEL_FROM", 1 if workers else 10**9)
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

    from observatory.inventory.importers.bulk import preparation

    monkeypatch.setattr(preparation, "PARALLEL_FROM", 10**9)
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


def _spreadsheet(path: Path, rows: int, *, version: int = 1) -> Path:
    """A survey-like CSV (the survey.yaml mapping) of ``rows`` spaces with what the bulk path must
    decide as the per-row path does: in-file duplicates (also of a rejected row), a repeated
    identifier, rejected kinds, missing and swapped points, Excel and Chinese dates; ``version=2``
    renames, moves, drops and adds rows."""
    import csv

    cities = [("深圳", 22.54, 113.99, "深圳市南山区"), ("广州", 23.13, 113.33, "广州市天河区"), ("杭州", 30.26, 120.13, "")]
    body = []
    for index in range(rows):
        city, lat, lng, district = cities[index % 3]
        name = f"示例{index}号创客空间" if index % 4 else f"Example Space {index}"
        if version == 2 and index % 17 == 0:
            name += "新"
        if version == 2 and index % 23 == 0:
            continue
        lat_text, lng_text = f"{lat + (index % 50) / 1000:.5f}", f"{lng + (index % 70) / 1000:.5f}"
        if index % 9 == 0:
            lat_text = lng_text = ""
        elif index % 11 == 0:
            lat_text, lng_text = lng_text, lat_text
        kind = "咖啡馆" if index % 31 == 0 else ("孵化器" if index % 5 == 0 else "创客空间")
        founded = ["2015", "40752", "2016年3月", "", "not a date"][index % 5]
        address = f"{district}示例路{index % 7}号" if district and index % 2 else ""
        website = f"http://space{index}.example.cn" if index % 3 == 0 else ("mail@x" if index % 29 == 0 else "")
        body.append([f"S{index}", name, "Space" if index % 6 == 0 else "", kind, website, founded, lat_text,
                     lng_text, address, city])
    body += [[f"D{k}", *body[k][1:]] for k in range(0, min(rows, 60), 6)]  # exact in-file duplicates
    body += [["S1", "重复编号", "", "创客空间", "", "", "", "", "", ""]]  # a repeated identifier
    body += [["R1", "拒绝", "", "咖啡馆", "", "", "", "", "", ""], ["R2", "拒绝", "", "创客空间", "", "", "", "", "", ""]]
    if version == 2:
        body += [[f"N{k}", f"新空间{k}", "", "创客空间", "", "2020", "", "", "", "深圳"] for k in range(20)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["编号", "名称", "English name", "类型", "网站", "成立时间", "纬度", "经度", "地址", "城市"])
        writer.writerows(body)
    return path


def _report(report) -> dict:
    slugs = dict(Entity.objects.values_list("id", "slug"))
    return {"summary": report.summary(), "rejects": report.rejects, "notes": report.notes,
            "entities": [slugs[pk] for pk in report.entities]}


@pytest.mark.parametrize("workers", [False, True])
def test_a_spreadsheet_and_its_newer_version_give_in_bulk_what_they_give_row_by_row(workers, tmp_path, monkeypatch):
    from observatory.inventory.importers.bulk import preparation

    monkeypatch.setattr(preparation, "PARALLEL_FROM", 1 if workers else 10**9)
    monkeypatch.setattr(preparation, "CHUNK", 37)  # several chunks, duplicates across them
    first, second = _spreadsheet(tmp_path / "v1.csv", 240), _spreadsheet(tmp_path / "v2.csv", 240, version=2)
    mapping = FIXTURES / "survey.yaml"
    outcomes = {}
    for bulk in (False, True):
        steps = []
        for path in (first, first, second, second):
            report = source_import(importer=importer_get("spreadsheet", mapping=mapping), path=path, bulk=bulk)
            steps.append((_report(report), _snapshot()))
        outcomes[bulk] = steps
        Entity.objects.all().delete()
        SourceRecord.objects.all().delete()
    assert outcomes[True][0][0]["summary"]["merged"] >= 9 and outcomes[True][2][0]["summary"]["updated"] > 100
    for (per_row_report, per_row_db), (bulk_report, bulk_db) in zip(outcomes[False], outcomes[True], strict=True):
        assert bulk_report == per_row_report
        assert bulk_db == per_row_db


def test_a_bulk_import_refreshes_the_planner_statistics_on_postgresql(tmp_path):
    """Without it PostgreSQL plans from the statistics of the tables before the import, and one
    query of the entity JSON ran for seconds (observatory/dbstats.py)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite plans without statistics (run the suite with DATABASE_URL=postgres://…)")
    source_import(importer=importer_get("spreadsheet", mapping=FIXTURES / "survey.yaml"),
                  path=_spreadsheet(tmp_path / "sheet.csv", 60), bulk=True)
    with connection.cursor() as cursor:
        # ANALYZE sets reltuples within the transaction; autovacuum cannot see its uncommitted rows
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'inventory_entity'")
        assert cursor.fetchone()[0] == Entity.objects.count() > 50
