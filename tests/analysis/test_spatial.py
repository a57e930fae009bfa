"""Spatial statistics checked against their definitions: hand-computable patterns and CSR simulations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from observatory.analysis.spatial import (
    CORRECTIONS,
    clark_evans,
    counts_by_division,
    csr_envelope,
    dbscan_haversine,
    distances_to_clusters,
    haversine_km,
    k_distance,
    project_albers_china,
    project_lcc_china,
    ripley_k,
    ripley_l,
)

SQUARE = [(0.5, 0.5), (1.5, 0.5), (0.5, 1.5), (1.5, 1.5)]   # unit square centred in a 2 × 2 window
WINDOW = (0, 2, 0, 2)


@pytest.mark.parametrize("correction, expected", [
    # |W| = 4, n(n-1) = 12; at r = 1 there are 8 ordered pairs, at r = √2 all 12
    ("none", [0.0, 8 * 4 / 12, 12 * 4 / 12]),
    # translation weight 4 / ((2-1)(2-0)) = 2 for the sides, 4 / (1·1) = 4 for the diagonals
    ("translate", [0.0, 8 * 2 * 4 / 12, (8 * 2 + 4 * 4) * 4 / 12]),
    # Ripley: circle of radius 1 around (0.5, 0.5) is cut by two edges at 0.5: outside arc
    # 2·(π/3) + 2·(π/3) − (2π/3 − π/2) = 7π/6, so the weight is 1 / (5/12)
    ("isotropic", [0.0, 8 * 12 / 5 * 4 / 12, None]),
    # every point is 0.5 from the border: no centre remains for r > 0.5
    ("border", [0.0, math.nan, math.nan]),
])
def test_it_computes_k_for_four_points_on_a_square_by_hand(correction, expected):
    k = ripley_k(SQUARE, WINDOW, [0.5, 1.0, math.sqrt(2)], correction=correction)
    for got, want in zip(k, expected, strict=True):
        if want is None:
            continue
        if math.isnan(want):
            assert math.isnan(got)
        else:
            assert got == pytest.approx(want, rel=1e-12)


def test_it_uses_the_reduced_sample_for_border_correction():
    pts = [(1.0, 1.0), (1.3, 1.0), (0.1, 0.1)]        # (0.1, 0.1) is too close to the border at r = 0.3
    k = ripley_k(pts, WINDOW, [0.31], correction="border")
    # centres with b ≥ 0.31: the first two; each has one neighbour within 0.3; λ = 3/4
    assert k[0] == pytest.approx(2 / (0.75 * 2))


@pytest.mark.parametrize("correction", CORRECTIONS)
def test_it_gives_l_close_to_r_under_complete_spatial_randomness(correction):
    rng = np.random.default_rng(42)
    xy = rng.uniform(0, 1, size=(3000, 2))
    r = np.array([0.02, 0.05, 0.08])
    lr = ripley_l(xy, (0, 1, 0, 1), r, correction=correction)
    tolerance = 0.01 if correction != "none" else 0.02   # "none" is biased downwards at larger r
    assert np.abs(lr - r).max() < tolerance


def test_it_sees_clustering_above_the_csr_envelope():
    rng = np.random.default_rng(1)
    parents = rng.uniform(0.2, 0.8, size=(5, 2))
    xy = np.clip(np.repeat(parents, 20, axis=0) + rng.normal(0, 0.02, size=(100, 2)), 0, 1)
    r = np.array([0.03, 0.05])
    env = csr_envelope(100, (0, 1, 0, 1), r, correction="translate", nsim=39, seed=3)
    k = ripley_k(xy, (0, 1, 0, 1), r, correction="translate")
    assert (k > env.hi).all()
    assert (env.lo <= env.mean).all() and (env.mean <= env.hi).all()


def test_it_makes_reproducible_envelopes_of_l():
    first = csr_envelope(30, (0, 10, 0, 5), [0.5, 1.0], nsim=9, seed=5, fun="L")
    again = csr_envelope(30, (0, 10, 0, 5), [0.5, 1.0], nsim=9, seed=5, fun="L")
    np.testing.assert_array_equal(first.hi, again.hi)
    assert first.lo.shape == (2,)


@pytest.mark.parametrize("bad, message", [
    ([(0.0, 0.0)], "at least 2"),
    ([(0.0, 0.0), (5.0, 5.0)], "outside the window"),
    ([[0.0, 0.0, 0.0]], "shape"),
])
def test_it_rejects_unusable_patterns(bad, message):
    with pytest.raises(ValueError, match=message):
        ripley_k(bad, WINDOW, [0.1], correction="none")


def test_it_rejects_an_unknown_correction():
    with pytest.raises(ValueError, match="isotropic"):
        ripley_k(SQUARE, WINDOW, [0.1], correction="ripley")


def test_it_computes_clark_evans_for_a_regular_grid_by_hand():
    grid = [(x + 0.5, y + 0.5) for x in range(3) for y in range(3)]
    result = clark_evans(grid, (0, 3, 0, 3))
    # λ = 1, expected NND 0.5, observed 1: R = 2; SE = 0.26136/3
    assert result["R"] == pytest.approx(2.0)
    assert result["z"] == pytest.approx(0.5 / (0.26136 / 3))
    assert result["p"] < 1e-6


def test_it_applies_the_donnelly_correction():
    grid = [(x + 0.5, y + 0.5) for x in range(3) for y in range(3)]
    result = clark_evans(grid, (0, 3, 0, 3), correction="Donnelly")
    expected = 0.5 * 1 + (0.0514 + 0.041 / 3) * 12 / 9
    assert result["expected_nnd"] == pytest.approx(expected)
    assert result["R"] == pytest.approx(1 / expected)


def test_it_finds_clark_evans_near_one_for_random_points():
    rng = np.random.default_rng(8)
    xy = rng.uniform(0, 1, size=(4000, 2))
    result = clark_evans(xy, (0, 1, 0, 1), correction="Donnelly")
    assert result["R"] == pytest.approx(1.0, abs=0.03)


def test_it_reproduces_published_haversine_distances():
    # PyPI haversine README: Lyon - Paris with R = 6371.0088 km
    assert float(haversine_km(45.7597, 4.8422, 48.8567, 2.3508)) == pytest.approx(392.2172595594006, rel=1e-12)
    # scikit-learn docstring: Ezeiza - Charles de Gaulle with R = 6371 km
    ezeiza, cdg = (-34.83333, -58.5166646), (49.0083899664, 2.53844117956)
    assert float(haversine_km(*ezeiza, *cdg, radius=6371)) == pytest.approx(11099.54035582, rel=1e-9)


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


def test_it_preserves_areas_with_the_albers_projection():
    # a 1° × 1° cell at 30°N: exact ellipsoidal area from the authalic-latitude formula
    a, f = 6378137.0, 1 / 298.257223563
    e = math.sqrt(f * (2 - f))

    def q(phi):
        s = math.sin(phi)
        return (1 - e * e) * (s / (1 - e * e * s * s) - 1 / (2 * e) * math.log((1 - e * s) / (1 + e * s)))

    exact = a * a / 2 * math.radians(1) * (q(math.radians(31)) - q(math.radians(30)))
    lng = np.array([110.0, 111.0, 111.0, 110.0])
    lat = np.array([30.0, 30.0, 31.0, 31.0])
    # densify the edges: parallels are arcs in the projection
    t = np.linspace(0, 1, 400)
    ring_lng = np.concatenate([110 + t, np.full_like(t, 111.0), 111 - t, np.full_like(t, 110.0)])
    ring_lat = np.concatenate([np.full_like(t, 30.0), 30 + t, np.full_like(t, 31.0), 31 - t])
    x, y = project_albers_china(ring_lng, ring_lat)
    shoelace = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    assert shoelace == pytest.approx(exact, rel=1e-5)
    assert np.isfinite(project_albers_china(lng, lat)).all()


def test_it_keeps_short_distances_with_the_conformal_projection():
    lat, lng = 22.5446, 114.0850
    x, y = project_lcc_china(np.array([lng, lng + 0.01]), np.array([lat, lat]))
    planar = math.hypot(x[1] - x[0], y[1] - y[0]) / 1000
    # Shenzhen lies south of the standard parallel 25°N, where the scale factor is about 1.01
    assert planar == pytest.approx(float(haversine_km(lat, lng, lat, lng + 0.01)), rel=0.015)


def test_it_counts_spaces_by_division():
    codes = ["440304", "440305", "440304", "110105", None, ""]
    assert counts_by_division(codes).to_dict() == {"110105": 1, "440304": 2, "440305": 1}
    by_province = counts_by_division(codes, level="province")
    assert by_province.to_dict() == {"110000": 1, "440000": 3}
    assert by_province.attrs["missing"] == 2


def test_it_rejects_a_malformed_division_code():
    with pytest.raises(ValueError, match="six-digit"):
        counts_by_division(["4403"])


def _border_k_by_radius(xy, polygon, area, radii):
    """spatstat's border estimator written out: every pair within r, every radius in turn."""
    import shapely

    b = shapely.distance(shapely.points(xy), polygon.boundary)
    i, j = np.triu_indices(len(xy), k=1)
    d = np.hypot(*(xy[i] - xy[j]).T)
    out = np.full(len(radii), np.nan)
    for k, r in enumerate(radii):
        inner = b >= r
        if inner.sum():
            close = d <= r
            out[k] = int(inner[i[close]].sum() + inner[j[close]].sum()) / (int(inner.sum()) * (len(xy) / area))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_the_border_corrected_k_equals_the_estimator_written_out(seed):
    from shapely.geometry import Polygon

    from observatory.analysis.spatial import _border_k, _random_in

    polygon = Polygon([(0, 0), (10, 0), (10, 6), (4, 9), (0, 5)])
    rng = np.random.default_rng(seed)
    xy = _random_in(polygon, 150 + 50 * seed, rng)
    xy[:5] = xy[5]                                      # coincident points: pairs at distance 0
    radii = np.array([0.0, 0.3, 1.0, 2.5, 4.0, 1.7, 6.0])  # unsorted, and past every point's border distance
    np.testing.assert_array_equal(_border_k(xy, polygon, polygon.area, radii),
                                  _border_k_by_radius(xy, polygon, polygon.area, radii))
