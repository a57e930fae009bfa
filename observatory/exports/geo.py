"""Locations as GIS layers: GeoJSON (RFC 7946) and GeoPackage.

One feature per location of an exported entity: a Point at the WGS-84 position, or a Polygon
when the location has an outline (a market, a park). Coordinates are WGS-84 longitude, latitude
(RFC 7946 §4 has no other system); the original coordinates and their system are properties, so
nothing is lost. Locations without any position are left out and counted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from observatory.inventory.dates import format_fuzzy_date

from .tables import TABLE_BY_NAME, Selection, cell, table_rows

__all__ = ["location_features", "write_geojson", "write_geopackage"]

PROPERTIES = ["entity", "name", "name_zh", "name_en", "kind", "layer", "founded", "closed", "precision",
              "placed_at_centroid", "original_lng", "original_lat", "crs", "address_zh", "address_en", "hint",
              "division_code", "province_code", "prefecture_code", "county_code", "source", "licence"]


def _ring_ccw(ring: list) -> list:
    """RFC 7946 §3.1.6: exterior rings counterclockwise (shoelace sign)."""
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))
    return ring if area >= 0 else ring[::-1]


def _polygon(rings: list) -> list:
    exterior, *holes = rings
    fixed = [_ring_ccw(exterior)]
    for hole in holes:  # holes clockwise
        ccw = _ring_ccw(hole)
        fixed.append(ccw[::-1])
    return fixed


def location_features(selection: Selection) -> Iterator[dict]:
    """GeoJSON Feature dicts, one per located location, in location id order."""
    entities = {}
    for row in table_rows(TABLE_BY_NAME["entities"], selection):
        entities[row["id"]] = row
    source_keys = dict(TABLE_BY_NAME["sources"].model.objects.values_list("id", "key"))
    for loc in table_rows(TABLE_BY_NAME["locations"], selection):
        entity = entities.get(loc["entity_id"])
        if entity is None:
            continue
        if loc["polygon_wgs84"]:
            geometry = {"type": "Polygon", "coordinates": _polygon(loc["polygon_wgs84"])}
        elif loc["lng"] is not None and loc["lat"] is not None:
            geometry = {"type": "Point", "coordinates": [round(loc["lng"], 7), round(loc["lat"], 7)]}
        else:
            selection.left_out["locations without a position (not in GIS layers)"] += 1
            continue
        source = source_keys.get(loc["source_id"], "")
        properties = {
            "entity": entity["slug"], "name": entity["name"], "name_zh": entity["name_zh"],
            "name_en": entity["name_en"], "kind": entity["kind"], "layer": entity["layer"],
            "founded": format_fuzzy_date(entity["founded"], entity["founded_precision"]),
            "closed": format_fuzzy_date(entity["closed"], entity["closed_precision"]),
            "precision": loc["precision"], "placed_at_centroid": loc["placed_at_centroid"],
            "original_lng": loc["original_lng"], "original_lat": loc["original_lat"], "crs": loc["crs"],
            "address_zh": loc["address_zh"], "address_en": loc["address_en"], "hint": loc["hint"],
            "division_code": loc["division_code"], "province_code": loc["province_code"],
            "prefecture_code": loc["prefecture_code"], "county_code": loc["county_code"],
            "source": f"{source}#{loc['source_locator']}" if source and loc["source_locator"] else source,
            "licence": loc.get("licence", selection.licence_of(loc["source_id"], loc["entity_id"])),
        }
        yield {"type": "Feature", "id": f"{entity['slug']}/{loc['id']}", "geometry": geometry,
               "properties": properties}


def write_geojson(out: Path, selection: Selection) -> dict[str, int]:
    """A FeatureCollection, streamed feature by feature (RFC 7946; UTF-8, no ``crs`` member)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        handle.write('{"type":"FeatureCollection","features":[\n')
        for feature in location_features(selection):
            if count:
                handle.write(",\n")
            handle.write(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
            count += 1
        handle.write("\n]}\n")
    return {"features": count}


def write_geopackage(out: Path, selection: Selection) -> dict[str, int]:
    """Two layers in EPSG:4326: ``locations`` (points) and ``outlines`` (polygons)."""
    import numpy as np
    import pyogrio.raw
    import shapely

    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    layers: dict[str, tuple[list, list[dict]]] = {"locations": ([], []), "outlines": ([], [])}
    for feature in location_features(selection):
        geometry = feature["geometry"]
        if geometry["type"] == "Point":
            layers["locations"][0].append(shapely.Point(geometry["coordinates"]))
            layers["locations"][1].append(feature["properties"])
        else:
            rings = geometry["coordinates"]
            layers["outlines"][0].append(shapely.Polygon(rings[0], rings[1:]))
            layers["outlines"][1].append(feature["properties"])
    counts, append = {}, False
    for layer, (geometries, rows) in layers.items():
        counts[layer] = len(rows)
        if not rows and layer == "outlines":
            continue
        field_data = []
        for name in PROPERTIES:
            values = [row[name] for row in rows]
            if name in {"original_lng", "original_lat"}:
                field_data.append(np.array([np.nan if v is None else v for v in values], dtype="float64"))
            elif name == "placed_at_centroid":
                field_data.append(np.array(values, dtype="bool"))
            else:
                field_data.append(np.array([cell(v) for v in values], dtype=object))
        pyogrio.raw.write(str(out), np.array(shapely.to_wkb(geometries), dtype=object) if rows else
                          np.array([], dtype=object), field_data, PROPERTIES, layer=layer, driver="GPKG",
                          geometry_type="Point" if layer == "locations" else "Polygon", crs="EPSG:4326",
                          encoding="UTF-8", append=append)
        append = True
    return counts
