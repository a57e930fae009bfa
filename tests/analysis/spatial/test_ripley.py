"""Ripley's K and Besag's L checked against their definitions: hand-computable patterns, CSR simulations
and the border estimator written out."""

from __future__ import annotations

import math

import numpy as np
import pytest

from observatory.analysis.spatial.ripley import CORRECTIONS, csr_envelope, ripley_k, ripley_l

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

    from observatory.analysis.spatial.ripley import _border_k, _random_in

    polygon = Polygon([(0, 0), (10, 0), (10, 6), (4, 9), (0, 5)])
    rng = np.random.default_rng(seed)
    xy = _random_in(polygon, 150 + 50 * seed, rng)
    xy[:5] = xy[5]                                      # coincident points: pairs at distance 0
    radii = np.array([0.0, 0.3, 1.0, 2.5, 4.0, 1.7, 6.0])  # unsorted, and past every point's border distance
    np.testing.assert_array_equal(_border_k(xy, polygon, polygon.area, radii),
                                  _border_k_by_radius(xy, polygon, polygon.area, radii))
