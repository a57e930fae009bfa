"""Administrative divisions of China (GB/T 2260 codes) by point, by code and by name.

Codes are 6-digit strings: ``"440000"`` Guangdong (province level), ``"440300"`` Shenzhen
(prefecture level), ``"440305"`` Nanshan District (county level). The data are bundled in
``observatory/china/data/`` (built by ``build_boundaries.py``; origin and licences in its
PROVENANCE.md): province and prefecture boundaries converted from GCJ-02 to WGS-84 and simplified
at about 800 m, and a table of the 3,252 provinces, prefectures and counties with their names.

Conventions
-----------
- :func:`locate` answers a :class:`Division`: the province-level unit and, below it, the
  prefecture-level unit. Prefecture level includes the county-level cities governed directly by
  a province (济源, 仙桃, 石河子...), as Chinese map services do.
- The four municipalities (北京, 天津, 上海, 重庆) have no prefecture level: their ``prefecture``
  is the municipality itself (same code), so that a city-level analysis sees Beijing as one city;
  the district a point falls in is given as ``county``.
- Hong Kong (810000) and Macao (820000) are province level with districts (``county``) and no
  prefecture; Taiwan (710000) has neither in the bundled data.
- Points are WGS-84. Boundaries are simplified, so a point within about 1 km of a border may be
  given the neighbour; a point just off the coast is given the nearest unit within 2 km; a point
  at sea beyond that gives None.

Everything loads lazily, once, on first use (about half a second).
"""

from __future__ import annotations

import json
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from observatory.china.coords import as_lnglat_arrays

__all__ = [
    "AdminUnit",
    "Division",
    "division_by_code",
    "division_centroid",
    "division_name_zh",
    "division_units",
    "locate",
    "locate_many",
    "prefectures_geojson",
    "provinces_geojson",
    "search_division",
]

DATA = Path(__file__).resolve().parent / "data"
MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})
SPECIAL_REGIONS = frozenset({"810000", "820000"})
LEVELS = ("province", "prefecture", "county")

# Beyond the simplified coastline, a point is still given the nearest unit within this distance
# (degrees, about 2 km): piers, reclaimed land and small islands lost to simplification.
COAST_SNAP_DEG = 0.02

_LOCK = threading.Lock()


@dataclass(frozen=True)
class AdminUnit:
    """One administrative unit: GB/T 2260 code, names, level, parent and a WGS-84 inner point."""

    code: str
    name_zh: str
    name_en: str
    level: str  # "province", "prefecture" or "county"
    parent_code: str | None
    centroid: tuple[float, float] | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Division:
    """Where a point lies: its province-level unit and, when known, prefecture and county."""

    province: AdminUnit
    prefecture: AdminUnit | None = None
    county: AdminUnit | None = None

    @property
    def province_code(self) -> str:
        return self.province.code

    @property
    def prefecture_code(self) -> str | None:
        return self.prefecture.code if self.prefecture else None

    @property
    def county_code(self) -> str | None:
        return self.county.code if self.county else None

    @property
    def code(self) -> str:
        """The code of the finest unit known."""
        return (self.county or self.prefecture or self.province).code


class _Data:
    """The loaded table, boundaries and spatial index."""

    def __init__(self) -> None:
        table = json.loads((DATA / "divisions.json").read_text(encoding="utf-8"))
        columns = table["columns"]
        self.units: dict[str, AdminUnit] = {}
        for row in table["rows"]:
            values = dict(zip(columns, row, strict=True))
            centroid = tuple(values["centroid"]) if values["centroid"] else None
            self.units[values["code"]] = AdminUnit(
                code=values["code"],
                name_zh=values["name_zh"],
                name_en=values["name_en"],
                level=values["level"],
                parent_code=values["parent_code"] if values["parent_code"] != "100000" else None,
                centroid=centroid,
                aliases=tuple(values["aliases"]),
            )
        self.by_key: dict[str, list[AdminUnit]] = {}
        for unit in self.units.values():
            for name in (unit.name_zh, unit.name_en, *unit.aliases):
                key = _name_key(name)
                if key and unit not in self.by_key.setdefault(key, []):
                    self.by_key[key].append(unit)
        self._tree = None

    def tree(self):
        if self._tree is None:
            import shapely
            from shapely.geometry import shape

            leaves = json.loads((DATA / "prefectures.geojson").read_text(encoding="utf-8"))["features"]
            covered = {f["properties"]["parent_code"] for f in leaves}
            provinces = json.loads((DATA / "provinces.geojson").read_text(encoding="utf-8"))["features"]
            leaves += [f for f in provinces if f["properties"]["code"] not in covered]  # Taiwan
            self.leaf_codes = [f["properties"]["code"] for f in leaves]
            geometries = [shape(f["geometry"]) for f in leaves]
            shapely.prepare(geometries)
            self._tree = shapely.STRtree(geometries)
        return self._tree

    def division_of_leaf(self, code: str) -> Division:
        unit = self.units[code]
        if unit.level == "province":
            return Division(province=unit)
        province = self.units[unit.parent_code]
        if unit.level == "prefecture":
            return Division(province=province, prefecture=unit)
        # Districts of a municipality, Hong Kong or Macao: the only counties with bundled geometry.
        prefecture = province if province.code in MUNICIPALITIES else None
        return Division(province=province, prefecture=prefecture, county=unit)


@lru_cache(maxsize=1)
def _data() -> _Data:
    with _LOCK:
        return _Data()


def _name_key(name: str) -> str:
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def division_by_code(code: str | int) -> AdminUnit | None:
    """The unit with this GB/T 2260 code ("440300" or 440300), or None if unknown.

    >>> division_by_code("440300").name_en
    'Shenzhen'
    """
    text = str(code).strip()
    if not text.isdigit() or len(text) > 6:
        return None
    return _data().units.get(text.zfill(6))


def division_units() -> list[AdminUnit]:
    """Every bundled unit (provinces, prefectures, counties), in code order.

    >>> len(division_units())
    3252
    """
    return sorted(_data().units.values(), key=lambda unit: unit.code)


def division_name_zh(code: str) -> str:
    """The Chinese name of a division, or the code itself when it is not a known one ("" for "").

    >>> division_name_zh("440300")
    '深圳市'
    """
    division = division_by_code(code) if code else None
    return division.name_zh if division is not None else code


def division_centroid(code: str | int) -> tuple[float, float] | None:
    """A WGS-84 (lng, lat) inside the unit: its centroid, or a point on its surface when the
    centroid falls outside (a crescent-shaped unit); None for an unknown code.

    Provinces and prefectures use the bundled boundaries; counties use DataV's centroid.
    """
    unit = division_by_code(code)
    return unit.centroid if unit else None


def search_division(name: str, *, level: str | None = None) -> list[AdminUnit]:
    """Units whose name matches ``name`` in Chinese, pinyin or English, coarsest level first.

    Accepts the full name (深圳市, 广东省), the name without its suffix (深圳, 广东), traditional
    characters (廣東), pinyin and English in any case and spacing (Shenzhen, shenzhen, Guangdong,
    "Inner Mongolia", Xizang). Several units can share a name (朝阳: a prefecture in Liaoning and
    two districts); all are returned. ``level`` restricts to "province", "prefecture" or "county".

    >>> [unit.code for unit in search_division("Shenzhen")]
    ['440300']
    """
    if level is not None and level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: use one of {', '.join(LEVELS)} or None")
    key = _name_key(name or "")
    if not key:
        return []
    data = _data()
    found = list(data.by_key.get(key, []))
    if not found and not key.isascii():
        from observatory.china.names import to_simplified

        found = list(data.by_key.get(_name_key(to_simplified(key)), []))
    if level is not None:
        found = [unit for unit in found if unit.level == level]
    return sorted(found, key=lambda unit: (LEVELS.index(unit.level), unit.code))


def locate_many(lngs: Any, lats: Any) -> list[Division | None]:
    """The division of each WGS-84 point (vectorised point-in-polygon on an STRtree).

    Where simplified boundaries overlap, the unit listed first in the bundle wins; points in no
    unit take the nearest one within ``COAST_SNAP_DEG``, else None.
    """
    import shapely

    x, y, _ = as_lnglat_arrays(lngs, lats)
    x, y = x.ravel(), y.ravel()
    data = _data()
    tree = data.tree()
    points = shapely.points(x, y)
    hit = np.full(len(points), -1, dtype=np.int64)
    point_index, leaf_index = tree.query(points, predicate="intersects")
    # Keep, for each point, the lowest-numbered leaf (pairs come sorted by point index).
    order = np.lexsort((leaf_index, point_index))
    point_index, leaf_index = point_index[order], leaf_index[order]
    first = np.unique(point_index, return_index=True)[1]
    hit[point_index[first]] = leaf_index[first]
    missing = np.flatnonzero(hit < 0)
    if len(missing):
        near_point, near_leaf = tree.query_nearest(points[missing], max_distance=COAST_SNAP_DEG, all_matches=False)
        hit[missing[near_point]] = near_leaf
    cache: dict[int, Division] = {}
    result: list[Division | None] = []
    for leaf in hit.tolist():
        if leaf < 0:
            result.append(None)
            continue
        if leaf not in cache:
            cache[leaf] = data.division_of_leaf(data.leaf_codes[leaf])
        result.append(cache[leaf])
    return result


def locate(lng: float, lat: float) -> Division | None:
    """The division of a WGS-84 point, or None outside China's bundled boundaries.

    >>> found = locate(114.085, 22.545)  # Huaqiangbei, Shenzhen
    >>> found.province.name_zh, found.prefecture_code
    ('广东省', '440300')
    """
    return locate_many(np.atleast_1d(lng), np.atleast_1d(lat))[0]


@lru_cache(maxsize=2)
def _geojson_text(filename: str) -> str:
    return (DATA / filename).read_text(encoding="utf-8")


def provinces_geojson() -> dict:
    """The 34 province-level units as a WGS-84 GeoJSON FeatureCollection (RFC 7946).

    Properties: code, name_zh, name_en, name_ne (Natural Earth's name), level, centroid. A fresh
    dict each call, safe to modify. For the offline base map; not for redistribution (DataV).
    """
    return json.loads(_geojson_text("provinces.geojson"))


def prefectures_geojson() -> dict:
    """Prefecture-level units (and municipal / Hong Kong / Macao districts, ``level: "county"``)
    as a WGS-84 GeoJSON FeatureCollection; properties add ``parent_code`` (the province)."""
    return json.loads(_geojson_text("prefectures.geojson"))
