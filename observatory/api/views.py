"""Plain Django views around the NinjaAPI: the documentation page, the API root, the 404 for
unknown routes, and the wrapper that gives every API route CORS for reads, rate limits and the
error envelope for what Django itself answers (405)."""

from __future__ import annotations

import functools

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from .errors import error_response
from .ratelimit import rate_limit_hit

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "X-RateLimit-Limit, X-RateLimit-Remaining, Retry-After"
    return response


def _has_nul(request) -> bool:
    if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, vs in request.GET.lists() for v in vs):
        return True
    return request.method not in READ_METHODS and b"\\u0000" in request.body


def api_route(view):
    """Wrap one API view: preflight, rate limit, NUL guard (PostgreSQL rejects NUL in text), CORS on
    reads, and the envelope for Django's own 405 answer."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Accept, Content-Type"
            response["Access-Control-Max-Age"] = "86400"
            return _cors(response)
        limited, limit, remaining, reset = rate_limit_hit(request)
        if limited:
            response = error_response(429, f"Too many requests: the limit is {limit} per window; try again in "
                                           f"{reset} s", code="rate_limited", headers={"Retry-After": str(reset)})
        elif _has_nul(request):
            response = error_response(400, "The request contains a NUL character, which no field accepts",
                                      code="bad_request")
        elif request.method == "HEAD":
            # answered as GET without the body (RFC 9110 §9.3.2)
            request.method = "GET"
            response = view(request, *args, **kwargs)
            request.method = "HEAD"
            if not response.streaming:
                response.content = b""
        else:
            response = view(request, *args, **kwargs)
        if response.status_code == 405 and not isinstance(response, JsonResponse):
            allowed = response.get("Allow", "")
            response = error_response(405, f"{request.method} is not allowed here; allowed: {allowed}",
                                      code="method_not_allowed", headers={"Allow": allowed})
        response["X-RateLimit-Limit"] = str(limit)
        response["X-RateLimit-Remaining"] = str(remaining)
        if request.method in READ_METHODS:
            _cors(response)
        return response

    return csrf_exempt(wrapped)


def not_found(request, unknown: str = ""):
    return error_response(404, f"no API route {request.path!r}; the routes are listed in "
                               f"{reverse('api:openapi-json')}", code="not_found")


def root(request):
    if request.method not in READ_METHODS:
        return error_response(405, f"{request.method} is not allowed here; allowed: GET", headers={"Allow": "GET"})
    return JsonResponse({"name": "Observatory API", "version": "1.0.0", "openapi": reverse("api:openapi-json"),
                         "docs": reverse("api:docs"), "entities": reverse("api:entity_list"),
                         "relations": reverse("api:relation_list"), "codebook": reverse("api:codebook"),
                         "analysis_runs": reverse("api:analysis_run_list"), "posts": reverse("api:post_list")})


def docs(request):
    return render(request, "api/docs.html", {"openapi_url": reverse("api:openapi-json")})
