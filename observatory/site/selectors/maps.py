"""The map: one row per located public entity (a point table kept per data signature), clustered
on a grid fitted to the zoom, and counts per division."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import Count

from observatory.china import coords as china_coords
from observatory.china import divisions as china_divisions
from observatory.inventory import lifecycle
from observatory.inventory.models import Location, StatusAssertion, display_name, other_name

from .figures import analysis_latest
from .memo import Memo

__all__ = ["PRECISION_RADIUS_M", "PointTable", "choropleth", "map_clusters", "map_clusters_compute",
           "map_filter_options", "point_table"]

_CLUSTERS = Memo("map", 512)
_TABLE = Memo("point-table", 1)


#: The radius (m) that a location of each precision stands for: drawn as an area, not a pin.
PRECISION_RADIUS_M = {"exact": 0, "building": 0, "street": 300, "district": 4000, "city": 15000,
                      "province": 120000, "country": 500000}


@dataclass
class PointTable:
    lng: np.ndarray
    lat: np.ndarray
    kind: np.ndarray
    layer: np.ndarray
    status: np.ndarray
    province: np.ndarray
    founded: np.ndarray  # year, 0 = unknown
    closed: np.ndarray  # year, 9999 = open
    radius: np.ndarray
    slug: list
    name: list
    name_zh: list
    name_en: list
    precision: list
    seen: np.ndarray | None = None  # year of the last evidence of life (lifecycle.last_seen), 0 = none
    official: np.ndarray | None = None  # "accredited" / "revoked" in some programme, "accredited revoked", ""


def _current_status(entity_ids) -> dict[int, str]:
    status: dict[int, str] = {}
    rows = (StatusAssertion.objects.counting().filter(entity__is_public=True, value__in=["active", "inactive", "closed"])
            .order_by("entity_id", "date", "id").values_list("entity_id", "value", "date"))
    for entity_id, value, _date in rows:
        status[entity_id] = value  # the last (latest dated) wins
    return status


def point_table() -> PointTable:
    """One row per located public entity (its first location with a point), kept per data signature."""
    return _TABLE.get("table", _point_table)


def _point_table() -> PointTable:
    rows = list(Location.objects.filter(entity__is_public=True, entity__merged_into__isnull=True, lat__isnull=False)
                .order_by("entity_id", "id")
                .values_list("entity_id", "lng", "lat", "precision", "entity__slug", "entity__name",
                             "entity__name_zh", "entity__kind", "entity__layer", "entity__province_code",
                             "entity__founded", "entity__closed", "entity__name_en"))
    seen: set[int] = set()
    unique = []
    for row in rows:
        if row[0] in seen:
            continue
        seen.add(row[0])
        unique.append(row)
    statuses = {}
    closed_ids = {row[0] for row in unique if row[11]}
    if unique:
        statuses = _current_status([row[0] for row in unique])
    status = []
    for row in unique:
        if row[0] in closed_ids:
            status.append("closed")
        else:
            status.append(statuses.get(row[0], "active"))
    table = PointTable(
        lng=np.array([r[1] for r in unique], dtype=float), lat=np.array([r[2] for r in unique], dtype=float),
        kind=np.array([r[7] for r in unique], dtype=object), layer=np.array([r[8] for r in unique], dtype=object),
        status=np.array(status, dtype=object), province=np.array([r[9] for r in unique], dtype=object),
        founded=np.array([r[10].year if r[10] else 0 for r in unique], dtype=int),
        closed=np.array([r[11].year if r[11] else 9999 for r in unique], dtype=int),
        radius=np.array([PRECISION_RADIUS_M.get(r[3], 0) for r in unique], dtype=float),
        slug=[r[4] for r in unique], name=[r[5] for r in unique], name_zh=[r[6] for r in unique],
        name_en=[r[12] for r in unique], precision=[r[3] for r in unique])
    # evidence of life and official standing (observatory.inventory.lifecycle: the one place of the rules)
    ids = [r[0] for r in unique]
    seen_by = lifecycle.last_seen(ids) if ids else {}
    standings = lifecycle.current_standings(ids) if ids else {}
    table.seen = np.array([seen_by[i].date.year if i in seen_by else 0 for i in ids], dtype=int)
    table.official = np.array([" ".join(sorted(set(standings.get(i, {}).values()))) for i in ids], dtype=object)
    return table


def _cell_degrees(zoom: int) -> float:
    """Cluster cell size: about 60 screen pixels at this zoom (256-pixel tiles)."""
    return 360.0 / (2 ** max(0, min(zoom, 22))) / 256.0 * 60.0


def cluster_diameter(count):
    """The diameter in screen pixels of the disc of a group of ``count`` actors (a number or an
    array): it grows with the log of the count and always holds the count's digits (map.js draws
    the disc this size, the count centred inside)."""
    count = np.asarray(count, dtype=float)
    digits = np.floor(np.log10(np.maximum(count, 1))) + 1
    grown = np.round(2 * (8 + np.minimum(22.0, np.log(np.maximum(count, 1)) * 4)))
    return np.maximum(np.maximum(22, grown), np.ceil(digits * 8.5 + 8)).astype(int)


def _clusters_apart(features: list[dict], zoom: int) -> list[dict]:
    """Merge the groups whose discs would overlap on screen at ``zoom`` (neighbouring grid cells can
    put two centres closer than their radii, and one count then hides the other): the largest group
    first takes in every group whose disc touches its own, at their mean position, until no two
    discs overlap. Each group gets its disc's diameter (``d``, pixels)."""
    groups = [f for f in features if "c" in f]
    if not groups:
        return features
    from scipy.spatial import cKDTree

    scale = 256.0 * 2 ** max(0, min(zoom, 22)) / 360.0  # pixels per degree of longitude
    x = np.array([g["x"] for g in groups])
    y = np.array([g["y"] for g in groups])
    count = np.array([g["c"] for g in groups], dtype=np.int64)
    alive = np.ones(len(groups), dtype=bool)
    changed = True
    while changed:  # a pass with no merge has checked every pair at its final position
        changed = False
        # screen pixels; Web Mercator: a degree of latitude is 1/cos(lat) times as long as one of longitude
        screen = np.column_stack([x * scale, _mercator(y) * scale])
        tree = cKDTree(screen)
        widest = float(cluster_diameter(count[alive]).max())
        for i in np.argsort(-count, kind="stable"):
            if not alive[i]:
                continue
            here = (x[i] * scale, _mercator(y[i]) * scale)
            near = np.array(tree.query_ball_point(here, (cluster_diameter(count[i]) + widest) / 2), dtype=int)
            near = near[alive[near] & (near != i)]
            if not len(near):
                continue
            reach = (cluster_diameter(count[near]) + cluster_diameter(count[i])) / 2
            members = near[np.hypot(screen[near, 0] - here[0], screen[near, 1] - here[1]) < reach]
            if len(members):
                total = count[i] + count[members].sum()
                x[i] = (x[i] * count[i] + (x[members] * count[members]).sum()) / total
                y[i] = (y[i] * count[i] + (y[members] * count[members]).sum()) / total
                count[i] = total
                alive[members] = False
                changed = True
    merged = [{"c": int(count[i]), "d": int(cluster_diameter(count[i])), "x": round(float(x[i]), 4),
               "y": round(float(y[i]), 4)} for i in np.flatnonzero(alive)]
    return [f for f in features if "c" not in f] + merged


def _mercator(lat: np.ndarray | float) -> np.ndarray | float:
    """Web Mercator's y of a latitude, in degrees of longitude."""
    return np.degrees(np.log(np.tan(np.pi / 4 + np.radians(np.clip(lat, -85.0, 85.0)) / 2)))


def map_clusters(**kwargs) -> dict:
    """:func:`map_clusters_compute`, memoised per data signature and arguments, the language among
    them (bbox rounded to 0.01°)."""
    bbox = kwargs.get("bbox")
    key_bbox = tuple(round(v, 2) for v in bbox) if bbox else None
    key = tuple(sorted((k, v) for k, v in kwargs.items() if k != "bbox")) + (key_bbox,)
    return _CLUSTERS.get(key, lambda: map_clusters_compute(**kwargs))


def map_clusters_compute(*, zoom: int = 4, bbox: tuple[float, float, float, float] | None = None, kind: str = "",
                 layer: str = "", status: str = "", province: str = "", year: int | None = None,
                 gcj02: bool = False, seen_since: int | None = None, official: str = "",
                 language: str = "en") -> dict:
    """Points of the map, clustered on a grid fitted to the zoom (server-side, so 100k points stay light).

    A cell with one entity gives that entity (slug, kind, precision, the radius it stands for, and
    its names as a reader of ``language`` sees them: ``n`` by inventory.models.display_name, ``o``
    the other language's in brackets by other_name); a cell with more gives its count and centre. ``year`` keeps entities founded by then and
    not yet closed (those without a founding date are left out). ``gcj02`` shifts the output
    points to GCJ-02 for display over such tiles; storage stays WGS-84.
    """
    table = point_table()
    keep = np.ones(len(table.slug), dtype=bool)
    if kind:
        keep &= table.kind == kind
    if layer:
        keep &= table.layer == layer
    if status:
        keep &= table.status == status
    if province:
        keep &= table.province == province
    if year is not None:
        keep &= (table.founded > 0) & (table.founded <= year) & (table.closed > year)
    if seen_since is not None and table.seen is not None:
        keep &= table.seen >= seen_since
    if official and table.official is not None:
        keep &= np.array([official in value.split() for value in table.official], dtype=bool)
    if bbox is not None:
        west, south, east, north = bbox
        pad = 0.02
        keep &= (table.lng >= west - pad) & (table.lng <= east + pad) & (table.lat >= south - pad) & (
            table.lat <= north + pad)
    index = np.flatnonzero(keep)
    lng, lat = table.lng[index], table.lat[index]
    if gcj02 and len(index):
        lng, lat = china_coords.wgs84_to_gcj02(lng, lat)
        lng, lat = np.atleast_1d(lng), np.atleast_1d(lat)
    size = _cell_degrees(zoom)
    features = []
    if len(index):
        cx = np.floor(lng / size).astype(np.int64)
        cy = np.floor(lat / size).astype(np.int64)
        keys = cx * 1_000_003 + cy
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        ends = np.r_[starts[1:], len(order)]
        for start, end in zip(starts, ends, strict=True):
            members = order[start:end]
            if end - start == 1:
                i = members[0]
                j = index[i]
                names = (table.name[j], table.name_zh[j], language)
                features.append({"s": table.slug[j], "n": display_name(*names, name_en=table.name_en[j]),
                                 "o": other_name(*names, name_en=table.name_en[j]), "k": table.kind[j], "l": table.layer[j], "p": table.precision[j],
                                 "r": int(table.radius[j]), "x": round(float(lng[i]), 5), "y": round(float(lat[i]), 5)})
            else:
                features.append({"c": int(end - start), "x": float(lng[members].mean()),
                                 "y": float(lat[members].mean())})
    features = _clusters_apart(features, zoom)
    return {"zoom": zoom, "count": int(len(index)), "crs": "GCJ-02" if gcj02 else "WGS-84", "items": features}


def map_filter_options() -> dict:
    table = point_table()
    years = table.founded[table.founded > 0]
    provinces = sorted({p for p in table.province if p})
    return {
        "provinces": [(code, china_divisions.division_name_zh(code)) for code in provinces],
        "year_min": int(years.min()) if len(years) else None,
        "year_max": int(max(years.max(), table.closed[table.closed < 9999].max(initial=0))) if len(years) else None,
    }


def choropleth(level: str = "province") -> tuple[dict, str]:
    """{code: {"count", "density"}} per division from the latest spatial run (density per 10,000 km²),
    else live counts without densities. Returns (values, origin)."""
    run = analysis_latest("spatial")
    if run is not None and (run.result or {}).get("counts", {}).get(level) is not None:
        counts = run.result["counts"][level]
        density = (run.result.get("density_per_10k_km2") or {}).get(level) or {}
        return ({code: {"count": n, "density": density.get(code)} for code, n in counts.items()}, f"run #{run.pk}")
    field = "province_code" if level == "province" else "prefecture_code"
    rows = (Location.objects.filter(entity__is_public=True, entity__merged_into__isnull=True).exclude(**{field: ""})
            .values_list(field).annotate(n=Count("entity", distinct=True)).values_list(field, "n"))
    return {code: {"count": n, "density": None} for code, n in rows}, "live"
