"""The public atlas as a reader meets it, in headless Chromium."""

import pytest

pytestmark = [pytest.mark.browser]


def _switch_to_chinese(page):
    """Choose Chinese with the language form of the home page, as a reader does; the home page."""
    home = page.goto("/")
    home.select_option("#language", "zh-hans")
    home.click("form.lang button")
    home.wait_for_selector("html[lang='zh-Hans']")
    return home


def test_the_map_draws_markers_over_the_offline_outlines_and_a_filter_changes_them(page):
    map_page = page.goto("/map/")
    map_page.wait_for_function("() => document.querySelector('#map').dataset.items > 0")
    map_page.wait_for_function("() => document.querySelectorAll('.leaflet-overlay-pane path').length > 30")
    before = int(map_page.get_attribute("#map", "data-count"))
    assert before >= 5
    assert map_page.locator(".obs-cluster, path.obs-point, path.obs-area").count() >= 1
    map_page.select_option("#f-kind", "fab_lab")
    map_page.wait_for_function("() => document.querySelector('#map').dataset.count === '1'")
    map_page.select_option("#f-kind", "")
    map_page.check("#f-year-on")
    map_page.fill("#f-year", "2011")
    map_page.dispatch_event("#f-year", "input")
    map_page.wait_for_function(f"() => document.querySelector('#map').dataset.count !== '{before}'")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_map_names_an_actor_in_the_pages_language(page, language):
    """The names come from the server, chosen for the page's language (map.js only writes them)."""
    if language == "zh-hans":
        _switch_to_chinese(page)
    map_page = page.goto("/map/")
    map_page.wait_for_function("() => document.querySelector('#map').dataset.items > 0")
    map_page.select_option("#f-kind", "fab_lab")
    map_page.wait_for_function("() => document.querySelector('#map').dataset.count === '1'")
    map_page.locator("path.obs-point").first.click(force=True)
    popup = map_page.locator(".leaflet-popup-content a").inner_text()
    if language == "zh-hans":
        assert popup == "深圳开放创新实验室 (Shenzhen Open Innovation Lab)"
    else:
        assert popup == "Shenzhen Open Innovation Lab (深圳开放创新实验室)"


def test_the_network_explorer_draws_the_graph(page):
    network = page.goto("/network/")
    network.wait_for_function("() => document.querySelector('#network').dataset.nodes > 0")
    assert int(network.get_attribute("#network", "data-nodes")) >= 4
    assert network.locator("#network canvas").count() >= 1


def test_the_language_switch_shows_the_interface_in_chinese(page):
    home = _switch_to_chinese(page)
    assert "主要数据" in home.content()
    assert home.get_by_role("link", name="地图").count() >= 1


def test_search_from_the_box_finds_chaihuo(page):
    home = page.goto("/")
    home.fill("#q", "柴火")
    home.press("#q", "Enter")
    home.wait_for_url("**/search/**")
    link = home.locator("ol.results a[href='/entities/chaihuo-makerspace/']")
    assert link.count() == 1
    link.click()
    home.wait_for_url("**/entities/chaihuo-makerspace/")
    # the entity's own place, not a province outline (those outside the view are empty paths)
    home.wait_for_selector("#entity-map path.obs-entity-place")


@pytest.mark.parametrize("path", ["/", "/map/", "/network/", "/timeline/", "/analysis/", "/search/?q=chaihuo",
                                  "/entities/", "/entities/szoil/"])
def test_axe_finds_no_serious_or_critical_violation(page, path):
    current = page.goto(path)
    if path == "/map/":
        current.wait_for_function("() => document.querySelector('#map').dataset.items > 0")
    if path == "/network/":
        current.wait_for_function("() => document.querySelector('#network').dataset.nodes > 0")
    assert page.axe() == []


def test_a_request_to_another_host_would_be_caught(page):
    home = page.goto("/")
    # the page's Content-Security-Policy refuses it before it leaves the browser
    home.evaluate("() => fetch('http://example.invalid/tile.png').catch(() => null)")
    assert page.foreign == [] and any("Content Security Policy" in error for error in page.errors)
    page.errors.clear()  # the refused fetch logs a console error, which is the point here


def test_the_map_in_chinese_is_accessible_too(page):
    _switch_to_chinese(page)
    map_page = page.goto("/map/")
    map_page.wait_for_function("() => document.querySelector('#map').dataset.items > 0")
    assert "各省行动者数量" in map_page.content()
    assert page.axe() == []


def test_a_gcj02_tile_layer_shifts_the_points_for_display(page, settings):
    settings.OBSERVATORY_TILE_LAYERS = [{
        "name": "Local GCJ-02 tiles", "url": "/static/vendor/leaflet-1.9.4/images/layers.png?z={z}&x={x}&y={y}",
        "attribution": "test tiles", "gcj02": True, "max_zoom": 18, "subdomains": "abc"}]
    map_page = page.goto("/map/")
    map_page.wait_for_function("() => document.querySelector('#map').dataset.items > 0")
    with map_page.expect_request(lambda request: "/map/data.json" in request.url and "crs=gcj02" in request.url):
        map_page.hover(".leaflet-control-layers")
        map_page.get_by_label("Local GCJ-02 tiles").check()
    map_page.wait_for_selector(".leaflet-tile-pane img")


def test_zooming_in_draws_the_prefectures_without_errors(page):
    map_page = page.goto("/map/")
    map_page.wait_for_function("() => document.querySelector('#map').dataset.items > 0")
    provinces = map_page.locator(".leaflet-overlay-pane path").count()
    for _ in range(2):  # one step at a time: a click during the zoom animation is ignored
        map_page.click(".leaflet-control-zoom-in")
        map_page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim')")
        map_page.wait_for_timeout(400)
    map_page.wait_for_function(f"() => document.querySelectorAll('.leaflet-overlay-pane path').length > {provinces + 100}",
                               timeout=60_000)


@pytest.mark.parametrize(("path", "ready"), [("/api/v1/docs", ".swagger-ui .info"), ("/admin/login/", "#login-form"),
                                             ("/blog/", "main")])
def test_the_other_pages_work_under_the_content_security_policy(page, path, ready):
    current = page.goto(path)
    current.wait_for_selector(ready)
    current.wait_for_timeout(300)  # a late refusal would be a console error, checked by the fixture
