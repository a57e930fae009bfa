"""One error envelope for every error the API answers:
``{"error": {"status": 404, "code": "not_found", "message": "...", "details": ...}}``."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from observatory.validation import WriteConflict

logger = logging.getLogger(__name__)

__all__ = ["ApiError", "ERROR_CODES", "ErrorOut", "error_response", "install_error_handlers"]

# Every status an operation may answer besides 200, declared in the OpenAPI description.
ERROR_CODES = frozenset({400, 401, 403, 404, 409, 422, 429})

_CODE_NAMES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid",
               429: "rate_limited", 500: "internal_error", 503: "busy"}


class ErrorBody(Schema):
    status: int
    code: str
    message: str
    details: Any = None


class ErrorOut(Schema):
    error: ErrorBody


class ApiError(Exception):
    """An error a handler raises on purpose: status, a short machine code, a message for a person."""

    def __init__(self, status: int, message: str, *, code: str = "", details: Any = None):
        self.status, self.message, self.details = status, message, details
        self.code = code or _CODE_NAMES.get(status, "error")
        super().__init__(message)


def error_response(status: int, message: str, *, code: str = "", details: Any = None,
                   headers: dict | None = None) -> JsonResponse:
    body = {"error": {"status": status, "code": code or _CODE_NAMES.get(status, "error"), "message": message,
                      "details": details}}
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _validation_details(errors: list[dict]) -> list[dict]:
    details = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        # ninja puts the whole parameter model name in the location; keep where and which field
        where = loc[0] if loc else ""
        field = ".".join(part for part in loc[1:] if part not in {"filters", "payload", "body"})
        details.append({"in": where, "field": field, "message": error.get("msg", "invalid"),
                        "type": error.get("type", "")})
    return details


def install_error_handlers(api) -> None:
    @api.exception_handler(ApiError)
    def _api_error(request, exc: ApiError):
        return error_response(exc.status, exc.message, code=exc.code, details=exc.details)

    @api.exception_handler(NinjaValidationError)
    def _invalid(request, exc: NinjaValidationError):
        details = _validation_details(exc.errors)
        summary = "; ".join(f"{d['field'] or d['in']}: {d['message']}" for d in details[:5])
        return error_response(422, f"The request is not valid: {summary}", code="invalid", details=details)

    @api.exception_handler(DjangoValidationError)
    def _model_invalid(request, exc: DjangoValidationError):
        details = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        summary = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in details.items())
        return error_response(422, f"The data is not valid: {summary}", code="invalid", details=details)

    @api.exception_handler(WriteConflict)
    def _conflict(request, exc: WriteConflict):
        return error_response(409, str(exc), code="conflict")

    @api.exception_handler(IntegrityError)
    def _constraint(request, exc):
        # a race the services did not resolve: the constraint held, the client may retry
        logger.warning("API write conflict on %s %s: %s", request.method, request.path, exc)
        return error_response(409, "The write conflicts with a concurrent one; read the record again and retry.",
                              code="conflict")

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return error_response(401, "A valid curator token is required: send 'Authorization: Bearer <token>' "
                                   "(create one with 'observatory api-token USERNAME')", code="unauthorized",
                              headers={"WWW-Authenticate": 'Bearer realm="observatory"'})

    @api.exception_handler(AuthorizationError)
    def _forbidden(request, exc):
        return error_response(403, str(exc) or "Forbidden", code="forbidden")

    @api.exception_handler(HttpError)
    def _http_error(request, exc: HttpError):
        return error_response(exc.status_code, str(exc))

    @api.exception_handler(RequestDataTooBig)
    def _too_large(request, exc):
        from .views import too_large_response

        return too_large_response()

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return error_response(404, str(exc) or "Not found", code="not_found")

    @api.exception_handler(Exception)
    def _unexpected(request, exc):
        from observatory.middleware import is_lock_timeout, lock_timeout_message

        if is_lock_timeout(exc):  # a write that waited out the busy timeout behind an import
            message, seconds = lock_timeout_message()
            return error_response(503, message, code="busy", headers={"Retry-After": seconds})
        logger.exception("API error on %s %s", request.method, request.path)
        return error_response(500, "An unexpected error happened; it has been logged.", code="internal_error")
