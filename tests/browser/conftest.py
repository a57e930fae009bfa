"""Browser tests: Playwright's Python API driving Debian's chromium against pytest-django's live server.

Every request the page makes is intercepted: one to another host fails the test (and is aborted),
console errors and uncaught exceptions fail it too. Skipped, with how to enable them, when no
chromium is installed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("OBSERVATORY_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
AXE = Path(__file__).resolve().parents[2] / "observatory" / "site" / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"

# Playwright's sync API keeps an event loop running in the test thread; the ORM calls made by
# fixtures in that thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"no chromium at {CHROMIUM}: install it to run the browser tests "
                                   "(apt-get install chromium), or set OBSERVATORY_CHROMIUM to its path")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def atlas(transactional_db, live_server):
    """The live server with the curated mini dataset loaded."""
    from observatory.coding.dataset import dataset_load
    from observatory.site import selectors

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "curated-mini"
    dataset_load(fixtures, codebook_path=fixtures / "codebook.yaml")
    selectors.signature_reset()
    return live_server


class Page:
    """A page with the checks every test makes: no request off the host, no console error."""

    def __init__(self, context, base: str):
        self.base = base
        self.host = urlsplit(base).netloc
        self.foreign: list[str] = []
        self.errors: list[str] = []
        context.route("**/*", self._route)
        self.page = context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or parts.netloc == self.host:
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def goto(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def axe(self) -> list[dict]:
        """Serious or critical accessibility violations found by axe-core on the current page."""
        # from the site's own static files: the Content-Security-Policy refuses inline scripts
        self.page.add_script_tag(url=f"{self.base}/static/vendor/{AXE.parent.name}/{AXE.name}")
        result = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
                for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture
def page(browser, atlas):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    checked = Page(context, atlas.url)
    yield checked
    context.close()
    assert checked.foreign == [], f"requests left the host: {checked.foreign}"
    assert checked.errors == [], f"console errors: {checked.errors}"
