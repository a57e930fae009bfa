"""Bad input answers 4xx in one error envelope, never a 500."""

from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _envelope(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"status", "code", "message", "details"} and error["status"] == status
    assert error["message"]
    return error


@pytest.mark.parametrize(("query", "status", "code", "says"), [
    ({"limit": 9999}, 422, "invalid", "limit"),
    ({"limit": 0}, 422, "invalid", "limit"),
    ({"limit": "many"}, 422, "invalid", "limit"),
    ({"kind": "castle"}, 422, "invalid", "kind"),
    ({"division": "44"}, 422, "invalid", "division"),
    ({"bbox": "1,2"}, 400, "bad_filter", "minlon,minlat,maxlon,maxlat"),
    ({"bbox": "10,10,0,0"}, 400, "bad_filter", "minlon ≤ maxlon"),
    ({"bbox": "a,b,c,d"}, 400, "bad_filter", "bbox"),
    ({"updated_since": "last tuesday"}, 422, "invalid", "updated_since"),
    ({"cursor": "not-a-cursor"}, 400, "bad_cursor", "cursor"),
    ({"colour": "red"}, 400, "unknown_parameter", "colour"),
    ({"q": "x\x00y"}, 400, "bad_request", "NUL"),
])
def test_it_rejects_a_bad_entity_filter_in_the_envelope(reader, mini_dataset, query, status, code, says):
    error = _envelope(reader.get(f"{API}/entities", query), status)
    assert error["code"] == code and says in error["message"]


def test_it_rejects_a_cursor_of_another_list(reader, mini_dataset):
    cursor = reader.get(f"{API}/relations", {"limit": 1}).json()["next_cursor"]
    assert cursor
    _envelope(reader.get(f"{API}/entities", {"cursor": cursor}), 400)


def test_it_answers_unknown_routes_and_methods_in_the_envelope(reader, db):
    assert _envelope(reader.get(f"{API}/castles"), 404)["code"] == "not_found"
    assert _envelope(reader.get(f"{API}/entities/no-such-space"), 404)["details"] == {"slug": "no-such-space"}
    assert _envelope(reader.get(f"{API}/analysis-runs/99999999999999999999999"), 404)
    assert _envelope(reader.delete(f"{API}/entities"), 405)["code"] == "method_not_allowed"


def test_it_rejects_a_bad_token_in_the_envelope(reader, mini_dataset):
    response = reader.put(f"{API}/entities/new-space", {}, content_type="application/json",
                          HTTP_AUTHORIZATION="Bearer obs_not-a-real-token")
    assert _envelope(response, 401)["code"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Access-Control-Allow-Origin" not in response


@override_settings(OBSERVATORY_API_RATE_LIMITS={"read": (3, 60)})
def test_it_limits_the_rate_per_client(reader, db):
    statuses = [reader.get(f"{API}/codebook").status_code for _ in range(3)]
    assert 429 not in statuses
    response = reader.get(f"{API}/codebook")
    assert _envelope(response, 429)["code"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1
    # another address has its own allowance
    assert reader.get(f"{API}/codebook", REMOTE_ADDR="10.0.0.2").status_code != 429


def test_it_turns_an_unexpected_error_into_the_envelope(reader, db, monkeypatch):
    from observatory.api import queries

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(queries, "entity_queryset", broken)
    error = _envelope(reader.get(f"{API}/entities"), 500)
    assert error["code"] == "internal_error" and "boom" not in error["message"]


@override_settings(OBSERVATORY_API_RATE_LIMITS={"read": (2, 60), "write": (2, 60)})
def test_it_does_not_reset_the_limit_for_a_made_up_token(reader, db):
    for n in range(2):
        assert reader.get(f"{API}/codebook", HTTP_AUTHORIZATION=f"Bearer made-up-{n}").status_code != 429
    assert reader.get(f"{API}/codebook", HTTP_AUTHORIZATION="Bearer made-up-3").status_code == 429
    for n in range(2):
        reader.put(f"{API}/entities/x", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer guess-{n}")
    guess = reader.put(f"{API}/entities/x", {}, content_type="application/json", HTTP_AUTHORIZATION="Bearer guess-3")
    assert _envelope(guess, 429)["code"] == "rate_limited"
