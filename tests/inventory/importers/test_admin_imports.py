"""The admin import (upload, preview, confirm) and the merge review queue, as a curator uses them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from observatory.inventory.importers import importer_get, source_import
from observatory.inventory.models import Entity, ImportRun, MergeDecision

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "importers"


@pytest.fixture(autouse=True)
def _uploads(tmp_path, monkeypatch):
    from observatory.inventory import admin_imports

    monkeypatch.setattr(admin_imports, "_UPLOADS", tmp_path / "imports")


def test_a_curator_uploads_previews_and_confirms_an_import(curator):
    page = curator.get("/admin/inventory/importrun/upload/")
    assert page.status_code == 200
    upload = SimpleUploadedFile("list.json", (FIXTURES / "szmakermap_list.json").read_bytes())
    preview = curator.post("/admin/inventory/importrun/upload/", {"importer": "szmakermap", "file": upload})
    assert preview.status_code == 200
    assert b"Confirm: import" in preview.content and b"polygon ring closed" in preview.content
    assert not Entity.objects.exists()  # the preview was rolled back
    token = preview.context["token"]
    done = curator.post(f"/admin/inventory/importrun/confirm/{token}/")
    assert done.status_code == 302
    assert Entity.objects.count() == 8 and ImportRun.objects.filter(status="done").count() == 1
    assert curator.get(done.url).status_code == 200


def test_a_spreadsheet_upload_needs_its_mapping(curator):
    upload = SimpleUploadedFile("survey.csv", (FIXTURES / "survey.csv").read_bytes())
    page = curator.post("/admin/inventory/importrun/upload/", {"importer": "spreadsheet", "file": upload})
    html = page.content.decode()
    # said once, in the web form's terms (the Mapping field), not as a command-line flag
    assert "choose that file in this Mapping field" in html and html.count("column mapping:") == 1
    assert "needs --mapping FILE.yaml" not in html and not Entity.objects.exists()
    upload = SimpleUploadedFile("survey.csv", (FIXTURES / "survey.csv").read_bytes())
    mapping = SimpleUploadedFile("survey.yaml", (FIXTURES / "survey.yaml").read_bytes())
    page = curator.post("/admin/inventory/importrun/upload/",
                        {"importer": "spreadsheet", "file": upload, "mapping": mapping})
    assert b"import-rejects" in page.content and "类型" in page.content.decode()


def test_a_reader_cannot_import(reader):
    assert reader.get("/admin/inventory/importrun/upload/").status_code == 302


def test_a_curator_accepts_rejects_and_unmerges_in_the_review_queue(curator):
    source_import(importer=importer_get("szmakermap"), path=FIXTURES / "szmakermap_list.json")
    entities = list(Entity.objects.order_by("id")[:4])
    first = MergeDecision.objects.create(kept=entities[0], merged=entities[1], score=0.7, status="queued")
    second = MergeDecision.objects.create(kept=entities[2], merged=entities[3], score=0.65, status="queued")
    assert curator.get("/admin/inventory/mergedecision/").status_code == 200
    url = "/admin/inventory/mergedecision/"
    curator.post(url, {"action": "accept", "_selected_action": [first.pk]})
    curator.post(url, {"action": "reject", "_selected_action": [second.pk]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("merged", "rejected")
    assert Entity.objects.get(pk=entities[1].pk).merged_into_id == entities[0].pk
    curator.post(url, {"action": "unmerge", "_selected_action": [first.pk]})
    first.refresh_from_db()
    assert first.status == "unmerged" and Entity.objects.get(pk=entities[1].pk).merged_into_id is None
