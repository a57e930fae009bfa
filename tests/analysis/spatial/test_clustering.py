"""DBSCAN on real Shenzhen coordinates, k-distances."""

from __future__ import annotations

import math

import numpy as np
import pytest

from observatory.analysis.spatial.clustering import (
    dbscan_haversine,
    distances_to_clusters,
    k_distance,
)


def test_it_clusters_shenzhen_spaces_with_haversine_dbscan():
    huaqiangbei = [(22.5446, 114.0850), (22.5452, 114.0861), (22.5439, 114.0844), (22.5460, 114.0855)]
    nanshan = [(22.5330, 113.9300), (22.5337, 113.9310), (22.5325, 113.9295), (22.5341, 113.9305)]
    beijing = [(39.9042, 116.4074)]
    labels = dbscan_haversine(huaqiangbei + nanshan + beijing, eps_km=0.5, min_samples=4)
    assert labels.tolist() == [0, 0, 0, 0, 1, 1, 1, 1, -1]


def test_it_counts_the_point_itself_in_min_samples():
    pair = [(22.5446, 114.0850), (22.5450, 114.0850)]
    assert dbscan_haversine(pair, eps_km=0.1, min_samples=2).tolist() == [0, 0]
    assert dbscan_haversine(pair, eps_km=0.1, min_samples=3).tolist() == [-1, -1]


def test_it_gives_sorted_k_distances_in_km():
    one_degree = 2 * math.pi * 6371.0088 / 360
    d = k_distance([(0.0, 0.0), (0.0, 1.0), (0.0, 3.0)], k=1)
    np.testing.assert_allclose(d, [one_degree, one_degree, 2 * one_degree])


def test_it_measures_distances_to_named_clusters():
    d = distances_to_clusters([(22.5446, 114.0850), (39.9042, 116.4074)],
                              {"Huaqiangbei": (22.5446, 114.0850), "Zhongguancun": (39.9834, 116.3160)})
    assert d.loc[0, "Huaqiangbei"] == 0 and d.loc[0, "nearest"] == "Huaqiangbei"
    assert d.loc[1, "nearest"] == "Zhongguancun" and 10 < d.loc[1, "nearest_km"] < 15


def test_it_rejects_lat_lon_in_the_wrong_order():
    with pytest.raises(ValueError, match="column order"):
        dbscan_haversine([(114.0850, 22.5446), (114.0851, 22.5447)], eps_km=1)
