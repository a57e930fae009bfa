"""Feeds (RSS and Atom, per language and per tag), the sitemap and Open Graph tags."""

from __future__ import annotations

import feedparser
import pytest


@pytest.fixture
def posts(make_post):
    english = make_post(slug="english", language="en", tags=["shenzhen", "makerspaces"], summary="About Shenzhen.")
    chinese = make_post(slug="chinese", language="zh-hans", tags=["shenzhen"], title="深圳的创客空间",
                        translation_of=english, body="草根社区 [@keane2012]。")
    return english, chinese


@pytest.mark.parametrize("url,expected", [
    ("/blog/feeds/rss.xml", {"english", "chinese"}), ("/blog/feeds/atom.xml", {"english", "chinese"}),
    ("/blog/feeds/en/rss.xml", {"english"}), ("/blog/feeds/zh-hans/atom.xml", {"chinese"}),
    ("/blog/tags/makerspaces/rss.xml", {"english"}), ("/blog/tags/shenzhen/atom.xml", {"english", "chinese"}),
])
def test_it_serves_feeds_that_feedparser_reads_without_error(reader, posts, url, expected):
    response = reader.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert {entry.link.rstrip("/").rsplit("/", 1)[-1] for entry in feed.entries} == expected


def test_it_answers_404_for_an_unknown_language_or_tag(reader, posts):
    assert reader.get("/blog/feeds/fr/rss.xml").status_code == 404
    assert reader.get("/blog/tags/nothing/rss.xml").status_code == 404


def test_it_lists_posts_tags_and_entities_in_the_sitemap(reader, posts, mini_dataset):
    response = reader.get("/sitemap.xml")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/blog/english/", "/blog/chinese/", "/blog/tags/shenzhen/", "/entities/chaihuo-makerspace/",
                 "/blog/"):
        assert f"http://testserver{path}</loc>" in text


def test_it_puts_open_graph_tags_on_post_pages(reader, posts):
    html = reader.get("/blog/english/").content.decode()
    assert '<meta property="og:title" content="English">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:url" content="http://testserver/blog/english/">' in html
    assert '<meta property="og:description" content="About Shenzhen.">' in html
    assert '<link rel="alternate" hreflang="zh-Hans" href="/blog/chinese/">' in html
