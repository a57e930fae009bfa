"""Coordinate systems used for maps of China: WGS-84, GCJ-02 and BD-09.

GPS receivers, OpenStreetMap and most open data use WGS-84 (EPSG:4326). Maps published in mainland
China must use GCJ-02, an obfuscated offset of WGS-84 (Amap, Tencent); Baidu adds a further offset
of its own, BD-09. The offsets reach hundreds of metres, so every point must be converted to WGS-84
before it is analysed or drawn over WGS-84 layers (docs/methods.md, Territory).

Definition. With x = lng − 105 and y = lat − 35, two trigonometric series dLat(x, y)
and dLng(x, y) are scaled to degrees on the Krasovsky 1940 ellipsoid (a = 6378245 m,
e² = 0.00669342162296594323) and added to the WGS-84 position::

    GCJ = WGS + Δ(WGS)

GCJ-02 → BD-09 rotates and scales the point in the plane, with x_pi = π·3000/180::

    z = √(x² + y²) + 2e-5·sin(y·x_pi),  θ = atan2(y, x) + 3e-6·cos(x·x_pi)
    BD = (z·cos θ + 0.0065, z·sin θ + 0.006)

Neither forward map has a closed-form inverse. The inverses here start from the usual one-step
approximation and then apply the fixed-point iteration ``p ← p − (forward(p) − target)``, which
converges in a few steps to well under a millimetre (the one-step versions are off by 1–2 m for
GCJ-02 and about 4e-7° for BD-09). ``exact=False`` returns the one-step value, which is what the
published vectors of ``wandergis/coordtransform`` give.

Outside a crude bounding box of China (lng ∉ [72.004, 137.8347] or lat ∉ [0.8293, 55.8271]) no
offset is applied: every conversion returns its input unchanged, element by element for arrays.
The box is the one all common implementations use; it also covers Korea and part of Japan.

Every function takes ``(lng, lat)`` in that order (GeoJSON order) as floats or NumPy arrays of any
broadcastable shapes and returns the same kind: a tuple of floats for scalar input, a tuple of
float arrays otherwise.

References
----------
- The algorithm as circulated in open implementations, e.g. ``wandergis/coordtransform`` (MIT),
  ``googollee/eviltransform`` (BSD-2-Clause), ``hujiulong/gcoord`` (MIT); our test vectors come
  from those projects (see tests/china/).
- tests/china/: the vectors and the known discrepancies between implementations.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "CRS_NAMES",
    "as_lnglat_arrays",
    "bbox_parse",
    "KRASOVSKY_A",
    "KRASOVSKY_EE",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "convert",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "haversine_km",
    "out_of_china",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

#: Semi-major axis (m) and first eccentricity squared of the Krasovsky 1940 ellipsoid.
KRASOVSKY_A = 6378245.0
KRASOVSKY_EE = 0.00669342162296594323

_X_PI = math.pi * 3000.0 / 180.0
_BD_DLNG = 0.0065
_BD_DLAT = 0.006

_CHINA_LNG = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)

#: Mean Earth radius (IUGG), used by :func:`haversine_km`.
EARTH_RADIUS_KM = 6371.0088

#: The accepted coordinate-system names, as :func:`convert` spells them.
CRS_NAMES = ("WGS-84", "GCJ-02", "BD-09")

# Spellings met in data files, folded to the canonical names (after upper-casing and removing
# everything but letters and digits).
_CRS_ALIASES = {
    "WGS84": "WGS-84",
    "EPSG4326": "WGS-84",
    "GCJ02": "GCJ-02",
    "BD09": "BD-09",
    "BD09LL": "BD-09",
}

# Fixed-point iterations stop when a step moves the point less than this (degrees, ~1e-5 m) or
# after _MAX_ITER steps; convergence is geometric with a ratio of about 1e-5, so 3 steps suffice.
_ITER_EPS = 1e-10
_MAX_ITER = 10


def as_lnglat_arrays(lng: Any, lat: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    """Broadcast (lng, lat) to float arrays after checking their ranges; and whether they were scalars.

    Raises ValueError naming the offending value (and its index) for a longitude outside
    [-180, 180], a latitude outside [-90, 90], NaN or a non-number.
    """
    try:
        x = np.asarray(lng, dtype=float)
        y = np.asarray(lat, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"coordinates must be numbers (lng, lat): got {lng!r}, {lat!r}") from exc
    try:
        x, y = np.broadcast_arrays(x, y)
    except ValueError as exc:
        raise ValueError(
            f"lng and lat arrays have incompatible shapes {x.shape} and {y.shape}"
        ) from exc
    scalar = x.ndim == 0
    _check_range(x, -180.0, 180.0, "longitude", "lng")
    _check_range(y, -90.0, 90.0, "latitude", "lat")
    return x, y, scalar


def _check_range(values: np.ndarray, low: float, high: float, what: str, name: str) -> None:
    bad = ~((values >= low) & (values <= high))  # also catches NaN
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f" at index {index if len(index) != 1 else index[0]}" if values.ndim else ""
        count = int(bad.sum())
        more = f" ({count} values out of range)" if count > 1 else ""
        raise ValueError(
            f"{what} ({name}) {float(values[index])!r}{where} is outside [{low:g}, {high:g}]{more}: "
            "give (lng, lat) in decimal degrees; check for swapped, missing or projected values"
        )


def _result(x: np.ndarray, y: np.ndarray, scalar: bool) -> tuple[Any, Any]:
    if scalar:
        return float(x), float(y)
    return x, y


def _in_box(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x >= _CHINA_LNG[0]) & (x <= _CHINA_LNG[1]) & (y >= _CHINA_LAT[0]) & (y <= _CHINA_LAT[1])


def out_of_china(lng: Any, lat: Any) -> Any:
    """Whether (lng, lat) lies outside the bounding box in which GCJ-02 offsets apply.

    Returns a bool for scalar input and a boolean array otherwise. The box is crude (it contains
    Korea and parts of Japan, Vietnam, Mongolia...): it decides whether to shift, not where China is.

    >>> out_of_china(2.3522, 48.8566), out_of_china(114.085, 22.545)
    (True, False)
    """
    x, y, scalar = as_lnglat_arrays(lng, lat)
    outside = ~_in_box(x, y)
    return bool(outside) if scalar else outside


def _gcj_delta(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Δ(lng, lat) in degrees to add to a WGS-84 point to obtain GCJ-02 (no box test)."""
    dx = x - 105.0
    dy = y - 35.0
    pi = math.pi
    common = (20.0 * np.sin(6.0 * dx * pi) + 20.0 * np.sin(2.0 * dx * pi)) * 2.0 / 3.0
    sqrt_abs = np.sqrt(np.abs(dx))
    d_lat = -100.0 + 2.0 * dx + 3.0 * dy + 0.2 * dy * dy + 0.1 * dx * dy + 0.2 * sqrt_abs
    d_lat = d_lat + common
    d_lat = d_lat + (20.0 * np.sin(dy * pi) + 40.0 * np.sin(dy / 3.0 * pi)) * 2.0 / 3.0
    d_lat = d_lat + (160.0 * np.sin(dy / 12.0 * pi) + 320.0 * np.sin(dy * pi / 30.0)) * 2.0 / 3.0
    d_lng = 300.0 + dx + 2.0 * dy + 0.1 * dx * dx + 0.1 * dx * dy + 0.1 * sqrt_abs
    d_lng = d_lng + common
    d_lng = d_lng + (20.0 * np.sin(dx * pi) + 40.0 * np.sin(dx / 3.0 * pi)) * 2.0 / 3.0
    d_lng = d_lng + (150.0 * np.sin(dx / 12.0 * pi) + 300.0 * np.sin(dx / 30.0 * pi)) * 2.0 / 3.0
    rad_lat = y / 180.0 * pi
    magic = 1.0 - KRASOVSKY_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * pi)
    d_lng = (d_lng * 180.0) / (KRASOVSKY_A / sqrt_magic * np.cos(rad_lat) * pi)
    return d_lng, d_lat


def _wgs_to_gcj(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d_lng, d_lat = _gcj_delta(x, y)
    return x + d_lng, y + d_lat


def _gcj_to_bd(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + _BD_DLNG, z * np.sin(theta) + _BD_DLAT


def _bd_to_gcj_one_step(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = x - _BD_DLNG
    y = y - _BD_DLAT
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _invert(forward, target_x, target_y, start_x, start_y):
    """Solve forward(p) = target by the fixed-point iteration p ← p − (forward(p) − target).

    Each element stops on its own once its step is below _ITER_EPS, so an element's result does
    not depend on the other elements of the array (arrays give exactly the scalar numbers).
    """
    x, y = start_x.copy(), start_y.copy()
    active = np.ones(x.shape, dtype=bool)
    for _ in range(_MAX_ITER):
        fx, fy = forward(x, y)
        step_x = np.where(active, fx - target_x, 0.0)
        step_y = np.where(active, fy - target_y, 0.0)
        x = x - step_x
        y = y - step_y
        active &= (np.abs(step_x) >= _ITER_EPS) | (np.abs(step_y) >= _ITER_EPS)
        if not active.any():
            break
    return x, y


def _only_in_box(x, y, new_x, new_y):
    inside = _in_box(x, y)
    return np.where(inside, new_x, x), np.where(inside, new_y, y)


def wgs84_to_gcj02(lng: Any, lat: Any) -> tuple[Any, Any]:
    """Convert WGS-84 (GPS, OpenStreetMap) to GCJ-02 (Amap, Tencent).

    >>> wgs84_to_gcj02(116.404, 39.915)
    (116.41024449916938, 39.91640428150164)
    """
    x, y, scalar = as_lnglat_arrays(lng, lat)
    gx, gy = _only_in_box(x, y, *_wgs_to_gcj(x, y))
    return _result(gx, gy, scalar)


def gcj02_to_wgs84(lng: Any, lat: Any, *, exact: bool = True) -> tuple[Any, Any]:
    """Convert GCJ-02 to WGS-84.

    With ``exact=True`` (the default) the offset is inverted iteratively, to far better than the
    0.5 m the method guarantees; ``exact=False`` gives the classic one-step approximation
    ``GCJ − Δ(GCJ)``, off by 1–2 m, kept to reproduce published values.

    >>> lng, lat = gcj02_to_wgs84(*wgs84_to_gcj02(116.404, 39.915))
    >>> round(lng, 9), round(lat, 9)
    (116.404, 39.915)
    """
    x, y, scalar = as_lnglat_arrays(lng, lat)
    d_lng, d_lat = _gcj_delta(x, y)
    wx, wy = x - d_lng, y - d_lat
    if exact:
        wx, wy = _invert(_wgs_to_gcj, x, y, wx, wy)
    wx, wy = _only_in_box(x, y, wx, wy)
    return _result(wx, wy, scalar)


def gcj02_to_bd09(lng: Any, lat: Any) -> tuple[Any, Any]:
    """Convert GCJ-02 to BD-09 (Baidu).

    >>> gcj02_to_bd09(116.404, 39.915)
    (116.41036949371029, 39.92133699351021)
    """
    x, y, scalar = as_lnglat_arrays(lng, lat)
    bx, by = _only_in_box(x, y, *_gcj_to_bd(x, y))
    return _result(bx, by, scalar)


def bd09_to_gcj02(lng: Any, lat: Any, *, exact: bool = True) -> tuple[Any, Any]:
    """Convert BD-09 (Baidu) to GCJ-02.

    The closed formula that circulates is approximate (round trips are off by about 4e-7°, 5 cm);
    with ``exact=True`` (the default) it is refined iteratively against :func:`gcj02_to_bd09`.
    ``exact=False`` returns the closed formula, as published implementations do.

    >>> bd09_to_gcj02(116.404, 39.915, exact=False)
    (116.39762729119315, 39.90865673957631)
    """
    x, y, scalar = as_lnglat_arrays(lng, lat)
    gx, gy = _bd_to_gcj_one_step(x, y)
    if exact:
        gx, gy = _invert(_gcj_to_bd, x, y, gx, gy)
    gx, gy = _only_in_box(x, y, gx, gy)
    return _result(gx, gy, scalar)


def wgs84_to_bd09(lng: Any, lat: Any) -> tuple[Any, Any]:
    """Convert WGS-84 to BD-09 (through GCJ-02)."""
    x, y, scalar = as_lnglat_arrays(lng, lat)
    gx, gy = _wgs_to_gcj(x, y)
    bx, by = _only_in_box(x, y, *_gcj_to_bd(gx, gy))
    return _result(bx, by, scalar)


def bd09_to_wgs84(lng: Any, lat: Any, *, exact: bool = True) -> tuple[Any, Any]:
    """Convert BD-09 to WGS-84 (through GCJ-02); ``exact`` as in the two inverses it chains."""
    x, y, scalar = as_lnglat_arrays(lng, lat)
    gx, gy = _bd_to_gcj_one_step(x, y)
    if exact:
        gx, gy = _invert(_gcj_to_bd, x, y, gx, gy)
    d_lng, d_lat = _gcj_delta(gx, gy)
    wx, wy = gx - d_lng, gy - d_lat
    if exact:
        wx, wy = _invert(_wgs_to_gcj, gx, gy, wx, wy)
    wx, wy = _only_in_box(x, y, wx, wy)
    return _result(wx, wy, scalar)


def _canonical_crs(name: Any) -> str:
    key = "".join(ch for ch in str(name).upper() if ch.isalnum())
    if key in _CRS_ALIASES:
        return _CRS_ALIASES[key]
    accepted = ", ".join(repr(n) for n in CRS_NAMES)
    raise ValueError(
        f"unknown coordinate system {name!r}: use one of {accepted} "
        "(also accepted: 'WGS84', 'EPSG:4326', 'GCJ02', 'BD09', 'bd09ll', any case)"
    )


def _identity(lng: Any, lat: Any) -> tuple[Any, Any]:
    x, y, scalar = as_lnglat_arrays(lng, lat)
    return _result(x.copy(), y.copy(), scalar)


_CONVERTERS = {
    ("WGS-84", "GCJ-02"): wgs84_to_gcj02,
    ("WGS-84", "BD-09"): wgs84_to_bd09,
    ("GCJ-02", "WGS-84"): gcj02_to_wgs84,
    ("GCJ-02", "BD-09"): gcj02_to_bd09,
    ("BD-09", "WGS-84"): bd09_to_wgs84,
    ("BD-09", "GCJ-02"): bd09_to_gcj02,
}


def convert(lng: Any, lat: Any, from_crs: str, to_crs: str) -> tuple[Any, Any]:
    """Convert (lng, lat) between any two of "WGS-84", "GCJ-02" and "BD-09".

    Names are matched ignoring case and punctuation ("gcj02", "BD09", "EPSG:4326" work); an
    unknown name raises ValueError listing the accepted forms. Inverses are the exact ones.

    >>> convert(116.404, 39.915, "WGS-84", "GCJ-02")
    (116.41024449916938, 39.91640428150164)
    """
    source = _canonical_crs(from_crs)
    target = _canonical_crs(to_crs)
    if source == target:
        return _identity(lng, lat)
    return _CONVERTERS[(source, target)](lng, lat)


def haversine_km(lng1: Any, lat1: Any, lng2: Any, lat2: Any, *, radius: float = EARTH_RADIUS_KM) -> Any:
    """Great-circle distance in kilometres between (lng1, lat1) and (lng2, lat2), in degrees.

    Haversine formula on a sphere of the IUGG mean radius (6371.0088 km; ``radius`` to change it);
    error under 0.5 % against the ellipsoid, enough for matching and clustering. The one distance of
    the project: entity resolution, clustering and the dataset checks call it. Arrays broadcast and
    are range-checked like the conversions; four plain numbers (a pair of records compared in entity
    resolution, called once per candidate pair) take a scalar path with the same formula, without
    the array set-up, and are not range-checked.

    >>> round(haversine_km(116.404, 39.915, 121.4737, 31.2304))
    1069
    >>> round(float(haversine_km(4.8422, 45.7597, 2.3508, 48.8567)), 3)  # Lyon - Paris
    392.217
    """
    if all(type(v) in (float, int) for v in (lng1, lat1, lng2, lat2)):
        phi1, phi2 = math.radians(lat1), math.radians(lat2)
        h = (math.sin((phi2 - phi1) / 2.0) ** 2
             + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lng2 - lng1) / 2.0) ** 2)
        return 2.0 * radius * math.asin(min(1.0, math.sqrt(h)))
    x1, y1, scalar = as_lnglat_arrays(lng1, lat1)
    x2, y2, scalar2 = as_lnglat_arrays(lng2, lat2)
    phi1, phi2 = np.radians(y1), np.radians(y2)
    h = np.sin((phi2 - phi1) / 2.0) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(np.radians(x2 - x1) / 2.0) ** 2
    km = 2.0 * radius * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return float(km) if scalar and scalar2 else km


def bbox_parse(text: str) -> tuple[float, float, float, float]:
    """``"minlon,minlat,maxlon,maxlat"`` in WGS-84 degrees -> four floats; ValueError naming what is
    wrong and the accepted form otherwise.

    >>> bbox_parse("113.7,22.4,114.6,22.9")
    (113.7, 22.4, 114.6, 22.9)
    """
    parts = text.split(",")
    try:
        if len(parts) != 4:
            raise ValueError
        west, south, east, north = (float(p) for p in parts)
        if any(v != v for v in (west, south, east, north)):  # NaN
            raise ValueError
    except ValueError:
        raise ValueError(f"bbox={text[:100]!r} is not a bounding box; write minlon,minlat,maxlon,maxlat in WGS-84 "
                         "degrees, e.g. bbox=113.7,22.4,114.6,22.9") from None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise ValueError(f"bbox={text[:100]!r}: need -180 ≤ minlon ≤ maxlon ≤ 180 and -90 ≤ minlat ≤ maxlat ≤ 90")
    return west, south, east, north
