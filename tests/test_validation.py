"""One validation of text, numbers, JSON values and geometry (observatory/validation.py), the same
through the API, the admin, the importers, the services and the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from observatory.api.services import token_create
from observatory.inventory.importers import ImportFileError, importer_get, source_import
from observatory.inventory.models import Entity, Source
from observatory.inventory.services import entity_upsert, source_upsert
from observatory.validation import csl_check, json_value_problem, polygon_problem, text_problem

from .conftest import REPO

pytestmark = pytest.mark.django_db

SPACE = {"kind": "makerspace", "names": [{"text": "Valid Space", "lang": "en"}],
         "sources": ["szmakermap2017#feature:9"]}


@pytest.mark.parametrize(("value", "problem"), [
    ("a\x00b", "NUL"), ("\ud800", "surrogate"), ("x\udfff", "surrogate"), ("ok " * 10, None), ("柴火", None),
])
def test_it_names_the_problem_of_a_text(value, problem):
    found = text_problem(value)
    assert (found is None) if problem is None else problem in found


def test_it_refuses_non_finite_numbers_and_deep_values_without_recursion():
    assert "nan" in json_value_problem({"a": [1, float("nan")]})
    assert "a[1]" in json_value_problem({"a": [1, float("inf")]})
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert "nested" in json_value_problem(deep)
    assert json_value_problem({"title": "柴火", "issued": {"date-parts": [[2017, 10]]}}) is None


@pytest.mark.parametrize("polygon", [[], [[]], [[[1, 2], [3, 4]]], [[[float("nan"), 1], [2, 3], [4, 5]]],
                                     [[[200, 1], [2, 3], [4, 5]]], [[["a", 1], [2, 3], [4, 5]]], "x"])
def test_it_refuses_empty_and_non_finite_polygons(polygon):
    assert polygon_problem(polygon)


@pytest.mark.parametrize("csl", [True, 1, "x", [[1]], {"title": float("nan")}, {"title": "\ud800"},
                                 {"title": "a\x00"}, {"type": "book"}])
def test_a_csl_item_is_an_object_with_a_title_of_clean_values(csl):
    with pytest.raises(ValidationError):
        csl_check(csl)


# --- the API ---------------------------------------------------------------------------------------

@pytest.fixture
def token(curator_user):
    return token_create(user=curator_user, name="tests")[1]


def _put(client, token, body, slug="valid-space"):
    text = json.dumps(body, ensure_ascii=True, allow_nan=True)
    return client.put(f"/api/v1/entities/{slug}", text.replace('"__1e309__"', "1e309"),
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.parametrize(("change", "field"), [
    ({"website": "https://x.org/\ud800"}, "website"),
    ({"sources": ["szmakermap2017#\ud800"]}, "sources"),
    ({"statuses": [{"value": "active", "kind": "observed", "programme": "\ud800"}]}, "programme"),
    ({"statuses": [{"value": "active", "kind": "observed", "note": "a\udc00b"}]}, "note"),
    ({"statuses": [{"value": "active", "kind": "observed", "programme": "项" * 201}]}, "programme"),
    ({"locations": [{"polygon": [[]]}]}, "polygon"),
    ({"locations": [{"polygon": [[[float("nan"), 22], [114, 22.1], [114.1, 22]]]}]}, "polygon"),
    ({"locations": [{"lng": float("nan"), "lat": 22}]}, "lng"),
    ({"locations": [{"lng": "__1e309__", "lat": 22}]}, "lng"),
    ({"locations": [{"lng": 114, "lat": 22, "source": "szmakermap2017#" + "x" * 300}]}, "source"),
    ({"names": [{"text": "\ud800", "lang": "en"}]}, "text"),
])
def test_the_api_answers_422_naming_the_field_on_both_databases(reader, mini_dataset, token, change, field):
    response = _put(reader, token, {**SPACE, **change})
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["message"]
    assert not Entity.objects.filter(slug="valid-space").exists()


def test_the_api_answers_422_for_a_surrogate_in_relation_and_coding_fields(reader, mini_dataset, token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    relation = {"source_entity": "szoil", "type": "partner_of", "target_entity": "chaihuo-makerspace",
                "source": "szmakermap2017#feature:2"}
    coding = {"entity": "szoil", "code": "knowledge.workshops", "source": "szmakermap2017#feature:2"}
    for url, body, field in [("/api/v1/relations", relation, "evidence"), ("/api/v1/relations", relation, "source"),
                             ("/api/v1/relations", relation, "source_entity"), ("/api/v1/codings", coding, "quote"),
                             ("/api/v1/codings", coding, "note"), ("/api/v1/codings", coding, "code"),
                             ("/api/v1/codings", coding, "entity"), ("/api/v1/codings", coding, "source")]:
        text = json.dumps({**body, field: "\ud800"}, ensure_ascii=True)
        response = reader.post(url, text, content_type="application/json", **auth)
        assert response.status_code == 422, (url, field, response.content)
        assert field in response.json()["error"]["message"]
    text = json.dumps({**coding, "confidence": float("nan")}, allow_nan=True)
    assert reader.post("/api/v1/codings", text, content_type="application/json", **auth).status_code == 422


def test_the_services_refuse_what_postgresql_would_refuse(mini_dataset):
    with pytest.raises(ValidationError, match="at most 200"):
        entity_upsert(slug="long-programme", kind="makerspace", names=[{"text": "X", "lang": "en"}],
                      statuses=[{"value": "active", "kind": "observed", "programme": "p" * 201}])
    with pytest.raises(ValidationError, match="polygon"):
        entity_upsert(slug="bad-outline", kind="makerspace", names=[{"text": "X", "lang": "en"}],
                      locations=[{"polygon": [[]]}])
    with pytest.raises(ValidationError, match="CSL-JSON item is an object"):
        source_upsert(key="bad-csl", csl=[["x"]])


# --- the admin -------------------------------------------------------------------------------------

@pytest.mark.parametrize("csl", ["true", "1", '"x"', "[[1]]", "NaN", '{"title": Infinity}', '{"title": 1e309}',
                                 '{"title": "\\ud800"}', '{"title": "\\u0000"}', "[" * 5000 + "]" * 5000])
def test_the_admin_refuses_a_csl_value_that_is_not_a_clean_object(admin, mini_dataset, csl):
    source = Source.objects.get(key="szmakermap2017")
    response = admin.post(f"/admin/inventory/source/{source.pk}/change/",
                          {"key": source.key, "csl": csl, "licence": "unknown", "note": ""})
    assert response.status_code == 200, response.status_code
    assert "errorlist" in response.content.decode()
    source.refresh_from_db()
    assert isinstance(source.csl, dict) and source.csl["title"]


# --- stored values written before these checks ------------------------------------------------------

@pytest.mark.parametrize("csl", [True, 1, "x", [[1]], {"title": "ok", "author": 5, "issued": {"date-parts": [7]},
                                                       "custom": "x"}])
def test_a_bad_stored_csl_value_never_breaks_the_bibliography(reader, mini_dataset, settings, tmp_path, csl):
    settings.VAR_DIR = tmp_path
    Source.objects.filter(key="szmakermap2017").update(csl=csl)
    for name in ("csl-json", "bibtex"):
        assert reader.get(f"/api/v1/exports/{name}").status_code == 200
        call_command("export", name, str(tmp_path / f"out.{name}"))
    items = json.loads((tmp_path / "out.csl-json").read_text())
    assert ("szmakermap2017" in {i["id"] for i in items}) == isinstance(csl, dict)


# --- importers and the CLI ---------------------------------------------------------------------------

def test_a_geojson_file_with_a_lone_surrogate_is_refused_naming_feature_and_field(mini_dataset, tmp_path):
    path = tmp_path / "hackerspaces.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
                    '{"name": "\\ud800x"}, "geometry": {"type": "Point", "coordinates": [114, 22.5]}}]}')
    with pytest.raises(ImportFileError, match=r"feature:0: properties.name contains a lone UTF-16 surrogate"):
        source_import(importer=importer_get("hackerspaces-geojson"), path=path)
    assert not Entity.objects.filter(slug__startswith="hackerspaces").exists()


def test_a_folder_given_as_the_file_to_import_is_named_a_folder(mini_dataset, tmp_path):
    with pytest.raises(CommandError, match="is a folder; give the szmakermap file"):
        call_command("import_source", "szmakermap", str(tmp_path))


def test_file_exports_refuse_to_overwrite_without_force(mini_dataset, tmp_path):
    target = tmp_path / "observatory.csv"
    target.write_text("keep me")
    for name in ("geojson", "gpkg", "gexf", "graphml", "csl-json", "bibtex", "qdc"):
        with pytest.raises(CommandError, match="exists; give a new file name, or --force"):
            call_command("export", name, str(target))
        assert target.read_text() == "keep me"
    with pytest.raises(CommandError, match="is not a folder; csv is written to a folder"):
        call_command("export", "csv", str(target))
    call_command("export", "geojson", str(target), "--force")
    assert json.loads(target.read_text())["type"] == "FeatureCollection"
    assert [p.name for p in tmp_path.iterdir()] == ["observatory.csv"]  # no partial file left


def test_folder_exports_write_into_a_non_empty_folder_only_with_force(mini_dataset, tmp_path):
    (tmp_path / "other.txt").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("export", "csv", str(tmp_path))
    call_command("export", "csv", str(tmp_path), "--force")
    assert (tmp_path / "entities.csv").exists() and (tmp_path / "other.txt").exists()


@pytest.mark.parametrize("args", [["export", "gexf", "/dev/full"], ["export", "gexf", "/dev/null/x.gexf"]])
def test_an_unwritable_export_target_is_a_message_not_a_traceback(tmp_path, args):
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "OBSERVATORY_VAR_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "observatory.cli", "migrate", "-v", "0"], cwd=REPO, env=env, check=True)
    result = subprocess.run([sys.executable, "-m", "observatory.cli", *args], cwd=REPO, capture_output=True,
                            text=True, env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "/dev/" in result.stderr

