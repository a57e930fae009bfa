"""The OpenAPI description: valid, complete, and honest about the error envelope."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_it_describes_every_endpoint_with_openapi_3(reader):
    schema = reader.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in ("/api/v1/entities", "/api/v1/entities/{slug}", "/api/v1/relations", "/api/v1/codebook",
                 "/api/v1/analysis-runs", "/api/v1/analysis-runs/{run_id}", "/api/v1/posts", "/api/v1/codings",
                 "/api/v1/exports/{format}"):
        assert path in paths, path
    assert set(paths["/api/v1/entities/{slug}"]) == {"get", "put"}


def test_it_declares_the_error_envelope_on_every_operation(reader):
    schema = reader.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"404", "422"} <= set(operation["responses"]), (method, path)


def test_it_requires_a_bearer_token_for_writes_only(reader):
    schema = reader.get("/api/v1/openapi.json").json()
    assert schema["paths"]["/api/v1/entities/{slug}"]["put"]["security"]
    assert "security" not in schema["paths"]["/api/v1/entities/{slug}"]["get"]
