"""Pinyin, script conversion and name keys."""

from __future__ import annotations

import pytest

from observatory.china.names import (
    is_cjk,
    normalize_name,
    pinyin_compact,
    to_pinyin,
    to_simplified,
    to_traditional,
)


def test_it_writes_pinyin_with_and_without_tones():
    assert to_pinyin("柴火创客空间") == "chai huo chuang ke kong jian"
    assert to_pinyin("柴火创客空间", tones=True) == "chái huǒ chuàng kè kōng jiān"
    assert pinyin_compact("柴火创客空间") == "chaihuochuangkekongjian"


def test_polyphonic_characters_follow_the_phrase():
    assert to_pinyin("重庆") == "chong qing"
    assert to_pinyin("银行") == "yin hang"
    assert to_pinyin("吕梁", tones=True) == "lǚ liáng"


def test_latin_text_and_digits_pass_through():
    assert to_pinyin("新车间 Xinchejian 2010") == "xin che jian Xinchejian 2010"
    assert pinyin_compact("Seeed 矽递") == "seeedxidi"
    assert to_pinyin("") == ""


def test_it_converts_between_scripts():
    assert to_simplified("柴火創客空間") == "柴火创客空间"
    assert to_traditional("柴火创客空间") == "柴火創客空間"
    assert to_simplified("深圳灣") == "深圳湾"


@pytest.mark.parametrize(
    ("variant", "reference"),
    [
        ("柴火創客空間", "柴火创客空间"),
        ("柴火创客空间（深圳）", "柴火创客空间深圳"),
        ("Chaihuo  Makerspace", "chaihuo-makerspace"),
        ("ＳＺＤＩＹ", "szdiy"),
        ("Ｈａｃｋｅｒｓｐａｃｅ·上海", "hackerspace 上海"),
    ],
)
def test_spelling_variants_share_a_name_key(variant, reference):
    assert normalize_name(variant) == normalize_name(reference)


def test_different_names_keep_different_keys():
    assert normalize_name("新车间") != normalize_name("柴火创客空间")
    assert normalize_name("Chaihuo Makerspace") == "chaihuomakerspace"
    assert normalize_name("!!!") == ""


def test_it_tells_chinese_from_other_text():
    assert is_cjk("柴火")
    assert is_cjk("Chaihuo 柴火")
    assert is_cjk("𠀀")  # extension B
    assert not is_cjk("Chaihuo Makerspace")
    assert not is_cjk("ｆｕｌｌ")
    assert not is_cjk("")
