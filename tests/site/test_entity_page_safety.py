"""What the entity page does with hostile data: citations escaped, a JSON-LD block that stays
closed, links to web addresses only."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def _json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD"
    return json.loads(match.group(1))


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


def test_a_script_end_in_a_name_cannot_leave_the_json_ld_block(reader, mini_dataset):
    from observatory.inventory.models import Entity, Location

    Entity.objects.filter(slug="szoil").update(name="</script><script>alert(1)</script> & <!--")
    Location.objects.filter(entity__slug="szoil").update(address_zh="</SCRIPT>福田")
    html = reader.get("/entities/szoil/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block and "&" not in block
    assert "\\u003c/script\\u003e\\u003cscript\\u003e" in block
    place = _json_ld(html)
    assert place["name"] == "</script><script>alert(1)</script> & <!--"  # the same data, only written safely
    assert place["address"] == "</SCRIPT>福田"


@pytest.mark.parametrize("website", ["javascript:alert(document.cookie)", " JavaScript:alert(1)",
                                     "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                     "vbscript:msgbox(1)", "//evil.example/", "http:/no-host"])
def test_a_website_that_is_not_a_web_address_is_never_a_link(reader, mini_dataset, website):
    from observatory.inventory.models import Entity

    Entity.objects.filter(slug="szoil").update(website=website)
    html = reader.get("/entities/szoil/").content.decode()
    kind_line = re.search(r'<p class="kind">(.*?)</p>', html, re.S).group(1)
    assert "<a" not in kind_line
    assert "sameAs" not in _json_ld(html)


def test_a_web_address_is_a_link(reader, mini_dataset):
    from observatory.inventory.models import Entity

    Entity.objects.filter(slug="szoil").update(website="https://www.szoil.org/")
    html = reader.get("/entities/szoil/").content.decode()
    assert '<a href="https://www.szoil.org/" rel="nofollow noopener">https://www.szoil.org/</a>' in html
    assert _json_ld(html)["sameAs"] == "https://www.szoil.org/"
