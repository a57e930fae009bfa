"""Search tokens for Chinese, pinyin and English text (one function for indexing and querying).

A space named 柴火创客空间 must be found from "柴火", "chaihuo", "chai huo" and "Chaihuo Makerspace"
(docs/site.md, "Search"). :func:`search_tokens` turns a text into tokens such that the tokens of those
queries are found among the tokens of the name:

- Han runs are segmented with jieba in search mode (a long word also yields the dictionary words
  inside it) without its HMM guesser, so segmentation is deterministic, and with a small domain
  vocabulary (创客, 众创空间, 华强北...) added. Each word is a token, and so is its toneless
  pinyin written compact ("chaihuo").
- Every Han character adds its pinyin syllable ("chai", "huo"), and each pair of neighbouring
  characters their joined syllables ("chaihuo", "huochuang"...), so a query typed in separate
  syllables matches however the name was segmented.
- Latin words are case-folded (NFKC first, so full-width letters count); ``ü`` is written ``v``.
  Neighbouring words that are all pinyin syllables ("chai huo") also add their joined pairs
  ("chaihuo"), which is how a spaced query meets the compact form.
- Traditional characters are converted to simplified first.

Tokens come back without duplicates, in order of first appearance: a ranking search can weight
rarer and longer tokens, and a strict one can require all query tokens (every token of "柴火",
"chaihuo" and "chai huo" is a token of 柴火创客空间).

References: jieba (MIT), https://github.com/fxsjy/jieba; pypinyin (MIT).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
import warnings
from functools import lru_cache

from observatory.china.names import CJK_RE, pinyin_syllables, to_simplified

__all__ = ["DOMAIN_WORDS", "search_tokens", "strip_tones", "warm_up"]

#: Words of the field that jieba's general dictionary lacks or splits; kept as single words.
DOMAIN_WORDS = (
    "创客",
    "创客空间",
    "众创空间",
    "黑客空间",
    "创新空间",
    "孵化器",
    "加速器",
    "开源硬件",
    "智能硬件",
    "华强北",
    "电子市场",
    "方案公司",
    "山寨机",
    "新车间",
    "柴火",
    "造物",
    "极客",
    "创客马拉松",
    "黑客马拉松",
    "制汇节",
    "科技园",
    "产业园",
)

_CJK_CLASS = CJK_RE.pattern[1:-1]
_WORD_CHAR = f"[^\\W_{_CJK_CLASS}]"
_TOKEN_RE = re.compile(f"(?P<han>{CJK_RE.pattern}+)|(?P<word>{_WORD_CHAR}+(?:['’]{_WORD_CHAR}+)*)")
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _tokenizer():
    """jieba's tokenizer, built on first use with its start-up messages silenced."""
    with _LOCK, warnings.catch_warnings():
        # jieba 0.42 has invalid escape sequences that warn when its modules are first compiled.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        import jieba

        jieba.setLogLevel(logging.WARNING)
        logging.getLogger("jieba").setLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for word in DOMAIN_WORDS:
            tokenizer.add_word(word, freq=20000)
        return tokenizer


@lru_cache(maxsize=1)
def _pinyin_syllable_set() -> frozenset[str]:
    """Every toneless pinyin syllable pypinyin knows (about 400), keyboard form (ü as v)."""
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    syllables: set[str] = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            syllables.add(to_normal(reading, v_to_u=False).replace("ü", "v"))
    return frozenset(s for s in syllables if s.isascii() and s.isalpha())


@lru_cache(maxsize=100_000)
def _han_run_tokens(run: str) -> tuple[str, ...]:
    """The tokens of one Han run in order (with repeats; the caller keeps the first), remembered:
    directories repeat the runs of their addresses and names."""
    tokens: list[str] = []
    add = tokens.append
    for word in _tokenizer().cut_for_search(run, HMM=False):
        if not CJK_RE.fullmatch(word[:1] or " "):
            continue
        add(word)
        if len(word) > 1:
            add("".join(pinyin_syllables(word)))
    syllables = pinyin_syllables(run)
    for syllable in syllables:
        add(syllable)
    for first, second in zip(syllables, syllables[1:], strict=False):
        add(first + second)
    return tuple(tokens)


def _han_tokens(run: str, add) -> None:
    for token in _han_run_tokens(run):
        add(token)


def search_tokens(text: str) -> list[str]:
    """Tokens of ``text`` for a search index or a search query (the same function for both).

    >>> search_tokens("柴火创客空间")[:6]
    ['柴火', 'chaihuo', '创客', 'chuangke', '空间', 'kongjian']
    >>> search_tokens("Chai Huo")
    ['chai', 'huo', 'chaihuo']
    """
    if not text:
        return []
    folded = unicodedata.normalize("NFKC", text).casefold()
    if CJK_RE.search(folded):
        folded = to_simplified(folded)
    tokens: dict[str, None] = {}
    add = tokens.setdefault
    pinyin_run: list[str] = []
    syllable_set = None

    def close_run() -> None:
        for first, second in zip(pinyin_run, pinyin_run[1:], strict=False):
            add(first + second)
        pinyin_run.clear()

    for match in _TOKEN_RE.finditer(folded):
        if match.group("han"):
            close_run()
            _han_tokens(match.group("han"), add)
            continue
        word = match.group("word").replace("ü", "v").replace("'", "").replace("’", "")
        add(word)
        if syllable_set is None:
            syllable_set = _pinyin_syllable_set()
        if word in syllable_set:
            pinyin_run.append(word)
        else:
            close_run()
    close_run()
    return list(tokens)


def warm_up() -> None:
    """Load jieba's dictionary and pypinyin's tables now (about a second) rather than on the first
    search a server process answers."""
    _tokenizer()
    _pinyin_syllable_set()
    search_tokens("柴火创客空间 Chaihuo Makerspace chaihuo")


_TONE_NUMBER_RE = re.compile(r"(?<=[a-zA-Züv])[1-5](?![0-9])")


def strip_tones(query: str) -> str:
    """Pinyin with tone marks or numbers to plain letters, as the search tokens write it.

    >>> strip_tones("chái huǒ"), strip_tones("chai2 huo3"), strip_tones("lǜ")
    ('chai huo', 'chai huo', 'lv')
    """
    decomposed = unicodedata.normalize("NFD", query)
    plain = "".join(c for c in decomposed if not (unicodedata.category(c) == "Mn" and c != "\u0308"))
    plain = unicodedata.normalize("NFC", plain).replace("ü", "v").replace("Ü", "v")
    return _TONE_NUMBER_RE.sub("", plain)
