import pytest

pytestmark = pytest.mark.django_db


def test_the_entity_list_shows_the_inventory_and_filters_it(reader, mini_dataset):
    page = reader.get("/entities/")
    assert page.status_code == 200
    assert "柴火创客空间" in page.content.decode()
    fab_labs = reader.get("/entities/", {"kind": "fab_lab"}).content.decode()
    assert "/entities/szoil/" in fab_labs and "/entities/chaihuo-makerspace/" not in fab_labs
    companies = reader.get("/entities/", {"layer": "organizational"}).content.decode()
    assert "/entities/seeed-studio/" in companies and "/entities/szoil/" not in companies
    guangdong = reader.get("/entities/", {"province": "440000"}).content.decode()
    assert "Mintong Digital City" in guangdong


@pytest.mark.parametrize("query", ["柴火", "chaihuo", "chai huo", "Chaihuo Maker Space"])
def test_search_finds_chaihuo_in_every_script(reader, mini_dataset, query):
    page = reader.get("/entities/", {"q": query}).content.decode()
    assert "/entities/chaihuo-makerspace/" in page


def test_the_entity_page_shows_names_location_relations_codes_and_sources(reader, mini_dataset):
    page = reader.get("/entities/szoil/")
    html = page.content.decode()
    assert page.status_code == 200
    for expected in ["深圳开放创新实验室", "SZOIL", "BD-09", "Maker Collider", "knowledge.peer-learning",
                     "Shenzhen Maker Map", "szmakermap2017#feature:2"]:
        assert expected in html, expected


def test_an_unknown_or_private_entity_is_not_found(reader, mini_dataset):
    from observatory.inventory.models import Entity

    assert reader.get("/entities/nope/").status_code == 404
    Entity.objects.filter(slug="szoil").update(is_public=False)
    assert reader.get("/entities/szoil/").status_code == 404
    assert "/entities/szoil/" not in reader.get("/entities/").content.decode()


def test_the_language_switch_shows_chinese_names_first(reader, mini_dataset):
    reader.post("/i18n/setlang/", {"language": "zh-hans", "next": "/entities/"})
    html = reader.get("/entities/chaihuo-makerspace/").content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "柴火创客空间 <span class=\"alt\">(Chaihuo Maker Space)</span>" in html


def test_it_serves_its_own_favicon(reader):
    response = reader.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/vnd.microsoft.icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
