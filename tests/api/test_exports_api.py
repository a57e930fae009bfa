"""The exports as downloads from the API."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_it_downloads_the_public_geojson(reader, mini_dataset, open_source):
    from observatory.inventory.models import Entity, EntitySource

    EntitySource.objects.create(entity=Entity.objects.get(slug="szoil"), source=open_source)
    response = reader.get("/api/v1/exports/geojson")
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert 'filename="observatory.geojson"' in response["Content-Disposition"]
    features = json.loads(_body(response))["features"]
    # SZOIL's location cites the non-redistributable map: the entity is published, its point is not
    assert features == []


def test_it_downloads_the_data_package_as_a_zip(reader, mini_dataset):
    response = reader.get("/api/v1/exports/datapackage")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(_body(response))) as archive:
        names = set(archive.namelist())
        assert {"datapackage.json", "README.md", "entities.csv"} <= names and "source_records.csv" not in names
        assert "7 entities whose sources all forbid" in archive.read("README.md").decode()


def test_it_answers_an_unknown_format_in_the_envelope(reader, db):
    response = reader.get("/api/v1/exports/shapefile")
    assert response.status_code == 422 and "format" in response.json()["error"]["message"]


def test_it_builds_an_export_once_per_state_of_the_data(reader, mini_dataset, open_source, settings, tmp_path):
    from observatory.inventory.models import Entity, EntitySource

    settings.VAR_DIR = tmp_path
    first = reader.get("/api/v1/exports/csl-json")
    _body(first)
    files = list((tmp_path / "exports").glob("csl-json-*"))
    assert len(files) == 1
    second = reader.get("/api/v1/exports/csl-json")
    _body(second)
    assert second["ETag"] == first["ETag"] and list((tmp_path / "exports").glob("csl-json-*")) == files
    EntitySource.objects.create(entity=Entity.objects.get(slug="szoil"), source=open_source)
    third = reader.get("/api/v1/exports/csl-json")
    _body(third)
    assert third["ETag"] != first["ETag"]
    assert len(list((tmp_path / "exports").glob("csl-json-*"))) == 1  # the stale file is removed
