"""Home, timeline, analysis, network and map pages render their content without JavaScript, with
and without stored analysis runs, in English and Chinese."""

import re

import pytest

pytestmark = pytest.mark.django_db

PAGES = ["/", "/map/", "/network/", "/timeline/", "/analysis/", "/search/?q=柴火", "/entities/",
         "/entities/chaihuo-makerspace/"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_without_analysis_runs(reader, mini_dataset, url):
    page = reader.get(url)
    assert page.status_code == 200
    assert "<main id=\"main\">" in page.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_with_analysis_runs_in_chinese(reader, analysis_runs, url):
    reader.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = reader.get(url)
    assert page.status_code == 200
    assert '<html lang="zh-Hans">' in page.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_no_page_loads_anything_from_another_host(reader, analysis_runs, url):
    html = reader.get(url).content.decode()
    for attribute in re.findall(r'(?:src|href)="([^"]+)"', html):
        if attribute.startswith(("http://", "https://", "//")):
            # only links a reader may follow (an entity's website, a citation's URL), never a loaded asset
            assert not re.search(rf'(?:<script|<img|<link)[^>]+(?:src|href)="{re.escape(attribute)}"', html), attribute


def test_the_home_page_shows_coverage_figures_and_links(reader, mini_dataset):
    html = reader.get("/").content.decode()
    assert "Key figures" in html
    assert re.search(r"<dt>Actors</dt><dd>\d+</dd>", html)
    for link in ["/map/", "/network/", "/timeline/", "/entities/", "/analysis/", "/blog/"]:
        assert f'href="{link}"' in html
    assert "Latest posts" in html


def test_the_home_page_is_in_chinese_when_asked(reader, mini_dataset):
    reader.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = reader.get("/").content.decode()
    assert "主要数据" in html and "地图" in html


def test_the_timeline_comes_from_the_latest_run(reader, analysis_runs):
    html = reader.get("/timeline/").content.decode()
    assert f"run #{analysis_runs['timeline'].pk}" in html
    assert "<svg" in html and "<td>2012</td>" in html


def test_the_timeline_is_computed_live_without_a_run(reader, mini_dataset):
    html = reader.get("/timeline/").content.decode()
    assert "Counted live" in html
    assert "<td>2008</td>" in html and "<td>2011</td>" in html


def test_the_analysis_page_shows_each_latest_run(reader, analysis_runs):
    html = reader.get("/analysis/").content.decode()
    network = analysis_runs["network"]
    assert network.summary in html
    assert f'/analysis/runs/{network.pk}/figures/network-figure.svg' in html
    assert "/entities/x-factory/" in html  # the top broker
    assert "z-scores are undefined" in html
    assert "Not run yet." in html  # typology


def test_the_network_page_lists_brokers_without_javascript(reader, analysis_runs):
    html = reader.get("/network/").content.decode()
    assert "/entities/x-factory/" in html and "/entities/seeed-studio/" not in html
    assert "sigma.min.js" in html


def test_the_map_page_lists_densities_from_the_spatial_run(reader, analysis_runs):
    html = reader.get("/map/").content.decode()
    assert "0.2783" in html and "广东省" in html
    assert "leaflet.js" in html and 'class="obs-map' in html


def test_the_map_page_counts_live_without_a_run(reader, mini_dataset):
    html = reader.get("/map/").content.decode()
    assert "Counted live" in html and "440000" in html


def test_the_home_page_and_search_show_published_posts(reader, mini_dataset):
    from django.utils import timezone

    blog = pytest.importorskip("observatory.blog.models")
    post_model = getattr(blog, "Post", None)
    if post_model is None:
        pytest.skip("the blog has no Post model yet")
    try:
        post_model.objects.create(slug="maker-map", title="Mapping Shenzhen's makerspaces", status="published",
                                  published_at=timezone.now() - timezone.timedelta(days=1),
                                  summary="柴火 and its neighbours")
        post_model.objects.create(slug="draft", title="A draft about makerspaces", status="draft")
    except Exception as error:  # noqa: BLE001 - the blog's model is still being built
        pytest.skip(f"cannot create a post: {error}")
    home = reader.get("/").content.decode()
    assert "Mapping Shenzhen&#x27;s makerspaces" in home and "A draft" not in home
    found = reader.get("/search/", {"q": "柴火"}).content.decode()
    assert "Mapping Shenzhen&#x27;s makerspaces" in found
