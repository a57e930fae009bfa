"""Search tokens: a Chinese name must be found from Chinese, pinyin and English queries."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observatory.china.text import search_tokens

NAME = "柴火创客空间"


def test_chinese_words_come_from_search_mode_segmentation():
    tokens = search_tokens(NAME)
    assert {"柴火", "创客", "空间", "创客空间"} <= set(tokens)


def test_each_word_also_gives_its_compact_pinyin_and_syllables():
    tokens = search_tokens(NAME)
    assert {"chaihuo", "chuangke", "kongjian", "chai", "huo"} <= set(tokens)


@pytest.mark.parametrize("query", ["柴火", "chaihuo", "chai huo", "Chai Huo", "CHAIHUO", "柴火創客空間", "创客空间"])
def test_every_token_of_these_queries_is_a_token_of_the_name(query):
    assert set(search_tokens(query)) <= set(search_tokens(NAME))


def test_an_english_name_with_a_pinyin_word_shares_that_word():
    shared = set(search_tokens("Chaihuo Makerspace")) & set(search_tokens(NAME))
    assert shared == {"chaihuo"}


def test_spaced_pinyin_meets_compact_pinyin_across_word_boundaries():
    # 火创 is not a word, but a query that runs across two words still matches.
    assert set(search_tokens("huo chuang")) <= set(search_tokens(NAME))


def test_unrelated_queries_do_not_match():
    name = set(search_tokens(NAME))
    assert not set(search_tokens("xinchejian")) & name
    # 新车间 and 空间 share the syllable "jian", but no word and no compact pinyin.
    assert set(search_tokens("新车间")) & name == {"jian"}
    assert not set(search_tokens("新车间")) <= name


def test_latin_words_are_folded_and_split_on_punctuation():
    assert search_tokens("Ｓｅｅｅｄ Studio, Shenzhen!") == ["seeed", "studio", "shenzhen"]
    assert search_tokens("Xi'an") == ["xian"]
    assert search_tokens("Lü") == ["lv"]


def test_numbers_and_chinese_are_separate_tokens():
    assert {"1", "号", "华强北", "huaqiangbei"} <= set(search_tokens("华强北路1号"))


def test_empty_and_punctuation_only_text_has_no_tokens():
    assert search_tokens("") == []
    assert search_tokens(" ，。！？ ") == []


def test_tokens_have_no_duplicates():
    tokens = search_tokens("柴火 柴火 chaihuo")
    assert len(tokens) == len(set(tokens))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_it_never_raises_and_gives_clean_tokens(text):
    tokens = search_tokens(text)
    assert all(token and token == token.strip() and " " not in token for token in tokens)
