"""The Clark–Evans index checked by hand on a regular grid and on random points."""

from __future__ import annotations

import numpy as np
import pytest

from observatory.analysis.spatial.clark_evans import clark_evans


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
