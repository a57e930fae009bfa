"""Import trigger: a curator uploads a source file and names the importer (``observatory import``
does the same from the command line). The whole file is imported in one transaction, or nothing."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from ninja import File, Form, Schema
from ninja.files import UploadedFile

from ..errors import ERROR_CODES, ApiError, ErrorOut
from .read import router
from .write import WRITE

logger = logging.getLogger(__name__)

MAX_UPLOAD = 50 * 1024 * 1024

try:
    from observatory.inventory import importers
except ImportError:  # the importers are optional for the API
    importers = None


class ImportOut(Schema):
    run_id: int | None = None
    importer: str
    source: str
    dry_run: bool
    total: int
    counts: dict[str, int]
    rejects: list[dict[str, Any]]


if importers is not None:
    IMPORTER_NAMES = sorted(n for n, cls in importers.IMPORTERS.items() if not getattr(cls, "needs_mapping", False))

    @router.post("/imports", **WRITE, response={200: ImportOut, 413: ErrorOut, **dict.fromkeys(ERROR_CODES, ErrorOut)},
                 url_name="import_post", summary="Import a source file with one of the importers",
                 description="Importers: " + ", ".join(IMPORTER_NAMES) + ". `dry_run` checks without writing.")
    def import_post(request, importer: Form[str], file: File[UploadedFile], dry_run: Form[bool] = False):
        if importer not in IMPORTER_NAMES:
            raise ApiError(422, f"unknown importer {importer[:60]!r}; accepted: {', '.join(IMPORTER_NAMES)}",
                           code="invalid", details={"importer": importer[:60]})
        if file.size and file.size > MAX_UPLOAD:
            raise ApiError(413, f"the file is {file.size} bytes; the limit is {MAX_UPLOAD}", code="too_large")
        instance = importers.importer_get(importer)
        suffix = Path(file.name or "").suffix.lower()
        if instance.suffixes and suffix not in instance.suffixes:
            raise ApiError(422, f"the {importer} importer reads {', '.join(instance.suffixes)} files; got "
                                f"{file.name[:80]!r}", code="invalid", details={"file": file.name[:80]})
        with tempfile.TemporaryDirectory(prefix="observatory-import-") as folder:
            # saved under its own name (the import run records it), in a folder of its own
            name = Path(file.name or "").name
            path = Path(folder) / (name if name not in ("", ".", "..") else f"upload{suffix}")
            with path.open("wb") as handle:
                for chunk in file.chunks():
                    handle.write(chunk)
            try:
                report = importers.source_import(importer=instance, path=path, dry_run=dry_run,
                                                 user=request.api_user)
            except importers.ImportFileError as exc:
                raise ApiError(422, exc.shown_as(path.name), code="invalid_file") from None
            except ValidationError:
                raise
            except Exception as exc:  # a file the importer cannot read is the uploader's problem, not a 500
                logger.exception("import of %s with %s failed", file.name, importer)
                raise ApiError(422, f"the {importer} importer cannot read {file.name[:80]!r}: {exc.__class__.__name__}",
                               code="invalid_file") from None
        return {"run_id": report.run_id, "importer": report.importer, "source": report.source_key,
                "dry_run": report.dry_run, "total": report.total, "counts": dict(report.summary()),
                "rejects": report.rejects[:100]}
