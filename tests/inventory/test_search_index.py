"""The token index of entity search (observatory/inventory/search_index.py): the admin, the API
and the search page find entities through it, and it follows every write — a rename, a merge, a
deletion, the bulk importer, a restore, a plain UPDATE, a rebuilt table."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from observatory.inventory import search_index
from observatory.inventory.models import Entity, Name
from observatory.inventory.services import entity_refresh_derived
from observatory.site.selectors.search import search_ranked_compute

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
SQLITE = connection.vendor == "sqlite"


def _admin_slugs(admin, query: str, queries: list | None = None) -> set[str]:
    with CaptureQueriesContext(connection) as captured:
        page = admin.get(reverse("admin:inventory_entity_changelist"), {"q": query}).content.decode()
    if queries is not None:
        queries += [q["sql"] for q in captured.captured_queries]
    return {e.slug for e in Entity.objects.all() if reverse("admin:inventory_entity_change", args=[e.pk]) in page}


def _api_slugs(reader, query: str) -> set[str]:
    return {row["slug"] for row in reader.get("/api/v1/entities", {"q": query}).json()["items"]}


def _site_slugs(query: str) -> set[str]:
    return {hit.entity.slug for hit in search_ranked_compute(query)[0]}


def _index_rows() -> set[tuple[int, str, str]]:
    """(entity id, column, token) of every entry of the FTS5 index, read through fts5vocab."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, {search_index.TABLE}, "
                       "instance)")
        cursor.execute("SELECT doc, col, term FROM temp.vocab")
        return set(cursor.fetchall())


def _expected_rows() -> set[tuple[int, str, str]]:
    rows = set()
    for pk, slug, text in Entity.objects.values_list("pk", "slug", "search_text"):
        rows |= {(pk, "slug", word) for word in slug.replace("_", "-").lower().split("-") if word}
        rows |= {(pk, "search_text", token) for token in text.split()}
    return rows


def assert_index_agrees() -> None:
    if SQLITE:
        assert _index_rows() == _expected_rows()


@pytest.mark.parametrize("query", ["柴火创客空间", "chaihuo", "Chai Huo", "chaihuo-makerspace", "华侨城"])
def test_the_admin_search_finds_an_entity_through_the_index(admin, mini_dataset, query):
    queries: list[str] = []
    assert "chaihuo-makerspace" in _admin_slugs(admin, query, queries)
    searches = [sql for sql in queries if "search_text" in sql or "MATCH" in sql]
    assert searches, "the entity search ran no query"
    if SQLITE:
        assert all(search_index.TABLE in sql and "MATCH" in sql for sql in searches), searches
        assert not any("LIKE" in sql for sql in searches), searches


def test_the_admin_search_needs_every_token(admin, mini_dataset):
    assert _admin_slugs(admin, "柴火") == {"chaihuo-makerspace", "x-factory"}
    assert _admin_slugs(admin, "柴火 X.factory") == {"x-factory"}
    assert _admin_slugs(admin, "zzzqqq") == set()


@pytest.mark.parametrize("query", ["chái huǒ", "chai2 huo3"])
def test_the_admin_the_api_and_the_search_page_read_a_query_alike(admin, reader, mini_dataset, query):
    """One rule splits a query into tokens (search_index.query_tokens), tone marks and numbers off."""
    assert search_index.query_tokens(query) == ["chai", "huo", "chaihuo"]
    assert "chaihuo-makerspace" in _admin_slugs(admin, query) & _api_slugs(reader, query) & _site_slugs(query)


def test_a_query_is_looked_up_by_its_first_tokens():
    words = [f"word{chr(97 + i)}" for i in range(20)]
    assert search_index.query_tokens(" ".join(words)) == words[:search_index.QUERY_TOKENS_MAX]


def test_a_renamed_entity_is_found_by_its_new_name_only(admin, reader, mini_dataset):
    chaihuo = Entity.objects.get(slug="chaihuo-makerspace")
    Name.objects.filter(entity=chaihuo).delete()
    Name.objects.create(entity=chaihuo, text="卓越工坊", lang="zh-Hans")
    entity_refresh_derived(chaihuo)
    assert "chaihuo-makerspace" not in _admin_slugs(admin, "柴火")
    assert "chaihuo-makerspace" not in _api_slugs(reader, "柴火")
    assert "chaihuo-makerspace" not in _site_slugs("柴火")
    assert "chaihuo-makerspace" in _admin_slugs(admin, "卓越工坊")
    assert "chaihuo-makerspace" in _api_slugs(reader, "zhuoyue")
    assert "chaihuo-makerspace" in _site_slugs("卓越")
    assert_index_agrees()


def test_a_merged_entity_leaves_the_public_results_and_its_names_find_the_kept_one(reader, mini_dataset):
    from observatory.inventory.resolution import entity_merge

    kept, merged = Entity.objects.get(slug="szoil"), Entity.objects.get(slug="chaihuo-makerspace")
    entity_merge(kept=kept, merged=merged)
    assert "chaihuo-makerspace" not in _api_slugs(reader, "柴火创客空间")
    assert "chaihuo-makerspace" not in _site_slugs("柴火创客空间")
    assert "szoil" in _api_slugs(reader, "柴火创客空间")
    assert "szoil" in _site_slugs("柴火创客空间")
    assert_index_agrees()


def test_a_deleted_entity_leaves_the_index(admin, reader, mini_dataset):
    Entity.objects.get(slug="chaihuo-makerspace").delete()
    assert _admin_slugs(admin, "柴火") == {"x-factory"}
    assert "chaihuo-makerspace" not in _api_slugs(reader, "柴火")
    assert_index_agrees()


@pytest.mark.skipif(not SQLITE, reason="the FTS5 index is SQLite's")
def test_the_index_follows_the_bulk_importer_a_restore_and_plain_sql(mini_dataset, tmp_path):
    from observatory.exports import export_run
    from observatory.exports.restore import package_restore
    from observatory.inventory.importers import importer_get, source_import

    source_import(importer=importer_get("ananse-csv"), path=FIXTURES / "ananse_china_subset.csv", bulk=True)
    assert_index_agrees()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_entity SET search_text = search_text || ' zzzqqq' WHERE slug = 'szoil'")
    assert_index_agrees()
    assert Entity.objects.filter(search_index.match("sqlite", ["zzzqqq"], every=True)).get().slug == "szoil"
    export_run("datapackage", tmp_path / "backup", include_restricted=True)
    from tests.exports.test_round_trip import _empty_database

    _empty_database()
    assert _index_rows() == set()
    package_restore(tmp_path / "backup")
    assert _index_rows() and _index_rows() == _expected_rows()


@pytest.mark.skipif(not SQLITE, reason="the FTS5 index is SQLite's")
@pytest.mark.django_db(transaction=True)  # the SQLite schema editor needs foreign keys off, outside a transaction
def test_a_rebuilt_entity_table_gets_its_triggers_back(mini_dataset):
    with connection.schema_editor() as editor:
        editor._remake_table(Entity)  # what a later AlterField on Entity does on SQLite
    assert search_index.ensure(connection) is True
    Entity.objects.filter(slug="szoil").update(search_text="renamed")
    assert_index_agrees()
    assert search_index.ensure(connection) is False


@pytest.mark.parametrize("query", ["柴火", "chaihuo", "chaihuo-makerspace"])
def test_on_postgresql_the_trigram_indexes_serve_the_admin_search(mini_dataset, query):
    """Every branch of the token match (the LIKE patterns, the equalities) can be answered from an
    index, so the search reads no whole table; the test table is small, so sequential scans are
    turned off to see which plan is possible."""
    if SQLITE:
        pytest.skip("PostgreSQL only: SQLite searches the FTS5 table (run the suite with DATABASE_URL=postgres://…)")
    from observatory.inventory import selectors

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = selectors.entity_search_filter(Entity.objects.all(), query, slug=True).explain()
    assert "Seq Scan" not in plan, plan
    assert "inventory_entity_search_text_trgm" in plan, plan
    assert "chaihuo-makerspace" in set(
        selectors.entity_search_filter(Entity.objects.all(), query, slug=True).values_list("slug", flat=True))
