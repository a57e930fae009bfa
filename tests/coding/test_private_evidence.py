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
    from observatory.coding.selectors import coding_list
    from observatory.inventory.models import Entity

    entity = Entity.objects.get(slug="szoil")
    assert {c.quote for c in coding_list(entity_id=entity.pk, public_only=False)} >= {"we are broke, keep it secret"}
    assert "we are broke, keep it secret" not in {c.quote for c in coding_list(entity_id=entity.pk)}


def test_a_note_made_private_elsewhere_drops_the_cached_answers_that_quote_it(reader, field_note_codings):
    """Another server process (no signal here: a queryset update) makes the public report private:
    within the data signature's memo, the cached page and JSON must stop quoting it."""
    from django.core.cache import caches

    from observatory.coding.models import Document
    from observatory.pagecache import data_signature_reset

    caches["pages"].clear()
    field_note_codings()
    for path in ("/entities/szoil/", "/api/v1/entities/szoil"):
        assert "Workshops every Thursday" in reader.get(path).content.decode()
        assert reader.get(path)["X-Observatory-Cache"] == "hit"
    Document.objects.filter(title="Open night report").update(is_public=False)
    data_signature_reset()  # the memo of the other process has expired
    for path in ("/entities/szoil/", "/api/v1/entities/szoil"):
        answer = reader.get(path)
        assert answer["X-Observatory-Cache"] == "miss"
        assert "Workshops every Thursday" not in answer.content.decode()
