"""Geographic clustering on the sphere: great-circle distances, DBSCAN, k-distances, named clusters.

Points are ``[latitude, longitude]`` in WGS-84 degrees and need no projection: distances are
great-circle distances on a sphere of the mean Earth radius (haversine formula), and DBSCAN runs
with scikit-learn's haversine metric on a ball tree (Ester et al. 1996), its radius chosen from the
knee of the sorted k-distances (Schubert et al. 2017).

References
----------
Ester, M., Kriegel, H.-P., Sander, J. & Xu, X. (1996). A density-based algorithm for discovering
clusters in large spatial databases with noise. *KDD-96*, 226-231.
Schubert, E., Sander, J., Ester, M., Kriegel, H.-P. & Xu, X. (2017). DBSCAN revisited, revisited.
*ACM Trans. Database Syst.* 42(3), 19.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from observatory.china.coords import EARTH_RADIUS_KM, haversine_km

from ._checks import _points

__all__ = ["dbscan_haversine", "distances_to_clusters", "k_distance"]


def _lat_lon(lat_lon, *, minimum: int = 1) -> np.ndarray:
    arr = _points(lat_lon, minimum=minimum, what="lat_lon")
    if (np.abs(arr[:, 0]) > 90).any() or (np.abs(arr[:, 1]) > 180).any():
        raise ValueError("lat_lon must be [latitude, longitude] in degrees (latitude within ±90); "
                         "check the column order (GeoJSON is lng, lat)")
    return arr


def dbscan_haversine(lat_lon_degrees, eps_km: float, min_samples: int = 4) -> np.ndarray:
    """DBSCAN clusters of points on the sphere (scikit-learn, haversine metric, ball tree).

    Points are converted to radians and ``eps`` to an angle, eps_km / 6371.0088. A core point has at
    least ``min_samples`` points within eps, *itself included*; Schubert et al. (2017) suggest
    min_samples = 2·dim = 4 for latitude/longitude and eps from the knee of :func:`k_distance`.

    Parameters
    ----------
    lat_lon_degrees : array (n, 2) of [latitude, longitude] in degrees
    eps_km : float
        Neighbourhood radius in km (about 1 km: walking distance; 5-10 km: an urban agglomeration).
    min_samples : int

    Returns
    -------
    ndarray of int labels, −1 for noise, clusters numbered 0, 1, ... as scikit-learn does.

    Examples
    --------
    >>> pts = [(22.5431, 114.0579), (22.5440, 114.0590), (22.5425, 114.0600), (39.9042, 116.4074)]
    >>> dbscan_haversine(pts, eps_km=1.0, min_samples=3).tolist()
    [0, 0, 0, -1]

    References
    ----------
    Ester, M., Kriegel, H.-P., Sander, J. & Xu, X. (1996). A density-based algorithm for discovering
    clusters in large spatial databases with noise. *KDD-96*, 226-231.
    Schubert, E., Sander, J., Ester, M., Kriegel, H.-P. & Xu, X. (2017). DBSCAN revisited, revisited.
    *ACM Trans. Database Syst.* 42(3), 19.
    """
    from sklearn.cluster import DBSCAN

    if not eps_km > 0:
        raise ValueError(f"eps_km={eps_km}: the radius must be a positive distance in km")
    if min_samples < 1:
        raise ValueError(f"min_samples={min_samples}: must be at least 1 (the point itself counts)")
    pts = _lat_lon(lat_lon_degrees)
    model = DBSCAN(eps=eps_km / EARTH_RADIUS_KM, min_samples=min_samples, metric="haversine",
                   algorithm="ball_tree")
    return model.fit(np.radians(pts)).labels_


def k_distance(lat_lon_degrees, k: int = 3) -> np.ndarray:
    """Sorted distances (km) from every point to its k-th nearest *other* point, for choosing eps.

    Plot the result against rank and take eps at the knee (Ester et al. 1996). For DBSCAN with
    ``min_samples`` = MinPts use k = MinPts − 1 (the point itself is not counted here).

    Returns
    -------
    ndarray of n distances in km, ascending.

    Examples
    --------
    >>> k_distance([(0.0, 0.0), (0.0, 1.0), (0.0, 3.0)], k=1).round(1).tolist()
    [111.2, 111.2, 222.4]
    """
    from sklearn.neighbors import NearestNeighbors

    pts = _lat_lon(lat_lon_degrees, minimum=2)
    if not 1 <= k < len(pts):
        raise ValueError(f"k={k} with {len(pts)} points: k must be between 1 and n − 1")
    nn = NearestNeighbors(n_neighbors=k + 1, metric="haversine", algorithm="ball_tree").fit(np.radians(pts))
    dist, _ = nn.kneighbors(np.radians(pts))
    return np.sort(dist[:, k] * EARTH_RADIUS_KM)


def distances_to_clusters(lat_lon, clusters: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """Great-circle distance (km) from every point to each named cluster centre.

    Parameters
    ----------
    lat_lon : array (n, 2) of [latitude, longitude] in degrees
    clusters : mapping name → (latitude, longitude), e.g. ``{"Huaqiangbei": (22.5446, 114.0850)}``

    Returns
    -------
    DataFrame (n rows, one column per cluster) of distances in km, plus ``nearest`` (the closest
    cluster's name) and ``nearest_km``.

    Examples
    --------
    >>> d = distances_to_clusters([(22.5446, 114.0850)], {"Huaqiangbei": (22.5446, 114.0850)})
    >>> float(d.loc[0, "Huaqiangbei"]), d.loc[0, "nearest"]
    (0.0, 'Huaqiangbei')
    """
    if not clusters:
        raise ValueError("clusters is empty: pass at least one named centre, e.g. {'Huaqiangbei': (22.5446, 114.085)}")
    pts = _lat_lon(lat_lon)
    frame = pd.DataFrame({name: haversine_km(pts[:, 1], pts[:, 0], lon, lat)
                          for name, (lat, lon) in clusters.items()})
    frame["nearest"] = frame.idxmin(axis=1)
    frame["nearest_km"] = frame.drop(columns="nearest").min(axis=1)
    return frame
