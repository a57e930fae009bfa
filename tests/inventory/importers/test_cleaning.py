"""The cleaning parsers: examples from the real files, and properties checked with hypothesis."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observatory.inventory.importers.cleaning import (
    CleaningError,
    address_divisions,
    coordinate_parse,
    date_parse,
    decode_bytes,
    excel_serial_to_date,
    latlng_check_swap,
    polygon_repair,
    text_repair,
    website_domain,
    website_normalize,
)

FAST = settings(max_examples=150, deadline=None)


@pytest.mark.parametrize(("text", "axis", "expected"), [
    ("39 59'49\"", "lat", 39 + 59 / 60 + 49 / 3600),  # ananse, degree sign lost (Tsinghua i.Center)
    ("116 19'43\"", "lng", 116 + 19 / 60 + 43 / 3600),
    ("4_ 37' 52\"", "lat", 4 + 37 / 60 + 52 / 3600),  # degree sign read as '_' (mojibake)
    ("-74_ 3' 56\"", "lng", -(74 + 3 / 60 + 56 / 3600)),
    ("31° 13' 49\" N", "lat", 31 + 13 / 60 + 49 / 3600),
    ("121°28'26\"E", "lng", 121 + 28 / 60 + 26 / 3600),
    ("33°51'S", "lat", -(33 + 51 / 60)),
    ("22.5431", "lat", 22.5431),
    (113.9347, "lng", 113.9347),
])
def test_it_reads_decimal_and_dms_coordinates(text, axis, expected):
    value, _note = coordinate_parse(text, axis=axis)
    assert value == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("text", ["not a coordinate", "39 75'00\"", "12° 30' N E", "51°N", "nan"])
def test_it_rejects_what_is_not_a_coordinate(text):
    with pytest.raises(CleaningError):
        value, _ = coordinate_parse(text, axis="lng")
        if value is not None and value != value:
            raise CleaningError("nan")


@given(deg=st.integers(0, 179), minutes=st.integers(0, 59), seconds=st.integers(0, 59),
       hemisphere=st.sampled_from(["E", "W", ""]), degree=st.sampled_from(["°", " ", "_", "º"]))
@FAST
def test_it_reads_any_dms_string_to_the_same_decimal(deg, minutes, seconds, hemisphere, degree):
    text = f"{deg}{degree}{minutes}'{seconds}\"{hemisphere}"
    value, note = coordinate_parse(text, axis="lng")
    expected = deg + minutes / 60 + seconds / 3600
    assert value == pytest.approx(-expected if hemisphere == "W" else expected)
    assert note is not None and "degrees-minutes-seconds" in note.action


@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(allow_nan=True), st.none(), st.booleans()))
@FAST
def test_it_never_fails_on_a_coordinate_except_with_a_cleaning_error(value):
    try:
        coordinate_parse(value, axis="lat")
    except CleaningError as exc:
        assert str(exc)


def test_it_detects_swapped_latitude_and_longitude_against_the_country():
    # NeoCha Shanghai, an "open" row of ananse: Lat=121.45, Long=31.21.
    lat, lng, note = latlng_check_swap(121.451361, 31.213205, country="China")
    assert (lat, lng) == (31.213205, 121.451361) and "swapped" in note.action
    # Both readings valid: only the swapped pair lies in China.
    lat, lng, note = latlng_check_swap(113.95, 22.54, country="China")
    assert (lat, lng) == (22.54, 113.95) and note is not None
    # Near the declared city.
    lat, lng, note = latlng_check_swap(22.54, 113.95, country="China")
    assert note is None
    with pytest.raises(CleaningError):
        latlng_check_swap(0, 0)


@given(lat=st.floats(-89, 89), lng=st.floats(-179, 179))
@FAST
def test_it_keeps_or_swaps_but_always_returns_a_valid_position(lat, lng):
    try:
        new_lat, new_lng, _ = latlng_check_swap(lat, lng, country="China")
    except CleaningError:
        return
    assert -90 <= new_lat <= 90 and -180 <= new_lng <= 180
    assert {new_lat, new_lng} == {lat, lng}


@pytest.mark.parametrize(("value", "expected", "precision"), [
    ("40752", dt.date(2011, 7, 28), "day"),  # ananse "Date of founding", Chaihuo
    (42387.33961, dt.date(2016, 1, 18), "day"),  # xlsx timestamp with a time of day
    ("2006", dt.date(2006, 1, 1), "year"),
    (2009, dt.date(2009, 1, 1), "year"),
    ("01/09/2011", dt.date(2011, 9, 1), "day"),  # Nesta, day first
    ("11-Jan-15", dt.date(2015, 1, 11), "day"),
    ("March 2012", dt.date(2012, 3, 1), "month"),
    ("2015年3月", dt.date(2015, 3, 1), "month"),
    ("circa 2010", dt.date(2010, 1, 1), "circa"),
    ("2014-05-06", dt.date(2014, 5, 6), "day"),
])
def test_it_reads_dates_with_their_precision(value, expected, precision):
    date, got_precision, _note = date_parse(value)
    assert (date, got_precision) == (expected, precision)


def test_it_rejects_serials_outside_the_plausible_range():
    with pytest.raises(CleaningError, match="Excel serial"):
        date_parse("8280")  # Tsinghua i.Center's 'Date of founding' in ananse


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2049, 12, 31)))
@FAST
def test_it_reads_an_excel_serial_back_to_its_date(date):
    serial = (date - dt.date(1899, 12, 30)).days
    assert excel_serial_to_date(serial) == date
    assert date_parse(str(serial))[0] == date


@given(st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2100, 12, 31)),
       st.sampled_from(["{d.year}-{d.month:02d}-{d.day:02d}", "{d.day:02d}/{d.month:02d}/{d.year}",
                        "{d.year}年{d.month}月{d.day}日"]))
@FAST
def test_it_reads_every_written_form_of_a_date(date, pattern):
    assert date_parse(pattern.format(d=date))[:2] == (date, "day")


@given(st.one_of(st.text(max_size=25), st.integers(), st.floats(), st.none()))
@FAST
def test_it_never_fails_on_a_date_except_with_a_cleaning_error(value):
    try:
        date, precision, _ = date_parse(value)
    except CleaningError:
        return
    assert date is None or precision in {"day", "month", "year", "circa"}


def test_it_repairs_mojibake_and_reports_it():
    text, note = text_repair("Fablab O - Shanghai â€œæ•°åˆ¶â€\x9då·¥å\x9dŠ-ä¸Šæµ·ç«™", field="name")
    assert text == 'Fablab O - Shanghai "数制"工坊-上海站' and note.field == "name"
    assert text_repair("FabLab MÃ¼nchen")[0] == "FabLab München"
    assert text_repair("Chaihuo")[1] is None


def test_it_decodes_cp1252_files_with_undefined_bytes():
    text, encoding = decode_bytes("Caf\u00e9 \u00a3".encode("cp1252") + b"\x90", encoding="cp1252")
    assert encoding == "cp1252" and text.startswith("Café £")
    assert decode_bytes("柴火".encode())[0] == "柴火"


@given(st.text(max_size=60))
@FAST
def test_it_round_trips_utf8_text_and_repairs_without_failing(text):
    assert decode_bytes(text.encode("utf-8"))[0] == text.removeprefix("\ufeff")
    repaired, _ = text_repair(text)
    assert isinstance(repaired, str) and "\r" not in repaired


@given(st.binary(max_size=200))
@FAST
def test_it_decodes_any_bytes(data):
    text, encoding = decode_bytes(data, encoding="cp1252")
    assert isinstance(text, str) and encoding in {"cp1252", "utf-8"}


@pytest.mark.parametrize(("address", "code"), [
    ("深圳市福田区华强北路1002号", "440304"),
    ("深圳南山区南头街道麻雀岭工业区m10栋", "440305"),  # szmakermap LAB ZERO
    ("广东省深圳市福田区福田保税区福年广场531室", "440304"),
    ("北京市海淀区中关村大街1号", "110108"),
    ("Somewhere in Europe", None),
])
def test_it_reads_division_codes_from_chinese_addresses(address, code):
    assert address_divisions(address)[0] == code


@given(st.text(alphabet=st.sampled_from(list("省市区县路号深圳北京广东福田南山海淀朝阳中山 123abc")), max_size=30))
@FAST
def test_it_reads_an_address_or_nothing_but_never_fails(text):
    code, level = address_divisions(text)
    assert code is None or (len(code) == 6 and level in {"county", "prefecture", "province"})


def test_it_closes_an_unclosed_ring_and_reads_a_bare_ring():
    bare = [[114.094721, 22.551346], [114.09561, 22.551342], [114.095624, 22.550524], [114.094721, 22.550507]]
    rings, note = polygon_repair(bare)  # szmakermap's Mintong Digital City
    assert rings[0][0] == rings[0][-1] and len(rings[0]) == 5 and "closed" in note.action


@pytest.mark.parametrize(("polygon", "reason"), [
    ([[[0, 0], [1, 1], [0, 0]]], "fewer than 3"),
    ([[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]], "invalid polygon"),
    ([[["a", 1], [1, 1], [1, 0]]], "position"),
    ("nope", "rings"),
])
def test_it_rejects_polygons_it_cannot_repair_with_the_reason(polygon, reason):
    with pytest.raises(CleaningError, match=reason):
        polygon_repair(polygon)


@given(st.recursive(st.one_of(st.floats(), st.integers(), st.text(max_size=3), st.none()),
                    lambda inner: st.lists(inner, max_size=5), max_leaves=20))
@FAST
def test_it_repairs_or_rejects_any_polygon_value(value):
    try:
        rings, _ = polygon_repair(value)
    except CleaningError:
        return
    assert all(ring[0] == ring[-1] for ring in rings)


def test_it_normalises_websites_and_domains():
    assert website_normalize("www.songhai.org") == "http://www.songhai.org"
    assert website_normalize("http://(86)21-630-29096") == ""  # ananse: a phone number in the Website column
    assert website_normalize("ZhengZhou MakerSpace") == ""
    assert website_domain("http://www.Chaihuo.org/about") == "chaihuo.org"


def test_it_decodes_text_written_as_escaped_utf8_bytes():
    # the hackerspaces.org rows of the ananse CSV (row 3199: IChengdu)
    text, note = text_repair("\\xe6\\x88\\x90\\xe9\\x83\\xbd, Chengdu, China", field="address")
    assert text == "成都, Chengdu, China" and note.field == "address"
    assert text_repair("C:\\x41\\x42")[0] == "C:\\x41\\x42"  # ASCII escapes are not text written as bytes
    assert text_repair("\\xff\\xfe")[0] == "\\xff\\xfe"  # not UTF-8: kept as written
