"""WGS-84 / GCJ-02 / BD-09 conversions against published vectors and by their properties."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observatory.china import coords
from observatory.china.coords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    convert,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    haversine_km,
    out_of_china,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from tests.shared import shared_path

FIXTURES = Path(__file__).parent / "fixtures"

# gcoord's own specs compare with jest toBeCloseTo(expected, n), i.e. |diff| < 10^-n / 2.
GCOORD_TOLERANCE = {
    ("WGS84", "GCJ02"): 0.5e-4,
    ("GCJ02", "WGS84"): 0.5e-4,
    ("GCJ02", "BD09"): 0.5e-6,
    ("BD09", "GCJ02"): 0.5e-5,
    ("BD09", "WGS84"): 0.5e-4,
    ("WGS84", "BD09"): 0.5e-4,
}
FUNCTIONS = {
    ("WGS84", "GCJ02"): wgs84_to_gcj02,
    ("GCJ02", "WGS84"): gcj02_to_wgs84,
    ("GCJ02", "BD09"): gcj02_to_bd09,
    ("BD09", "GCJ02"): bd09_to_gcj02,
    ("BD09", "WGS84"): bd09_to_wgs84,
    ("WGS84", "BD09"): wgs84_to_bd09,
}

china_lng = st.floats(min_value=73.0, max_value=135.0, allow_nan=False)
china_lat = st.floats(min_value=3.0, max_value=53.5, allow_nan=False)


def metres(lng1, lat1, lng2, lat2):
    return haversine_km(lng1, lat1, lng2, lat2) * 1000.0


def check_triples(records, tolerance):
    """Every direction between the WGS84, GCJ02 and BD09 columns of gcoord-style records."""
    columns = {crs: np.array([r[crs] for r in records], dtype=float) for crs in ("WGS84", "GCJ02", "BD09")}
    for (source, target), function in FUNCTIONS.items():
        lng, lat = function(columns[source][:, 0], columns[source][:, 1])
        error = np.abs(np.column_stack([lng, lat]) - columns[target]).max()
        assert error < tolerance[(source, target)], (source, target, error)


def test_it_reproduces_the_bundled_gcoord_sample():
    data = json.loads((FIXTURES / "gcoord_china_cities_sample.json").read_text(encoding="utf-8"))
    assert len(data["records"]) == 20
    check_triples(data["records"], GCOORD_TOLERANCE)


@pytest.mark.shared
def test_it_reproduces_all_gcoord_china_cities_within_gcoord_tolerances():
    path = shared_path("data", "raw", "coord-transform-vectors", "gcoord_china-cities_shared.json")
    records = [r["coords"] for r in json.loads(path.read_text(encoding="utf-8"))]
    assert len(records) == 532
    check_triples(records, GCOORD_TOLERANCE)
    # The PROVENANCE.md check with the standard formula: 1e-5° for WGS↔GCJ, 1e-6° for GCJ↔BD.
    tighter = dict.fromkeys(GCOORD_TOLERANCE, 1e-5) | {("GCJ02", "BD09"): 1e-6, ("BD09", "GCJ02"): 1e-6}
    check_triples(records, tighter)


@pytest.mark.shared
def test_it_reproduces_the_reference_vectors_bit_for_bit():
    ref = json.loads(shared_path("data", "reference", "coords_wgs_gcj_bd.json").read_text(encoding="utf-8"))
    assert ref["constants"]["a"] == coords.KRASOVSKY_A
    assert ref["constants"]["ee"] == coords.KRASOVSKY_EE
    for r in ref["wgs84_to_gcj02"]:
        lng, lat = wgs84_to_gcj02(r["wgs_lng"], r["wgs_lat"])
        assert lng == pytest.approx(r["gcj_lng"], abs=r["tol_deg"])
        assert lat == pytest.approx(r["gcj_lat"], abs=r["tol_deg"])
    for r in ref["gcj02_to_wgs84_one_step"]:
        lng, lat = gcj02_to_wgs84(r["gcj_lng"], r["gcj_lat"], exact=False)
        assert (lng, lat) == pytest.approx((r["wgs_lng"], r["wgs_lat"]), abs=r["tol_deg"])
    for r in ref["gcj02_to_wgs84_exact"]:
        lng, lat = gcj02_to_wgs84(r["gcj_lng"], r["gcj_lat"])
        assert metres(lng, lat, r["expected_wgs_lng"], r["expected_wgs_lat"]) < r["tol_m"]
    for r in ref["gcj02_to_bd09"]:
        assert gcj02_to_bd09(r["gcj_lng"], r["gcj_lat"]) == pytest.approx(
            (r["bd_lng"], r["bd_lat"]), abs=r["tol_deg"]
        )
    for r in ref["bd09_to_gcj02"]:
        published = (r["gcj_lng"], r["gcj_lat"])
        assert bd09_to_gcj02(r["bd_lng"], r["bd_lat"], exact=False) == pytest.approx(published, abs=r["tol_deg"])
        # The refined inverse differs from the closed formula by the formula's own error.
        max_error = ref["roundtrip"]["bd09->gcj02 after gcj02->bd09 max error deg"]
        assert bd09_to_gcj02(r["bd_lng"], r["bd_lat"]) == pytest.approx(published, abs=max_error * 1.5)
    paris = ref["out_of_china_passthrough"]
    for function in FUNCTIONS.values():
        assert function(paris["lng"], paris["lat"]) == (paris["lng"], paris["lat"])


def library_vectors():
    path = shared_path("data", "raw", "coord-transform-vectors", "library_unit_test_vectors.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.shared
def test_it_reproduces_the_library_unit_test_vectors():
    rows = library_vectors()
    assert len(rows) == 16
    checked = 0
    for row in rows:
        if row["source_repo"] == "googollee/eviltransform" and row["from_crs"] == "BD09":
            # Skipped on purpose: eviltransform's BD→WGS uses math.pi where BD-09 uses
            # x_pi = π·3000/180, so these two rows are that library's variant, 10–40 m away from
            # standard BD-09 (flagged in the CSV's note column).
            assert "WARNING" in row["note"]
            continue
        function = FUNCTIONS[(row["from_crs"], row["to_crs"])]
        in_lng, in_lat = float(row["in_lng"]), float(row["in_lat"])
        expected = (float(row["expected_lng"]), float(row["expected_lat"]))
        if in_lng > 180:
            # gcoord feeds lng=183 to show that points abroad pass through; here an invalid
            # longitude is an error, and the same point written in range passes through.
            with pytest.raises(ValueError, match="longitude"):
                function(in_lng, in_lat)
            assert function(in_lng - 360, in_lat) == (in_lng - 360, in_lat)
        elif row["tolerance"].startswith("distance"):
            lng, lat = function(in_lng, in_lat)
            assert metres(lng, lat, *expected) < 0.5
        elif row["tolerance"].startswith("jest"):
            assert function(in_lng, in_lat) == pytest.approx(expected, abs=5e-6)
        else:  # eviltransform's printed digits: 6 decimals
            assert function(in_lng, in_lat) == pytest.approx(expected, abs=5e-7)
        checked += 1
    assert checked == 14


def test_points_outside_china_are_returned_unchanged_element_by_element():
    lng = np.array([2.3522, 114.085, -74.006, 114.085])
    lat = np.array([48.8566, 22.545, 40.7128, 60.0])
    for function in FUNCTIONS.values():
        new_lng, new_lat = function(lng, lat)
        assert new_lng[[0, 2, 3]].tolist() == lng[[0, 2, 3]].tolist()
        assert new_lat[[0, 2, 3]].tolist() == lat[[0, 2, 3]].tolist()
        assert (new_lng[1], new_lat[1]) != (lng[1], lat[1])
    assert out_of_china(lng, lat).tolist() == [True, False, True, True]
    assert out_of_china(72.004, 0.8293) is False


def test_the_gcj_offset_at_huaqiangbei_is_hundreds_of_metres():
    lng, lat = wgs84_to_gcj02(114.085, 22.545)
    assert 200 < metres(114.085, 22.545, lng, lat) < 700


@settings(max_examples=300, deadline=None)
@given(china_lng, china_lat)
def test_wgs_gcj_round_trip_is_within_half_a_metre(lng, lat):
    assert metres(lng, lat, *gcj02_to_wgs84(*wgs84_to_gcj02(lng, lat))) < 0.5
    assert metres(lng, lat, *wgs84_to_gcj02(*gcj02_to_wgs84(lng, lat))) < 0.5


@settings(max_examples=300, deadline=None)
@given(china_lng, china_lat)
def test_bd_round_trips_are_within_half_a_metre(lng, lat):
    assert metres(lng, lat, *bd09_to_gcj02(*gcj02_to_bd09(lng, lat))) < 0.5
    assert metres(lng, lat, *bd09_to_wgs84(*wgs84_to_bd09(lng, lat))) < 0.5
    assert metres(lng, lat, *wgs84_to_bd09(*bd09_to_wgs84(lng, lat))) < 0.5


@settings(max_examples=100, deadline=None)
@given(china_lng, china_lat)
def test_the_iterative_inverses_are_far_tighter_than_the_one_step_formulas(lng, lat):
    back = bd09_to_gcj02(*gcj02_to_bd09(lng, lat))
    assert metres(lng, lat, *back) < 0.001
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lng, lat))
    assert metres(lng, lat, *back) < 0.001


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(china_lng, china_lat), min_size=1, max_size=30))
def test_arrays_give_the_same_numbers_as_the_scalar_path(points):
    lng = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    for function in FUNCTIONS.values():
        array_lng, array_lat = function(lng, lat)
        for i, (x, y) in enumerate(points):
            assert function(x, y) == (float(array_lng[i]), float(array_lat[i]))


def test_inputs_broadcast_and_keep_their_shape():
    lng, lat = wgs84_to_gcj02(np.full((2, 3), 114.0), 22.5)
    assert lng.shape == lat.shape == (2, 3)
    assert lng[1, 2] == wgs84_to_gcj02(114.0, 22.5)[0]
    assert isinstance(wgs84_to_gcj02(114, 22)[0], float)
    lng, lat = gcj02_to_wgs84([114.0, 116.4], [22.5, 39.9])
    assert isinstance(lng, np.ndarray) and lng.shape == (2,)


@pytest.mark.parametrize(
    ("lng", "lat", "message"),
    [
        (190.0, 22.0, r"longitude \(lng\) 190.0 is outside \[-180, 180\]"),
        (22.5, 114.0, r"latitude \(lat\) 114.0 is outside \[-90, 90\]"),
        (math.nan, 22.0, "longitude"),
        ([114.0, 500.0], [22.0, 22.0], "at index 1"),
        ("east", 22.0, "must be numbers"),
    ],
)
def test_invalid_coordinates_raise_a_clear_error(lng, lat, message):
    with pytest.raises(ValueError, match=message):
        wgs84_to_gcj02(lng, lat)


def test_convert_accepts_the_three_names_and_common_spellings():
    assert convert(116.404, 39.915, "WGS-84", "GCJ-02") == wgs84_to_gcj02(116.404, 39.915)
    assert convert(116.404, 39.915, "bd09", "gcj02") == bd09_to_gcj02(116.404, 39.915)
    assert convert(116.404, 39.915, "EPSG:4326", "BD-09") == wgs84_to_bd09(116.404, 39.915)
    assert convert(116.404, 39.915, "GCJ-02", "GCJ-02") == (116.404, 39.915)


def test_convert_names_the_accepted_forms_for_an_unknown_crs():
    with pytest.raises(ValueError, match="unknown coordinate system 'CGCS2000'.*'WGS-84', 'GCJ-02', 'BD-09'"):
        convert(116.4, 39.9, "CGCS2000", "WGS-84")


def test_haversine_gives_known_distances():
    # Beijing (Tiananmen) to Shanghai (People's Square): about 1,068 km.
    assert haversine_km(116.3975, 39.9087, 121.4737, 31.2304) == pytest.approx(1067, abs=5)
    # One degree of latitude is about 111.2 km.
    assert haversine_km(114.0, 22.0, 114.0, 23.0) == pytest.approx(111.19, abs=0.01)
    assert haversine_km(114.0, 22.0, 114.0, 22.0) == 0.0


def test_haversine_reproduces_published_distances_on_both_paths():
    # PyPI haversine README: Lyon - Paris with R = 6371.0088 km
    lyon, paris = (4.8422, 45.7597), (2.3508, 48.8567)
    assert haversine_km(*lyon, *paris) == pytest.approx(392.2172595594006, rel=1e-12)
    # scikit-learn docstring: Ezeiza - Charles de Gaulle with R = 6371 km
    ezeiza, cdg = (-58.5166646, -34.83333), (2.53844117956, 49.0083899664)
    assert haversine_km(*ezeiza, *cdg, radius=6371) == pytest.approx(11099.54035582, rel=1e-9)
    # the array path gives the scalar path's figures, element by element
    arrays = haversine_km(np.array([lyon[0], ezeiza[0]]), np.array([lyon[1], ezeiza[1]]),
                          np.array([paris[0], cdg[0]]), np.array([paris[1], cdg[1]]))
    assert arrays.tolist() == pytest.approx([haversine_km(*lyon, *paris), haversine_km(*ezeiza, *cdg)], rel=1e-14)
