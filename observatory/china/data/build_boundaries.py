"""Build the bundled division data of observatory.china from the team's raw boundary files.

Run from the repository root (it needs the sibling ``../shared`` folder)::

    .venv/bin/python -m observatory.china.data.build_boundaries [--shared ../shared] [--check]

It reads

- ``shared/data/raw/geomapdata-cn-datav`` (Aliyun DataV GeoAtlas via GeoMapData_CN, **GCJ-02**):
  ``china.json`` (province-level units), ``province/<code>.json`` (their sub-units) and
  ``location.json`` (every province, prefecture and county: code, name, parent; no geometry);
- ``shared/data/raw/china-provinces-naturalearth-topojson`` (Natural Earth admin-1, WGS-84,
  public domain), only to cross-check the converted provinces and to record Natural Earth's
  English province names as search variants;

and writes next to this file

- ``provinces.geojson``: the 34 province-level units (31 mainland provinces, autonomous regions
  and municipalities, Hong Kong, Macao, Taiwan);
- ``prefectures.geojson``: the units of the ``province/*.json`` files: prefecture-level units and
  the county-level cities administered directly by a province, and, for the four municipalities,
  Hong Kong and Macao, their districts (``level: "county"``);
- ``divisions.json``: the table of every unit of ``location.json`` (code, Chinese name, English
  name, level, parent code, centroid) used for look-ups by code and name and to parse addresses.

Every vertex is converted from GCJ-02 to WGS-84 with :func:`observatory.china.coords.gcj02_to_wgs84`
(exact inverse); invalid rings are repaired (``make_valid``); geometries are simplified with
``shapely.simplify(..., preserve_topology=True)`` at ``TOLERANCE`` degrees and rounded to
``DECIMALS`` decimals (about 11 m). Centroids are computed before simplification and replaced by a
point on the surface when the centroid falls outside the unit. The nameless feature with adcode
100000 (``adchar: "JD"``, the dashed line in the South China Sea) is dropped. English names are
Hanyu Pinyin of the name without its administrative suffix, with a small table of readings that
pypinyin gets wrong for place names and the conventional English names of province-level units.

The output depends only on the inputs and on this script: running it twice gives identical files
(``--check`` fails when the bundled files differ from a fresh build).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from observatory.china.coords import gcj02_to_wgs84
from observatory.china.names import pinyin_syllables

__all__ = ["build", "main"]

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = HERE.parents[3] / "shared"
DATAV = Path("data/raw/geomapdata-cn-datav")
NATURAL_EARTH = Path("data/raw/china-provinces-naturalearth-topojson")

TOLERANCE = 0.0075  # degrees, about 800 m: enough for a national or provincial map and lookup
DECIMALS = 4
MIN_PART_AREA = 1e-5  # square degrees (about 0.1 km²): smaller islands vanish when simplified

#: Conventional English names of the province-level units (GB/T 2260 codes).
PROVINCE_EN = {
    "110000": "Beijing",
    "120000": "Tianjin",
    "130000": "Hebei",
    "140000": "Shanxi",
    "150000": "Inner Mongolia",
    "210000": "Liaoning",
    "220000": "Jilin",
    "230000": "Heilongjiang",
    "310000": "Shanghai",
    "320000": "Jiangsu",
    "330000": "Zhejiang",
    "340000": "Anhui",
    "350000": "Fujian",
    "360000": "Jiangxi",
    "370000": "Shandong",
    "410000": "Henan",
    "420000": "Hubei",
    "430000": "Hunan",
    "440000": "Guangdong",
    "450000": "Guangxi",
    "460000": "Hainan",
    "500000": "Chongqing",
    "510000": "Sichuan",
    "520000": "Guizhou",
    "530000": "Yunnan",
    "540000": "Tibet",
    "610000": "Shaanxi",
    "620000": "Gansu",
    "630000": "Qinghai",
    "640000": "Ningxia",
    "650000": "Xinjiang",
    "710000": "Taiwan",
    "810000": "Hong Kong",
    "820000": "Macao",
}

#: Place-name readings where pypinyin's general-language choice is wrong.
READINGS = {
    "朝阳": ["chao", "yang"],
    "漯河": ["luo", "he"],
    "长治": ["chang", "zhi"],
    "长": ["chang"],
    "勒": ["le"],  # transliterated names: 阿勒泰 Aletai, 库尔勒 Ku'erle, 克孜勒苏 Kezilesu
    "单县": ["shan", "xian"],
    "莘县": ["shen", "xian"],
    "大埔": ["da", "bu"],
    "洪洞": ["hong", "tong"],
    "铅山": ["yan", "shan"],
    "六合": ["lu", "he"],
    "蔚县": ["yu", "xian"],
    "涡阳": ["guo", "yang"],
    "筠连": ["jun", "lian"],
    "尉氏": ["wei", "shi"],
    "乐清": ["yue", "qing"],
    "陕西": ["shan", "xi"],
    "重庆": ["chong", "qing"],
    "东阿": ["dong", "e"],
    "番禺": ["pan", "yu"],
    "栟茶": ["bing", "cha"],
    "台州": ["tai", "zhou"],
    "天台": ["tian", "tai"],
    "厦门": ["xia", "men"],
    "蚌埠": ["beng", "bu"],
    "牟平": ["mu", "ping"],
    "曲阜": ["qu", "fu"],
    "巴音郭楞": ["ba", "yin", "guo", "leng"],
}

# The 56 ethnic groups, longest first, to strip from the names of autonomous units.
ETHNIC_GROUPS = sorted(
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺".split(),
    key=len,
    reverse=True,
)

# Administrative suffixes, longest first, with the English word used for county-level names.
SUFFIXES = [
    ("特别行政区", ""),
    ("自治区", ""),
    ("自治州", ""),
    ("自治县", " Autonomous County"),
    ("自治旗", " Autonomous Banner"),
    ("林区", " Forestry District"),
    ("新区", " New Area"),
    ("地区", ""),
    ("群岛", " Islands"),
    ("省", ""),
    ("市", ""),
    ("盟", ""),
    ("区", " District"),
    ("县", " County"),
    ("旗", " Banner"),
]


def strip_suffix(name: str) -> tuple[str, str]:
    """Split a division name into its proper part and the English word of its suffix."""
    for suffix, english in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            stem = name[: -len(suffix)]
            if suffix.startswith("自治"):
                stem = stem.removesuffix("族")
                changed = True
                while changed and len(stem) > 2:
                    changed = False
                    for group in ETHNIC_GROUPS:
                        for tail in (group + "族", group):
                            if stem.endswith(tail) and len(stem) - len(tail) >= 2:
                                stem = stem[: -len(tail)]
                                changed = True
                                break
                        if changed:
                            break
            return stem, english
    return name, ""


def place_pinyin(name: str) -> list[str]:
    """Toneless syllables of a place name, with the place-name readings of READINGS."""
    syllables = pinyin_syllables(name)
    if len(syllables) != len(name):  # non-Han characters: leave as pypinyin gives them
        return syllables
    for phrase in sorted(READINGS, key=len, reverse=True):
        start = name.find(phrase)
        while start >= 0:
            syllables[start : start + len(phrase)] = READINGS[phrase]
            start = name.find(phrase, start + len(phrase))
    return syllables


def english_name(code: str, name: str, level: str) -> str:
    """English name: conventional for provinces, otherwise pinyin of the stem (Xi'an, Lu'an)."""
    if code in PROVINCE_EN:
        return PROVINCE_EN[code]
    stem, suffix = strip_suffix(name)
    words = place_pinyin(stem)
    joined = ""
    for i, syllable in enumerate(words):
        if i and syllable[:1] in "aoe":
            joined += "'"  # Hanyu Pinyin apostrophe between syllables: Xi'an, not Xian
        joined += syllable
    joined = joined.replace("v", "ü")
    return joined[:1].upper() + joined[1:] + (suffix if level == "county" else "")


def _gcj_to_wgs(coords: np.ndarray) -> np.ndarray:
    lng, lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
    return np.column_stack([lng, lat])


def _polygons(geometry) -> list:
    if geometry.geom_type == "Polygon":
        return [geometry]
    if geometry.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [p for part in geometry.geoms for p in _polygons(part)]
    return []  # lines and points left over by make_valid


def prepare(geojson_geometry: dict) -> tuple[shapely.Geometry, shapely.Geometry]:
    """(full WGS-84 geometry, simplified and rounded WGS-84 MultiPolygon) of a DataV geometry."""
    full = shapely.make_valid(shapely.transform(shape(geojson_geometry), _gcj_to_wgs))
    full = shapely.MultiPolygon(_polygons(full))
    simple = shapely.simplify(full, TOLERANCE, preserve_topology=True)
    simple = shapely.set_precision(simple, 10.0**-DECIMALS)
    parts = [p for p in _polygons(simple) if p.area >= MIN_PART_AREA]
    if not parts:  # a unit made only of small islands keeps its largest one
        parts = sorted(_polygons(full), key=lambda p: p.area)[-1:]
    return full, shapely.MultiPolygon(parts)


def inner_point(full: shapely.Geometry) -> list[float]:
    point = full.centroid
    if not full.contains(point):
        point = full.point_on_surface()
    return [round(point.x, 6), round(point.y, 6)]


def _rounded(value):
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def feature(geometry: shapely.Geometry, properties: dict) -> dict:
    geo = mapping(geometry)
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": geo["type"], "coordinates": _rounded(geo["coordinates"])},
    }


def decode_topojson(topology: dict) -> list[tuple[dict, shapely.Geometry]]:
    """(properties, geometry) of each polygon object of a quantised TopoJSON topology.

    Arcs are delta-encoded integer positions; ``x = q·scale + translate``. A ring lists arc
    indices, ``~i`` meaning arc i reversed; consecutive arcs share their end point.
    """
    scale = np.array(topology["transform"]["scale"])
    translate = np.array(topology["transform"]["translate"])
    arcs = [np.cumsum(np.array(arc, dtype=float), axis=0) * scale + translate for arc in topology["arcs"]]

    def ring(indices: list[int]) -> np.ndarray:
        points: list[np.ndarray] = []
        for index in indices:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.append(arc if not points else arc[1:])
        return np.concatenate(points)

    def polygon(rings: list[list[int]]) -> shapely.Polygon:
        return shapely.Polygon(ring(rings[0]), [ring(r) for r in rings[1:]])

    decoded = []
    for obj in topology["objects"].values():
        for geometry in obj["geometries"]:
            if geometry["type"] == "Polygon":
                geom = polygon(geometry["arcs"])
            elif geometry["type"] == "MultiPolygon":
                geom = shapely.MultiPolygon([polygon(p) for p in geometry["arcs"]])
            else:
                continue
            decoded.append((geometry.get("properties", {}), shapely.make_valid(geom)))
    return decoded


def natural_earth_names(shared: Path, provinces: dict[str, shapely.Geometry]) -> dict[str, dict]:
    """Match Natural Earth features to provinces by overlap; their English names and the overlap."""
    folder = shared / NATURAL_EARTH
    matches: dict[str, dict] = {}
    for filename in ("zh-mainland-provinces.topo.json", "zh-hkg-mac.topo.json", "zh-chn-twn.topo.json"):
        topology = json.loads((folder / filename).read_text(encoding="utf-8"))
        for properties, geometry in decode_topojson(topology):
            name = properties.get("name") or properties.get("NAME")
            if not name or name == "China":
                continue
            best_code, best_share = None, 0.0
            for code, province in provinces.items():
                share = geometry.intersection(province).area / geometry.area
                if share > best_share:
                    best_code, best_share = code, share
            if best_code is not None:
                matches[best_code] = {"name": name, "overlap": round(best_share, 3)}
    return matches


def load_units(shared: Path) -> dict[str, dict]:
    """Every unit of location.json by 6-digit code: name, level, parent code, WGS-84 centroid."""
    raw = json.loads((shared / DATAV / "location.json").read_text(encoding="utf-8"))
    units: dict[str, dict] = {}
    for key, value in raw.items():
        entries = list(value.get("children", []))
        if key != "100000":
            entries.append(value)
        for entry in entries:
            code = f"{int(entry['adcode']):06d}"
            parent = f"{int(entry['parent']['adcode']):06d}" if entry.get("parent") else None
            point = entry.get("centroid") or entry.get("center")
            if point:  # GCJ-02, like the boundaries
                lng, lat = gcj02_to_wgs84(float(point[0]), float(point[1]))
                point = [round(lng, 6), round(lat, 6)]
            units[code] = {"name": entry["name"], "level": entry["level"], "parent": parent, "point": point}
    return units


LEVELS = {"province": "province", "city": "prefecture", "district": "county"}


def build(shared: Path) -> dict[str, bytes]:
    """The bundled files, by file name, as bytes."""
    datav = shared / DATAV
    china = json.loads((datav / "china.json").read_text(encoding="utf-8"))
    province_features, province_full = [], {}
    centroids: dict[str, list[float]] = {}
    for item in china["features"]:
        props = item["properties"]
        if str(props["adcode"]) == "100000" or not props["name"]:
            continue  # the nameless dashed line (adchar "JD"), not a division
        code = f"{int(props['adcode']):06d}"
        full, simple = prepare(item["geometry"])
        province_full[code] = full
        centroids[code] = inner_point(full)
        province_features.append((code, props["name"], simple))
    if len(province_features) != 34:
        raise SystemExit(f"expected 34 province-level units in china.json, found {len(province_features)}")

    ne = natural_earth_names(shared, province_full)
    # Natural Earth is coarse (1:10m): big units overlap > 90 %; Macao (30 km², much of it
    # reclaimed land newer than NE's coastline) only about 70 %.
    poor = {code: m for code, m in ne.items() if m["overlap"] < (0.65 if code == "820000" else 0.9)}
    if len(ne) != 34 or poor:
        raise SystemExit(f"Natural Earth cross-check failed: {len(ne)} matched, poor overlaps {poor}")

    units = load_units(shared)
    provinces = []
    for code, name, simple in province_features:
        properties = {
            "code": code,
            "name_zh": units.get(code, {}).get("name", name),
            "name_en": PROVINCE_EN[code],
            "name_ne": ne[code]["name"],
            "level": "province",
            "centroid": centroids[code],
        }
        provinces.append(feature(simple, properties))

    prefectures = []
    for path in sorted((datav / "province").glob("*.json")):
        province_code = path.stem
        for item in json.loads(path.read_text(encoding="utf-8"))["features"]:
            props = item["properties"]
            code = f"{int(props['adcode']):06d}"
            if code == province_code:
                continue  # Taiwan's file holds Taiwan itself: no sub-units
            full, simple = prepare(item["geometry"])
            centroids[code] = inner_point(full)
            level = LEVELS[props["level"]]
            properties = {
                "code": code,
                "name_zh": props["name"],
                "name_en": english_name(code, props["name"], level),
                "level": level,
                "parent_code": province_code,
                "centroid": centroids[code],
            }
            prefectures.append(feature(simple, properties))

    rows = []
    for code in sorted(units):
        unit = units[code]
        level = LEVELS[unit["level"]]
        stem, _ = strip_suffix(unit["name"])
        aliases = [stem, "".join(place_pinyin(stem))]
        if code in ne:
            aliases.append(ne[code]["name"])
        aliases = [a for a in dict.fromkeys(aliases) if a != unit["name"]]
        # Units without bundled geometry (most counties) take DataV's own centroid, converted.
        rows.append([code, unit["name"], english_name(code, unit["name"], level), level, unit["parent"],
                     centroids.get(code) or unit["point"], aliases])
    table = {
        "about": "GB/T 2260 divisions from DataV location.json (see PROVENANCE.md); centroids WGS-84; "
        "aliases: the name without its suffix, its pinyin, Natural Earth's English name",
        "columns": ["code", "name_zh", "name_en", "level", "parent_code", "centroid", "aliases"],
        "ne_names": {code: ne[code]["name"] for code in sorted(ne)},
        "rows": rows,
    }

    def collection(features: list[dict], about: str) -> bytes:
        data = {"type": "FeatureCollection", "about": about, "features": features}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    about = (f"DataV GeoAtlas boundaries converted GCJ-02 -> WGS-84, simplified at {TOLERANCE} deg, "
             "not for redistribution (see PROVENANCE.md)")
    return {
        "provinces.geojson": collection(provinces, about),
        "prefectures.geojson": collection(prefectures, about),
        "divisions.json": json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the team's shared/ folder")
    parser.add_argument("--check", action="store_true", help="fail if the bundled files are out of date")
    args = parser.parse_args(argv)
    if not (args.shared / DATAV / "china.json").exists():
        parser.error(f"{args.shared / DATAV / 'china.json'} not found: pass --shared PATH/TO/shared")
    outputs = build(args.shared)
    stale = []
    for name, content in outputs.items():
        target = HERE / name
        digest = hashlib.sha256(content).hexdigest()[:12]
        if args.check:
            if not target.exists() or target.read_bytes() != content:
                stale.append(name)
        else:
            target.write_bytes(content)
        print(f"{name}: {len(content) / 1024:.0f} KiB, sha256 {digest}")
    if stale:
        print(f"out of date: {', '.join(stale)}; run without --check to rebuild", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
