"""The import trigger: a curator uploads a real source file and names the importer."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from observatory.api.services import token_create
from observatory.inventory.models import Entity
from tests.shared import shared_path

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
