"""The Ananse "Atlas of Innovation Spaces" merged list (2016): new_spaces.csv and the xlsx.

The CSV is cp1252 with mojibake, latitudes and longitudes come as decimals or as
degrees-minutes-seconds strings whose degree sign was lost (``39 59'49"``), rows from the "open"
source have them swapped, and "Date of founding" mixes years (2006) with Excel serial numbers
(40752). Rows have no identifier: the external id is the 0-based data row (``row:17``).
E-mail, phone and the contact / submitter name columns are personal data and are dropped.
"""

from __future__ import annotations

from pathlib import Path

from .base import Importer, ParsedRow, RawRow, SourceInfo
from .common import document_build
from .tabular import csv_rows, xlsx_rows

__all__ = ["AnanseCsvImporter", "AnanseXlsxImporter", "ananse_kind"]

_KINDS = {
    "makerspace": "makerspace",
    "hub": "coworking_space",
    "fab lab": "fab_lab",
    "event": "event",
    "incubator": "incubator",
    "biohacklab": "hackerspace",
    "cluster": "vertical_cluster",
    "gallery": "industrial_park",
    "appropriate technology": "makerspace",
}


def ananse_kind(category: str, source: str = "") -> str:
    """Entity kind of an Ananse row: its Simple Category; hackerspaces.org rows are hackerspaces."""
    category = (category or "").strip().casefold()
    if category == "makerspace" and (source or "").strip().casefold() == "hackerspaces.org":
        return "hackerspace"
    return _KINDS.get(category, "makerspace")


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class AnanseCsvImporter(Importer):
    name = "ananse-csv"
    description = "Ananse Atlas of Innovation Spaces, new_spaces.csv (cp1252)"
    suffixes = (".csv",)
    raw_files = ("ananse-atlas-innovation-spaces/new_spaces.csv",)
    source = SourceInfo(
        key="ananse2016",
        title="Atlas of Innovation Spaces: merged global list of makerspaces, fab labs, hackerspaces and hubs "
              "(new_spaces.csv)",
        licence="CC-BY-SA-4.0 (intended, not confirmed)", redistributable=False, crs="WGS-84",
        url="https://github.com/nationofmakers/ananse-map", publisher="GitHub, nationofmakers/ananse-map",
        issued="2016-06-18", medium="CSV",
        note="Rows cited as row:N (0-based data row). Personal contact columns are dropped on import.")
    alias_columns: tuple[str, ...] = ()

    def rows(self, path: Path):
        return csv_rows(path, encoding="cp1252")

    def parse(self, raw: RawRow) -> ParsedRow:
        row = raw.data
        notes: list = []
        names = [(_text(row.get("Name")), None, "official")]
        for column in self.alias_columns:
            alias = _text(row.get(column))
            if alias:
                names.append((alias, None, "common"))
        city = _text(row.get("City and Region")) or _text(row.get("City"))
        country = _text(row.get("Country"))
        address = _text(row.get("address"))
        document = document_build(
            self, raw, names=names, kind=ananse_kind(_text(row.get("Simple Category")), _text(row.get("Source"))),
            notes=notes, website=_text(row.get("Website")), founded=row.get("Date of founding"),
            lat=row.get("Lat"), lng=row.get("Long"), country=country, city=city, address=address,
        )
        name_key = document["names"][0]["text"].casefold()
        location = (document.get("locations") or [{}])[0]
        point = (round(location.get("lat", 0) or 0, 4), round(location.get("lng", 0) or 0, 4))
        return ParsedRow(external_id=raw.external_id, locator=raw.locator, line=raw.line, payload=row,
                         document=document, notes=notes,
                         duplicate_key=f"{name_key}|{country.casefold()}|{city.casefold()}|{point}")


class AnanseXlsxImporter(AnanseCsvImporter):
    name = "ananse-xlsx"
    description = "Ananse Atlas of Innovation Spaces with alias columns, new_spaces_aliases.xlsx"
    suffixes = (".xlsx",)
    raw_files = ("ananse-atlas-innovation-spaces/new_spaces_aliases.xlsx",)
    source = SourceInfo(
        key="ananse2016-aliases",
        title="Atlas of Innovation Spaces: merged list with alias columns (new_spaces_aliases.xlsx)",
        licence="CC-BY-SA-4.0 (intended, not confirmed)", redistributable=False, crs="WGS-84",
        url="https://github.com/nationofmakers/ananse-map", publisher="GitHub, nationofmakers/ananse-map",
        issued="2016-07-24", medium="XLSX",
        note="Rows cited as row:N (0-based data row of the first sheet). Alias columns become common names.")
    alias_columns = ("fablab alias", "other alias", "hackerspace alias")

    def rows(self, path: Path):
        return xlsx_rows(path)


class AnanseAliasesImporter(AnanseCsvImporter):
    """aliases_derived.csv (UTF-8): the 221 xlsx rows with an alias, used to measure matching."""

    name = "ananse-aliases"
    description = "Ananse alias sheet, aliases_derived.csv (UTF-8, derived from the xlsx)"
    raw_files = ()
    source = SourceInfo(
        key="ananse2016-aliases-derived", title="Ananse alias sheet (aliases_derived.csv, derived from "
        "new_spaces_aliases.xlsx)", licence="CC-BY-SA-4.0 (intended, not confirmed)", redistributable=False,
        crs="WGS-84", medium="CSV")
    alias_columns = ("fablab alias", "other alias", "hackerspace alias")

    def rows(self, path: Path):
        return csv_rows(path, encoding="utf-8")
