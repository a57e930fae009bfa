"""Public maker directories in their documented formats.

- SpaceAPI directory (``directory.json``: space name → endpoint URL) and SpaceAPI endpoints
  (v13, v14, v15 JSON, validated against :file:`spaceapi_schema.json`, written from the spec);
- fablabs.io labs JSON (the public API's list of labs: id, name, slug, kind_name, address_1/2,
  city, country_code, latitude, longitude, activity_status, capabilities, links, ...);
- hackerspaces.org Semantic MediaWiki ``Special:Ask`` exports, JSON (SMW's query-result
  serialisation: ``results`` → page → ``printouts``) and CSV (page, then one column per printout);
- OpenStreetMap Overpass API JSON (``elements`` with ``tags``; nodes carry lat/lon, ways and
  relations a ``center`` when queried with ``out center``);
- Nesta's open dataset of UK makerspaces (CSV in cp1252, with its datapackage.json).

Identifiers: the source's own where it has one (fablabs.io id, wiki page title, OSM
``node/123``, SpaceAPI space name), else ``row:N``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from .base import Importer, ImportFileError, ParsedRow, RawRow, RowRejected, SourceInfo
from .cleaning import Note, decode_bytes
from .common import document_build
from .tabular import csv_rows

__all__ = [
    "FablabsImporter",
    "NestaImporter",
    "OverpassImporter",
    "SemanticAskCsvImporter",
    "SemanticAskJsonImporter",
    "SpaceApiDirectoryImporter",
    "SpaceApiEndpointImporter",
]


def _json_file(path: Path):
    text, _ = decode_bytes(Path(path).read_bytes())
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(path, f"not valid JSON ({exc.msg})", line=exc.lineno) from None


def _s(value) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


# --------------------------------------------------------------------------------------------
# SpaceAPI


class SpaceApiDirectoryImporter(Importer):
    name = "spaceapi-directory"
    description = "SpaceAPI directory.json (space name → endpoint URL)"
    suffixes = (".json",)
    raw_files = ("spaceapi-directory/directory.json",)
    source = SourceInfo(
        key="spaceapi-directory", title="SpaceAPI directory (directory.json)", licence="unknown",
        url="https://github.com/SpaceApi/directory", publisher="GitHub, SpaceApi/directory", medium="JSON",
        note="Each space cited by its name. No coordinates: the endpoints hold them.")

    def rows(self, path: Path):
        document = _json_file(path)
        if not isinstance(document, dict):
            raise ImportFileError(path, "a SpaceAPI directory is a JSON object mapping names to endpoint URLs")
        return [RawRow(locator=f"row:{index}", external_id=str(name)[:300], data={"space": name, "endpoint": url})
                for index, (name, url) in enumerate(document.items())]

    def parse(self, raw: RawRow) -> ParsedRow:
        endpoint = raw.data.get("endpoint")
        if not isinstance(endpoint, str) or not re.match(r"^https?://", endpoint.strip()):
            raise RowRejected("endpoint", endpoint, "not an http(s) URL of a SpaceAPI endpoint")
        notes: list = [Note("endpoint", endpoint[:200], "endpoint kept in the record; not fetched")]
        document = document_build(self, raw, names=[(_s(raw.data.get("space")), None, "official")],
                                  kind="hackerspace", notes=notes)
        return ParsedRow(raw.external_id, raw.locator, raw.line, raw.data, document, notes)


@lru_cache(maxsize=1)
def spaceapi_schema() -> dict:
    return json.loads((Path(__file__).with_name("spaceapi_schema.json")).read_text(encoding="utf-8"))


def spaceapi_version(document: dict) -> str:
    """"13", "14" or "15" (the highest declared); "" when the document declares none."""
    versions = []
    if isinstance(document.get("api_compatibility"), list):
        versions += [str(v).removeprefix("0.") for v in document["api_compatibility"]]
    if isinstance(document.get("api"), str):
        versions.append(document["api"].removeprefix("0."))
    known = [v for v in versions if v in ("13", "14", "15")]
    return max(known) if known else ""


class SpaceApiEndpointImporter(Importer):
    """One SpaceAPI endpoint document, or a JSON array of them (a harvest)."""

    name = "spaceapi"
    description = "SpaceAPI endpoint JSON, v13 to v15 (one document or an array of documents)"
    suffixes = (".json",)
    source = SourceInfo(
        key="spaceapi-endpoints", title="SpaceAPI endpoint documents", licence="unknown",
        url="https://spaceapi.io/", medium="JSON", note="Each space cited by its 'space' name. WGS-84.")

    def rows(self, path: Path):
        document = _json_file(path)
        items = document if isinstance(document, list) else [document]
        return [RawRow(locator=f"row:{index}", data=item,
                       external_id=(_s(item.get("space")) if isinstance(item, dict) else "")[:300] or f"row:{index}")
                for index, item in enumerate(items)]

    def parse(self, raw: RawRow) -> ParsedRow:
        import jsonschema

        data = raw.data
        if not isinstance(data, dict):
            raise RowRejected("document", str(data)[:100], "a SpaceAPI document is a JSON object")
        version = spaceapi_version(data)
        if not version:
            raise RowRejected("api_compatibility", data.get("api_compatibility", data.get("api")),
                              "declares no SpaceAPI version 13, 14 or 15 ('api': '0.13' or 'api_compatibility')")
        schema = {**spaceapi_schema(), "$ref": f"#/definitions/v{version}"}
        errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(data),
                        key=lambda e: list(e.path))
        if errors:
            error = errors[0]
            where = ".".join(str(p) for p in error.path) or "(document)"
            raise RowRejected(where, str(error.instance)[:100], f"not valid SpaceAPI v{version}: {error.message}")
        notes: list = []
        location = data.get("location") or {}
        state = data.get("state") if isinstance(data.get("state"), dict) else {}
        document = document_build(self, raw, names=[(_s(data.get("space")), None, "official")], kind="hackerspace",
                                  notes=notes, website=_s(data.get("url")), lat=location.get("lat"),
                                  lng=location.get("lon"), address=_s(location.get("address")))
        if state.get("lastchange") is not None:
            notes.append(Note("state", str(state.get("open")), "door state is live data; kept in the record only"))
        return ParsedRow(raw.external_id, raw.locator, raw.line, data, document, notes)


# --------------------------------------------------------------------------------------------
# fablabs.io

_FABLAB_KINDS = {"fab_lab": "fab_lab", "mini_fab_lab": "fab_lab", "supernode": "fab_lab", "mobile": "fab_lab"}
_FABLAB_STATUS = {"active": "active", "closed": "closed", "planned": "inactive"}


class FablabsImporter(Importer):
    name = "fablabs"
    description = "fablabs.io labs JSON (the public API's list of labs)"
    suffixes = (".json",)
    source = SourceInfo(
        key="fablabs-io", title="fablabs.io: the fab lab network's directory (labs API)", licence="unknown",
        url="https://fablabs.io/", medium="JSON", note="Each lab cited by its fablabs.io id. WGS-84.")

    def rows(self, path: Path):
        document = _json_file(path)
        labs = document.get("labs") if isinstance(document, dict) else document
        if not isinstance(labs, list):
            raise ImportFileError(path, "expected a JSON array of labs (or an object with a 'labs' array)")
        rows = []
        for index, lab in enumerate(labs):
            lab_id = lab.get("id") if isinstance(lab, dict) else None
            rows.append(RawRow(locator=f"row:{index}", data=lab,
                               external_id=str(lab_id) if isinstance(lab_id, int | str) and str(lab_id) else ""))
        return rows

    def parse(self, raw: RawRow) -> ParsedRow:
        lab = raw.data
        if not isinstance(lab, dict):
            raise RowRejected("lab", str(lab)[:100], "a lab is a JSON object")
        notes: list = []
        country = _s(lab.get("country_code")).upper()
        country_name = {"CN": "China", "HK": "Hong Kong", "TW": "Taiwan", "MO": "Macao"}.get(country, country)
        address = ", ".join(p for p in (_s(lab.get("address_1")), _s(lab.get("address_2"))) if p)
        status = _FABLAB_STATUS.get(_s(lab.get("activity_status")).casefold())
        statuses = [{"value": status, "kind": "self_declared", "source": self.ref(raw)}] if status else None
        document = document_build(
            self, raw, names=[(_s(lab.get("name")), None, "official")],
            kind=_FABLAB_KINDS.get(_s(lab.get("kind_name")), "fab_lab"), notes=notes, website=_s(lab.get("url")),
            lat=lab.get("latitude"), lng=lab.get("longitude"), country=country_name, city=_s(lab.get("city")),
            address=address, statuses=statuses)
        return ParsedRow(raw.external_id, raw.locator, raw.line, lab, document, notes)


# --------------------------------------------------------------------------------------------
# hackerspaces.org Semantic MediaWiki Special:Ask

_WIKI_STATUS = {"active": "active", "planned": "inactive", "building": "inactive", "closed": "closed",
                "suspended": "inactive"}


def _printout(values, key: str = "") -> str:
    """The first value of an SMW printout: a page (fulltext), a string, a number or a date (raw)."""
    if not isinstance(values, list) or not values:
        return _s(values)
    first = values[0]
    if isinstance(first, dict):
        for field in (key, "fulltext", "raw", "timestamp"):
            if field and field in first:
                return _s(first[field])
        return ""
    return _s(first)


def _wiki_date(value: str) -> str:
    # SMW's raw dates look like "1/2011/6/1" (calendar model / year / month / day).
    match = re.fullmatch(r"1/(-?\d{1,4})(?:/(\d{1,2}))?(?:/(\d{1,2}))?(?:/.*)?", value or "")
    if match:
        return "-".join(part.zfill(2) if index else part for index, part in enumerate(match.groups()) if part)
    return value


class _SemanticAskMixin:
    def wiki_row(self, raw: RawRow, page: str, fields: dict) -> ParsedRow:
        notes: list = []
        lat, lng = fields.get("lat"), fields.get("lng")
        coordinate = fields.get("coordinate") or ""
        if lat in (None, "") and coordinate:
            parts = [p.strip() for p in re.split(r",|;", coordinate) if p.strip()]
            if len(parts) == 2:
                lat, lng = parts
            else:
                notes.append(Note("coordinate", coordinate[:100], "not a coordinate pair (lat, lng); left empty"))
        status = _WIKI_STATUS.get((fields.get("status") or "").casefold())
        statuses = [{"value": status, "kind": "self_declared", "source": self.ref(raw)}] if status else None
        document = document_build(
            self, raw, names=[(page.replace("_", " "), None, "official")], kind="hackerspace", notes=notes,
            website=fields.get("website") or "", founded=_wiki_date(fields.get("founding") or "") or None,
            lat=lat, lng=lng, country=fields.get("country") or "", city=fields.get("city") or "", statuses=statuses)
        return ParsedRow(raw.external_id, raw.locator, raw.line, raw.data, document, notes)


_ASK_FIELDS = {"city": ("city",), "country": ("country",), "website": ("website", "site"),
               "status": ("hackerspace status", "status"), "founding": ("founding", "date of founding"),
               "coordinate": ("coordinate", "coordinates", "location")}


def _ask_fields(printouts: dict) -> dict:
    lowered = {str(k).casefold(): v for k, v in printouts.items()}
    fields = {}
    for field, labels in _ASK_FIELDS.items():
        for label in labels:
            if label in lowered:
                value = lowered[label]
                if field == "coordinate" and isinstance(value, list) and value and isinstance(value[0], dict):
                    fields["lat"], fields["lng"] = value[0].get("lat"), value[0].get("lon")
                else:
                    fields[field] = _printout(value)
                break
    return fields


class SemanticAskJsonImporter(_SemanticAskMixin, Importer):
    name = "hackerspaces-ask-json"
    description = "hackerspaces.org Semantic MediaWiki Special:Ask export, JSON"
    suffixes = (".json",)
    source = SourceInfo(
        key="hackerspaces-wiki", title="hackerspaces.org wiki (Semantic MediaWiki Special:Ask export)",
        licence="unknown", url="https://wiki.hackerspaces.org/", medium="JSON",
        note="Each space cited by its wiki page title. WGS-84 coordinates; e-mail and phone dropped.")

    def rows(self, path: Path):
        document = _json_file(path)
        results = document.get("results") if isinstance(document, dict) else None
        if isinstance(results, list):  # formatversion 2 style / empty result
            results = {(_s(r.get("fulltext")) if isinstance(r, dict) else str(i)): r for i, r in enumerate(results)}
        if not isinstance(results, dict):
            raise ImportFileError(path, "not a Special:Ask JSON export: no 'results' object", field="results")
        return [RawRow(locator=f"row:{index}", external_id=str(page)[:300] or f"row:{index}", data=result)
                for index, (page, result) in enumerate(results.items())]

    def parse(self, raw: RawRow) -> ParsedRow:
        result = raw.data
        if not isinstance(result, dict) or not isinstance(result.get("printouts", {}), dict | list):
            raise RowRejected("results", str(result)[:100], "a result is an object with 'printouts'")
        printouts = result.get("printouts") if isinstance(result.get("printouts"), dict) else {}
        page = _s(result.get("fulltext")) or raw.external_id
        return self.wiki_row(raw, page, _ask_fields(printouts))


class SemanticAskCsvImporter(_SemanticAskMixin, Importer):
    name = "hackerspaces-ask-csv"
    description = "hackerspaces.org Semantic MediaWiki Special:Ask export, CSV"
    suffixes = (".csv",)
    source = SemanticAskJsonImporter.source

    def rows(self, path: Path):
        rows = []
        for raw in csv_rows(path):
            page = _s(next(iter(raw.data.values()), ""))
            rows.append(RawRow(locator=raw.locator, line=raw.line, data=raw.data, external_id=page[:300] or raw.locator))
        return rows

    def parse(self, raw: RawRow) -> ParsedRow:
        values = list(raw.data.items())
        page = _s(values[0][1]) if values else ""
        fields = _ask_fields(dict(values[1:]))
        return self.wiki_row(raw, page, fields)


# --------------------------------------------------------------------------------------------
# OpenStreetMap Overpass

_OSM_KINDS = [
    ("leisure", "hackerspace", "hackerspace"),
    ("club", "hackerspace", "hackerspace"),
    ("amenity", "makerspace", "makerspace"),
    ("craft", "fablab", "fab_lab"),
    ("amenity", "coworking_space", "coworking_space"),
    ("office", "coworking", "coworking_space"),
    ("shop", "electronics", "component_supplier"),
]


class OverpassImporter(Importer):
    name = "osm-overpass"
    description = "OpenStreetMap Overpass API JSON (leisure=hackerspace and related tags)"
    suffixes = (".json",)
    source = SourceInfo(
        key="osm-overpass", title="OpenStreetMap contributors (Overpass API extract)", licence="ODbL-1.0",
        redistributable=True, url="https://www.openstreetmap.org/copyright", medium="JSON",
        note="Each element cited as node/ID, way/ID or relation/ID. WGS-84. ODbL: attribution and share-alike.")

    def rows(self, path: Path):
        document = _json_file(path)
        elements = document.get("elements") if isinstance(document, dict) else None
        if not isinstance(elements, list):
            raise ImportFileError(path, "not an Overpass JSON result: no 'elements' array", field="elements")
        rows = []
        for index, element in enumerate(elements):
            ident = ""
            if isinstance(element, dict) and element.get("type") in ("node", "way", "relation") and element.get("id"):
                ident = f"{element['type']}/{element['id']}"
            rows.append(RawRow(locator=f"row:{index}", data=element, external_id=ident))
        return rows

    def parse(self, raw: RawRow) -> ParsedRow:
        element = raw.data
        if not isinstance(element, dict) or not isinstance(element.get("tags"), dict):
            raise RowRejected("tags", str(element)[:100], "an element without tags names nothing")
        tags = element["tags"]
        kind = next((k for key, value, k in _OSM_KINDS if tags.get(key) == value), None)
        if kind is None:
            raise RowRejected("tags", json.dumps(tags, ensure_ascii=False)[:200],
                              "no tag of a connected space (leisure=hackerspace, amenity=makerspace, craft=fablab, ...)")
        names = [(_s(tags.get("name")), None, "official"), (_s(tags.get("name:zh")), None, "official"),
                 (_s(tags.get("name:en")), "en", "official"), (_s(tags.get("alt_name")), None, "common"),
                 (_s(tags.get("old_name")), None, "former")]
        names = [n for n in names if n[0]]
        center = element.get("center") if isinstance(element.get("center"), dict) else {}
        lat = element.get("lat", center.get("lat"))
        lng = element.get("lon", center.get("lon"))
        address = _s(tags.get("addr:full")) or " ".join(
            p for p in (_s(tags.get("addr:province")), _s(tags.get("addr:city")), _s(tags.get("addr:district")),
                        _s(tags.get("addr:street")), _s(tags.get("addr:housenumber"))) if p)
        notes: list = []
        document = document_build(
            self, raw, names=names, kind=kind, notes=notes,
            website=_s(tags.get("website")) or _s(tags.get("contact:website")) or _s(tags.get("url")),
            founded=_s(tags.get("start_date")) or None, lat=lat, lng=lng, country=_s(tags.get("addr:country")),
            city=_s(tags.get("addr:city")), address=address,
            precision="exact" if element.get("type") == "node" else "building")
        return ParsedRow(raw.external_id, raw.locator, raw.line, element, document, notes)


# --------------------------------------------------------------------------------------------
# Nesta UK makerspaces


class NestaImporter(Importer):
    name = "nesta"
    description = "Nesta open dataset of UK makerspaces, identifiable data CSV (cp1252) with datapackage.json"
    suffixes = (".csv",)
    raw_files = ("nesta-uk-makerspaces/ukmakerspacesidentifiabledata.csv",)
    source = SourceInfo(
        key="nesta-uk-makerspaces2015", title="Open dataset of UK makerspaces - identifiable data",
        licence="CC-BY-SA-4.0", redistributable=True, url="https://github.com/nesta-uk/UK-makerspaces",
        publisher="Nesta", issued="2015-05-01", medium="CSV",
        note="Rows cited as row:N. No coordinates (UK addresses and postcodes). E-mail, phone, founders dropped.")

    def rows(self, path: Path):
        self.datapackage_notes = datapackage_read(Path(path).with_name("datapackage.json"))
        return csv_rows(path, encoding="cp1252")

    def parse(self, raw: RawRow) -> ParsedRow:
        row = raw.data
        notes: list = list(getattr(self, "datapackage_notes", []) if raw.locator == "row:0" else [])
        address = ", ".join(p for p in (_s(row.get("Address")), _s(row.get("Postcode"))) if p)
        closed = _s(row.get("Date your space closed (if it is no longer running)")) or None
        document = document_build(
            self, raw, names=[(_s(row.get("Name of makerspace")), None, "official")], kind="makerspace", notes=notes,
            website=_s(row.get("Website / URL")), founded=_s(row.get("Date your space opened (or plans to open)")) or None,
            closed=closed, country="United Kingdom", city=_s(row.get("Area")), address=address)
        if closed and "closed" in document:
            document["statuses"] = [{"value": "closed", "kind": "self_declared", "date": document["closed"],
                                     "source": self.ref(raw)}]
        return ParsedRow(raw.external_id, raw.locator, raw.line, row, document, notes,
                         duplicate_key=document["names"][0]["text"].casefold() + "|" + _s(row.get("Postcode")).casefold())


def datapackage_read(path: Path) -> list[Note]:
    """Read a datapackage.json next to a CSV; Nesta's has prose before the JSON, which is skipped with a note."""
    if not path.is_file():
        return []
    text, _ = decode_bytes(path.read_bytes())
    start = text.find("{")
    if start < 0:
        return [Note("datapackage.json", "", "no JSON object found; ignored")]
    try:
        package, _end = json.JSONDecoder(strict=False).raw_decode(text[start:])
    except json.JSONDecodeError as exc:
        line = text[:start].count("\n") + exc.lineno
        return [Note("datapackage.json", "", f"not valid JSON ({exc.msg} at line {line}); ignored, the CSV is read "
                                             "without it")]
    notes = []
    if start > 0:
        line = text[:start].count("\n") + 1
        notes.append(Note("datapackage.json", text[:40].strip(), f"text before the JSON object (lines 1–{line}) skipped"))
    licences = package.get("licenses") or package.get("license")
    if licences:
        notes.append(Note("datapackage.json", json.dumps(licences)[:200], "licence declared by the data package"))
    return notes
