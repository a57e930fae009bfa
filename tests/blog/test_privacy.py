"""The commenter's e-mail never leaves the admin: a crawl of the whole public site, the feeds, the
sitemap and the API (every link followed, every response searched) never contains it."""

from __future__ import annotations

import re
import time
from urllib.parse import urljoin, urlparse

from django.core import signing

from observatory.blog import services
from observatory.blog.forms import SALT
from observatory.blog.models import Comment

EMAIL = "very.private.person@example.org"
LINK = re.compile(r"""(?:href|src)=["']([^"'#]+)""")
LOC = re.compile(r"<loc>([^<]+)</loc>")
START = ["/", "/blog/", "/blog/feeds/rss.xml", "/blog/feeds/atom.xml", "/blog/feeds/en/rss.xml",
         "/blog/feeds/zh-hans/atom.xml", "/sitemap.xml", "/api/v1/posts", "/api/v1/entities", "/api/v1/",
         "/map/data.json", "/network/data.json"]


def crawl(client, limit=400):
    seen, queue, bodies = set(), list(START), {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlparse(url)._replace(scheme="", netloc="").geturl()
        if path in seen or not path.startswith("/") or path.startswith(("/admin", "/static/", "/i18n/")):
            continue
        seen.add(path)
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        bodies[path] = (response.status_code, body.decode("utf-8", "replace"))
        if response.status_code == 200 and response.get("Content-Type", "").split(";")[0] in (
                "text/html", "application/xml", "application/rss+xml", "application/atom+xml"):
            for link in LINK.findall(bodies[path][1]) + LOC.findall(bodies[path][1]):
                absolute = urljoin(path, link.replace("&amp;", "&"))
                if urlparse(absolute).netloc in ("", "testserver"):
                    queue.append(absolute)
    return bodies


def test_it_never_shows_a_commenters_email_anywhere(mini_dataset, make_post, reader):
    make_post(slug="private", body="A post [@keane2012].")
    for body in ("A first comment by the private person.", "A reply, also approved."):
        reader.post("/blog/private/comment/", {
            "name": "Private Person", "email": EMAIL, "website": "https://person.example", "body": body,
            "homepage_url": "", "shown": signing.dumps(time.time() - 60, salt=SALT)})
    services.comment_moderate(comments=Comment.objects.all(), action="approve")
    assert Comment.objects.filter(author_email=EMAIL, status="approved").count() == 2
    bodies = crawl(reader)
    assert "/blog/private/" in bodies and "A first comment by the private person." in bodies["/blog/private/"][1]
    assert len(bodies) > 20
    for path, (status, text) in bodies.items():
        assert status < 500, path
        assert EMAIL not in text and "very.private.person" not in text, path
