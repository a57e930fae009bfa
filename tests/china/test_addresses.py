"""Reading province, prefecture and county codes from Chinese addresses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observatory.china.addresses import ParsedAddress, parse_address


def codes(address: ParsedAddress) -> tuple:
    return address.province_code, address.prefecture_code, address.county_code


@pytest.mark.parametrize(
    ("text", "expected", "rest"),
    [
        ("广东省深圳市南山区粤海街道科技园", ("440000", "440300", "440305"), "粤海街道科技园"),
        ("深圳市福田区华强北路", ("440000", "440300", "440304"), "华强北路"),
        ("上海市长宁区愚园路1107号", ("310000", "310000", "310105"), "愚园路1107号"),
        ("北京海淀区中关村大街", ("110000", "110000", "110108"), "中关村大街"),
        ("广东深圳", ("440000", "440300", None), ""),
        ("中国 广东省, 深圳市, 南山区", ("440000", "440300", "440305"), ""),
        ("518000 深圳市南山区", ("440000", "440300", "440305"), ""),
        ("廣東省深圳市福田區", ("440000", "440300", "440304"), ""),
        ("吉林市船营区", ("220000", "220200", "220204"), ""),
        ("吉林长春", ("220000", "220100", None), ""),
        ("海南海口", ("460000", "460100", None), ""),
        ("新疆乌鲁木齐市天山区", ("650000", "650100", "650102"), ""),
        ("重庆市渝中区解放碑", ("500000", "500000", "500103"), "解放碑"),
        ("浙江省杭州市西湖区", ("330000", "330100", "330106"), ""),
        ("广东省南山区", ("440000", "440300", "440305"), ""),  # a missing prefecture is filled in
    ],
)
def test_it_reads_the_units_at_the_start(text, expected, rest):
    parsed = parse_address(text)
    assert codes(parsed) == expected
    assert parsed.rest == rest


def test_it_gives_canonical_names():
    parsed = parse_address("北京海淀区")
    assert (parsed.province, parsed.prefecture, parsed.county) == ("北京市", "北京市", "海淀区")
    assert parse_address("内蒙古呼和浩特").province == "内蒙古自治区"


def test_an_ambiguous_county_without_context_gives_nothing():
    parsed = parse_address("朝阳区建国路")
    assert codes(parsed) == (None, None, None)
    assert parsed.rest == "朝阳区建国路"
    assert codes(parse_address("南山区")) == (None, None, None)


def test_context_resolves_a_county_name():
    assert parse_address("北京市朝阳区建国路").county_code == "110105"
    assert parse_address("长春市朝阳区").county_code == "220104"


def test_a_bare_stem_before_a_street_word_is_not_a_unit():
    assert codes(parse_address("广东省中山路")) == ("440000", None, None)
    assert codes(parse_address("南京路步行街")) == (None, None, None)
    # ...but the full name is.
    assert codes(parse_address("广东省中山市")) == ("440000", "442000", None)


def test_a_bare_county_stem_is_not_read():
    parsed = parse_address("北京市朝阳门内大街")  # 朝阳门 is in 东城区, not 朝阳区
    assert codes(parsed) == ("110000", "110000", None)
    assert parsed.rest == "朝阳门内大街"


def test_a_unit_outside_the_one_before_it_is_not_read():
    parsed = parse_address("广东省海淀区")
    assert codes(parsed) == ("440000", None, None)
    assert parsed.rest == "海淀区"


def test_special_regions():
    assert codes(parse_address("香港九龙")) == ("810000", None, None)
    assert codes(parse_address("澳门特别行政区")) == ("820000", None, None)
    assert codes(parse_address("台湾省台北市")) == ("710000", None, None)


def test_text_without_units_is_all_rest():
    assert parse_address("Chaihuo Makerspace") == ParsedAddress(None, None, None, None, None, None,
                                                                "Chaihuo Makerspace")
    assert parse_address("").rest == ""


def test_it_refuses_non_text():
    with pytest.raises(TypeError, match="str"):
        parse_address(None)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_it_never_raises_on_arbitrary_text(text):
    parsed = parse_address(text)
    assert isinstance(parsed.rest, str)
    if parsed.county_code:
        assert parsed.prefecture_code and parsed.province_code


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["广东", "省", "深圳", "市", "南山", "区", "朝阳", "吉林", "海南", "路", " "]),
                max_size=8).map("".join))
def test_it_never_raises_on_address_like_text(text):
    parsed = parse_address(text)
    assert parsed.prefecture_code is None or parsed.province_code == parsed.prefecture_code[:2] + "0000"
