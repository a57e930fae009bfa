"""The site's own middleware: the real client address behind trusted proxies, reads that take no
write lock and a 503 when a write waits too long for one, the security headers Django does not set
(Content-Security-Policy), and requests the database cannot take.

Requests the database cannot take, answered before a view sends them to it:

- A NUL character (``%00``) in the path or the query string: PostgreSQL refuses NUL in text
  ("PostgreSQL text fields cannot contain NUL (0x00) bytes"), so a search or filter holding one
  would be a server error there (SQLite takes it). Answered 400.
- An id in the path beyond the 64-bit integers a database key holds
  (``/analysis/runs/99999999999999999999/...``): SQLite raises OverflowError for it. Answered 404,
  as for any id that does not exist.

The API (``/api/``) guards itself and answers both in its JSON error envelope
(``observatory.api.views.api_route``), so it is left alone here.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.urls import reverse

__all__ = ["ID_MAX", "ClientAddressMiddleware", "DatabaseLockMiddleware", "RequestGuardMiddleware",
           "SecurityHeadersMiddleware", "address_has_nul", "client_address", "content_security_policy",
           "is_lock_timeout", "lock_timeout_message", "lock_timeout_response"]

ID_MAX = 2**63 - 1


def _api_prefix() -> str:
    return reverse("api:root")


def address_has_nul(request) -> bool:
    """Whether the path or the query string (names or values) holds a NUL character; the one check
    of the pages (here) and of the API (``observatory.api.views``, which also reads bodies)."""
    return "\x00" in request.path or any("\x00" in key or "\x00" in value for key, values in request.GET.lists()
                                        for value in values)


def _is_id(name: str) -> bool:
    return name in ("id", "pk") or name.endswith("_id")


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._api = None

    def _in_api(self, request) -> bool:
        if self._api is None:
            self._api = _api_prefix()
        return request.path.startswith(self._api)

    def __call__(self, request):
        if address_has_nul(request) and not self._in_api(request):
            return HttpResponseBadRequest("The address holds a NUL character (%00), which no page, search or filter "
                                          "accepts; remove it and try again.", content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for name, value in view_kwargs.items():
            if _is_id(name) and str(value).isdecimal() and int(value) > ID_MAX and not self._in_api(request):
                raise Http404(f"No object with {name} {value}")
        return None


# ------------------------------------------------------------------------------ client address

def _valid_ip(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip().strip("[]")))
    except ValueError:
        return ""


def client_address(request) -> str:
    """The address of the client, as the last of ``OBSERVATORY_TRUSTED_PROXIES`` proxies saw it.

    Each proxy appends the address it received the request from to ``X-Forwarded-For``, so with N
    trusted proxies the client is the N-th entry from the right; anything left of it was written by
    the client and proves nothing. With 0 proxies (the default) the header is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.OBSERVATORY_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not hops:
        return remote
    return _valid_ip(hops[max(len(hops) - proxies, 0)]) or remote


class ClientAddressMiddleware:
    """Puts the real client address in ``REMOTE_ADDR`` for everything after it (rate limits of the
    API and the comments, the admin login lockout, the comment's hashed address)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.OBSERVATORY_TRUSTED_PROXIES > 0:
            request.META["REMOTE_ADDR"] = client_address(request)
        return self.get_response(request)


# ------------------------------------------------------------------------------ database locks

def is_lock_timeout(exc: BaseException) -> bool:
    """Whether a database error means another writer held the lock longer than this one waited
    (SQLite's busy timeout, PostgreSQL's lock_timeout): the request can simply be sent again."""
    from django.db import OperationalError

    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__ or exc
    message = str(cause).lower()
    if "database is locked" in message or "database table is locked" in message:
        return True
    return getattr(getattr(cause, "diag", None), "sqlstate", None) == "55P03" or getattr(cause, "sqlstate", "") == "55P03"


def lock_timeout_message() -> tuple[str, str]:
    """(message, Retry-After seconds) of a write that could not get the database lock: the one text
    of the pages' answer here and of the API's JSON error (``observatory.api.errors``, which builds
    its own answer, since plumbing imports no app)."""
    seconds = str(settings.OBSERVATORY_RETRY_AFTER_SECONDS)
    return ("The database is busy with another write (an import, probably) and this change could not wait "
            f"longer; nothing was saved. Send it again in {seconds} seconds."), seconds


def lock_timeout_response(request) -> HttpResponse:
    """503 with Retry-After: the database is busy with a long write (an import), try again. (The
    API's routes answer it in their JSON form: ``observatory.api.errors``.)"""
    message, seconds = lock_timeout_message()
    response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = seconds
    return response


class DatabaseLockMiddleware:
    """GET, HEAD and OPTIONS run inside ``reads_only()``: on SQLite their transactions (the admin's
    changelists are wrapped in one by django-reversion) start deferred and hold no write lock
    (observatory/sqlite_backend/base.py). A write that waited its whole busy timeout for the lock
    is answered 503 with Retry-After rather than 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            from observatory.sqlite_backend.base import reads_only

            with reads_only():
                return self.get_response(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        return lock_timeout_response(request) if is_lock_timeout(exception) else None


# ------------------------------------------------------------------------------ security headers

def _tile_sources(layers: list[dict]) -> list[str]:
    """The origins of the configured map tile layers, for img-src; ``{s}`` subdomains as ``*.``."""
    sources = []
    for layer in layers:
        parts = urlsplit(layer["url"])
        if not parts.scheme or not parts.netloc:
            continue  # a path on this site
        host = parts.netloc
        if "{" in host:
            host = "*." + host.split(".", 1)[1] if "." in host else ""
        if host and "{" not in host:
            sources.append(f"{parts.scheme}://{host}")
    return sorted(set(sources))


def content_security_policy() -> str:
    """Self only: every script, style, font and image is served by the site (docs/assets.md); the
    only exceptions are ``data:`` images (Leaflet's and Swagger UI's stylesheets use them) and the
    tile servers an operator configured."""
    images = " ".join(["'self'", "data:", *_tile_sources(settings.OBSERVATORY_TILE_LAYERS)])
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src {images}; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors 'none'")


XML_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            content_type = response.get("Content-Type", "")
            if "xml" in content_type and "html" not in content_type:
                # feeds and the sitemap: no script, no request at all; the inline styles and the data:
                # images (its fold arrows) are those a browser's own XML viewer uses to show the tree
                response["Content-Security-Policy"] = XML_CONTENT_SECURITY_POLICY
            else:
                response["Content-Security-Policy"] = content_security_policy()
        return response
