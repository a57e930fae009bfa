"""Hostile input through every input, as in production (DEBUG off): no answer of 500 and no XSS
payload unescaped, on SQLite and on PostgreSQL. The compact form of bench/bench_hostile.py (one
request per page or form and payload, every parameter or text field at once)."""

from __future__ import annotations

import pytest
from django.test import Client

from observatory.api.services import token_create

from .hostile import (
    ADMIN_COMPACT,
    API_COMPACT,
    COMPACT,
    ENTITY,
    XSS_IMG,
    XSS_SCRIPT,
    Findings,
    api_read_parameters,
    probe_admin_forms,
    probe_api_writes,
    probe_get_parameters,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.OBSERVATORY_API_RATE_LIMITS = {"read": (10**9, 60), "write": (10**9, 60)}


def _assert_clean(findings: Findings) -> None:
    assert not findings.server_errors, f"{findings.summary()}\n" + "\n".join(findings.server_errors[:30])
    assert not findings.unescaped, f"{findings.summary()}\n" + "\n".join(findings.unescaped[:30])


def test_it_answers_hostile_get_parameters_without_a_server_error(production, mini_dataset):
    findings = Findings()
    probe_get_parameters(Client(raise_request_exception=False), COMPACT, findings, api_params=api_read_parameters())
    _assert_clean(findings)
    assert findings.requests > 500


def test_it_answers_hostile_api_writes_with_4xx_and_shows_what_it_stored_escaped(production, mini_dataset,
                                                                                  curator_user):
    client = Client(raise_request_exception=False)
    findings = Findings()
    token = token_create(user=curator_user)[1]
    probe_api_writes(client, token, API_COMPACT, findings, numbers=["NaN", "1e309"])
    _assert_clean(findings)
    assert findings.by_status[400] > 0 and findings.by_status[200] > 0
    # whatever was accepted (an XSS payload is only text) is shown escaped everywhere
    body = {**ENTITY, "names": [{"text": XSS_SCRIPT, "lang": "en"}, {"text": XSS_IMG, "lang": "zh-Hans"}]}
    response = client.put("/api/v1/entities/hostile-space", body, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code in (200, 201), response.content
    page = client.get("/entities/hostile-space/").content.decode()
    assert "&lt;script&gt;alert(&#x27;obs-xss&#x27;)" in page
    probe_get_parameters(client, COMPACT[:8], findings)
    _assert_clean(findings)


def test_it_answers_hostile_admin_forms_with_form_errors(production, mini_dataset, admin_user):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    findings = Findings()
    probe_admin_forms(client, ADMIN_COMPACT, findings, search_corpus=COMPACT[:8])
    _assert_clean(findings)
    assert findings.requests > 300
    probe_get_parameters(client, COMPACT[:8], findings)
    _assert_clean(findings)
