"""sitemap.xml: blog posts and tags, and the atlas's public pages (entities and the fixed pages)."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from . import selectors


class PostSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return selectors.post_list_published()

    def lastmod(self, item):
        return item.updated


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.3

    def items(self):
        return selectors.tag_list_used()


class EntitySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5
    limit = 10000

    def items(self):
        from observatory.inventory.models import Entity

        return Entity.objects.public().only("slug", "updated").order_by("slug")

    def lastmod(self, item):
        return item.updated


class PageSitemap(Sitemap):
    priority = 0.6

    def items(self):
        return ["site:home", "site:map", "site:network", "site:timeline", "site:entity_list", "site:analysis",
                "blog:list"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"pages": PageSitemap, "posts": PostSitemap, "tags": TagSitemap, "entities": EntitySitemap}
