"""Evidence of life on the entity page, the inventory and the map filters (issue 15)."""

import datetime as dt

import pytest
from django.utils import timezone

from observatory.census.models import CensusRun, Observation
from observatory.inventory import services
from observatory.inventory.models import Entity, StatusAssertion

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(mini_dataset):
    szoil = Entity.objects.get(slug="szoil")
    announcement, _ = services.source_upsert(key="most-2016-batch-2", csl={
        "type": "webpage", "title": "科技部关于公布第二批国家众创空间的通知", "issued": {"date-parts": [[2016, 2, 18]]}})
    StatusAssertion.objects.create(entity=szoil, value="accredited", kind="official_accreditation", origin="register",
                                   date=dt.date(2016, 2, 18), date_precision="day", programme="国家备案众创空间",
                                   batch="第二批", source=announcement, source_locator="7")
    run = CensusRun.objects.create(status="done", total=1, done=1)
    Observation.objects.create(run=run, entity=szoil, kind="website", url="https://szoil.example/",
                               observed_at=timezone.now(), outcome="alive", http_status=200, title="SZOIL")
    StatusAssertion.objects.create(entity=szoil, value="active", kind="inferred", origin="census", confidence=0.8,
                                   rule="census:website-answers", date=dt.date(2026, 12, 1), date_precision="day",
                                   note="seen alive on 2026-12-01 by its website answering 200 on its own domain")
    # a weak census inference must not close a space
    StatusAssertion.objects.create(entity=Entity.objects.get(slug="seeed-studio"), value="closed", kind="inferred",
                                   origin="census", confidence=0.3, rule="census:unreachable", date=dt.date(2026, 12, 1))
    return szoil


def test_it_shows_last_seen_accreditations_and_observations(reader, evidence):
    html = reader.get("/entities/szoil/").content.decode()
    assert "Evidence of life" in html
    assert '<time datetime="2026-12-01">2026-12-01</time> — the liveness census: census:website-answers' in html
    assert "国家备案众创空间" in html and "第二批" in html and "科技部关于公布第二批国家众创空间的通知" in html
    assert "alive: answered on its own domain" in html and "https://szoil.example/" in html
    assert "<style" not in html and ' style="' not in html  # the strict CSP to come


def test_the_census_note_is_public_and_a_curators_note_is_not(reader, evidence):
    StatusAssertion.objects.filter(entity=evidence, origin="register").update(note="phoned them, keep it quiet")
    html = reader.get("/entities/szoil/").content.decode()
    statuses = reader.get("/api/v1/entities/szoil").json()["statuses"]
    seen = "seen alive on 2026-12-01 by its website answering 200 on its own domain"
    assert seen in html and seen in {s["census_note"] for s in statuses}
    assert "keep it quiet" not in html and "keep it quiet" not in str(statuses)


def test_a_curators_note_on_the_latest_document_status_is_not_its_last_seen_label(reader, evidence):
    StatusAssertion.objects.create(entity=evidence, value="active", kind="self_declared", origin="document",
                                   date=dt.date(2026, 12, 5), date_precision="day", note="met the founder, off the record")
    html = reader.get("/entities/szoil/").content.decode()
    assert '<time datetime="2026-12-05">2026-12-05</time> — a document' in html
    assert "off the record" not in html


def test_it_speaks_chinese(reader, evidence):
    html = reader.get("/entities/szoil/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "存续证据" in html and "最近一次存续迹象" in html and "备案认定与取消" in html


def test_the_inventory_filters_by_seen_since_and_official_status(reader, evidence):
    listed = reader.get("/entities/?seen_since=2026").content.decode()
    assert "/entities/szoil/" in listed and "/entities/seeed-studio/" not in listed
    accredited = reader.get("/entities/?official=accredited").content.decode()
    assert "/entities/szoil/" in accredited and "/entities/seeed-studio/" not in accredited
    assert "/entities/szoil/" not in reader.get("/entities/?official=revoked").content.decode()


def test_the_map_filters_by_seen_since_and_official_status(reader, evidence):
    def slugs(query):
        items = reader.get(f"/map/data.json?zoom=18&{query}").json()["items"]
        return {item.get("s") for item in items}

    assert "szoil" in slugs("official=accredited")
    assert "szoil" not in slugs("official=revoked")
    assert slugs("seen_since=2026") == {"szoil"}
    page = reader.get("/map/").content.decode()
    assert 'id="f-seen_since"' in page and 'id="f-official"' in page


def test_a_weak_census_inference_does_not_change_the_current_status(reader, evidence):
    document = reader.get("/api/v1/entities/seeed-studio").json()
    assert document["status"] != "closed"
    weak = [s for s in document["statuses"] if s["origin"] == "census"]
    assert weak == [{**weak[0], "value": "closed", "confidence": 0.3, "rule": "census:unreachable"}]
