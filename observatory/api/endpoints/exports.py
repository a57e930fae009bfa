"""Downloads of the public exports (the same files as ``observatory export FORMAT OUT``)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from enum import Enum
from pathlib import Path

from django.conf import settings
from django.http import FileResponse

from observatory.exports import FORMATS, export_to_file
from observatory.exports.tables import dataset_signature

from ..errors import ERROR_CODES, ErrorOut
from .read import reject_unknown, router

CACHE_SECONDS = 3600

ExportName = Enum("ExportName", {name.replace("-", "_"): name for name in FORMATS}, type=str)

_JSON_BODIES = {
    "application/geo+json": {"type": "object", "required": ["type", "features"],
                             "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array"}}},
    "application/vnd.citationstyles.csl+json": {"type": "array", "items": {"type": "object"}},
}
_CONTENT = {spec.mediatype: {"schema": _JSON_BODIES.get(spec.mediatype, {"type": "string", "format": "binary"})}
            for spec in FORMATS.values()}


@router.get("/exports/{format}", response={**dict.fromkeys(ERROR_CODES - {401, 403, 409}, ErrorOut)},
            tags=["exports"], url_name="export",
            summary="Download the public dataset in one of the field's formats",
            description="csv and datapackage come as a .zip; records whose sources forbid redistribution "
                        "are left out (the data package's README says how many and why).",
            openapi_extra={"responses": {"200": {"description": "the export file", "content": _CONTENT}}})
def export_download(request, format: ExportName):
    reject_unknown(request, set())
    spec = FORMATS[format.value]
    path, signature = export_cached(spec.name)
    response = FileResponse(path.open("rb"), as_attachment=True, filename=spec.filename,
                            content_type=spec.mediatype)
    response["ETag"] = f'"{signature[:32]}"'
    return response


def export_cached(name: str) -> tuple[Path, str]:
    """The public export ``name``, built once per state of the data (and at least hourly, for edits
    the signature cannot see), kept under OBSERVATORY_VAR_DIR/exports: a large export takes seconds
    to minutes and must not be rebuilt for every download."""
    spec = FORMATS[name]
    signature = hashlib.sha256(f"{dataset_signature()}:{int(time.time() // CACHE_SECONDS)}".encode()).hexdigest()
    folder = Path(settings.VAR_DIR) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}-{signature[:16]}{Path(spec.filename).suffix}"
    if not target.exists():
        staging = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=folder))
        try:
            built, _report = export_to_file(name, staging)
            os.replace(built, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        for old in folder.glob(f"{name}-*"):
            if old != target and old.is_file():
                old.unlink(missing_ok=True)
    return target, signature
