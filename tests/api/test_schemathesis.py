"""Property-based run of schemathesis against the OpenAPI description, through WSGI on the test
database: for every operation, bounded and deterministic examples, no server error, every answer
conforming to the description (status code, content type, body schema). Writes run with a
curator's token, so the services meet the generated data too."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from observatory.api.services import token_create

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _wsgi_inside_the_test_transaction(settings):
    """Keep the test's database connection open across WSGI requests (as Django's test client does:
    a finished request would close it), and lift the rate limits for the run."""
    settings.OBSERVATORY_API_RATE_LIMITS = {"read": (10**9, 60), "write": (10**9, 60)}
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def curator_token(curator_user):
    return token_create(user=curator_user)[1]


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_it_conforms_to_its_openapi_description(case, mini_dataset, curator_token):
    if case.method.upper() == "GET" and case.path == "/api/v1/exports/{format}":
        case.path_parameters = {"format": "geojson"}  # the heavy formats are tested one by one elsewhere
    headers = {"Authorization": f"Bearer {curator_token}"} if case.method.upper() != "GET" else None
    case.call_and_validate(headers=headers, checks=CHECKS)
