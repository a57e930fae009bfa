"""``observatory build-site OUT/``: the public site (atlas and blog) as static files.

Every page is rendered through Django's test client — the same views, templates and data as the
live site — and written as ``path/index.html`` (or the file itself for ``.xml`` / ``.json``);
links in HTML pages are rewritten to relative paths so the folder works from any static host, even
opened from disk. Feeds and the sitemap need absolute URLs: they use ``base_url``. Comments are
left out: the form becomes a note. Static assets are collected into ``OUT/static``.
"""

from __future__ import annotations

import posixpath
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlparse

from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

__all__ = ["SiteBuild", "site_build", "site_urls"]

LINK_RE = re.compile(r"""(?P<attr>\b(?:href|src|data-outlines))=(?P<q>["'])(?P<url>/[^"'#]*)(?P<frag>#[^"']*)?(?P=q)""")
FORM_RE = re.compile(r"<!--form:start-->.*?<!--form:end-->", re.S)
COMMENTS_NOTE = ('<p class="static-note">This is a static copy of the site: comments are open on the live '
                 'site only.</p>')
SKIP_PREFIXES = ("/admin", "/i18n/", "/api/", "/search/", "/static/", "/media/", "/blog/preview/")


@dataclass
class SiteBuild:
    pages: list[str] = field(default_factory=list)
    failed: list[tuple[str, int]] = field(default_factory=list)
    out: Path | None = None


def site_urls() -> list[str]:
    """The entry points of the public site; the crawl follows their links from there."""
    from observatory.inventory.models import Entity

    from . import selectors

    urls = [reverse("site:home"), reverse("site:entity_list"), reverse("site:map"), reverse("site:network"),
            reverse("site:timeline"), reverse("site:analysis"), reverse("site:provinces_geojson"),
            reverse("site:prefectures_geojson"), reverse("blog:list"), reverse("blog:feed_rss"),
            reverse("blog:feed_atom"), "/sitemap.xml"]
    for language in ("en", "zh-hans"):
        urls += [reverse("blog:feed_language_rss", args=[language]),
                 reverse("blog:feed_language_atom", args=[language])]
    for tag in selectors.tag_list_used():
        urls += [tag.get_absolute_url(), reverse("blog:feed_tag_rss", args=[tag.slug]),
                 reverse("blog:feed_tag_atom", args=[tag.slug])]
    urls += [post.get_absolute_url() for post in selectors.post_list_published()]
    urls += [entity.get_absolute_url() for entity in Entity.objects.public().only("slug").order_by("slug")]
    return urls


def _file_for(path: str) -> str:
    """The file of a URL path: ``/blog/x/`` → ``blog/x/index.html``; ``/sitemap.xml`` stays."""
    clean = path.split("?", 1)[0].lstrip("/")
    if clean == "" or clean.endswith("/"):
        return clean + "index.html"
    return clean


def _relative(target: str, page_file: str) -> str:
    start = posixpath.dirname(page_file) or "."
    return posixpath.relpath(target, start)


def _rewrite_html(html: str, page_file: str, known: set[str]) -> str:
    html = FORM_RE.sub("", html, count=0)
    html = html.replace('<section id="comments"', COMMENTS_NOTE + '<section id="comments"', 1) if (
        'id="comments"' in html) else html

    def replace(match: re.Match) -> str:
        url = match.group("url")
        fragment = match.group("frag") or ""
        if url.startswith("/static/"):
            target = url.lstrip("/")
        elif url.split("?", 1)[0] in known:
            target = _file_for(url)
        else:
            return match.group(0)
        return f'{match.group("attr")}={match.group("q")}{_relative(target, page_file)}{fragment}{match.group("q")}'

    return LINK_RE.sub(replace, html)


def site_build(out: Path, *, base_url: str = "http://localhost:8000", limit: int = 20000,
               collect_static: bool = True, progress=None) -> SiteBuild:
    """Render the public site into ``out``; return what was written and what failed."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    parsed = urlparse(base_url)
    host = parsed.netloc or "localhost"
    secure = parsed.scheme == "https"
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    prefix = base_url.rstrip("/") + "/"
    build = SiteBuild(out=out)
    with override_settings(ALLOWED_HOSTS=["*"], STORAGES=storages, STATIC_ROOT=str(out / "static"),
                           SECURE_SSL_REDIRECT=False, DEBUG=False):
        client = Client(HTTP_HOST=host)
        queue = list(dict.fromkeys(site_urls()))
        seen: set[str] = set()
        bodies: dict[str, tuple[str, bytes]] = {}
        while queue and len(seen) < limit:
            url = queue.pop(0)
            if url in seen or "?" in url or url.startswith(SKIP_PREFIXES):
                continue
            seen.add(url)
            response = client.get(url, secure=secure)
            if response.status_code != 200:
                build.failed.append((url, response.status_code))
                continue
            body = b"".join(response.streaming_content) if response.streaming else response.content
            content_type = response.get("Content-Type", "").split(";")[0]
            bodies[url] = (content_type, body)
            if progress:
                progress()
            if content_type == "text/html":
                for link in LINK_RE.finditer(body.decode("utf-8", "replace")):
                    target = urljoin(url, link.group("url")).split("#", 1)[0]
                    if target not in seen and not target.startswith(SKIP_PREFIXES) and "?" not in target:
                        queue.append(target)
        known = set(bodies)
        for url, (content_type, body) in bodies.items():
            page_file = _file_for(url)
            path = out / page_file
            path.parent.mkdir(parents=True, exist_ok=True)
            if content_type == "text/html":
                path.write_text(_rewrite_html(body.decode("utf-8"), page_file, known), encoding="utf-8")
            elif prefix != f"{parsed.scheme or 'http'}://{host}/":
                # a site served under a sub-path: feeds and the sitemap carry the full base URL
                path.write_bytes(body.replace(f"{parsed.scheme or 'http'}://{host}/".encode(), prefix.encode()))
            else:
                path.write_bytes(body)
            build.pages.append(url)
        if collect_static:
            if (out / "static").exists():
                shutil.rmtree(out / "static")
            call_command("collectstatic", interactive=False, verbosity=0)
    return build
