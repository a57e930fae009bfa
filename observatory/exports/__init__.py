"""Exports of the inventory in the field's formats (one module per format, pure functions over
querysets). :func:`export_run` is the one entry point for the command and the API."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["FORMATS", "ExportFormat", "ExportReport", "export_run", "export_to_file"]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    title: str
    writer: str  # "module:function"
    filename: str  # download name; a folder format is zipped for download
    mediatype: str
    folder: bool = False

    def write(self, out: Path, selection) -> dict[str, int]:
        import importlib

        module, function = self.writer.split(":")
        writer: Callable = getattr(importlib.import_module(f"{__name__}.{module}"), function)
        return writer(out, selection)


FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("csv", "CSV, one file per table", "csvfiles:write_csv", "observatory-csv.zip",
                 "application/zip", folder=True),
    ExportFormat("datapackage", "Frictionless Data Package (datapackage.json + CSV)",
                 "datapackage:write_datapackage", "observatory-datapackage.zip", "application/zip", folder=True),
    ExportFormat("geojson", "GeoJSON (RFC 7946, WGS-84)", "geo:write_geojson", "observatory.geojson",
                 "application/geo+json"),
    ExportFormat("gpkg", "GeoPackage (EPSG:4326)", "geo:write_geopackage", "observatory.gpkg",
                 "application/geopackage+sqlite3"),
    ExportFormat("gexf", "GEXF 1.3 (Gephi), dynamic", "network:write_gexf", "observatory.gexf",
                 "application/gexf+xml"),
    ExportFormat("graphml", "GraphML", "network:write_graphml", "observatory.graphml", "application/graphml+xml"),
    ExportFormat("csl-json", "CSL-JSON bibliography of the sources", "bibliography:write_csl_json",
                 "observatory-sources.json", "application/vnd.citationstyles.csl+json"),
    ExportFormat("bibtex", "BibTeX bibliography of the sources", "bibliography:write_bibtex",
                 "observatory-sources.bib", "application/x-bibtex"),
    ExportFormat("qdc", "REFI-QDA codebook (QDC)", "qdc:write_qdc", "Codebook.qdc", "application/xml"),
)}


@dataclass
class ExportReport:
    format: str
    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)
    include_restricted: bool = False


def export_run(format: str, out: Path, *, include_restricted: bool = False) -> ExportReport:
    """Write the inventory in ``format`` to ``out`` (a file, or a folder for csv/datapackage; csv
    into a .zip when ``out`` ends with .zip). Raises KeyError naming the formats."""
    from .tables import selection_build

    try:
        spec = FORMATS[format]
    except KeyError:
        raise KeyError(f"unknown export format {format!r}; accepted: {', '.join(FORMATS)}") from None
    selection = selection_build(include_restricted=include_restricted)
    out = Path(out)
    counts = spec.write(out, selection)
    return ExportReport(format=format, path=out, counts=counts, left_out={k: v for k, v in sorted(selection.left_out.items()) if v},
                        include_restricted=include_restricted)


def export_to_file(format: str, directory: Path) -> tuple[Path, ExportReport]:
    """A public export as one downloadable file in ``directory`` (folder formats zipped)."""
    spec = FORMATS[format]
    target = Path(directory) / spec.filename
    if not spec.folder:
        return target, export_run(format, target)
    staging = Path(tempfile.mkdtemp(dir=directory))
    try:
        report = export_run(format, staging / "package")
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted((staging / "package").rglob("*")):
                archive.write(path, path.relative_to(staging / "package"))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target, report
