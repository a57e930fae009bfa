"""The Frictionless Data Package: valid by frictionless, and saying what was left out."""

from __future__ import annotations

import json

import pytest

from observatory.exports import export_run

pytestmark = pytest.mark.django_db


def _validate(folder):
    import frictionless

    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "message"])[:10]


def test_it_writes_a_valid_public_data_package(open_dataset, tmp_path):
    export_run("datapackage", tmp_path / "pkg")
    _validate(tmp_path / "pkg")
    descriptor = json.loads((tmp_path / "pkg" / "datapackage.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in descriptor["resources"]]
    assert "entities" in names and "source_records" not in names and "documents" not in names
    assert "forbid redistribution" in descriptor["description"]
    assert [licence["name"] for licence in descriptor["licenses"]] == ["CC-BY-4.0"]
    readme = (tmp_path / "pkg" / "README.md").read_text(encoding="utf-8")
    assert "4 entities whose sources all forbid redistribution" in readme
    entities = next(r for r in descriptor["resources"] if r["name"] == "entities")
    assert "licence" in [f["name"] for f in entities["schema"]["fields"]]
    assert "note" not in [f["name"] for f in entities["schema"]["fields"]]


def test_it_writes_a_valid_backup_package(mini_dataset, tmp_path):
    export_run("datapackage", tmp_path / "backup", include_restricted=True)
    _validate(tmp_path / "backup")
    descriptor = json.loads((tmp_path / "backup" / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["observatory"]["include_restricted"] is True
    relations = next(r for r in descriptor["resources"] if r["name"] == "relations")
    assert {"fields": "source_entity_id", "reference": {"resource": "entities", "fields": "id"}} in relations[
        "schema"]["foreignKeys"]


def test_it_is_caught_by_frictionless_when_a_reference_breaks(mini_dataset, tmp_path):
    import frictionless

    export_run("datapackage", tmp_path / "backup", include_restricted=True)
    names = tmp_path / "backup" / "names.csv"
    lines = names.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    cells = lines[1].split(",")
    cells[header.index("entity_id")] = "999999"
    names.write_text(lines[0] + ",".join(cells) + "".join(lines[2:]), encoding="utf-8")
    assert not frictionless.validate(str(tmp_path / "backup" / "datapackage.json")).valid
