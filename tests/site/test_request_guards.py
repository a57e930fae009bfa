"""Requests the database cannot take: a NUL in a search or filter (PostgreSQL refuses it) is a 400,
an id beyond 64 bits (SQLite overflows) a 404 — on either database, never a server error."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", [
    "/search/?q=chai%00huo",
    "/entities/?q=%00",
    "/entities/?kind=makerspace%00",
    "/entities/?province=440000%00",
    "/entities/?layer=%00&page=2",
    "/map/data.json?kind=%00&province=%00",
    "/network/data.json?kind=%00",
    "/blog/?q=%00",
    "/blog/tags/make%00rs/",
    "/entities/?%00=1",
])
def test_a_nul_in_a_search_or_filter_is_a_bad_request(reader, mini_dataset, url):
    response = reader.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_the_api_answers_a_nul_in_its_own_envelope(reader, mini_dataset):
    response = reader.get("/api/v1/entities", {"q": "chai\x00huo"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request"


def test_filters_without_nul_still_work(reader, mini_dataset):
    assert reader.get("/entities/?kind=makerspace&province=440000").status_code == 200
    assert reader.get("/search/?q=chaihuo").status_code == 200


@pytest.mark.parametrize("url", [
    "/analysis/runs/99999999999999999999/figures/network-figure.svg",
    "/analysis/runs/9223372036854775808/figures/network-figure.png",
])
def test_an_id_beyond_64_bits_is_not_found(reader, analysis_runs, url):
    assert reader.get(url).status_code == 404


def test_an_existing_figure_is_still_served(reader, analysis_runs):
    run = analysis_runs["network"]
    response = reader.get(f"/analysis/runs/{run.pk}/figures/network-figure.svg")
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")


def test_the_admin_answers_an_id_beyond_64_bits_as_not_found(admin):
    assert admin.get("/admin/inventory/entity/99999999999999999999/change/").status_code == 404
    assert admin.get("/api/v1/analysis-runs/99999999999999999999").status_code == 404
