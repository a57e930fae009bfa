"""Public pages served from the cache until the data changes (observatory/pagecache.py)."""

import re

import pytest
from django.test import Client, override_settings

from observatory.inventory.models import Entity, Source

pytestmark = pytest.mark.django_db

PAGE = "/entities/chaihuo-makerspace/"


def _get(client, path=PAGE):
    response = client.get(path, secure=True)
    assert response.status_code == 200
    return response


def test_the_second_reading_comes_from_the_cache_and_is_the_same_page(mini_dataset):
    first, second = _get(Client()), _get(Client())
    assert first["X-Observatory-Cache"] == "miss" and second["X-Observatory-Cache"] == "hit"
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", first.content) == token.sub(b"", second.content)


def test_an_edit_shows_on_the_next_reading(mini_dataset):
    _get(Client())
    entity = Entity.objects.get(slug="chaihuo-makerspace")
    name = entity.names.filter(lang="en").first()
    name.text = "Chaihuo Makerspace (renamed in a test)"
    name.save()
    response = _get(Client())
    assert response["X-Observatory-Cache"] == "miss"
    assert "renamed in a test" in response.content.decode()


def test_an_edit_of_a_cited_source_shows_on_the_next_reading(mini_dataset):
    _get(Client())
    source = Source.objects.filter(citations__entity__slug="chaihuo-makerspace").first()
    assert source is not None
    source.csl = {**source.csl, "title": "A retitled source for the cache test"}
    source.title = "A retitled source for the cache test"
    source.save()
    assert "A retitled source for the cache test" in _get(Client()).content.decode()


def test_the_language_form_works_from_a_cached_page(mini_dataset):
    _get(Client())
    reader = Client(enforce_csrf_checks=True)
    page = _get(reader)
    assert page["X-Observatory-Cache"] == "hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = reader.post("/i18n/setlang/", {"language": "zh-hans", "next": PAGE, "csrfmiddlewaretoken": token},
                           secure=True, HTTP_REFERER="https://testserver" + PAGE)
    assert response.status_code == 302
    chinese = _get(reader)
    assert 'lang="zh-Hans"' in chinese.content.decode()


def test_signed_in_users_are_never_served_from_the_cache(mini_dataset, curator):
    _get(Client())
    assert "X-Observatory-Cache" not in _get(curator)


@override_settings(OBSERVATORY_PAGE_CACHE_SECONDS=0)
def test_it_can_be_turned_off(mini_dataset):
    _get(Client())
    assert "X-Observatory-Cache" not in _get(Client())


def test_each_language_has_its_own_copy(mini_dataset):
    english = _get(Client())
    chinese = Client()
    chinese.cookies["django_language"] = "zh-hans"
    assert _get(chinese).content != english.content


def test_the_counter_moves_again_when_the_transaction_commits(mini_dataset):
    """A save bumps the counter at once and once more at commit, so a request of another process
    that read the new counter before the commit cannot keep the old page under the final one; many
    saves in one transaction add one bump at commit, not one each. (The test runs inside a
    transaction that never commits: the callbacks waiting for the commit are read directly.)"""
    from django.core.cache import caches
    from django.db import connection

    from observatory.pagecache import _COUNTER, _bump

    pages = caches["pages"]
    before = pages.get(_COUNTER, 0)
    for _ in range(3):
        Source.objects.filter(key="szmakermap2017").first().save()
    assert pages.get(_COUNTER, 0) == before + 3
    waiting = [func for _sids, func, _robust in connection.run_on_commit if func is _bump]
    assert len(waiting) == 1
    waiting[0]()
    assert pages.get(_COUNTER, 0) == before + 4
