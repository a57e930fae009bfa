"""Requests the database cannot take, answered before a view sends them to it.

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

from django.http import Http404, HttpResponseBadRequest
from django.urls import reverse

__all__ = ["ID_MAX", "RequestGuardMiddleware", "address_has_nul"]

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
