"""The bundled division data are what the build script makes from the shared raw files."""

from __future__ import annotations

import pytest

from observatory.china.data import build_boundaries
from tests.shared import shared_path

DATA = build_boundaries.HERE


@pytest.mark.shared
def test_the_bundle_is_reproduced_by_the_build_script():
    shared = shared_path("data", "raw", "geomapdata-cn-datav").parents[2]
    outputs = build_boundaries.build(shared)
    for name, content in outputs.items():
        assert (DATA / name).read_bytes() == content, f"{name} is stale: rerun build_boundaries"


def test_the_bundle_stays_small():
    total = sum((DATA / name).stat().st_size for name in ("provinces.geojson", "prefectures.geojson",
                                                             "divisions.json"))
    assert total < 3 * 1024 * 1024


@pytest.mark.parametrize(
    ("code", "name", "level", "english"),
    [
        ("610100", "西安市", "prefecture", "Xi'an"),
        ("341500", "六安市", "prefecture", "Lu'an"),
        ("211300", "朝阳市", "prefecture", "Chaoyang"),
        ("411100", "漯河市", "prefecture", "Luohe"),
        ("222400", "延边朝鲜族自治州", "prefecture", "Yanbian"),
        ("522300", "黔西南布依族苗族自治州", "prefecture", "Qianxinan"),
        ("653000", "克孜勒苏柯尔克孜自治州", "prefecture", "Kezilesu"),
        ("440305", "南山区", "county", "Nanshan District"),
        ("150000", "内蒙古自治区", "province", "Inner Mongolia"),
        ("230800", "吕梁", "prefecture", "Lüliang"),
    ],
)
def test_english_names_are_pinyin_of_the_stem(code, name, level, english):
    assert build_boundaries.english_name(code, name, level) == english
