"""Rendered public pages kept in a cache until the data changes.

A public page is the same for every anonymous reader of one language, and most of its cost is the
queries and the template, not the answer. ``public_page`` keeps the rendered answer for the path,
the query string, the language and the *data version*:

* the data signature of :func:`data_signature` (counts and latest edits, so bulk writes that
  send no signal are seen within its few seconds of memo), part of the key, and
* a counter in the cache that every save or delete of a model of the observatory's apps bumps
  (so a curator's edit of a source or a coding shows on the next request), kept with the answer:
  the counter and the answer are read in one round trip (``get_many``), and an answer kept under
  another counter is not served.

Entries also expire after ``OBSERVATORY_PAGE_CACHE_SECONDS`` (what depends on the clock, such as a
scheduled post, is at most that late); ``0`` turns the cache off. Signed-in users are never served
from the cache, nor are requests other than GET and HEAD.

``public_read`` does the same for the API's read routes, whose JSON answer depends only on the URL
and the data (never on the caller or the language). A request with an ``Authorization`` header (a
curator's client, which reads back what it wrote) always gets a fresh answer.

Web plumbing shared by the two adapters, the pages (``observatory.site``) and the API
(``observatory.api``); like ``urls.py`` it sits above the apps whose data it watches.

The CSRF token of the language form is personal: the cached copy holds a placeholder, and each
answer gets the reader's own token (which also sets the CSRF cookie), so the form keeps working.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Count, Max
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

__all__ = ["data_signature", "data_signature_reset", "data_version_bump", "public_page", "public_read"]

ALIAS = "pages"
_COUNTER = "observatory:data-version"
_APPS = {"inventory", "coding", "blog", "analysis"}
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")([^"]+)(")')
_PLACEHOLDER = b"\x00csrf-token\x00"
# answers larger than this are not kept: a few would crowd out thousands of pages
MAX_BODY_BYTES = 1_000_000


_SIGNATURE_TTL_S = 5.0
_signature: dict = {"at": 0.0, "value": None}
_signature_lock = threading.Lock()


def data_signature() -> tuple:
    """(entities, latest entity edit, highest location, relation and status ids, codings, latest
    coding edit, public documents): what another process's writes change, read in a few cheap
    aggregates and kept for a few seconds. The codings and the public documents are there because a
    coding's quote is public only while its source or its document is: a note made private
    elsewhere must drop the cached pages and answers that quote it."""
    from observatory.coding.models import Coding, Document
    from observatory.inventory.models import Entity, Location, Relation, StatusAssertion

    now = time.monotonic()
    with _signature_lock:
        if _signature["value"] is not None and now - _signature["at"] < _SIGNATURE_TTL_S:
            return _signature["value"]
    entity = Entity.objects.aggregate(n=Count("id"), updated=Max("updated"))
    coding = Coding.objects.aggregate(n=Count("id"), updated=Max("updated"))
    value = (entity["n"], str(entity["updated"]), Location.objects.aggregate(m=Max("id"))["m"],
             Relation.objects.aggregate(m=Max("id"))["m"], StatusAssertion.objects.aggregate(m=Max("id"))["m"],
             coding["n"], str(coding["updated"]), Document.objects.filter(is_public=True).count())
    with _signature_lock:
        _signature.update(at=now, value=value)
    return value


def data_signature_reset() -> None:
    """Forget the kept signature (tests that change data within its few seconds call this)."""
    with _signature_lock:
        _signature.update(at=0.0, value=None)


def _cache():
    return caches[ALIAS]


def _lookup(cache, prefix: str, parts: list[str]) -> tuple[str, int, tuple | None]:
    """The key of an answer, the current counter and the kept ``(content_type, body)`` if it was
    kept under that counter; one round trip to the cache."""
    raw = "\n".join([*parts, repr(data_signature())])
    key = prefix + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    found = cache.get_many([_COUNTER, key])
    counter = found.get(_COUNTER, 0)
    stored = found.get(key)
    if stored is not None and stored[0] == counter:
        return key, counter, stored[1:]
    return key, counter, None


def data_version_bump(sender=None, **kwargs) -> None:
    """Bump the data counter now, and once more when the surrounding transaction commits: a
    request of another process between the two would otherwise read the new counter with the old
    rows and keep an old page under it."""
    if sender is not None and sender._meta.app_label not in _APPS:
        return
    _bump()
    connection = transaction.get_connection(kwargs.get("using") or DEFAULT_DB_ALIAS)
    if connection.in_atomic_block and not any(func is _bump for _sids, func, _robust in connection.run_on_commit):
        transaction.on_commit(_bump, using=connection.alias)


def _bump() -> None:
    cache = _cache()
    try:
        cache.incr(_COUNTER)
    except ValueError:  # not set yet (or evicted)
        cache.set(_COUNTER, 1, timeout=None)


for _signal in (post_save, post_delete, m2m_changed):
    _signal.connect(data_version_bump, dispatch_uid=f"observatory-page-cache-{_signal!r}")


def _keepable(response) -> bool:
    return (response.status_code == 200 and not response.streaming and not response.cookies
            and not response.has_header("Set-Cookie") and len(response.content) <= MAX_BODY_BYTES)


def _browser_cacheable(response, seconds: int):
    """An anonymous reader's browser may keep a public page as long as the server does. ``private``:
    the page holds the reader's own CSRF token (the language form), so no shared cache may keep
    it; the answer varies on the cookie, so signing in or switching language fetches it again."""
    if not response.has_header("Cache-Control"):
        response["Cache-Control"] = f"private, max-age={seconds}"
        patch_vary_headers(response, ("Cookie",))
    return response


def public_page(view):
    """Serve ``view``'s 200 answers to anonymous GET/HEAD requests from the cache (see above)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.OBSERVATORY_PAGE_CACHE_SECONDS
        if (seconds <= 0 or request.method not in {"GET", "HEAD"}
                or getattr(request, "user", None) is not None and request.user.is_authenticated):
            return view(request, *args, **kwargs)
        cache = _cache()
        key, counter, stored = _lookup(cache, "page:", [request.path, request.META.get("QUERY_STRING", ""),
                                                         get_language() or ""])
        if stored is not None:
            content_type, body = stored
            response = HttpResponse(body.replace(_PLACEHOLDER, get_token(request).encode()),
                                    content_type=content_type)
            response["X-Observatory-Cache"] = "hit"
            return _browser_cacheable(response, seconds)
        response = view(request, *args, **kwargs)
        if _keepable(response):
            body = _TOKEN.sub(lambda m: m.group(1) + _PLACEHOLDER + m.group(3), response.content)
            cache.set(key, (counter, response["Content-Type"], body), timeout=seconds)
            response["X-Observatory-Cache"] = "miss"
            _browser_cacheable(response, seconds)
        return response

    return wrapped


def public_read(view):
    """Serve ``view``'s 200 answers to GET requests from the cache, keyed by path, query and data
    version: for API read routes, whose answer is the same for every caller (see above)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.OBSERVATORY_PAGE_CACHE_SECONDS
        if seconds <= 0 or request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
            return view(request, *args, **kwargs)
        cache = _cache()
        key, counter, stored = _lookup(cache, "read:", ["api", request.path, request.META.get("QUERY_STRING", "")])
        if stored is not None:
            content_type, body = stored
            response = HttpResponse(body, content_type=content_type)
            response["X-Observatory-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if _keepable(response):
            cache.set(key, (counter, response["Content-Type"], response.content), timeout=seconds)
            response["X-Observatory-Cache"] = "miss"
        return response

    return wrapped
