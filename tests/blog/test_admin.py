"""The blog admin: writing a post with a preview, publish-time validation."""

from __future__ import annotations

from django.test import Client

from observatory.blog.models import Post


def _post_form(**overrides):
    data = {"title": "Admin post", "slug": "admin-post", "language": "en", "status": "published",
            "published_at_0": "2026-01-01", "published_at_1": "09:00:00", "summary": "",
            "body_markdown": "Shanzhai [@keane2012].", "author_names": "[]", "comments_open": "on"}
    data.update(overrides)
    return data


def test_it_previews_markdown_with_warnings_for_staff_only(admin, literature):
    response = admin.post("/blog/preview/", {"body_markdown": "A [@keane2012] and [@ghost2000].\n\n<script>x</script>"})
    data = response.json()
    assert "(Keane &amp; Zhao, 2012)" in data["html"] and "<script" not in data["html"]
    assert data["warnings"] == ["[@ghost2000]: no source with the key 'ghost2000' (add it to the sources, or import "
                                "a BibTeX file)"]
    assert Client().post("/blog/preview/", {"body_markdown": "x"}).status_code == 302  # to the login page


def test_it_publishes_from_the_admin_and_refuses_an_unknown_key(admin, literature):
    response = admin.post("/admin/blog/post/add/", _post_form(body_markdown="A claim [@ghost2000]."))
    assert response.status_code == 200
    assert "Cannot publish: [@ghost2000]" in response.content.decode()
    assert not Post.objects.exists()
    response = admin.post("/admin/blog/post/add/", _post_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get()
    assert "(Keane &amp; Zhao, 2012)" in post.body_html
    page = admin.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    assert "blog-preview" in page and "Keane &amp; Zhao" in page


def test_it_saves_a_draft_with_an_unknown_key_and_shows_the_warning(admin, literature):
    response = admin.post("/admin/blog/post/add/", _post_form(status="draft", body_markdown="A claim [@ghost2000]."))
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.render_warnings
    assert "ghost2000" in admin.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
