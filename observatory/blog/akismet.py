"""Optional Akismet adapter, off by default (Akismet is unreachable from much of mainland China).

Set ``OBSERVATORY_AKISMET_KEY`` (and ``SITE_URL``) to turn it on; the local classifier still runs
and the stricter of the two decisions wins. The adapter follows Akismet's REST API
(https://akismet.com/developers/detailed-docs/comment-check/): a form-encoded POST of
``blog``, ``user_ip``, ``user_agent``, ``comment_type``, ``comment_author``,
``comment_author_email``, ``comment_author_url``, ``comment_content`` to
``https://{key}.rest.akismet.com/1.1/comment-check``; the answer is ``true`` (spam) or ``false``.
The transport is injectable, so tests never touch the network.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Callable

__all__ = ["AkismetClient"]

Transport = Callable[[str, bytes, float], str]


def _urllib_transport(url: str, data: bytes, timeout: float) -> str:
    request = urllib.request.Request(url, data=data, headers={  # noqa: S310 - https URL built below
        "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Observatory/1.0 | akismet-adapter"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.read().decode("utf-8", "replace").strip()


class AkismetClient:
    def __init__(self, *, key: str, blog_url: str, transport: Transport | None = None, timeout: float = 3.0):
        if not key:
            raise ValueError("an Akismet API key is required")
        self.key, self.blog_url, self.timeout = key, blog_url, timeout
        self.transport = transport or _urllib_transport

    def comment_check(self, *, user_ip: str, user_agent: str, author: str, email: str, url: str, content: str,
                      permalink: str = "") -> bool | None:
        """True (spam), False (ham), or None when Akismet could not answer (network, bad key)."""
        fields = {"blog": self.blog_url, "user_ip": user_ip, "user_agent": user_agent, "comment_type": "comment",
                  "comment_author": author, "comment_author_email": email, "comment_author_url": url,
                  "comment_content": content, "permalink": permalink}
        try:
            answer = self.transport(f"https://{self.key}.rest.akismet.com/1.1/comment-check",
                                    urllib.parse.urlencode(fields).encode("utf-8"), self.timeout)
        except OSError:
            return None
        return {"true": True, "false": False}.get(answer)
