"""``observatory build-site OUT/``: a static copy of the atlas and the blog."""

from __future__ import annotations

import re

import feedparser
from django.core.management import call_command

from observatory.blog.models import Comment


def test_it_writes_a_static_site_with_relative_links_and_no_comment_form(tmp_path, mini_dataset, make_post):
    post = make_post(slug="static-post", body="{{< entity chaihuo-makerspace >}}\n\nText [@keane2012].")
    Comment.objects.create(post=post, author_name="Reader", author_email="hidden.reader@example.org",
                           email_hash="x", body="An approved comment.", body_html="<p>An approved comment.</p>",
                           status="approved")
    out = tmp_path / "site"
    call_command("build_site", str(out), "--base-url", "https://example.org/observatory/", "--no-static")
    page = (out / "blog" / "static-post" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../entities/chaihuo-makerspace/index.html"' in page
    assert 'href="../../static/site/site.css"' in page
    assert "comments are open on the live site only" in page and 'name="csrfmiddlewaretoken"' not in page.split(
        'id="comments"')[1]
    assert "An approved comment." in page
    for name in ("index.html", "entities/index.html", "entities/chaihuo-makerspace/index.html", "blog/index.html",
                 "blog/tags/shenzhen/index.html", "geo/provinces.json", "sitemap.xml", "map/index.html"):
        assert (out / name).is_file(), name
    feed = feedparser.parse((out / "blog" / "feeds" / "atom.xml").read_bytes())
    assert feed.bozo == 0 and feed.entries[0].link == "https://example.org/observatory/blog/static-post/"
    assert "https://example.org/observatory/entities/chaihuo-makerspace/" in (out / "sitemap.xml").read_text()
    everything = "".join(p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file())
    assert "hidden.reader@example.org" not in everything
    assert not re.search(r'href="/(?!/)(entities|blog)/', page)


def test_it_collects_the_static_files(tmp_path, make_post):
    out = tmp_path / "site"
    call_command("build_site", str(out))
    assert (out / "static" / "vendor" / "leaflet-1.9.4" / "leaflet.js").is_file()
    assert (out / "static" / "blog" / "embeds.js").is_file()
