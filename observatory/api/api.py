"""The NinjaAPI instance: routers, error envelope, OpenAPI description."""

from __future__ import annotations

from ninja import NinjaAPI

from .endpoints import evidence, exports, imports, read, write  # noqa: F401 (they register their operations on the read router)
from .errors import install_error_handlers

DESCRIPTION = """\
The open data of Observatory: China's connected spaces of innovation (fab labs, hackerspaces,
makerspaces, electronics markets, online maker communities), their relations, the research
codebook and the stored analyses.

* **Reading is public** and answers `Access-Control-Allow-Origin: *`. Only public entities are
  shown; no personal contact data is ever part of an answer.
* **Writing** needs a curator's token: `Authorization: Bearer <token>` (created with
  `observatory api-token USERNAME`).
* **Lists** are paged with an opaque `cursor` (pass the `next_cursor` of the previous page) and a
  `limit` (1–500).
* **Every error** has the same envelope: `{"error": {"status", "code", "message", "details"}}`.
* **Rate limits** answer 429 in the same envelope, with `Retry-After`.
* **Exports** of the whole public dataset in the field's formats: `/api/v1/exports/{format}`.
"""

api = NinjaAPI(
    title="Observatory API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("/", read.router)
