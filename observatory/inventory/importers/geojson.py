"""GeoJSON directories: the Shenzhen Maker Map (szmakermap) and the hackerspaces.org extract (chgrp).

Features have no identifier of their own: the external id is the 0-based feature index
(``feature:5``). GeoJSON positions are ``[lng, lat]``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .base import Importer, ImportFileError, ParsedRow, RawRow, RowRejected, SourceInfo
from .cleaning import decode_bytes
from .common import document_build

__all__ = ["HackerspacesGeoJsonImporter", "SzMakerMapImporter", "geojson_features"]


def geojson_features(path: Path) -> list[RawRow]:
    """The features of a FeatureCollection or of a bare array of Features, as raw rows."""
    text, _ = decode_bytes(Path(path).read_bytes())
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(path, f"not valid JSON ({exc.msg})", line=exc.lineno) from None
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        features = document.get("features")
    elif isinstance(document, list):
        features = document
    else:
        raise ImportFileError(path, "not GeoJSON: expected a FeatureCollection or an array of Features",
                              field="type")
    if not isinstance(features, list):
        raise ImportFileError(path, "'features' is not an array", field="features")
    return [RawRow(locator=f"feature:{index}", data=feature) for index, feature in enumerate(features)]


def _geometry(raw: RawRow) -> tuple[object, object, object]:
    """(lng, lat, polygon rings) of a feature's geometry; an empty Point gives no coordinates."""
    feature = raw.data
    if not isinstance(feature, dict):
        raise RowRejected("feature", str(feature)[:100], "not a GeoJSON Feature object")
    geometry = feature.get("geometry")
    if geometry in (None, {}):
        return None, None, None
    if not isinstance(geometry, dict):
        raise RowRejected("geometry", str(geometry)[:100], "not a GeoJSON geometry object")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        if coordinates in (None, []):
            return None, None, None
        if not isinstance(coordinates, list) or len(coordinates) < 2:
            raise RowRejected("geometry.coordinates", str(coordinates)[:100], "a Point needs [lng, lat]")
        return coordinates[0], coordinates[1], None
    if kind == "Polygon":
        return None, None, coordinates
    raise RowRejected("geometry.type", kind, "only Point and Polygon geometries are imported")


def _properties(raw: RawRow) -> dict:
    properties = raw.data.get("properties") if isinstance(raw.data, dict) else None
    if not isinstance(properties, dict):
        raise RowRejected("properties", str(properties)[:100], "a Feature needs a properties object")
    return properties


def _str(value) -> str:
    return value.strip() if isinstance(value, str) else ""


class SzMakerMapImporter(Importer):
    name = "szmakermap"
    description = "Shenzhen Maker Map list.json (bare array of GeoJSON Features, BD-09)"
    suffixes = (".json", ".geojson")
    raw_files = ("szmakermap/list.json",)
    source = SourceInfo(
        key="szmakermap2017", title="Shenzhen Maker Map (list.json)", licence="unknown", crs="BD-09",
        url="https://github.com/lab0x0/szmakermap", publisher="GitHub, lab0x0/szmakermap", issued="2017-10-27",
        medium="GeoJSON", note="Features cited as feature:N; BD-09 coordinates; the contacts field is dropped.")

    _KINDS = {"makerspaces": "makerspace", "makerspace": "makerspace", "electronic market": "electronics_market"}

    def rows(self, path: Path):
        return geojson_features(path)

    def parse(self, raw: RawRow) -> ParsedRow:
        properties = _properties(raw)
        lng, lat, polygon = _geometry(raw)
        notes: list = []
        zh = properties.get("zh") if isinstance(properties.get("zh"), dict) else {}
        en = properties.get("en") if isinstance(properties.get("en"), dict) else {}
        names = [(_str(en.get("name")), None, "official"), (_str(zh.get("name")), None, "official")]
        names = [n for n in names if n[0]]
        category = _str(properties.get("category")).casefold()
        document = document_build(
            self, raw, names=names, kind=self._KINDS.get(category, "makerspace"), notes=notes,
            website=_str(properties.get("url")), lat=lat, lng=lng, polygon=polygon, country="China", city="Shenzhen",
            address=_str(zh.get("address")) or _str(en.get("address")),
            precision="building" if polygon is not None else "exact")
        if polygon is None and lng is None:
            notes.append(_empty_point_note())
        return ParsedRow(external_id=raw.external_id, locator=raw.locator, line=raw.line, payload=properties,
                         document=document, notes=notes)


def _empty_point_note():
    from .cleaning import Note

    return Note("geometry", "[]", "empty Point: no coordinates in the source")


_CITY_IN_POPUP = re.compile(r"City: <a[^>]*>([^<]+)</a>")


class HackerspacesGeoJsonImporter(Importer):
    name = "hackerspaces-geojson"
    description = "hackerspaces.org wiki extract as GeoJSON (chgrp hackerspaces_geo.js)"
    suffixes = (".geojson", ".json")
    raw_files = ("hackerspaces-wiki-chgrp/hackerspaces_exchanges_residencies.geojson",)
    source = SourceInfo(
        key="hackerspaces-chgrp2015",
        title="Hackerspaces open to exchanges and residencies (hackerspaces_geo.js, from wiki.hackerspaces.org)",
        licence="unknown", crs="WGS-84", url="https://github.com/chgrp/x", publisher="GitHub, chgrp/x",
        issued="2015-11-24", medium="GeoJSON", note="Features cited as feature:N; e-mail and phone are dropped.")

    def rows(self, path: Path):
        return geojson_features(path)

    def parse(self, raw: RawRow) -> ParsedRow:
        properties = _properties(raw)
        lng, lat, polygon = _geometry(raw)
        notes: list = []
        city = _str(properties.get("city"))
        document = document_build(self, raw, names=[(_str(properties.get("name")), None, "official")],
                                  kind="hackerspace", notes=notes, lat=lat, lng=lng, polygon=polygon, city=city)
        # The wiki page is the space's page on hackerspaces.org, not its own site: kept in the record.
        return ParsedRow(external_id=raw.external_id, locator=raw.locator, line=raw.line, payload=properties,
                         document=document, notes=notes)
