"""Administrative divisions by point, code and name, on the bundled boundaries."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import shape

from observatory.china.coords import gcj02_to_wgs84
from observatory.china.divisions import (
    division_by_code,
    division_centroid,
    locate,
    locate_many,
    prefectures_geojson,
    provinces_geojson,
    search_division,
)

HUAQIANGBEI = (114.085, 22.545)


def test_huaqiangbei_is_in_shenzhen_guangdong():
    found = locate(*HUAQIANGBEI)
    assert (found.province.code, found.province.name_zh) == ("440000", "广东省")
    assert (found.prefecture.code, found.prefecture.name_zh, found.prefecture.name_en) == (
        "440300",
        "深圳市",
        "Shenzhen",
    )
    assert found.province_code == "440000" and found.prefecture_code == "440300"
    assert found.code == "440300"


@pytest.mark.parametrize(
    ("lng", "lat", "province", "prefecture", "county"),
    [
        (116.3975, 39.9087, "110000", "110000", "110101"),  # Tiananmen: Dongcheng, Beijing
        (116.3105, 39.9830, "110000", "110000", "110108"),  # Zhongguancun: Haidian
        (121.4737, 31.2304, "310000", "310000", "310101"),  # People's Square: Huangpu, Shanghai
        (121.4998, 31.2397, "310000", "310000", "310115"),  # Lujiazui: Pudong
        (106.5516, 29.5630, "500000", "500000", "500103"),  # Jiefangbei: Yuzhong, Chongqing
        (114.1694, 22.3193, "810000", None, "810005"),  # Mong Kok: Yau Tsim Mong, Hong Kong
        (113.5439, 22.1987, "820000", None, "820002"),  # Macao peninsula
        (121.5654, 25.0330, "710000", None, None),  # Taipei 101
        (113.2644, 23.1291, "440000", "440100", None),  # Guangzhou
        (87.6168, 43.8256, "650000", "650100", None),  # Urumqi
        (91.1172, 29.6469, "540000", "540100", None),  # Lhasa
        (112.6022, 35.0673, "410000", "419001", None),  # Jiyuan, a county-level city under Henan
    ],
)
def test_it_locates_cities_and_special_regions(lng, lat, province, prefecture, county):
    found = locate(lng, lat)
    assert found is not None
    assert (found.province_code, found.prefecture_code, found.county_code) == (province, prefecture, county)


def test_municipalities_are_their_own_prefecture_and_hong_kong_has_none():
    beijing = locate(116.3975, 39.9087)
    assert beijing.prefecture is beijing.province
    assert beijing.county.name_zh == "东城区"
    hong_kong = locate(114.1694, 22.3193)
    assert hong_kong.province.name_en == "Hong Kong"
    assert hong_kong.prefecture is None


@pytest.mark.parametrize(
    ("lng", "lat"),
    [(123.0, 28.0), (119.9, 24.0), (2.3522, 48.8566), (127.0, 37.5), (105.85, 21.03)],
    ids=["east-china-sea", "taiwan-strait", "paris", "seoul", "hanoi"],
)
def test_points_at_sea_or_abroad_give_none(lng, lat):
    assert locate(lng, lat) is None


def test_a_gcj02_point_is_not_a_wgs84_point():
    # Shenzhen Bay Bridge's border line: the GCJ offset (~500 m) matters near a border; locating
    # the WGS-84 equivalent of DataV's GCJ-02 Shenzhen centre lands in Shenzhen.
    assert locate(*gcj02_to_wgs84(114.085947, 22.547)).prefecture_code == "440300"


def test_the_centroid_of_shenzhen_lies_in_shenzhen():
    lng, lat = division_centroid("440300")
    assert 113.7 < lng < 114.7 and 22.4 < lat < 22.9
    assert locate(lng, lat).prefecture_code == "440300"


def test_every_province_and_prefecture_centroid_locates_back_to_its_unit():
    features = provinces_geojson()["features"] + prefectures_geojson()["features"]
    # Simplification at ~800 m blurs units of a few km² (Macao's smallest parishes).
    features = [f for f in features if shape(f["geometry"]).area > 5e-4]
    assert len(features) > 490
    codes = [f["properties"]["code"] for f in features]
    points = np.array([division_centroid(code) for code in codes])
    found = locate_many(points[:, 0], points[:, 1])
    wrong = [code for code, division in zip(codes, found, strict=True)
             if division is None or code not in (division.province_code, division.prefecture_code,
                                                 division.county_code)]
    assert wrong == []


def test_locate_many_agrees_with_locate():
    rng = np.random.default_rng(7)
    lngs = rng.uniform(100.0, 123.0, 300)
    lats = rng.uniform(20.0, 42.0, 300)
    many = locate_many(lngs, lats)
    assert many == [locate(x, y) for x, y in zip(lngs, lats, strict=True)]
    assert sum(d is not None for d in many) > 200


def test_locate_rejects_invalid_coordinates():
    with pytest.raises(ValueError, match="latitude"):
        locate(22.545, 114.085)


def test_division_by_code_accepts_strings_and_integers():
    shenzhen = division_by_code("440300")
    assert (shenzhen.name_zh, shenzhen.name_en, shenzhen.level, shenzhen.parent_code) == (
        "深圳市",
        "Shenzhen",
        "prefecture",
        "440000",
    )
    assert division_by_code(440300) == shenzhen
    nanshan = division_by_code("440305")
    assert (nanshan.name_zh, nanshan.level, nanshan.parent_code) == ("南山区", "county", "440300")
    assert division_by_code("110000").parent_code is None
    assert division_by_code("999999") is None
    assert division_by_code("shenzhen") is None
    assert division_centroid("999999") is None


def test_counties_have_centroids_too():
    lng, lat = division_centroid("440305")  # Nanshan District, from DataV's own centroid
    assert locate(lng, lat).prefecture_code == "440300"


@pytest.mark.parametrize("query", ["深圳", "深圳市", "Shenzhen", "shenzhen", " SHENZHEN "])
def test_search_finds_shenzhen_by_any_common_form(query):
    assert [unit.code for unit in search_division(query)] == ["440300"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("广东省", "440000"),
        ("广东", "440000"),
        ("Guangdong", "440000"),
        ("廣東省", "440000"),
        ("Inner Mongolia", "150000"),
        ("Inner Mongol", "150000"),
        ("内蒙古", "150000"),
        ("Xizang", "540000"),
        ("Tibet", "540000"),
        ("香港", "810000"),
        ("Hong Kong", "810000"),
        ("Macao", "820000"),
    ],
)
def test_search_finds_provinces(query, code):
    assert search_division(query)[0].code == code


def test_search_returns_every_unit_of_an_ambiguous_name():
    found = search_division("朝阳")
    assert [u.code for u in found][0] == "211300"  # the prefecture first
    assert {"110105", "220104"} <= {u.code for u in found}
    assert [u.code for u in search_division("朝阳区", level="county")] == ["110105", "220104"]
    assert search_division("") == [] and search_division("Atlantis") == []
    with pytest.raises(ValueError, match="unknown level"):
        search_division("深圳", level="city")


def test_geojson_layers_are_wgs84_feature_collections():
    provinces = provinces_geojson()
    assert provinces["type"] == "FeatureCollection"
    codes = sorted(f["properties"]["code"] for f in provinces["features"])
    assert len(codes) == 34 and "100000" not in codes
    assert {"710000", "810000", "820000"} <= set(codes)
    guangdong = next(f for f in provinces["features"] if f["properties"]["code"] == "440000")
    assert guangdong["geometry"]["type"] == "MultiPolygon"
    ring = guangdong["geometry"]["coordinates"][0][0]
    assert ring[0] == ring[-1]
    assert all(109 < lng < 118 and 20 < lat < 26 for lng, lat in ring)
    prefectures = prefectures_geojson()["features"]
    assert len(prefectures) > 450
    assert {f["properties"]["level"] for f in prefectures} == {"prefecture", "county"}
    provinces["features"].clear()  # each call returns a fresh copy
    assert len(provinces_geojson()["features"]) == 34
