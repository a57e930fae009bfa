"""What a production deployment relies on: the client's address behind trusted proxies, rate
limits and login attempts shared by the workers, the admin login lockout, reads that take no write
lock, 503 rather than 500 when a write cannot get the lock, and the security and cache headers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from observatory.middleware import client_address, is_lock_timeout
from observatory.sqlite_cache import SQLiteCache

API = "/api/v1"
REPO_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "importers"


@pytest.mark.parametrize(("proxies", "forwarded", "expected"), [
    (0, "203.0.113.9", "10.0.0.1"),                 # no proxy trusted: the header proves nothing
    (1, "203.0.113.9", "203.0.113.9"),              # behind nginx
    (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),     # the client wrote the first entry itself
    (2, "6.6.6.6, 203.0.113.9, 10.1.1.1", "203.0.113.9"),
    (1, "not-an-address", "10.0.0.1"),
    (1, "", "10.0.0.1"),
])
def test_it_takes_the_client_address_from_the_trusted_proxies(settings, proxies, forwarded, expected):
    settings.OBSERVATORY_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_it_limits_each_reader_behind_the_proxy_on_their_own(reader, db, settings):
    settings.OBSERVATORY_TRUSTED_PROXIES = 1
    settings.OBSERVATORY_API_RATE_LIMITS = {"read": (2, 60), "write": (2, 60)}
    one = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    two = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.2"}
    assert [reader.get(f"{API}/codebook", **one).status_code for _ in range(3)][-1] == 429
    assert reader.get(f"{API}/codebook", **two).status_code != 429


def test_the_shared_cache_counts_across_processes(tmp_path):
    path = tmp_path / "cache.sqlite3"
    first, second = SQLiteCache(path, {}), SQLiteCache(path, {})  # two workers' caches
    assert first.add("k", 0, 60) and not second.add("k", 0, 60)  # the rate limit's add, then incr
    assert [first.incr("k"), second.incr("k"), first.incr("k")] == [1, 2, 3]
    assert first.add("a", 1, 60) and not second.add("a", 5, 60)
    assert second.incr("a") == 2 and first.get("a") == 2
    second.set("obj", {"x": [1, "二"]}, 60)
    assert first.get("obj") == {"x": [1, "二"]}
    first.set("gone", 1, -1)
    assert first.get("gone") is None and not first.has_key("gone")
    with pytest.raises(ValueError):
        first.incr("missing")


def test_the_admin_login_pauses_after_repeated_failures_and_says_why(client, admin_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        response = client.post("/admin/login/", {"username": "admin", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    assert client.post("/admin/login/", {"username": "admin", "password": "wrong"}).status_code == 429
    response = client.post("/admin/login/", {"username": "admin", "password": "admin-password-1"})
    assert response.status_code == 429
    assert "paused" in response.content.decode() and "15 minutes" in response.content.decode()
    # another account from another address is not affected
    other = client.post("/admin/login/", {"username": "someone", "password": "x"}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200


def test_the_admin_login_pauses_a_client_that_tries_many_accounts(client, admin_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(3):
        client.post("/admin/login/", {"username": f"guess{n}", "password": "wrong"}, REMOTE_ADDR="10.7.7.7")
    response = client.post("/admin/login/", {"username": "admin", "password": "admin-password-1"},
                           REMOTE_ADDR="10.7.7.7")
    assert response.status_code == 429


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's transaction modes")
def test_a_read_request_takes_no_write_lock_even_inside_a_revision(transactional_db, client, mini_dataset):
    from django.contrib.auth import get_user_model

    admin = client
    admin.force_login(get_user_model().objects.create_superuser("boss", password="boss-password-1"))
    with CaptureQueriesContext(connection) as queries:
        assert admin.get("/admin/inventory/entity/?q=chaihuo").status_code == 200
    begins = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("BEGIN")]
    assert begins and all(sql == "BEGIN DEFERRED" for sql in begins)


def test_a_request_that_cannot_get_the_lock_is_answered_503_with_retry_after(reader, db, monkeypatch, tmp_path):
    from observatory.api import queries

    db_file = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(db_file, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(db_file, timeout=0.05)
    try:
        waiter.execute("INSERT INTO t VALUES (1)")
    except sqlite3.OperationalError as exc:
        locked = OperationalError(str(exc))
        locked.__cause__ = exc
    holder.rollback()
    assert is_lock_timeout(locked)

    def busy(**kwargs):
        raise locked

    monkeypatch.setattr(queries, "entity_queryset", busy)
    response = reader.get(f"{API}/entities")
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "busy"


def test_every_page_carries_a_strict_content_security_policy(reader, mini_dataset):
    for path in ["/", "/map/", "/admin/login/", f"{API}/docs"]:
        policy = reader.get(path)["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "style-src 'self';" in policy and "unsafe" not in policy


def test_feeds_and_the_sitemap_allow_no_script_and_no_request(reader, mini_dataset):
    # a browser's XML viewer styles the tree inline; nothing else is allowed
    for path in ["/sitemap.xml", "/blog/feeds/rss.xml", "/blog/feeds/atom.xml"]:
        response = reader.get(path)
        assert response.status_code == 200, path
        assert response["Content-Security-Policy"] == ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                                       "frame-ancestors 'none'")


def test_a_configured_tile_server_is_allowed_for_images(reader, db, settings):
    settings.OBSERVATORY_TILE_LAYERS = [{"name": "Amap", "url": "https://webrd0{s}.is.autonavi.com/t?x={x}",
                                         "gcj02": True}]
    assert "img-src 'self' data: https://*.is.autonavi.com;" in reader.get("/")["Content-Security-Policy"]


def test_public_pages_may_be_kept_by_the_readers_browser_only(reader, mini_dataset, admin_user, client):
    for _ in range(2):  # a miss, then a hit of the page cache
        response = reader.get("/entities/")
        assert response["Cache-Control"] == "private, max-age=60" and "Cookie" in response["Vary"]
    client.force_login(admin_user)
    assert "max-age=60" not in client.get("/entities/").get("Cache-Control", "")


def test_an_import_larger_than_the_limit_is_refused_unread(db, settings):
    from observatory.inventory.importers import ImportFileError, importer_get, source_import
    from observatory.inventory.models import Entity

    fixture = REPO_FIXTURES / "szmakermap_list.json"
    settings.OBSERVATORY_IMPORT_MAX_BYTES = fixture.stat().st_size - 1
    with pytest.raises(ImportFileError, match=r"more than the import limit of [0-9,]+ bytes .*OBSERVATORY_IMPORT_MAX_BYTES"):
        source_import(importer=importer_get("szmakermap"), path=fixture)
    assert not Entity.objects.exists()
    settings.OBSERVATORY_IMPORT_MAX_BYTES = fixture.stat().st_size
    assert source_import(importer=importer_get("szmakermap"), path=fixture).total > 0
