"""Downloads of the public exports (the same files as ``observatory export FORMAT OUT``)."""

from __future__ import annotations

import shutil
import tempfile
from enum import Enum
from pathlib import Path

from django.http import FileResponse

from observatory.exports import FORMATS, export_to_file

from ..errors import ERROR_CODES, ErrorOut
from .read import reject_unknown, router

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
    directory = Path(tempfile.mkdtemp(prefix="observatory-export-"))
    try:
        path, _report = export_to_file(spec.name, directory)
        handle = path.open("rb")  # stays readable after the folder is removed (POSIX)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    response = FileResponse(handle, as_attachment=True, filename=spec.filename, content_type=spec.mediatype)
    return response
