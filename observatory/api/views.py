"""Plain Django views around the NinjaAPI: the documentation page, the API root, the 404 for
unknown routes, and the wrapper that gives every API route CORS for reads, rate limits and the
error envelope for what Django itself answers (405)."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from observatory.middleware import address_has_nul
from observatory.pagecache import public_read

from .errors import error_response
from .ratelimit import rate_limit_hit

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# read routes whose answer depends only on the URL and the data: kept in the page cache until the
# data changes (observatory/pagecache.py). Not the analysis runs (a run finishes in another
# process, the analyze command, and a result can weigh megabytes) nor the posts (a scheduled post
# appears at its time); exports have their own cache of built files.
CACHED_READS = {"entity_list", "entity_detail", "relation_list", "codebook"}


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "X-RateLimit-Limit, X-RateLimit-Remaining, Retry-After"
    return response


def _has_nul(request) -> bool:
    """Whether the path, the query, the form fields or a JSON body hold a NUL. Reading the body
    raises RequestDataTooBig past DATA_UPLOAD_MAX_MEMORY_SIZE; a multipart upload is read as form
    fields (its files are streamed to disk, and may hold any byte)."""
    if address_has_nul(request):
        return True
    if request.method in READ_METHODS:
        return False
    if request.content_type == "multipart/form-data":
        return any("\x00" in k or "\x00" in v for k, vs in request.POST.lists() for v in vs)
    return b"\\u0000" in request.body


def _refusal(request) -> JsonResponse | None:
    """The answer to a request no view should see (too large, too many fields, a NUL), or None."""
    try:
        nul = _has_nul(request)
    except RequestDataTooBig:
        return too_large_response()
    except (TooManyFieldsSent, TooManyFilesSent) as exc:
        return error_response(400, f"The request is refused: {exc}", code="bad_request")
    if nul:
        return error_response(400, "The request contains a NUL character, which no field accepts", code="bad_request")
    return None


def too_large_response() -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(413, f"The request body is larger than the limit of {limit:,} bytes (a file to import "
                               "goes to /imports as multipart/form-data)", code="too_large",
                          details={"limit": limit})


def api_route(view, *, cached: bool = False):
    """Wrap one API view: preflight, rate limit, NUL guard (PostgreSQL rejects NUL in text), CORS on
    reads, and the envelope for Django's own 405 answer; with ``cached``, GET answers are kept until
    the data changes."""
    if cached:
        view = public_read(view)

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
        elif (refusal := _refusal(request)) is not None:
            response = refusal
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
