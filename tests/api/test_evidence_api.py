"""The API's evidence of life: observations, statuses with origin/confidence/rule, filters (issue 15)."""

import datetime as dt

import pytest
from django.utils import timezone

from observatory.census.models import CensusRun, Observation
from observatory.inventory.models import Entity, StatusAssertion

pytestmark = pytest.mark.django_db


@pytest.fixture
def observed(mini_dataset):
    szoil = Entity.objects.get(slug="szoil")
    run = CensusRun.objects.create(status="done", total=2, done=2)
    for kind, outcome, status in (("website", "gone", 410), ("spaceapi", "alive", 200)):
        Observation.objects.create(run=run, entity=szoil, kind=kind, url=f"https://szoil.example/{kind}",
                                   observed_at=timezone.now(), outcome=outcome, http_status=status)
    StatusAssertion.objects.create(entity=szoil, value="closed", kind="inferred", origin="census", confidence=0.75,
                                   rule="census:http-410", date=dt.date(2026, 11, 1))
    return szoil


def test_it_lists_an_entitys_observations_with_filters(client, observed):
    page = client.get("/api/v1/entities/szoil/observations").json()
    assert {o["kind"]: o["outcome"] for o in page["items"]} == {"website": "gone", "spaceapi": "alive"}
    assert page["items"][0]["entity"] == "szoil" and "error_detail" not in page["items"][0]
    gone = client.get("/api/v1/observations?outcome=gone").json()["items"]
    assert [o["http_status"] for o in gone] == [410]
    assert client.get("/api/v1/observations?outcome=lost").status_code in (400, 422)
    assert client.get("/api/v1/entities/nobody/observations").status_code == 404


def test_statuses_carry_origin_confidence_and_rule(client, observed):
    statuses = client.get("/api/v1/statuses?entity=szoil&origin=census").json()["items"]
    assert [(s["value"], s["confidence"], s["rule"], s["counts"]) for s in statuses] == [
        ("closed", 0.75, "census:http-410", True)]
    detail = client.get("/api/v1/entities/szoil").json()
    census = [s for s in detail["statuses"] if s["origin"] == "census"]
    assert census[0]["rule"] == "census:http-410"
    assert all(s["origin"] == "document" and s["confidence"] is None for s in detail["statuses"] if s not in census)


def test_statuses_say_whether_they_count_and_the_counting_filter_agrees(client, observed):
    StatusAssertion.objects.create(entity=observed, value="closed", kind="inferred", origin="census", confidence=0.6,
                                   rule="census:dns-failure", date=dt.date(2026, 11, 2))
    StatusAssertion.objects.create(entity=observed, value="active", kind="inferred", origin="census",
                                   rule="census:unrated", date=dt.date(2026, 11, 3))
    census = client.get("/api/v1/statuses?entity=szoil&origin=census").json()["items"]
    assert [(s["rule"], s["counts"]) for s in census] == [
        ("census:http-410", True), ("census:dns-failure", False), ("census:unrated", False)]
    every = client.get("/api/v1/statuses?entity=szoil").json()["items"]
    assert all(s["counts"] for s in every if s["origin"] != "census")
    for counting in (True, False):
        page = client.get(f"/api/v1/statuses?entity=szoil&counting={str(counting).lower()}").json()["items"]
        assert page == [s for s in every if s["counts"] is counting]


def test_the_entity_list_filters_by_seen_since_and_official_status(client, observed):
    StatusAssertion.objects.create(entity=observed, value="accredited", kind="official_accreditation",
                                   origin="register", programme="国家备案众创空间", date=dt.date(2017, 1, 1))
    slugs = {e["slug"] for e in client.get("/api/v1/entities?official=accredited").json()["items"]}
    assert slugs == {"szoil"}
    assert client.get("/api/v1/entities?seen_since=1800").status_code in (400, 422)
