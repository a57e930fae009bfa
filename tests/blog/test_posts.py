"""Posts: publishing rules, schedules, translations, the file import."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from observatory.blog.models import Post
from observatory.blog.services import posts_import


def test_it_refuses_to_publish_a_post_with_an_unknown_citation(make_post):
    with pytest.raises(ValidationError) as error:
        make_post(body="A claim [@nobody2020].")
    assert "nobody2020" in str(error.value)
    assert not Post.objects.filter(slug="shanzhai").exists()


def test_it_keeps_a_draft_with_an_unknown_citation_and_shows_the_warning_in_preview(make_post, admin):
    post = make_post(body="A claim [@nobody2020].", status="draft")
    assert post.render_warnings
    page = admin.get(post.get_absolute_url())
    assert page.status_code == 200
    assert "no source with the key &#x27;nobody2020&#x27;" in page.content.decode()


def test_it_hides_drafts_and_future_scheduled_posts_from_readers(make_post, reader):
    draft = make_post(slug="draft", status="draft")
    later = make_post(slug="later", status="scheduled", published_at=timezone.now() + dt.timedelta(days=3))
    due = make_post(slug="due", status="scheduled", published_at=timezone.now() - dt.timedelta(minutes=1))
    assert reader.get(draft.get_absolute_url()).status_code == 404
    assert reader.get(later.get_absolute_url()).status_code == 404
    assert reader.get(due.get_absolute_url()).status_code == 200
    listing = reader.get("/blog/").content.decode()
    assert "/blog/due/" in listing and "/blog/later/" not in listing and "/blog/draft/" not in listing


def test_it_links_translations_both_ways(make_post, reader):
    english = make_post(slug="english", language="en")
    chinese = make_post(slug="chinese", language="zh-hans", translation_of=english)
    english.refresh_from_db()
    assert english.translation_pairs() == [chinese]
    assert chinese.translation_pairs() == [english]
    assert "/blog/chinese/" in reader.get("/blog/english/").content.decode()
    assert "/blog/english/" in reader.get("/blog/chinese/").content.decode()


POST_EN = """\
    ---
    title: Shanzhai and the informational city
    language: en
    status: published
    date: 2024-05-01
    tags: [shenzhen, shanzhai]
    authors: [A. Researcher]
    summary: A test post.
    ---
    Grassroots communities [@keane2012, p. 220].
    """
POST_ZH = """\
    ---
    title: 山寨与信息化城市
    language: zh-hans
    translation_of: shanzhai-en
    date: 2024-05-02
    tags: [shenzhen]
    ---
    草根社区 [@keane2012]。
    """


def _write(folder, name, text):
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")


def test_it_imports_a_folder_idempotently_and_links_the_pair(tmp_path, literature):
    _write(tmp_path, "shanzhai-zh.md", POST_ZH)
    _write(tmp_path, "shanzhai-en.md", POST_EN)
    first = posts_import(tmp_path)
    assert sorted(first.created) == ["shanzhai-en", "shanzhai-zh"] and first.errors == []
    second = posts_import(tmp_path)
    assert second.created == [] and second.updated == [] and sorted(second.unchanged) == ["shanzhai-en", "shanzhai-zh"]
    en, zh = Post.objects.get(slug="shanzhai-en"), Post.objects.get(slug="shanzhai-zh")
    assert zh.translation_of == en and en.translation_of == zh
    assert en.author_names == ["A. Researcher"] and sorted(en.tags.values_list("slug", flat=True)) == ["shanzhai",
                                                                                                        "shenzhen"]
    assert "(Keane &amp; Zhao, 2012, p. 220)" in en.body_html


def test_it_reports_bad_files_with_the_file_and_the_accepted_values(tmp_path, literature):
    _write(tmp_path, "a.md", POST_EN.replace("language: en", "language: fr"))
    _write(tmp_path, "b.md", POST_EN.replace("[@keane2012, p. 220]", "[@ghost1999]"))
    _write(tmp_path, "c.md", POST_EN.replace("summary:", "colour: red\n    summary:"))
    report = posts_import(tmp_path)
    assert report.created == []
    messages = "\n".join(report.errors)
    assert "a.md: language 'fr'; accepted: en, zh-hans" in messages
    assert "b.md: Cannot publish: [@ghost1999]" in messages
    assert "c.md: unknown front-matter field(s) colour" in messages


def test_it_is_quiet_on_a_second_import(tmp_path, literature, capsys):
    _write(tmp_path, "shanzhai-en.md", POST_EN)
    call_command("import_posts", str(tmp_path))
    assert "created" in capsys.readouterr().out
    call_command("import_posts", str(tmp_path))
    assert capsys.readouterr().out == ""


@pytest.mark.django_db
def test_it_imports_the_demo_posts_of_the_repository(capsys):
    from observatory.coding.dataset import dataset_load
    from tests.conftest import REPO

    dataset_load(REPO / "data" / "china")
    call_command("import_posts")
    posts = list(Post.objects.published())
    assert {p.language for p in posts} == {"en", "zh-hans"}
    for post in posts:
        assert post.render_warnings == []
        assert post.translation_pairs()
    assert all("castells1989" in p.body_markdown and "keane2012" in p.body_markdown for p in posts)
