import pytest

from observatory.site import selectors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["柴火", "chaihuo", "chai huo", "Chaihuo Makerspace", "Chaihuo Maker Space",
                                   "chái huǒ", "chai2 huo3", "CHAIHUO", "柴火创客空间"])
def test_it_finds_chaihuo_in_every_script_from_the_search_page(reader, mini_dataset, query):
    html = reader.get("/search/", {"q": query}).content.decode()
    assert "/entities/chaihuo-makerspace/" in html


@pytest.mark.parametrize("query", ["柴火创客空间", "Chaihuo Makerspace", "chaihuo maker space"])
def test_it_ranks_an_exact_name_first(mini_dataset, query):
    hits, total = selectors.search_ranked(query)
    assert hits[0].entity.slug == "chaihuo-makerspace"
    assert hits[0].why == "exact"
    assert total >= 1


def test_it_ranks_a_name_match_above_an_address_match(mini_dataset):
    from observatory.inventory.models import Entity, Location
    from observatory.inventory.services import entity_refresh_derived

    # an address-only match: SZOIL's address mentions 柴火, its names do not
    location = Location.objects.filter(entity__slug="szoil").first()
    location.address_zh = "深圳市柴火大厦"
    location.save()
    entity_refresh_derived(Entity.objects.get(slug="szoil"))
    hits, _ = selectors.search_ranked("柴火")
    slugs = [h.entity.slug for h in hits]
    assert slugs.index("chaihuo-makerspace") < slugs.index("szoil")
    assert slugs.index("x-factory") < slugs.index("szoil")
    assert next(h for h in hits if h.entity.slug == "szoil").why == "address"


def test_it_finds_by_address(mini_dataset):
    hits, _ = selectors.search_ranked("华侨城")
    assert [h.entity.slug for h in hits][:1] == ["chaihuo-makerspace"]
    assert hits[0].why == "address"


def test_it_weights_rare_tokens_over_common_ones(mini_dataset):
    # "space" is in one English name only, "makerspace" in none; "shenzhen" is rarer than "maker"
    hits, _ = selectors.search_ranked("Shenzhen Open Innovation Lab")
    assert hits[0].entity.slug == "szoil"


def test_it_returns_nothing_for_an_empty_or_unknown_query(reader, mini_dataset):
    assert selectors.search_ranked("") == ([], 0)
    assert selectors.search_ranked("zzzqqq") == ([], 0)
    page = reader.get("/search/", {"q": "zzzqqq"})
    assert page.status_code == 200
    assert reader.get("/search/").status_code == 200


def test_it_never_shows_private_entities(reader, mini_dataset):
    from observatory.inventory.models import Entity

    Entity.objects.filter(slug="chaihuo-makerspace").update(is_public=False)
    assert "/entities/chaihuo-makerspace/" not in reader.get("/search/", {"q": "柴火"}).content.decode()


def test_it_filters_search_by_kind(reader, mini_dataset):
    html = reader.get("/search/", {"q": "柴火", "kind": "company"}).content.decode()
    assert "/entities/chaihuo-makerspace/" not in html


def test_the_header_box_searches_the_search_page(reader, mini_dataset):
    html = reader.get("/").content.decode()
    assert 'action="/search/"' in html
