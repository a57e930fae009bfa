"""Embeds: entity cards, filtered maps, network views, figures and tables pinned to a run."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from observatory.blog.rendering import markdown_render


def test_it_renders_an_entity_card_from_the_inventory(mini_dataset):
    rendered = markdown_render("{{< entity chaihuo-makerspace >}}", sources={})
    assert rendered.warnings == []
    assert 'href="/entities/chaihuo-makerspace/"' in rendered.html
    assert "柴火创客空间" in rendered.html or "Chaihuo" in rendered.html
    assert "深圳市南山区华侨城创意园北区A5栋227室" in rendered.html


def test_the_entity_card_says_what_the_entity_page_says(mini_dataset, reader):
    import datetime as dt

    from observatory.inventory.models import Entity

    Entity.objects.filter(slug="chaihuo-makerspace").update(founded=dt.date(2011, 1, 1), founded_precision="circa")
    card = markdown_render("{{< entity chaihuo-makerspace >}}", sources={}).html
    assert "<dd>circa 2011</dd>" in card  # the fuzzy date as the document writes it, circa kept
    assert "<span>柴火创客空间</span>" in card and "<span>Chaihuo Maker Space</span>" not in card  # the other names
    assert "<dd>physical place</dd>" in card
    assert "circa 2011" in reader.get("/entities/chaihuo-makerspace/").content.decode()


def test_it_embeds_no_entity_the_public_cannot_see(mini_dataset):
    from observatory.inventory.models import Entity

    Entity.objects.filter(slug="chaihuo-makerspace").update(is_public=False)
    rendered = markdown_render("{{< entity chaihuo-makerspace >}}", sources={})
    assert "no public entity with the identifier 'chaihuo-makerspace'" in rendered.warnings[0]
    assert "深圳市南山区华侨城创意园北区A5栋227室" not in rendered.html


def test_it_warns_about_an_unknown_entity_and_refuses_to_publish_it(mini_dataset, make_post):
    rendered = markdown_render("{{< entity no-such-space >}}", sources={})
    assert "no public entity with the identifier 'no-such-space'" in rendered.warnings[0]
    assert "embed-missing" in rendered.html
    with pytest.raises(ValidationError):
        make_post(body="{{< entity no-such-space >}}")


def test_it_renders_a_filtered_map_with_a_list_that_works_without_javascript(mini_dataset):
    rendered = markdown_render("{{< map kind=makerspace province=440000 >}}", sources={})
    assert rendered.warnings == []
    assert "data-blog-map" in rendered.html and 'data-kind="makerspace"' in rendered.html
    assert '<a href="/entities/chaihuo-makerspace/">' in rendered.html
    assert "seeed-studio" not in rendered.html  # a company, not a makerspace


def test_it_renders_a_network_view_with_a_fallback_list(mini_dataset):
    rendered = markdown_render("{{< network >}}", sources={})
    assert rendered.warnings == []
    assert "data-blog-network" in rendered.html and "Most connected actors" in rendered.html


def test_it_rejects_an_unknown_shortcode_or_filter(mini_dataset):
    assert "unknown shortcode 'video'" in markdown_render("{{< video x >}}", sources={}).warnings[0]
    assert "unknown kind 'castle'" in markdown_render("{{< map kind=castle >}}", sources={}).warnings[0]


def test_it_pins_a_figure_to_its_run_and_links_the_current_version(network_runs, make_post):
    old, new = network_runs
    post = make_post(body=f"{{{{< figure run={old.pk} name=brokerage-roles >}}}}")
    assert f'src="/analysis/runs/{old.pk}/figures/brokerage-roles.svg"' in post.body_html
    assert f'href="/analysis/runs/{new.pk}/figures/brokerage-roles.svg"' in post.body_html
    assert list(post.pinned_runs.values_list("pk", flat=True)) == [old.pk]


def test_it_renders_a_table_from_a_stored_result(network_runs):
    old, _new = network_runs
    html = markdown_render(f"{{{{< table run={old.pk} key=brokers >}}}}", sources={}).html
    assert "<th scope=\"col\">betweenness</th>" in html and "<td>seeed-studio</td>" in html and "<td>0.25</td>" in html


def test_it_warns_about_an_unknown_run_or_figure(network_runs):
    assert "no analysis run #999999" in markdown_render("{{< figure run=999999 name=x >}}", sources={}).warnings[0]
    warning = markdown_render(f"{{{{< figure run={network_runs[0].pk} name=nope >}}}}", sources={}).warnings[0]
    assert "has no figure 'nope' (it has: brokerage-roles)" in warning


def test_it_leaves_shortcodes_in_code_blocks_alone(mini_dataset):
    rendered = markdown_render("```\n{{< entity no-such-space >}}\n```", sources={})
    assert rendered.warnings == [] and "{{&lt; entity no-such-space &gt;}}" in rendered.html


def test_it_links_a_newer_run_that_appears_after_publication(network_runs, make_post, reader):
    from observatory.analysis.models import AnalysisFigure, AnalysisRun

    old, new = network_runs
    post = make_post(body=f"{{{{< figure run={new.pk} name=brokerage-roles >}}}}")
    assert "This is the latest run." in post.body_html
    newer = AnalysisRun.objects.create(kind="network", parameters={}, seed=1, dataset_fingerprint="9" * 64,
                                       code_version="test", status="done")
    AnalysisFigure.objects.create(run=newer, name="brokerage-roles", title="Brokerage roles", svg="<svg/>", png=b"")
    page = reader.get(post.get_absolute_url()).content.decode()
    assert f'src="/analysis/runs/{new.pk}/figures/brokerage-roles.svg"' in page
    assert f'href="/analysis/runs/{newer.pk}/figures/brokerage-roles.svg">Current version (run #{newer.pk})' in page
