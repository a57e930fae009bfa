"""Reading the API: entities with filters and cursors, one entity in full, relations, the
codebook, analysis runs, posts; public only, with CORS."""

from __future__ import annotations

from pathlib import Path

import pytest

from observatory.analysis.models import AnalysisRun
from observatory.inventory.models import Entity
from observatory.inventory.services import entity_upsert

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["items"]]


def test_it_lists_public_entities_with_cors(reader, mini_dataset):
    response = reader.get(f"{API}/entities")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(_slugs(response)) == set(Entity.objects.public().values_list("slug", flat=True))


def test_it_leaves_out_non_public_and_merged_entities(reader, mini_dataset):
    Entity.objects.filter(slug="szoil").update(is_public=False)
    Entity.objects.filter(slug="segmaker").update(merged_into=Entity.objects.get(slug="x-factory"))
    slugs = _slugs(reader.get(f"{API}/entities"))
    assert "szoil" not in slugs and "segmaker" not in slugs
    assert reader.get(f"{API}/entities/szoil").status_code == 404
    relations = reader.get(f"{API}/relations").json()["items"]
    assert all("szoil" not in (r["source_entity"], r["target_entity"]) for r in relations)


def test_it_walks_every_entity_once_with_the_cursor(reader, mini_dataset):
    seen, cursor = [], None
    while True:
        response = reader.get(f"{API}/entities", {"limit": 2, **({"cursor": cursor} if cursor else {})})
        seen += _slugs(response)
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(Entity.objects.public().values_list("slug", flat=True))
    assert len(seen) == len(set(seen))


def test_it_filters_by_kind_layer_division_bbox_text_and_date(reader, mini_dataset):
    assert set(_slugs(reader.get(f"{API}/entities", {"kind": "company"}))) == {"seeed-studio", "maker-collider"}
    assert "seeed-studio" not in _slugs(reader.get(f"{API}/entities", {"layer": "physical"}))
    # SEGMaker is only known by its district (Futian, 440304); Shenzhen is 440300, Guangdong 440000
    assert "segmaker" in _slugs(reader.get(f"{API}/entities", {"division": "440304"}))
    shenzhen = set(_slugs(reader.get(f"{API}/entities", {"division": "440300"})))
    assert {"chaihuo-makerspace", "segmaker", "szoil"} <= shenzhen
    assert shenzhen == set(_slugs(reader.get(f"{API}/entities", {"division": "440000"})))
    assert _slugs(reader.get(f"{API}/entities", {"division": "110000"})) == []
    nanshan = set(_slugs(reader.get(f"{API}/entities", {"bbox": "113.9,22.5,114.0,22.6"})))
    assert "chaihuo-makerspace" in nanshan and "szoil" not in nanshan
    for query in ("柴火", "chaihuo", "Chaihuo Maker Space"):
        assert "chaihuo-makerspace" in _slugs(reader.get(f"{API}/entities", {"q": query})), query
    assert _slugs(reader.get(f"{API}/entities", {"updated_since": "2999-01-01"})) == []
    assert len(_slugs(reader.get(f"{API}/entities", {"updated_since": "2000-01-01T00:00:00Z"}))) == 7


def test_it_filters_by_latest_status(reader, mini_dataset):
    entity_upsert(slug="szoil", kind="fab_lab", names=[{"text": "SZOIL", "lang": "en"}],
                  sources=["szmakermap2017#feature:2"],
                  statuses=[{"value": "active", "kind": "observed", "date": "2015", "source": "szmakermap2017"},
                            {"value": "closed", "kind": "observed", "date": "2020", "source": "szmakermap2017"},
                            {"value": "inactive", "kind": "inferred", "source": "szmakermap2017"}])
    assert _slugs(reader.get(f"{API}/entities", {"status": "closed"})) == ["szoil"]
    assert _slugs(reader.get(f"{API}/entities", {"status": "active"})) == []
    # an undated assertion is not the latest (on SQLite and PostgreSQL alike)
    assert _slugs(reader.get(f"{API}/entities", {"status": "inactive"})) == []
    assert reader.get(f"{API}/entities/szoil").json()["status"] == "closed"


def test_it_gives_one_entity_with_everything_about_it(reader, mini_dataset):
    data = reader.get(f"{API}/entities/szoil").json()
    assert {n["text"] for n in data["names"]} >= {"深圳开放创新实验室", "SZOIL"}
    location = data["locations"][0]
    assert location["crs"] == "BD-09" and location["original_lng"] == 114.06412
    # the WGS-84 point is derived and differs from the BD-09 original by hundreds of metres
    assert location["lng"] != location["original_lng"] and abs(location["lng"] - 114.0576) < 0.01
    assert location["precision"] == "building" and location["prefecture_code"] == "440300"
    assert {(r["source_entity"], r["type"], r["target_entity"]) for r in data["relations"]} == {
        ("szoil", "founded_by", "maker-collider")}
    assert [c["code"] for c in data["codes"]] == ["knowledge.peer-learning"]
    assert data["codes"][0]["source"] == {"key": "szmakermap2017", "locator": "feature:2", "licence": "unknown"}
    assert data["sources"][0]["key"] == "szmakermap2017" and data["sources"][0]["csl"]["type"] == "dataset"
    market = reader.get(f"{API}/entities/mintong-digital-city").json()["locations"][0]
    assert market["polygon"] and market["polygon_wgs84"][0][0] == market["polygon_wgs84"][0][-1]


def test_it_never_shows_curator_notes_or_personal_data(reader, mini_dataset):
    entity_upsert(slug="szoil", kind="fab_lab", names=[{"text": "SZOIL", "lang": "en"}],
                  sources=["szmakermap2017#feature:2"], note="contact: founder@example.org, +86 138 0000 0000")
    for url in (f"{API}/entities/szoil", f"{API}/entities", f"{API}/relations"):
        body = reader.get(url).content.decode()
        assert "founder@example.org" not in body and "138 0000" not in body
        for field in ("note", "field_sources", "search_text", "recorded_by", "coder", "email", "phone", "wechat"):
            assert f'"{field}"' not in body, (url, field)


def test_it_lists_relations_by_type_and_entity(reader, mini_dataset):
    items = reader.get(f"{API}/relations", {"type": "partner_of"}).json()["items"]
    assert [(r["source_entity"], r["target_entity"]) for r in items] == [("x-factory", "seeed-studio")]
    assert reader.get(f"{API}/relations", {"entity": "maker-collider"}).json()["items"][0]["type"] == "founded_by"
    assert reader.get(f"{API}/relations", {"entity": "nobody"}).status_code == 404


def test_it_gives_the_codebook(reader, mini_dataset):
    data = reader.get(f"{API}/codebook").json()
    codes = {c["path"]: c for c in data["codes"]}
    assert codes["knowledge"]["is_dimension"] and codes["knowledge.peer-learning"]["parent"] == "knowledge"
    assert codes["knowledge.peer-learning"]["definition"]


def test_it_lists_analysis_runs_and_gives_one_with_its_result(reader, db):
    run = AnalysisRun.objects.create(kind="network", parameters={"seed": 1}, seed=1, dataset_fingerprint="f" * 64,
                                     code_version="test", status="done", result={"nodes": 3, "brokers": ["a"]})
    items = reader.get(f"{API}/analysis-runs").json()["items"]
    assert [r["id"] for r in items] == [run.pk] and "result" not in items[0]
    detail = reader.get(f"{API}/analysis-runs/{run.pk}").json()
    assert detail["result"] == {"nodes": 3, "brokers": ["a"]} and detail["figures"] == []
    assert reader.get(f"{API}/analysis-runs", {"kind": "spatial"}).json()["items"] == []


def test_a_failed_run_shows_a_short_message_never_the_exception_or_a_traceback(reader, db):
    def failed(error):
        run = AnalysisRun.objects.create(kind="network", parameters={}, seed=1, dataset_fingerprint="f" * 64,
                                         code_version="test", status="failed", error=error)
        return reader.get(f"{API}/analysis-runs/{run.pk}").json()["error"]

    traceback = ('Traceback (most recent call last):\n  File "/srv/observatory/observatory/analysis/network.py", '
                 'line 12, in run\nKeyError: \'secret\'')
    defect = "internal error: OperationalError: could not connect to server at /var/run/postgresql/.s.PGSQL.5432"
    for error in (traceback, defect):
        shown = failed(error)
        assert shown.startswith("internal error") and "/srv" not in shown and "/var/run" not in shown
        assert "Traceback" not in shown and "\n" not in shown
    bad_input = "too few located entities (2) for the spatial analysis; import more first\nsecond line"
    assert failed(bad_input) == "too few located entities (2) for the spatial analysis; import more first"
    assert failed("x" * 1000) == "x" * 300
    assert failed("") == ""


def test_it_answers_posts(reader, db):
    response = reader.get(f"{API}/posts")
    assert response.status_code == 200 and isinstance(response.json()["items"], list)


def test_it_answers_preflight_for_reads_only(reader, db):
    response = reader.options(f"{API}/entities", HTTP_ORIGIN="https://example.org",
                              HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert response.status_code == 204 and "GET" in response["Access-Control-Allow-Methods"]
    assert "PUT" not in response["Access-Control-Allow-Methods"]


def test_it_serves_a_self_hosted_documentation_page(reader, db):
    page = reader.get(f"{API}/docs").content.decode()
    assert "/static/api/swagger-ui-5.35.0/swagger-ui-bundle.js" in page and "/api/v1/openapi.json" in page
    assert "http://" not in page and "https://" not in page
    from django.contrib.staticfiles import finders

    script = Path(finders.find("api/docs.js")).read_text(encoding="utf-8")
    assert "validatorUrl: null" in script and "http" not in script


def test_it_answers_head_like_get_without_a_body(reader, mini_dataset):
    response = reader.head(f"{API}/entities/szoil")
    assert response.status_code == 200 and response.content == b""
    assert response["Content-Type"].startswith("application/json")
    assert reader.head(f"{API}/entities/nobody").status_code == 404


def test_a_read_answer_is_kept_until_the_data_changes(reader, mini_dataset):
    path = f"{API}/entities/chaihuo-makerspace"
    first, second = reader.get(path), reader.get(path)
    assert (first["X-Observatory-Cache"], second["X-Observatory-Cache"]) == ("miss", "hit")
    assert first.content == second.content and second["Content-Type"] == first["Content-Type"]
    assert second["Access-Control-Allow-Origin"] == "*" and second.has_header("X-RateLimit-Remaining")
    assert reader.head(path).content == b""
    entity = Entity.objects.get(slug="chaihuo-makerspace")
    entity.name_en = "Chaihuo Makerspace (renamed in a test)"
    entity.save()
    third = reader.get(path)
    assert third["X-Observatory-Cache"] == "miss" and third.json()["name_en"].endswith("(renamed in a test)")


def test_errors_and_other_queries_are_not_served_from_the_cache(reader, mini_dataset, settings):
    assert reader.get(f"{API}/entities/no-such-space").status_code == 404
    missing = reader.get(f"{API}/entities/no-such-space")
    assert missing.status_code == 404 and not missing.has_header("X-Observatory-Cache")
    everything = reader.get(f"{API}/entities").json()["items"]
    assert len(reader.get(f"{API}/entities", {"limit": 1}).json()["items"]) == 1 < len(everything)
    settings.OBSERVATORY_PAGE_CACHE_SECONDS = 0
    assert not reader.get(f"{API}/entities").has_header("X-Observatory-Cache")


def test_a_client_with_a_token_always_reads_afresh(reader, mini_dataset):
    path = f"{API}/entities/chaihuo-makerspace"
    reader.get(path)
    fresh = reader.get(path, HTTP_AUTHORIZATION="Bearer not-checked-on-reads")
    assert fresh.status_code == 200 and not fresh.has_header("X-Observatory-Cache")


def test_analysis_runs_are_read_afresh(reader, mini_dataset):
    assert not reader.get(f"{API}/analysis-runs").has_header("X-Observatory-Cache")
    assert not reader.get(f"{API}/posts").has_header("X-Observatory-Cache")


def test_an_answer_over_the_size_limit_is_not_kept(reader, mini_dataset, monkeypatch):
    from observatory import pagecache

    monkeypatch.setattr(pagecache, "MAX_BODY_BYTES", 100)
    path = f"{API}/entities/chaihuo-makerspace"
    reader.get(path)
    assert not reader.get(path).has_header("X-Observatory-Cache")
