"""The conic projections of China: true areas (Albers) and true short distances (Lambert)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from observatory.analysis.spatial.projection import project_albers_china, project_lcc_china
from observatory.china.coords import haversine_km


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
    assert planar == pytest.approx(haversine_km(lng, lat, lng + 0.01, lat), rel=0.015)
