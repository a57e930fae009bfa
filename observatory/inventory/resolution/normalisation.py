"""Entity resolution, names normalised for comparison: name forms, block keys, place names, domains (no Django).

Definition. A name is compared in its *forms* (:func:`name_forms`): Unicode-normalised (NFKC),
case-folded, accents stripped from Latin script, Chinese converted to simplified characters and to
pinyin (:mod:`observatory.china.names`); each form is the compact name, its *distinctive words*
(without the generic words of the field, :data:`GENERIC_WORDS` and :data:`GENERIC_ZH`: "makerspace",
"fab lab", 创客空间), the name without its place names, the ids of the places it names and its
generic (kind) words (in English in the pinyin form of a Chinese name, :data:`GENERIC_ZH_EN`). A name also gives the
*block keys* of :mod:`.blocking`: its whole distinctive name, its distinctive words, a six-letter
prefix and, for a Chinese name, its pinyin syllable pairs ("chaihuo" from 柴火创客空间).

Place names. A place name in a space's name ("Fablab *Taipei*", "*深圳*开放创新实验室") says where
the space is, not which one it is; the forms set it apart (:mod:`.scoring` compares names without
them). They come from the bundled gazetteer of China (province- and prefecture-level units), the
top-level divisions of Taiwan (:data:`TAIWAN_DIVISIONS`) and each record's own places
(:func:`places_of_divisions`, :func:`places_of_text`).

Domains. :func:`domain_key` is a website's domain, or nothing for a hosting or social-network
domain (:data:`HOSTING_DOMAINS`), which many unrelated spaces share.

Forms are computed once per distinct name (pinyin and script conversion are the costly part of
resolution). See docs/entity-resolution.md.

References
----------
Christen, P. (2012). *Data Matching*. Springer, ch. 3 (data pre-processing).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from observatory.china.names import is_cjk, pinyin_syllables, to_simplified

__all__ = [
    "GENERIC_WORDS",
    "GENERIC_ZH",
    "GENERIC_ZH_EN",
    "HOSTING_DOMAINS",
    "TAIWAN_DIVISIONS",
    "domain_key",
    "name_forms",
    "places_of_divisions",
    "places_of_text",
]

GENERIC_WORDS = frozenset(
    """
    the of and de la le les del des di da du das do der die und at in for fab lab labs fablab fablabs makerspace
    makerspaces maker makers space spaces hackerspace hackerspaces hacker hackers hack hacklab hackspace club hub
    center centre innovation workshop studio community association ev e v inc ltd co limited university
    mini faire fair incubator incubators accelerator coworking lab makerlab
    chuangke kongjian shiyanshi zhongxin zhongchuang
    """.split()
)
GENERIC_ZH = ("众创空间", "创客空间", "黑客空间", "创新空间", "创新中心", "孵化器", "加速器", "实验室", "创客", "空间", "中心",
              "工坊", "有限公司", "公司")
_GENERIC_ZH_PATTERN = re.compile("|".join(sorted(GENERIC_ZH, key=len, reverse=True)))
#: The generic words of Chinese names as English directories write them: a name with nothing but
#: kind words and a place (台北黑客空间) is compared with "Taipei Hackerspace" on its kind words.
GENERIC_ZH_EN = {"众创空间": "makerspace", "创客空间": "makerspace", "黑客空间": "hackerspace", "创新空间": "innovationspace",
                 "创新中心": "innovationcenter", "孵化器": "incubator", "加速器": "accelerator", "实验室": "lab",
                 "创客": "maker", "空间": "space", "中心": "center", "工坊": "workshop", "有限公司": "limited",
                 "公司": "co"}
HOSTING_DOMAINS = frozenset(
    """facebook.com fb.com twitter.com x.com weibo.com weibo.cn wix.com wixsite.com blogspot.com wordpress.com
    google.com sites.google.com plus.google.com meetup.com fablabs.io wiki.hackerspaces.org hackerspaces.org
    github.com github.io gitee.com instagram.com linkedin.com youtube.com tumblr.com eventbrite.com
    medium.com douban.com wechat.com weixin.qq.com qq.com mp.weixin.qq.com makerfaire.com instructables.com
    creativespaceexplorer.org makery.info bit.ly""".split()
)
_HOSTING_SUFFIXES = tuple(sorted("." + domain for domain in HOSTING_DOMAINS))
_WORD = re.compile(r"[^\W_]+")


def _strip_generic_zh(text: str) -> str:
    for word in GENERIC_ZH:
        if text != word:
            text = text.replace(word, " ")
    return text


# --------------------------------------------------------------------------------------------
# Place names
#
# A place name in a space's name ("Fablab *Taipei*", "*深圳*开放创新实验室") says where the space
# is, not which one it is: every space of the city may carry it. The scorer compares names without
# their place names (see _name_similarity). Place names come from the bundled gazetteer of China
# (province- and prefecture-level units: full name, name without suffix, pinyin, English), the
# top-level divisions of Taiwan, which that gazetteer does not subdivide, and each record's own
# places (its divisions at every level, or the city, region and country of its row).

#: Taiwan's 22 top-level divisions (ISO 3166-2:TW; Hsinchu and Chiayi city and county share a
#: name): characters, then romanisations (Wade-Giles as the spaces write them, and pinyin).
TAIWAN_DIVISIONS = {
    "TW-TPE": ("臺北", "台北", "Taipei", "Taibei"), "TW-NWT": ("新北", "New Taipei", "Xinbei"),
    "TW-TAO": ("桃園", "Taoyuan"), "TW-TXG": ("臺中", "台中", "Taichung", "Taizhong"),
    "TW-TNN": ("臺南", "台南", "Tainan"), "TW-KHH": ("高雄", "Kaohsiung", "Gaoxiong"),
    "TW-KEE": ("基隆", "Keelung", "Jilong"), "TW-HSZ": ("新竹", "Hsinchu", "Xinzhu"),
    "TW-CYI": ("嘉義", "Chiayi", "Jiayi"), "TW-MIA": ("苗栗", "Miaoli"), "TW-CHA": ("彰化", "Changhua", "Zhanghua"),
    "TW-NAN": ("南投", "Nantou"), "TW-YUN": ("雲林", "Yunlin"), "TW-PIF": ("屏東", "Pingtung", "Pingdong"),
    "TW-ILA": ("宜蘭", "Yilan"), "TW-HUA": ("花蓮", "Hualien", "Hualian"), "TW-TTT": ("臺東", "台東", "Taitung", "Taidong"),
    "TW-PEN": ("澎湖", "Penghu"), "TW-KIN": ("金門", "Kinmen", "Jinmen"), "TW-LIE": ("連江", "Lienchiang", "Lianjiang"),
}


def _fold_latin(text: str) -> tuple[str, ...]:
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return tuple(_WORD.findall("".join(ch for ch in folded if not unicodedata.combining(ch))))


def _place_surfaces(pairs: Iterable[tuple[str, str]]) -> tuple[dict, dict]:
    """({Han surface: id}, {first word: [(words, id)], longest first}) of (surface, id) pairs.
    Han surfaces of one character and Latin ones under three letters are left out (too common)."""
    han: dict[str, str] = {}
    latin: dict[str, list] = defaultdict(list)
    for surface, place in pairs:
        text = unicodedata.normalize("NFKC", surface or "").strip()
        if is_cjk(text):
            text = to_simplified(text)
            if len(text) >= 2:
                han.setdefault(text, place)
        else:
            words = _fold_latin(text)
            if words and len("".join(words)) >= 3 and not all(w in GENERIC_WORDS for w in words):
                if (words, place) not in latin[words[0]]:
                    latin[words[0]].append((words, place))
    for entries in latin.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return han, dict(latin)


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict, dict]:
    from observatory.china.divisions import division_units

    pairs = [(surface, code) for code, names in TAIWAN_DIVISIONS.items() for surface in names]
    for unit in division_units():
        if unit.level in ("province", "prefecture"):
            pairs += [(surface, unit.code) for surface in (unit.name_zh, unit.name_en, *unit.aliases)]
    return _place_surfaces(pairs)


def places_of_divisions(codes: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The (surface, id) place names of GB/T 2260 divisions and the units above them."""
    from observatory.china.divisions import division_by_code

    found: list[tuple[str, str]] = []
    for code in codes:
        unit = division_by_code(code) if code else None
        while unit is not None:
            found += [(surface, unit.code) for surface in (unit.name_zh, unit.name_en, *unit.aliases)
                      if (surface, unit.code) not in found]
            unit = division_by_code(unit.parent_code) if unit.parent_code else None
    return tuple(found)


def places_of_text(*names: str) -> tuple[tuple[str, str], ...]:
    """(surface, id) place names from free text (a city, a region, a country); a name the
    gazetteer knows takes its id, so that "Taipei" and 臺北 are one place."""
    han, latin = _gazetteer()
    found = []
    for name in names:
        name = (name or "").strip()
        if not name:
            continue
        words = _fold_latin(name)
        if is_cjk(name):
            place = han.get(to_simplified(name))
        else:
            place = next((known for w, known in latin.get(words[0], ()) if w == words), None) if words else None
        found.append((name, place or " ".join(words) or name))
    return tuple(found)


@lru_cache(maxsize=4096)
def _own_places(own: tuple[tuple[str, str], ...]) -> tuple[dict, dict, dict]:
    """The gazetteer with a record's own places added, and its Han surfaces by first character
    (longest first): one dictionary look-up per character of a name finds them."""
    han, latin = _gazetteer()
    if own:
        own_han, own_latin = _place_surfaces(own)
        han = {**han, **own_han}
        latin = dict(latin)
        for first, entries in own_latin.items():
            latin[first] = sorted({*latin.get(first, ()), *entries}, key=lambda entry: -len(entry[0]))
    by_first: dict[str, list[str]] = defaultdict(list)
    for surface in sorted(han, key=len, reverse=True):
        by_first[surface[0]].append(surface)
    return han, latin, dict(by_first)


def _split_han_places(text: str, han: dict[str, str], by_first: dict[str, list[str]]) -> tuple[str, set[str]]:
    """``text`` with its place names replaced by a space, and the ids of the places named."""
    rest, places, index = [], set(), 0
    while index < len(text):
        for surface in by_first.get(text[index], ()):
            if text.startswith(surface, index):
                places.add(han[surface])
                rest.append(" ")
                index += len(surface)
                break
        else:
            rest.append(text[index])
            index += 1
    return "".join(rest), places


def _split_latin_places(tokens: list[str], latin: dict) -> tuple[list[str], set[str]]:
    """The tokens that are not part of a place name, and the ids of the places named."""
    rest, places, index = [], set(), 0
    while index < len(tokens):
        for words, place in latin.get(tokens[index], ()):
            if tuple(tokens[index:index + len(words)]) == words:
                places.add(place)
                index += len(words)
                break
        else:
            rest.append(tokens[index])
            index += 1
    return rest, places


def name_forms(name: str) -> list[tuple[str, str, str, frozenset[str], str]]:
    """The forms a name is compared in: (compact, distinctive words, compact without place names,
    ids of the places named, its generic words joined).

    >>> name_forms("Chaihuo Maker Space")
    [('chaihuomakerspace', 'chaihuo', 'chaihuomakerspace', frozenset(), 'makerspace')]
    >>> name_forms("柴火创客空间")[1][:2]
    ('chaihuochuangkekongjian', 'chaihuo')
    >>> name_forms("Fablab Taipei")
    [('fablabtaipei', '', 'fablab', frozenset({'TW-TPE'}), 'fablab')]
    """
    return list(_name_forms_and_keys(name)[0]) if name else []


@lru_cache(maxsize=200_000)
def _name_forms_and_keys(name: str, own: tuple = ()) -> tuple[tuple[tuple, ...], frozenset[str]]:
    """Forms and block keys of a name (with ``own``, a record's own place names), computed once
    per distinct name (pinyin and script conversion are the costly part of resolution).

    The block keys keep place names (two spaces of one city are still compared); the forms
    compared set them apart: the distinctive words are those neither generic nor a place.
    """
    han_places, latin_places, han_first = _own_places(own)
    folded = unicodedata.normalize("NFKC", name).casefold()
    if not is_cjk(folded):
        # Accents stripped: directories write Bogotá and Bogota, München and Munchen.
        folded = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
        tokens = _WORD.findall(folded)
        words = " ".join(t for t in tokens if t not in GENERIC_WORDS) or " ".join(tokens)
        compact = "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")
        rest, places = _split_latin_places(tokens, latin_places)
        core = " ".join(t for t in rest if t not in GENERIC_WORDS)
        kinds = "".join(t for t in rest if t in GENERIC_WORDS)
        forms = ((compact, core, "".join(rest), frozenset(places), kinds),) if compact else ()
        return forms, frozenset(_name_keys(words))
    simplified = to_simplified(folded)
    simplified_rest, places = _split_han_places(simplified, han_places, han_first)
    distinctive = _strip_generic_zh(simplified)
    compact_zh = "".join(ch for ch in simplified if unicodedata.category(ch)[0] in "LN")
    compact_pinyin = "".join(s for s in pinyin_syllables(simplified) if s.isalnum()).casefold()
    distinctive_syllables = pinyin_syllables(distinctive)
    pinyin_words = " ".join(w for w in _join_syllables(distinctive_syllables) if w not in GENERIC_WORDS)
    # The same forms without the place names (Latin place words inside a Chinese name too); the
    # pinyin is converted again only when a Chinese place name was taken out.
    distinctive_rest = _strip_generic_zh(simplified_rest) if places else distinctive
    rest_zh_words, latin_found = _split_latin_places(_WORD.findall(distinctive_rest), latin_places)
    rest_pinyin = _join_syllables(pinyin_syllables(distinctive_rest) if places else distinctive_syllables)
    core_pinyin, _found = _split_latin_places([w for w in rest_pinyin if w not in GENERIC_WORDS], latin_places)
    places = frozenset(places | latin_found | _found)
    if simplified_rest != simplified:
        rest_zh = "".join(ch for ch in simplified_rest if unicodedata.category(ch)[0] in "LN")
        rest_pinyin_compact = "".join(s for s in pinyin_syllables(simplified_rest) if s.isalnum()).casefold()
    else:
        rest_zh, rest_pinyin_compact = compact_zh, compact_pinyin
    kinds_zh = _GENERIC_ZH_PATTERN.findall(simplified_rest)
    kinds_en = "".join(GENERIC_ZH_EN[word] for word in kinds_zh)
    if not core_pinyin:
        rest_pinyin_compact = kinds_en  # only kind words besides the place: compared in English
    forms = tuple(f for f in ((compact_zh, " ".join(rest_zh_words), rest_zh, places, "".join(kinds_zh)),
                              (compact_pinyin, " ".join(core_pinyin), rest_pinyin_compact, places, kinds_en))
                  if f[0])
    syllables = [s for s in distinctive_syllables if s.isalpha()]
    keys = {"s:" + a + b for a, b in zip(syllables, syllables[1:], strict=False) if a + b not in GENERIC_WORDS}
    for words in (" ".join(_WORD.findall(distinctive)), pinyin_words):
        keys |= _name_keys(words)
    return forms, frozenset(keys)


def _join_syllables(syllables: list[str]) -> list[str]:
    """Pinyin syllables of Han runs joined into words ("chai huo" → "chaihuo"); other words kept."""
    words, run = [], []
    for syllable in syllables:
        if syllable.isascii() and syllable.isalpha() and len(syllable) <= 6:
            run.append(syllable.casefold())
            continue
        if run:
            words.append("".join(run))
            run = []
        words.extend(w.casefold() for w in _WORD.findall(syllable))
    if run:
        words.append("".join(run))
    return [w for w in words if w]


def _name_keys(words: str) -> set[str]:
    keys = set()
    joined = words.replace(" ", "")
    if len(joined) >= 2:
        keys.add("f:" + joined)  # the whole distinctive name
    if len(joined) >= 5 and joined.isascii():
        keys.add("p:" + joined[:6])  # "Freeside Atlanta" meets "FreesideAtlanta"
    for word in words.split():
        if len(word) >= 3 and not word.isdigit() and word not in GENERIC_WORDS:
            keys.add("n:" + word)
    return keys


@lru_cache(maxsize=200_000)
def domain_key(domain: str) -> str:
    # Remembered: every candidate pair asks for both domains (it was a third of the scoring time).
    domain = (domain or "").casefold()
    if not domain or domain in HOSTING_DOMAINS or domain.endswith(_HOSTING_SUFFIXES):
        return ""
    return domain
