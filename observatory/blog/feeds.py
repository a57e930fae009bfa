"""RSS 2.0 and Atom 1.0 feeds: all posts, per language, per tag. No comment and no e-mail in them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from . import selectors
from .models import LANGUAGES, Tag


class PostFeed(Feed):
    feed_type = Rss201rev2Feed
    limit = 30

    def get_object(self, request, language: str = "", tag: str = ""):
        if language and language not in dict(LANGUAGES):
            raise Http404("No such language")
        return {"language": language, "tag": get_object_or_404(Tag, slug=tag) if tag else None}

    def title(self, obj):
        parts = ["Observatory blog"]
        if obj["language"]:
            parts.append(dict(LANGUAGES)[obj["language"]])
        if obj["tag"]:
            parts.append(f"tag {obj['tag'].name}")
        return " · ".join(parts)

    def link(self, obj):
        if obj["tag"]:
            return obj["tag"].get_absolute_url()
        return reverse("blog:list") + (f"?lang={obj['language']}" if obj["language"] else "")

    def description(self, obj):
        return "Findings of the observatory of China's connected spaces of innovation."

    def feed_url(self, obj):
        return None

    def items(self, obj):
        tag = obj["tag"].slug if obj["tag"] else ""
        return selectors.post_list_published(language=obj["language"], tag=tag)[: self.limit]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary or item.body_html

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated

    def item_author_name(self, item):
        return ", ".join(item.author_names) or None

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # Feed.language is a plain attribute in Django; the language of a feed depends on its object.
        feed.feed["language"] = {"zh-hans": "zh-Hans"}.get(obj["language"], obj["language"] or settings.LANGUAGE_CODE)
        return feed


class AtomPostFeed(PostFeed):
    feed_type = Atom1Feed
    subtitle = PostFeed.description
