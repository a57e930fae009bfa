"""A coding whose only evidence is an excerpt of a private field note stays private with the note:
not on the public entity page, not in the public API."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def field_note_codings(mini_dataset):
    """szoil coded "workshops" twice: from a private interview, and from a public report."""
    from observatory.coding.models import Codebook, Document, Excerpt
    from observatory.coding.services import code_resolve, coding_upsert
    from observatory.inventory.models import Entity

    entity = Entity.objects.get(slug="szoil")
    workshops = code_resolve("knowledge.workshops", Codebook.objects.get(is_default=True))
    private = Document.objects.create(title="Interview 7", text="The director said: we are broke, keep it secret.")
    coding_upsert(entity=entity, code=workshops, excerpt=Excerpt.objects.create(document=private, start=19, end=47),
                  quote="we are broke, keep it secret")

    def publish():
        public = Document.objects.create(title="Open night report", text="Workshops every Thursday.", is_public=True)
        coding_upsert(entity=entity, code=workshops, excerpt=Excerpt.objects.create(document=public, start=0, end=25),
                      quote="Workshops every Thursday")

    return publish


def test_the_entity_page_leaves_out_a_coding_that_rests_on_a_private_note(reader, field_note_codings):
    html = reader.get("/entities/szoil/").content.decode()
    assert "keep it secret" not in html and "knowledge.workshops" not in html
    assert "knowledge.peer-learning" in html  # the dataset's coding, which cites a source
    field_note_codings()
    html = reader.get("/entities/szoil/").content.decode()
    assert "Workshops every Thursday" in html and "knowledge.workshops" in html
    assert "keep it secret" not in html


def test_the_api_leaves_out_a_coding_that_rests_on_a_private_note(reader, field_note_codings):
    codes = reader.get("/api/v1/entities/szoil").json()["codes"]
    assert [c["code"] for c in codes] == ["knowledge.peer-learning"]
    field_note_codings()
    codes = reader.get("/api/v1/entities/szoil").json()["codes"]
    assert sorted(c["code"] for c in codes) == ["knowledge.peer-learning", "knowledge.workshops"]
    assert "keep it secret" not in str(codes) and any(c["quote"] == "Workshops every Thursday" for c in codes)


def test_curators_still_see_every_coding(field_note_codings):
    from observatory.inventory.selectors import entity_detail

    entity = entity_detail("szoil", public_only=False)
    assert {c.quote for c in entity.codings.all()} >= {"we are broke, keep it secret"}
