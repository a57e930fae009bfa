"""The import trigger: a curator uploads a real source file and names the importer."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from observatory.api.services import token_create
from observatory.inventory.models import Entity
from tests.shared import shared_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"

pytestmark = pytest.mark.django_db

importers = pytest.importorskip("observatory.inventory.importers")


@pytest.fixture
def auth(curator_user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=curator_user)[1]}"}


@pytest.mark.shared
def test_it_imports_the_shenzhen_maker_map_dry_then_for_real(reader, auth):
    data = shared_path("data", "raw", "szmakermap", "list.json").read_bytes()
    upload = SimpleUploadedFile("list.json", data, content_type="application/json")
    response = reader.post("/api/v1/imports", {"importer": "szmakermap", "file": upload, "dry_run": "true"}, **auth)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] and body["total"] > 0 and not Entity.objects.exists()
    upload = SimpleUploadedFile("list.json", data, content_type="application/json")
    response = reader.post("/api/v1/imports", {"importer": "szmakermap", "file": upload}, **auth)
    assert response.status_code == 200 and Entity.objects.exists()


def test_it_answers_a_bad_upload_in_the_envelope(reader, auth):
    upload = SimpleUploadedFile("list.json", b"\xff\xfe not json", content_type="application/json")
    response = reader.post("/api/v1/imports", {"importer": "szmakermap", "file": upload}, **auth)
    assert response.status_code == 422 and response.json()["error"]["code"] in {"invalid_file", "invalid"}
    upload = SimpleUploadedFile("list.txt", b"x")
    response = reader.post("/api/v1/imports", {"importer": "no-such-importer", "file": upload}, **auth)
    assert response.status_code == 422 and "accepted" in response.json()["error"]["message"]
    assert reader.post("/api/v1/imports", {"importer": "szmakermap", "file": upload}).status_code == 401


def test_a_body_over_the_memory_limit_is_413_in_the_envelope(reader, auth, settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    body = b'{"importer": "szmakermap", "padding": "' + b"x" * 3_000_000 + b'"}'
    for url in ("/api/v1/imports", "/api/v1/entities"):
        response = reader.post(url, body, content_type="application/json", **auth)
        assert response.status_code == 413, response.content[:200]
        error = response.json()["error"]
        assert error["code"] == "too_large" and "2,621,440 bytes" in error["message"]


def test_a_file_over_the_memory_limit_is_still_imported_as_multipart(reader, auth):
    data = (FIXTURES / "szmakermap_list.json").read_bytes()
    data = data + b" " * (3_000_000 - len(data))  # 3 MB: streamed to disk, not held in memory
    upload = SimpleUploadedFile("list.json", data, content_type="application/json")
    response = reader.post("/api/v1/imports", {"importer": "szmakermap", "file": upload, "dry_run": "true"}, **auth)
    assert response.status_code == 200, response.content[:300]
    assert response.json()["total"] == 8


def test_a_broken_upload_is_named_as_uploaded_not_by_its_server_path(reader, auth):
    upload = SimpleUploadedFile("Shenzhen map.json", b"[" * 100_000 + b"]" * 100_000, content_type="application/json")
    response = reader.post("/api/v1/imports", {"importer": "szmakermap", "file": upload}, **auth)
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert message.startswith("Shenzhen map.json: cannot be read as szmakermap") and "nested too deeply" in message
    assert "observatory-import-" not in message and "/tmp" not in message
