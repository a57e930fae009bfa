"""Names of Chinese places and organisations: pinyin, script conversion, normalisation for matching.

Directories spell the same space as 柴火创客空间, 柴火創客空間, "Chaihuo Makerspace" or
"chaihuo chuangke kongjian"; de-duplication and search compare the forms produced here
(docs/entity-resolution.md, "Method").

- Pinyin comes from ``pypinyin`` (its phrase dictionary resolves most polyphonic characters;
  rare place-name readings such as 漯河 Luòhé may still be wrong, so curated English names win).
- Simplified/traditional conversion uses OpenCC's dictionaries (``opencc-python-reimplemented``):
  ``t2s`` and ``s2t``, character and phrase level, without regional idioms.

References: Hanyu Pinyin (ISO 7098:2015); OpenCC, https://github.com/BYVoid/OpenCC.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "is_chinese_language",
    "is_cjk",
    "normalize_name",
    "pinyin_compact",
    "pinyin_syllables",
    "to_pinyin",
    "to_simplified",
    "to_traditional",
]

# CJK Unified Ideographs with extensions A–F, the compatibility block and its supplement.
_CJK_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2EBEF),
    (0x2F800, 0x2FA1F),
    (0x30000, 0x323AF),
)
_CJK_CLASS = "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _CJK_RANGES)
CJK_RE = re.compile(f"[{_CJK_CLASS}]")


def is_chinese_language(language: str | None) -> bool:
    """Whether a language code (``zh-hans``, ``zh-Hans``, ``zh``) is Chinese: the one test behind
    every choice between a Chinese and an English text, name or drawing.

    >>> is_chinese_language("zh-Hans"), is_chinese_language("en"), is_chinese_language(None)
    (True, False, False)
    """
    return (language or "").lower().startswith("zh")


def is_cjk(text: str) -> bool:
    """Whether ``text`` contains at least one Chinese character (Han ideograph).

    >>> is_cjk("柴火 Makerspace"), is_cjk("Chaihuo"), is_cjk("")
    (True, False, False)
    """
    return bool(text) and CJK_RE.search(text) is not None


@lru_cache(maxsize=1)
def _pypinyin():
    import pypinyin  # imported lazily: its dictionaries take a moment to load

    return pypinyin


@lru_cache(maxsize=1)
def _pypinyin_seg():
    from pypinyin.seg.simpleseg import seg

    return seg


@lru_cache(maxsize=100_000)
def _segment_syllables(segment: str, tones: bool) -> tuple[str, ...]:
    pypinyin = _pypinyin()
    style = pypinyin.Style.TONE if tones else pypinyin.Style.NORMAL
    parts: list[str] = []
    for item in pypinyin.lazy_pinyin(segment, style=style, errors="default", v_to_u=tones):
        parts.extend(item.split())  # a non-Han chunk may hold several words
    return tuple(parts)


def pinyin_syllables(text: str, *, tones: bool = False) -> list[str]:
    """Pinyin of each Han character of ``text``; other runs of characters are kept as they are.

    ``ü`` is written ``ü`` with tones and ``v`` without (the keyboard form, as users type it).
    """
    # pypinyin cuts the text into non-Han chunks and dictionary phrases (forward maximum
    # matching) and converts each piece on its own, without context; a piece cut again is
    # itself. So converting the pieces one by one, each remembered, gives the same syllables
    # as converting the whole text, and a directory's names share most of their pieces.
    return list(_syllables(text, tones))


@lru_cache(maxsize=100_000)
def _syllables(text: str, tones: bool) -> tuple[str, ...]:
    # Remembered by text: the words of names and addresses repeat ("创客", "空间", "深圳市").
    parts: list[str] = []
    for segment in _pypinyin_seg()(text):
        parts.extend(_segment_syllables(segment, tones))
    return tuple(parts)


def to_pinyin(text: str, tones: bool = False) -> str:
    """Hanyu Pinyin of ``text``, one syllable per Han character, separated by spaces.

    Latin letters, digits and punctuation pass through as words.

    >>> to_pinyin("柴火创客空间")
    'chai huo chuang ke kong jian'
    >>> to_pinyin("柴火创客空间", tones=True)
    'chái huǒ chuàng kè kōng jiān'
    """
    if not text:
        return ""
    return " ".join(pinyin_syllables(text, tones=tones))


def pinyin_compact(text: str) -> str:
    """Toneless pinyin without spaces, lower case: the form typed in search boxes and URLs.

    >>> pinyin_compact("柴火创客空间")
    'chaihuochuangkekongjian'
    """
    return "".join(pinyin_syllables(text)).casefold()


@lru_cache(maxsize=2)
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(config)


@lru_cache(maxsize=1)
def _t2s_triggers() -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """What can make ``t2s`` change a text: the characters its character table maps to another
    character, and its phrases by first character."""
    converter = _opencc("t2s")
    converter.convert("")  # loads the dictionaries
    changing: set[str] = set()
    phrases: dict[str, list[str]] = {}
    for group in converter._dict_chain_data:
        for _max_len, _min_len, table in group:
            for key, value in table.items():
                if len(key) == 1:
                    if value.split(" ")[0] != key:
                        changing.add(key)
                else:
                    phrases.setdefault(key[0], []).append(key)
    return frozenset(changing), {first: tuple(keys) for first, keys in phrases.items()}


def _t2s_unchanged(text: str) -> bool:
    """True when ``t2s`` leaves ``text`` as it is: no phrase of its tables occurs in it and none
    of its characters maps to another. (Without a phrase, the conversion maps character by
    character; a character mapped to itself changes nothing.)"""
    changing, phrases = _t2s_triggers()
    for index, char in enumerate(text):
        if char in changing:
            return False
        for phrase in phrases.get(char, ()):
            if text.startswith(phrase, index):
                return False
    return True


@lru_cache(maxsize=100_000)
def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC ``t2s``). ``創客空間`` → ``创客空间``."""
    # Remembered: search tokens and matching keys of the same name both convert it. Most texts
    # are simplified already: those that t2s cannot change are returned without converting.
    if not text:
        return ""
    return text if _t2s_unchanged(text) else _opencc("t2s").convert(text)


def to_traditional(text: str) -> str:
    """Simplified → traditional Chinese (OpenCC ``s2t``). ``创客空间`` → ``創客空間``."""
    return _opencc("s2t").convert(text) if text else ""


def normalize_name(text: str) -> str:
    """A key for matching names across sources and scripts.

    Unicode NFKC (full-width letters and digits become ASCII), case folding, traditional →
    simplified, then every character that is not a letter or a digit (punctuation, symbols,
    spaces) is removed. Two names with the same key are spelling variants of each other.

    >>> normalize_name("柴火創客空間（深圳）") == normalize_name("柴火创客空间 深圳")
    True
    >>> normalize_name("Chaihuo  Maker-Space!")
    'chaihuomakerspace'
    """
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if is_cjk(folded):
        folded = to_simplified(folded)
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")
