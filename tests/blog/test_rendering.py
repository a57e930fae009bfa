"""Markdown rendering: the allow-list, citations with a real CSL processor, code left alone."""

from __future__ import annotations

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from observatory.blog.rendering import comment_render, markdown_render

from .conftest import CASTELLS, KEANE

SOURCES = {"keane2012": KEANE, "castells1989": CASTELLS}


def test_it_formats_citations_in_apa_with_a_bibliography():
    rendered = markdown_render("Grassroots [@keane2012, p. 220] and flows [@castells1989; @keane2012].",
                               sources=SOURCES, style="apa")
    assert "(Keane &amp; Zhao, 2012, p. 220)" in rendered.html
    assert "(Castells, 1989; Keane &amp; Zhao, 2012)" in rendered.html
    assert '<section class="bibliography"' in rendered.html
    assert "<i>Eurasian Geography and Economics</i>, <i>53</i>(2), 216–230." in rendered.html
    assert "<i>The Informational City: Information Technology, Economic Restructuring, and the Urban-Regional " \
           "Process</i>. Blackwell." in rendered.html
    assert rendered.warnings == []
    assert rendered.citation_keys == ["keane2012", "castells1989"]


def test_it_formats_chicago_author_date_without_the_locator_leaking_into_the_pages():
    rendered = markdown_render("See [@keane2012, p. 220].", sources=SOURCES, style="chicago-author-date")
    assert "(Keane and Zhao 2012, 220)" in rendered.html
    assert "53 (2): 216–30." in rendered.html


@pytest.mark.django_db
def test_it_uses_the_style_from_the_settings(literature):
    with override_settings(OBSERVATORY_CITATION_STYLE="chicago-author-date"):
        from observatory.blog.models import Post
        from observatory.blog.services import post_render

        post = Post(title="t", body_markdown="[@castells1989]")
        post_render(post)
    assert "(Castells 1989)" in post.body_html


def test_it_shows_an_unknown_key_as_a_visible_warning_never_a_blank():
    rendered = markdown_render("A claim [@nobody2020, p. 3].", sources=SOURCES)
    assert "[@nobody2020, p. 3] (unknown source)" in rendered.html
    assert "citation-missing" in rendered.html
    assert any("nobody2020" in w for w in rendered.warnings)


def test_it_leaves_citations_in_code_and_links_alone():
    rendered = markdown_render("`[@keane2012]` and [@someone](https://example.org)", sources=SOURCES)
    assert "<code>[@keane2012]</code>" in rendered.html
    assert '<a href="https://example.org" rel="noopener">@someone</a>' in rendered.html
    assert rendered.warnings == []


def test_it_strips_scripts_handlers_and_javascript_links_from_post_bodies():
    html = markdown_render('<script>alert(1)</script><img src=x onerror="alert(2)">\n\n[x](javascript:alert(3))\n\n'
                           '<iframe src="https://evil"></iframe>', sources={}).html
    assert "<script" not in html and "onerror" not in html and "<iframe" not in html
    assert 'href="javascript' not in html and '<img src="x">' in html


HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def test_it_shows_a_hostile_source_as_text_in_the_citation_and_the_bibliography():
    hostile = {"type": "book", "title": HOSTILE, "author": [{"family": "<b onclick=alert(2)>Evil</b>"}],
               "issued": {"date-parts": [[2024]]}, "publisher": "A & B <Press>"}
    html = markdown_render("See [@evil2024].", sources={"evil2024": hostile}, style="apa").html
    assert "<script>alert(1)" not in html and "<img" not in html and "<b onclick" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "(&lt;b onclick=alert(2)&gt;Evil&lt;/b&gt;, 2024)" in html  # the in-text citation
    assert "A &amp; B &lt;Press&gt;" in html


@pytest.mark.django_db
def test_a_published_post_shows_a_hostile_source_title_as_text(make_post, reader):
    from observatory.inventory.services import source_upsert

    source_upsert(key="evil2024", csl={"type": "article-journal", "title": HOSTILE, "issued": {"date-parts": [[2024]]},
                                       "author": [{"family": "Mallory"}]})
    post = make_post(slug="hostile", body="A claim [@evil2024].")
    page = reader.get(post.get_absolute_url()).content.decode()
    bibliography = page[page.index('<section class="bibliography"'):]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in bibliography
    assert "<script>alert(1)" not in page and "<img src=x" not in page


def test_it_cannot_forge_a_placeholder_from_the_text():
    html = markdown_render("OBSEMBED000000N0X OBSCITE000000N0X", sources={}).html
    assert "OBSEMBED000000N0X" in html


def test_it_renders_comments_with_the_strict_list_and_nofollow_links():
    html = comment_render("**hi** <b>bold</b> [site](https://example.org) ![img](https://x/y.png)\n\n# Title")
    assert "<strong>hi</strong>" in html
    assert "&lt;b&gt;" in html  # raw HTML is shown as text
    assert 'rel="nofollow ugc noopener"' in html
    assert "<img" not in html and "<h1" not in html


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'=/ ab@[];,.pjavascript:onerrorimgsvg()")), max_size=80))
def test_it_never_lets_markup_through_whatever_the_text(text):
    for html in (markdown_render(text, sources={}).html, comment_render(text)):
        lowered = html.lower()
        assert "<script" not in lowered and "onerror=" not in lowered and "<svg" not in lowered
        assert 'href="javascript' not in lowered


KEYS = st.from_regex(r"[a-z][a-z0-9-]{0,15}[0-9]{4}", fullmatch=True)
LOCATORS = st.one_of(st.just(""), st.integers(1, 999).map(lambda n: f"p. {n}"),
                     st.tuples(st.integers(1, 99), st.integers(100, 999)).map(lambda t: f"pp. {t[0]}-{t[1]}"),
                     st.integers(1, 30).map(lambda n: f"chap. {n}"))


@given(st.lists(st.tuples(KEYS, LOCATORS), min_size=1, max_size=4))
def test_it_parses_every_well_formed_citation_group(items):
    from observatory.blog.citations import CITATION_RE, citation_groups_parse

    text = "[" + "; ".join(f"@{key}" + (f", {locator}" if locator else "") for key, locator in items) + "]"
    match = CITATION_RE.search(f"Claim {text}.")
    assert match is not None
    (group,) = citation_groups_parse(match.group(1))
    assert [c.key for c in group.cites] == [key for key, _ in items]
    for cite, (_key, locator) in zip(group.cites, items, strict=True):
        if locator:
            assert cite.locator == locator.split(" ", 1)[1]
            assert cite.label == {"p.": "page", "pp.": "page", "chap.": "chapter"}[locator.split(" ", 1)[0]]
        else:
            assert cite.locator == "" and cite.label == ""
