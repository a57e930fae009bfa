"""The atlas as its readers meet it: every page of the BUNDLED dataset (data/china, loaded as
`make demo` loads it, with its analyses and posts) in headless Chromium, in English and Chinese.

One browser (the session's) and one live server with the data loaded once for this module: the
walk takes a couple of minutes, not one page load per test. Every page must load with no console
error, no uncaught exception, no failed request and no answer of 400 or more; the Chinese walk runs
on a 390 px phone screen and measures the document's width on every page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

# django_db: the test database is set up for this module; the data is loaded once, by the module's fixture.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# The searches the README lists: each must find Chaihuo.
README_SEARCHES = ["柴火", "chaihuo", "chai huo", "Chaihuo Makerspace"]


class Bundled:
    def __init__(self, url: str, slugs: list[str], posts: list[str], admin_cookie: dict, admin_pages: list[str]):
        self.url, self.slugs, self.posts, self.admin_cookie, self.admin_pages = url, slugs, posts, admin_cookie, admin_pages


@pytest.fixture(scope="module")
def bundled(django_db_setup, django_db_blocker):
    """A live server over the bundled dataset, its analyses and its posts (what `make demo` sets up)."""
    from django.apps import apps
    from django.contrib import admin as django_admin
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from pytest_django.live_server_helper import LiveServer

    from observatory.blog.models import Post
    from observatory.inventory.models import Entity, Location
    from observatory.site import selectors

    with django_db_blocker.unblock():
        call_command("load_curated", verbosity=0)
        for kind in ("network", "spatial", "typology", "timeline"):
            call_command("analyze", kind, verbosity=0)
        call_command("import_posts", verbosity=0)
        selectors.signature_reset()
        user = get_user_model().objects.create_superuser("walker", email="", password="walker-password-1")
        client = Client()
        client.force_login(user)
        cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
        # The change form of one record of every registered model, and of an entity of every precision.
        admin_pages = []
        for model in apps.get_models():
            if model not in django_admin.site._registry or model._meta.app_label not in {
                    "inventory", "coding", "analysis", "blog", "api"}:
                continue
            first = model._default_manager.order_by("pk").first()
            if first is not None:
                admin_pages.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                                           args=[first.pk]))
        for precision in sorted(set(Location.objects.values_list("precision", flat=True))):
            location = Location.objects.filter(precision=precision, lat__isnull=False).order_by("pk").first()
            if location is not None:
                admin_pages.append(reverse("admin:inventory_entity_change", args=[location.entity_id]))
        slugs = sorted(Entity.objects.filter(is_public=True, merged_into__isnull=True).values_list("slug", flat=True))
        posts = [post.get_absolute_url() for post in Post.objects.filter(status="published")]
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
    yield Bundled(server.url, slugs, posts, cookie, admin_pages)
    server._live_server_modified_settings.disable()
    server.stop()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
    caches["pages"].clear()


class Walker:
    """One browser tab that records every console error, page error, failed request and error answer."""

    def __init__(self, browser, base: str, language: str, viewport: dict, cookies: list[dict] = ()):
        self.base, self.host = base, urlsplit(base).netloc
        self.context = browser.new_context(locale="zh-CN" if language == "zh-hans" else "en-GB", viewport=viewport)
        self.context.add_cookies([{"name": "django_language", "value": language, "url": base},
                                  *({**cookie, "url": base} for cookie in cookies)])
        self.problems: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"{self.where}: console {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"{self.where}: exception {e}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(
            f"{self.where}: {r.status} {r.url}"))
        self.where = ""
        # Requests still running when the walk moves on would be aborted by the navigation: wait for them.
        self.pending: set = set()
        self.page.on("request", lambda r: self.pending.add(r.url))
        self.page.on("requestfinished", lambda r: self.pending.discard(r.url))
        self.page.on("requestfailed", lambda r: self.pending.discard(r.url))

    def _failed(self, request):
        # net::ERR_ABORTED is the browser cancelling a request it no longer needs (a navigation, an
        # image the page replaced); a server that fails answers with a status, caught below.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"{self.where}: failed {request.url} {request.failure}")

    def settle(self, timeout_ms: int = 15_000):
        waited = 0
        while self.pending and waited < timeout_ms:
            self.page.wait_for_timeout(25)
            waited += 25
        assert not self.pending, f"{self.where}: requests still running after {timeout_ms} ms: {self.pending}"

    def _route(self, route):
        parts = urlsplit(route.request.url)
        if parts.scheme in ("data", "blob") or parts.netloc == self.host:
            route.continue_()
        else:
            self.problems.append(f"{self.where}: request left the host: {route.request.url}")
            route.abort()

    def visit(self, path: str, *, ready: str | None = None):
        self.settle()
        self.where = path
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
        if ready:
            self.page.wait_for_function(ready, timeout=15_000)
        return self.page

    def width(self) -> int:
        return self.page.evaluate("document.documentElement.scrollWidth")

    def close(self):
        self.settle()
        self.context.close()


# Functions, not bare expressions: Playwright evaluates a bare expression with eval, which the site's
# Content-Security-Policy (script-src 'self') refuses.
MAP_READY = "() => document.querySelector('#map') && document.querySelector('#map').dataset.items > 0"
NETWORK_READY = "() => document.querySelector('#network') && document.querySelector('#network').dataset.nodes > 0"
ENTITY_MAP_READY = ("() => !document.querySelector('#entity-map') "
                    "|| document.querySelector('#entity-map').dataset.drawn > 0")


def _page_kinds(bundled) -> list[tuple[str, str | None]]:
    return [("/", None), ("/map/", MAP_READY), ("/network/", NETWORK_READY), ("/timeline/", None),
            ("/analysis/", None), ("/entities/", None), ("/entities/?page=2", None), ("/blog/", None),
            *((post, None) for post in bundled.posts), ("/api/v1/docs", None),
            *((f"/search/?q={query}", None) for query in README_SEARCHES)]


@pytest.mark.parametrize("language,viewport", [("en", DESKTOP), ("zh-hans", PHONE)], ids=["english", "chinese-phone"])
def test_every_page_of_the_bundled_atlas_loads_without_an_error(browser, bundled, language, viewport):
    walker = Walker(browser, bundled.url, language, viewport)
    too_wide = []
    undrawn = []
    try:
        for path, ready in _page_kinds(bundled):
            page = walker.visit(path, ready=ready)
            if path.startswith("/search/"):
                assert page.locator("a[href='/entities/chaihuo-makerspace/']").count() >= 1, path
            if viewport is PHONE and walker.width() > PHONE["width"]:
                too_wide.append((path, walker.width()))
        for slug in bundled.slugs:
            path = f"/entities/{slug}/"
            page = walker.visit(path, ready=ENTITY_MAP_READY)
            if page.locator("#entity-map").count() and not page.locator("#entity-map path.obs-entity-place").count():
                undrawn.append(path)
            if viewport is PHONE and walker.width() > PHONE["width"]:
                too_wide.append((path, walker.width()))
        for feed in ("/blog/feeds/rss.xml", "/blog/feeds/atom.xml", "/sitemap.xml", "/api/v1/openapi.json"):
            walker.visit(feed)
    finally:
        walker.close()
    assert walker.problems == [], "\n".join(walker.problems[:40])
    assert undrawn == [], f"entity maps with nothing drawn: {undrawn}"
    assert too_wide == [], f"pages wider than the phone's 390 px: {too_wide}"


def test_english_pages_fit_a_phone_too(browser, bundled):
    walker = Walker(browser, bundled.url, "en", PHONE)
    too_wide = []
    try:
        for path, ready in _page_kinds(bundled)[:9]:
            walker.visit(path, ready=ready)
            if walker.width() > PHONE["width"]:
                too_wide.append((path, walker.width()))
        for slug in bundled.slugs[::5]:
            walker.visit(f"/entities/{slug}/", ready=ENTITY_MAP_READY)
            if walker.width() > PHONE["width"]:
                too_wide.append((slug, walker.width()))
    finally:
        walker.close()
    assert walker.problems == [], "\n".join(walker.problems[:40])
    assert too_wide == [], f"pages wider than the phone's 390 px: {too_wide}"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_admin_change_forms_load_and_show_the_location_map(browser, bundled, language):
    walker = Walker(browser, bundled.url, language, DESKTOP, cookies=[bundled.admin_cookie])
    try:
        for path in list(dict.fromkeys(bundled.admin_pages)):
            page = walker.visit(path)
            if "/inventory/entity/" in path and page.locator(".obs-admin-map").count():
                box = page.locator(".obs-admin-map").first.bounding_box()
                assert box and box["width"] > 200 and box["height"] > 100, (path, box)
                page.wait_for_selector(".obs-admin-map path.leaflet-interactive")
    finally:
        walker.close()
    assert len(bundled.admin_pages) > 10
    assert walker.problems == [], "\n".join(walker.problems[:40])


def _overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    return [(a["key"], b["key"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"]
            and b["y"] < a["y"] + a["h"]]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_figures_are_legible_at_the_default_view_and_in_the_pages_language(browser, bundled, language):
    """Network names drawn only where they fit, the others on focus; metric names and figures in the
    page's language, entities by the naming rule; each map group's count inside its own disc."""
    import json

    from observatory.inventory.models import Entity

    walker = Walker(browser, bundled.url, language, DESKTOP)
    zh = language == "zh-hans"
    try:
        page = walker.visit("/network/", ready="() => document.querySelector('#network').dataset.labelled > 0")
        network = page.locator("#network")
        boxes = json.loads(network.get_attribute("data-label-boxes"))
        nodes = int(network.get_attribute("data-nodes"))
        assert 10 <= len(boxes) < nodes  # names where they fit, not all of them
        assert _overlapping(boxes) == []
        size = network.bounding_box()
        assert all(0 <= b["x"] and b["x"] + b["w"] <= size["width"] + 1 for b in boxes)
        # the others on keyboard focus: the status line reads the focused actor's name and metric
        network.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        focused = network.get_attribute("data-focused")
        entity = Entity.objects.get(slug=focused)
        status = page.locator("#network-status").inner_text()
        assert (entity.name_zh or entity.name) in status if zh else entity.name in status
        options = page.locator("#n-metric option").all_inner_texts()
        if zh:
            assert "有效规模（Burt）" in options and "度（关系数）" in options and "度（关系数）" in status
        else:
            assert "effective size (Burt)" in options
        assert not {"effective_size", "degree", "pagerank"} & set(options)
        # the network data names each actor by the naming rule of the page's language
        data = page.evaluate("async () => (await fetch('/network/data.json')).json()")
        chaihuo = next(n for n in data["nodes"] if n["key"] == "chaihuo-makerspace")
        assert chaihuo["n"] == ("柴火创客空间" if zh else Entity.objects.get(slug="chaihuo-makerspace").name)

        # figures: drawn in the page's language, the English one with English names
        page = walker.visit("/analysis/")
        sources = page.eval_on_selector_all("figure img", "els => els.map(e => e.getAttribute('src'))")
        assert sources and all(src.endswith(".zh.svg") == zh for src in sources)
        brokerage = next(src for src in sources if "brokerage-roles" in src)
        svg = page.evaluate("async (src) => (await fetch(src)).text()", brokerage)
        # matplotlib writes each text as a comment before its glyphs
        if zh:
            assert "中介角色 -->" in svg and "<!-- 矽递科技 -->" in svg and "<!-- Seeed Studio -->" not in svg
        else:
            assert "<!-- Brokerage roles of the top" in svg and "<!-- Seeed Studio -->" in svg and "矽递科技" not in svg

        page = walker.visit("/map/", ready=MAP_READY)
        groups = page.locator(".obs-cluster")
        assert groups.count() >= 3
        discs = []
        for i in range(groups.count()):
            disc = groups.nth(i).bounding_box()
            count = groups.nth(i).locator(".obs-count").bounding_box()
            assert disc["x"] <= count["x"] and count["x"] + count["width"] <= disc["x"] + disc["width"] + 0.5
            assert disc["y"] <= count["y"] and count["y"] + count["height"] <= disc["y"] + disc["height"] + 0.5
            centre = (disc["x"] + disc["width"] / 2, disc["y"] + disc["height"] / 2)
            assert abs(count["x"] + count["width"] / 2 - centre[0]) < 2
            assert abs(count["y"] + count["height"] / 2 - centre[1]) < 2
            discs.append((centre, disc["width"] / 2))
        for i, ((x1, y1), r1) in enumerate(discs):
            for (x2, y2), r2 in discs[i + 1:]:
                assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 >= r1 + r2 - 1  # no disc covers another's count
    finally:
        walker.close()
    assert walker.problems == [], "\n".join(walker.problems[:40])
