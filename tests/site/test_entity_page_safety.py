"""What the entity page does with hostile data: citations escaped."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def test_it_shows_a_hostile_source_title_as_text_in_the_citations(reader, mini_dataset):
    from observatory.inventory.models import Entity, EntitySource
    from observatory.inventory.services import source_upsert

    source, _ = source_upsert(key="hostile2024", csl={
        "type": "article-journal", "title": HOSTILE, "author": [{"family": "<b onmouseover=alert(2)>Evil</b>"}],
        "container-title": "<iframe src=//evil.example>", "issued": {"date-parts": [[2024]]}})
    EntitySource.objects.create(entity=Entity.objects.get(slug="szoil"), source=source, locator="<svg onload=alert(3)>")
    html = reader.get("/entities/szoil/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "<b onmouseover" not in html and "<iframe" not in html and "<svg" not in html
    assert "LAB ZERO. (2017). <i>Shenzhen Maker Map (list.json)</i> [Dataset]" in html  # real markup stays
