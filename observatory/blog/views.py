"""Public blog pages: thin views over the blog's selectors and services."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import CommentForm, form_timestamp, timestamp_read
from .models import LANGUAGES, Comment, Tag
from .rendering import markdown_render


def post_list(request):
    language = request.GET.get("lang", "")
    if language and language not in dict(LANGUAGES):
        language = ""
    page = Paginator(selectors.post_list_published(language=language), 20).get_page(request.GET.get("page"))
    return render(request, "blog/post_list.html", {"page": page, "language": language, "languages": LANGUAGES,
                                                   "tags": selectors.tag_list_used()})


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    posts = selectors.post_list_published(tag=slug)
    return render(request, "blog/tag.html", {"tag": tag, "posts": posts})


def _post_context(request, post, form=None):
    return {
        "post": post, "comments": selectors.comment_threads(post), "translations": post.translation_pairs(),
        "form": form or CommentForm(initial={"shown": form_timestamp()}),
        "og_url": request.build_absolute_uri(post.get_absolute_url()),
        "is_preview": not post.is_live,
    }


def post_detail(request, slug):
    staff = request.user.is_authenticated and request.user.is_staff
    post = selectors.post_get(slug, include_drafts=staff)
    if post is None:
        raise Http404("No such post")
    services.post_refresh(post)
    return render(request, "blog/post_detail.html", _post_context(request, post))


@require_POST
def comment_post(request, slug):
    post = selectors.post_get(slug)
    if post is None:
        raise Http404("No such post")
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Your comment was not sent: please correct the fields marked below.")
        response = render(request, "blog/post_detail.html", _post_context(request, post, form))
        response.status_code = 400
        return response
    data = form.cleaned_data
    parent = None
    if data.get("parent"):
        parent = Comment.objects.filter(pk=data["parent"], post=post).first()
    try:
        result = services.comment_submit(
            post=post, name=data["name"], email=data["email"], website=data.get("website") or "", body=data["body"],
            parent=parent, honeypot=data.get("homepage_url") or "", rendered_at=timestamp_read(data["shown"]),
            ip=request.META.get("REMOTE_ADDR", ""), user_agent=request.META.get("HTTP_USER_AGENT", ""),
            now=time.time())
    except services.CommentRejected as rejection:
        form.add_error(None, rejection.message)
        response = render(request, "blog/post_detail.html", _post_context(request, post, form))
        response.status_code = 429 if rejection.rule == "rate" else 400
        return response
    messages.success(request, result.message)
    anchor = f"#comment-{result.comment.pk}" if result.comment.status == Comment.APPROVED else "#comments"
    return redirect(post.get_absolute_url() + anchor)


@staff_member_required
@require_POST
def preview(request):
    """Render Markdown for the admin's preview button: HTML and the warnings (unknown keys, embeds)."""
    text = request.POST.get("body_markdown", "")
    if len(text) > 500_000:
        return HttpResponseBadRequest("The text is too long to preview (500,000 characters at most).")
    rendered = markdown_render(text, style=services.conf.citation_style())
    return JsonResponse({"html": rendered.html, "warnings": rendered.warnings})

