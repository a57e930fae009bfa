"""Importers: one module per source format, the cleaning they share, and the runner that writes.

``IMPORTERS`` maps each importer's name (the ``SOURCE`` argument of ``observatory import``) to
its class; :func:`importer_get` builds one (the generic spreadsheet importer needs a mapping).
See docs/importers.md.
"""

from __future__ import annotations

from pathlib import Path

from .ananse import AnanseAliasesImporter, AnanseCsvImporter, AnanseXlsxImporter
from .base import Importer, ImportFileError, RowRejected, SourceInfo
from .directories import (
    FablabsImporter,
    NestaImporter,
    OverpassImporter,
    SemanticAskCsvImporter,
    SemanticAskJsonImporter,
    SpaceApiDirectoryImporter,
    SpaceApiEndpointImporter,
)
from .geojson import HackerspacesGeoJsonImporter, SzMakerMapImporter
from .mapping import MappedSpreadsheetImporter
from .runner import ImportReport, entity_slug_for, source_import

__all__ = ["IMPORTERS", "ImportFileError", "ImportReport", "Importer", "RowRejected", "SourceInfo",
           "entity_slug_for", "importer_get", "source_import"]

IMPORTERS: dict[str, type[Importer]] = {
    cls.name: cls
    for cls in (
        AnanseCsvImporter, AnanseXlsxImporter, AnanseAliasesImporter, SzMakerMapImporter, HackerspacesGeoJsonImporter,
        SpaceApiDirectoryImporter, NestaImporter, FablabsImporter, SemanticAskJsonImporter, SemanticAskCsvImporter,
        SpaceApiEndpointImporter, OverpassImporter, MappedSpreadsheetImporter,
    )
}


def importer_get(name: str, *, mapping: Path | str | None = None) -> Importer:
    """The importer called ``name``; raises KeyError naming the known importers."""
    if name not in IMPORTERS:
        raise KeyError(f"unknown source {name!r}; known: {', '.join(sorted(IMPORTERS))}")
    cls = IMPORTERS[name]
    if getattr(cls, "needs_mapping", False):
        if mapping is None:
            raise KeyError(f"the {name!r} importer needs --mapping FILE.yaml (see docs/importers.md)")
        return cls(mapping=Path(mapping))
    return cls()
