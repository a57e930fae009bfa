"""Reads of the blog for pages, feeds, the sitemap and the static build."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from .models import Comment, Post, Tag

__all__ = ["comment_threads", "post_get", "post_list_published", "post_search", "tag_list_used"]


def post_list_published(*, language: str = "", tag: str = "") -> QuerySet:
    queryset = Post.objects.published().prefetch_related("tags").order_by("-published_at", "-id")
    if language:
        queryset = queryset.filter(language=language)
    if tag:
        queryset = queryset.filter(tags__slug=tag)
    return queryset


def post_search(query: str) -> QuerySet:
    """Published posts whose title, summary or text holds each word of the query (up to six), newest
    first."""
    queryset = Post.objects.published().order_by("-published_at", "-id")
    words = query.split()[:6]
    if not words:
        return queryset.none()
    for word in words:
        queryset = queryset.filter(Q(title__icontains=word) | Q(summary__icontains=word)
                                   | Q(body_markdown__icontains=word))
    return queryset


def post_get(slug: str, *, include_drafts: bool = False) -> Post | None:
    queryset = Post.objects.all() if include_drafts else Post.objects.published()
    return queryset.filter(slug=slug).prefetch_related(
        "tags", Prefetch("translations", queryset=Post.objects.published())).select_related("translation_of").first()


def tag_list_used() -> QuerySet:
    return Tag.objects.filter(posts__in=Post.objects.published()).distinct().order_by("slug")


def comment_threads(post: Post) -> list[tuple[Comment, int]]:
    """Approved comments in thread order, each with its depth (a reply under its parent)."""
    comments = list(post.comments.filter(status=Comment.APPROVED).order_by("created", "id")
                    .only("id", "parent_id", "author_name", "author_website", "body_html", "created", "post_id"))
    children: dict[int | None, list[Comment]] = {}
    ids = {c.pk for c in comments}
    for comment in comments:
        parent = comment.parent_id if comment.parent_id in ids else None
        children.setdefault(parent, []).append(comment)
    ordered: list[tuple[Comment, int]] = []

    def walk(parent, depth):
        for comment in children.get(parent, []):
            ordered.append((comment, min(depth, 5)))
            walk(comment.pk, depth + 1)

    walk(None, 0)
    return ordered
