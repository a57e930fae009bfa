"""Planar coordinates for the point-pattern statistics: conic projections of China and the
equal-area window of a city's outline.

Ripley's K, Besag's L and Clark–Evans need planar coordinates. :func:`project_albers_china`
(equal-area: densities λ = n/|W| are true) and :func:`project_lcc_china` (conformal: shapes and short
distances are true) are Snyder's (1987) ellipsoidal formulas on WGS-84, in NumPy, with the
parameters of the usual maps of the whole of China (:data:`CHINA_PROJECTION`).
:func:`equal_area_window` projects a city's outline to a Lambert azimuthal equal-area plane centred
on it (pyproj) and returns it as a :class:`PolygonWindow` with the projection of its points.

References
----------
Snyder, J. P. (1987). *Map Projections: A Working Manual*. USGS Professional Paper 1395.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = ["CHINA_PROJECTION", "PolygonWindow", "equal_area_window", "project_albers_china", "project_lcc_china"]

_WGS84_A = 6378137.0
_WGS84_F = 1 / 298.257223563
_WGS84_E = math.sqrt(_WGS84_F * (2 - _WGS84_F))
#: Parameters commonly used for maps of the whole of China: central meridian 105°E, standard parallels
#: 25°N and 47°N, origin latitude 0 (e.g. the "China Albers" and "China Lambert" definitions).
CHINA_PROJECTION = {"lon0": 105.0, "lat0": 0.0, "lat1": 25.0, "lat2": 47.0}


def _q(phi: np.ndarray) -> np.ndarray:
    e = _WGS84_E
    s = np.sin(phi)
    return (1 - e * e) * (s / (1 - e * e * s * s) - 1 / (2 * e) * np.log((1 - e * s) / (1 + e * s)))


def _m(phi):
    s = np.sin(phi)
    return np.cos(phi) / np.sqrt(1 - _WGS84_E**2 * s * s)


def _t(phi):
    e = _WGS84_E
    s = np.sin(phi)
    return np.tan(math.pi / 4 - phi / 2) / ((1 - e * s) / (1 + e * s)) ** (e / 2)


def project_albers_china(lng, lat, *, lon0: float = 105.0, lat0: float = 0.0, lat1: float = 25.0,
                         lat2: float = 47.0) -> tuple[np.ndarray, np.ndarray]:
    """Albers equal-area conic projection on the WGS-84 ellipsoid, in metres (Snyder 1987, §14).

    Equal-area: areas and therefore point densities (λ = n/|W|) are true everywhere; distances are
    distorted by a few per cent at most inside China with the default parallels (25°N, 47°N,
    central meridian 105°E), so Ripley's K over tens of kilometres is unaffected in practice.

    Parameters
    ----------
    lng, lat : float or array, WGS-84 degrees (convert GCJ-02/BD-09 first: observatory.china.coords)
    lon0, lat0, lat1, lat2 : projection parameters in degrees

    Returns
    -------
    (x, y) in metres, arrays.

    Examples
    --------
    >>> x, y = project_albers_china(105.0, 0.0)
    >>> float(x), float(y)
    (0.0, 0.0)

    References
    ----------
    Snyder, J. P. (1987). *Map Projections: A Working Manual*. USGS Professional Paper 1395, 98-103.
    """
    lam = np.radians(np.asarray(lng, dtype=float))
    phi = np.radians(np.asarray(lat, dtype=float))
    p0, p1, p2 = (math.radians(v) for v in (lat0, lat1, lat2))
    m1, m2 = _m(p1), _m(p2)
    q0, q1, q2 = _q(np.array(p0)), _q(np.array(p1)), _q(np.array(p2))
    n = (m1 * m1 - m2 * m2) / (q2 - q1)
    c = m1 * m1 + n * q1
    rho0 = _WGS84_A * np.sqrt(c - n * q0) / n
    rho = _WGS84_A * np.sqrt(c - n * _q(phi)) / n
    theta = n * (lam - math.radians(lon0))
    return rho * np.sin(theta), rho0 - rho * np.cos(theta)


def project_lcc_china(lng, lat, *, lon0: float = 105.0, lat0: float = 0.0, lat1: float = 25.0,
                      lat2: float = 47.0) -> tuple[np.ndarray, np.ndarray]:
    """Lambert conformal conic projection on the WGS-84 ellipsoid, in metres (Snyder 1987, §15).

    Conformal: local shapes and short distances are right, areas are not (use
    :func:`project_albers_china` for densities). Parameters as :func:`project_albers_china`.

    Examples
    --------
    >>> x, y = project_lcc_china(105.0, 0.0)
    >>> float(x), round(float(y), 6)
    (0.0, 0.0)

    References
    ----------
    Snyder, J. P. (1987). *Map Projections: A Working Manual*. USGS Professional Paper 1395, 104-110.
    """
    lam = np.radians(np.asarray(lng, dtype=float))
    phi = np.radians(np.asarray(lat, dtype=float))
    p0, p1, p2 = (math.radians(v) for v in (lat0, lat1, lat2))
    m1, m2 = _m(p1), _m(p2)
    t0, t1, t2 = _t(p0), _t(p1), _t(p2)
    n = (math.log(m1) - math.log(m2)) / (math.log(t1) - math.log(t2))
    big_f = m1 / (n * t1**n)
    rho0 = _WGS84_A * big_f * t0**n
    rho = _WGS84_A * big_f * _t(phi) ** n
    theta = n * (lam - math.radians(lon0))
    return rho * np.sin(theta), rho0 - rho * np.cos(theta)


class PolygonWindow(NamedTuple):
    """A study window: the outline projected to a Lambert azimuthal equal-area plane centred on it
    (km), with the function that projects longitude/latitude to the same plane."""

    polygon: object            # shapely (Multi)Polygon, km
    area_km2: float
    perimeter_km: float
    project: object            # (lng, lat) arrays -> (x, y) arrays in km
    centre: tuple[float, float]


def equal_area_window(outline) -> PolygonWindow:
    """Project a WGS-84 outline (a shapely geometry in lon/lat degrees) to a Lambert azimuthal
    equal-area plane centred on its centroid (pyproj, PROJ's ``laea`` on the WGS-84 ellipsoid), in km.
    Areas are true on that plane; distances are distorted by well under 0.1 % within a city's extent.

    >>> from shapely.geometry import box
    >>> w = equal_area_window(box(114.0, 22.5, 114.1, 22.6))
    >>> round(w.area_km2, 1)  # 0.1° × 0.1° at 22.5° N
    113.9
    """
    import shapely
    from pyproj import Transformer

    centre = outline.centroid
    lon0, lat0 = float(centre.x), float(centre.y)
    transformer = Transformer.from_crs("EPSG:4326", f"+proj=laea +lat_0={lat0} +lon_0={lon0} +ellps=WGS84 +units=km",
                                       always_xy=True)

    def project(lng, lat):
        x, y = transformer.transform(np.asarray(lng, dtype=float), np.asarray(lat, dtype=float))
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    polygon = shapely.transform(outline, lambda xy: np.column_stack(project(xy[:, 0], xy[:, 1])))
    polygon = shapely.make_valid(polygon)
    return PolygonWindow(polygon, float(polygon.area), float(polygon.length), project, (lon0, lat0))
