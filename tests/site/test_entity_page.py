import json
import re

import pytest

pytestmark = pytest.mark.django_db


def _json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD"
    return json.loads(match.group(1))


def test_it_shows_every_part_of_an_entity(reader, mini_dataset):
    html = reader.get("/entities/szoil/").content.decode()
    for expected in ["深圳开放创新实验室", "Shenzhen Open Innovation Lab", "SZOIL",  # all names
                     'id="entity-map"', "entity-points",  # the small map and its data
                     "BD-09", "Maker Collider",  # location (original CRS) and relations
                     "knowledge.peer-learning",  # codes with evidence
                     "LAB ZERO. (2017). <i>Shenzhen Maker Map (list.json)</i> [Dataset]",  # a formatted citation
                     'href="/api/v1/entities/szoil"',  # the JSON twin
                     "Last edited"]:
        assert expected in html, expected


def test_it_describes_the_entity_in_schema_org(reader, mini_dataset):
    place = _json_ld(reader.get("/entities/szoil/").content.decode())
    assert place["@context"] == "https://schema.org"
    assert place["@type"] == "Place"
    assert place["geo"]["@type"] == "GeoCoordinates"
    assert "SZOIL" in place["alternateName"]
    company = _json_ld(reader.get("/entities/seeed-studio/").content.decode())
    assert company["@type"] == "Organization"
    assert company["foundingDate"] == "2008-01-01"


def test_it_lists_revision_dates_without_curators(reader, mini_dataset, curator_user):
    import reversion

    from observatory.inventory.models import Entity

    entity = Entity.objects.get(slug="szoil")
    with reversion.create_revision():
        reversion.set_user(curator_user)
        reversion.set_comment("fixed the address")
        entity.save()
    html = reader.get("/entities/szoil/").content.decode()
    assert "recorded revision" in html and "edited on" in html
    assert "curator" not in html and "fixed the address" not in html


def test_an_imprecise_location_is_an_area_on_the_entity_map(reader, mini_dataset):
    from observatory.inventory.models import Location

    Location.objects.filter(entity__slug="szoil").update(precision="city")
    html = reader.get("/entities/szoil/").content.decode()
    points = json.loads(re.search(r'<script id="entity-points" type="application/json">(.*?)</script>', html,
                                  re.S).group(1))
    assert points[0]["radius"] == 15000


def test_it_shows_chinese_code_labels_and_names_first_in_chinese(reader, mini_dataset):
    reader.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = reader.get("/entities/szoil/").content.decode()
    assert "深圳开放创新实验室 <span class=\"alt\">(Shenzhen Open Innovation Lab)</span>" in html


def test_the_name_filter_shows_the_readers_language_first_and_escapes_both(db):
    from django.utils import translation

    from observatory.inventory.models import Entity
    from observatory.site.templatetags.atlas import entity_name

    both = Entity(name="<b>x</b>", name_zh="<i>空间</i>", name_en="Space & Co")
    only_zh = Entity(name="柴火", name_zh="柴火", name_en="")
    neither = Entity(name="<script>", name_zh="", name_en="")
    same = Entity(name="NEXT", name_zh="NEXT", name_en="NEXT")
    with translation.override("en"):
        assert entity_name(same) == "NEXT"  # one name in both languages: not repeated in brackets
        assert entity_name(both) == 'Space &amp; Co <span class="alt" lang="zh-Hans">(&lt;i&gt;空间&lt;/i&gt;)</span>'
        assert entity_name(only_zh) == "柴火" and entity_name(neither) == "&lt;script&gt;"
    with translation.override("zh-hans"):
        assert entity_name(both) == '&lt;i&gt;空间&lt;/i&gt; <span class="alt">(Space &amp; Co)</span>'
        assert entity_name(only_zh) == "柴火" and entity_name(neither) == "&lt;script&gt;"


def test_it_shows_what_the_entity_document_holds(reader, mini_dataset):
    """The page is rendered from the document the API sends: every name, code, relation and source
    of the JSON is on the page."""
    from django.utils.html import escape

    from observatory.inventory.models import Entity

    for slug in Entity.objects.public().values_list("slug", flat=True):
        document = reader.get(f"/api/v1/entities/{slug}").json()
        html = reader.get(f"/entities/{slug}/").content.decode()
        assert f'<link rel="alternate" type="application/json" href="{document["url"]}">' in html
        for name in document["names"]:
            assert f"<td>{escape(name['text'])}</td>" in html
        for code in document["codes"]:
            assert f"<code>{escape(code['code'])}</code>" in html
        for relation in document["relations"]:
            other = relation["target_entity"] if relation["source_entity"] == slug else relation["source_entity"]
            assert f'href="/entities/{other}/"' in html
        assert html.count("<li>", html.index('class="citations"')) >= len(document["sources"])

