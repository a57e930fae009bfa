"""Entity resolution, the pure part: records, blocking and pair scoring (no Django).

A :class:`MatchRecord` holds what the comparison needs of one entity: its names in every script,
the website's domain, an exact point (not a centroid), its city (a prefecture code or a city
name), its kind and layer.

Blocking (Christen 2012, *Data Matching*, ch. 4) proposes as candidates only the pairs that share
a block key:

- a **name key**: a distinctive word of a name (generic words such as "makerspace", "fab lab",
  创客空间 removed); for a Chinese name, its pinyin word pairs ("chaihuo" from 柴火创客空间), so
  that 柴火创客空间 meets "Chaihuo Makerspace"; keys held by more than ``max_block`` records are
  dropped (they are the generic words of this corpus);
- the **website domain** (hosting and social-network domains excluded);
- a **grid cell** of about 250 m (0.0025°), each record also probing the 8 neighbouring cells.

Scoring: ``score = 0.6·name + 0.25·place + 0.15·domain + kind`` where ``name`` is the best
similarity (rapidfuzz) over the pairs of name forms (the compact form of each name, its pinyin, and
the distinctive words), place names set apart: two names of different places are 0, and the
distinctive words, neither generic nor a place, must agree (see :func:`_name_similarity`); ``place``
comes from the distance between exact points (1 within 250 m … −1 beyond 50 km) or, without points,
from the same city (0.3), ``domain`` is 1 for the same domain and −0.5 for two different own
domains, and ``kind`` adds 0.05 for the same kind and −0.1 for different layers. See
docs/entity-resolution.md for the thresholds and measured precision and recall.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from observatory.china.names import is_cjk, pinyin_syllables, to_simplified

__all__ = [
    "AUTO_MERGE",
    "REVIEW",
    "MatchRecord",
    "PairScore",
    "candidate_pairs",
    "name_forms",
    "pair_score",
    "places_of_divisions",
    "places_of_text",
    "resolve",
]

#: Pairs scoring at or above AUTO_MERGE are merged; between REVIEW and AUTO_MERGE, queued.
AUTO_MERGE = 0.85
REVIEW = 0.6

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
#: Grid cells per degree (400: cells of 0.0025°, about 250 m; each record also probes the 8 around).
GRID = 400
#: Name forms computed by worker processes during records_prepare, by (name, the record's own places).
_FORMS_DONE: dict[tuple, tuple] = {}
#: Block keys shared by more records than this are not distinctive in the corpus and are dropped.
MAX_BLOCK = 50


@dataclass
class MatchRecord:
    id: int
    names: list[str]
    kind: str = ""
    layer: str = ""
    domain: str = ""
    lng: float | None = None
    lat: float | None = None
    city: str = ""
    label: str = ""  # source and external id, for reports
    #: The record's own place names, (surface, place id) pairs: its divisions, the city of its row
    #: (see :func:`places_of_divisions`, :func:`places_of_text`); added to the gazetteer's for its names.
    places: tuple[tuple[str, str], ...] = ()
    forms: list[tuple] = field(default_factory=list)  # see name_forms
    keys: set[str] = field(default_factory=set)

    def prepare(self) -> MatchRecord:
        self.forms, self.keys = [], set()
        for name in self.names:
            if not name:
                continue
            forms, keys = _FORMS_DONE.get((name, self.places)) or _name_forms_and_keys(name, self.places)
            self.keys |= keys
            for form in forms:
                if form not in self.forms:
                    self.forms.append(form)
        return self


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


def _cells(record: MatchRecord) -> tuple[str, list[str]]:
    x, y = math.floor(record.lng * GRID), math.floor(record.lat * GRID)
    own = f"g:{x}:{y}"
    around = [f"g:{x + dx}:{y + dy}" for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    return own, around


def candidate_pairs(records: Iterable[MatchRecord], *, max_block: int = MAX_BLOCK) -> tuple[set[tuple[int, int]], dict]:
    """Candidate pairs (i, j), i < j (indexes into ``records``), and blocking statistics.

    A pair is kept when it shares a strong key (the whole distinctive name ``f:``, a distinctive
    word of four letters or more, a six-letter prefix, the website domain, a grid cell or its
    neighbour) or at least two weaker keys: one three-letter word or one pinyin syllable pair
    (``s:``) alone is too common in a large corpus (meta-blocking; Papadakis et al. 2014).
    """
    records = list(records)
    n = len(records)
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        keys = set(record.keys)
        domain = domain_key(record.domain)
        if domain:
            keys.add("d:" + domain)
        if record.lat is not None and record.lng is not None:
            keys.add(_cells(record)[0])
        for key in keys:
            blocks[key].append(index)
    dropped = {key for key, members in blocks.items() if len(members) > max_block}
    counts: dict[int, int] = defaultdict(int)
    strong: set[int] = set()
    for key, members in blocks.items():
        if key in dropped or len(members) < 2 or key.startswith("g:"):
            continue
        is_strong = key[0] in "fdp" or (key[0] == "n" and len(key) >= 6)  # a whole word of 4 letters or more
        for position, a in enumerate(members):
            for b in members[position + 1:]:
                pair = a * n + b if a < b else b * n + a
                counts[pair] += 1
                if is_strong:
                    strong.add(pair)
    for index, record in enumerate(records):
        if record.lat is None or record.lng is None:
            continue
        for cell in _cells(record)[1]:
            if cell in dropped:
                continue
            for other in blocks.get(cell, ()):
                if other > index:
                    strong.add(index * n + other)
    kept = strong | {pair for pair, count in counts.items() if count >= 2}
    pairs = {divmod(pair, n) for pair in kept}
    compared = len(strong | counts.keys())
    stats = {"records": n, "blocks": len(blocks), "dropped_blocks": len(dropped), "blocked_pairs": compared,
             "candidate_pairs": len(pairs), "pairs_per_record": (2 * len(pairs) / n) if n else 0.0}
    return pairs, stats


@dataclass
class PairScore:
    score: float
    name: float
    distance_km: float | None
    place: float | None
    domain: float
    kind: float

    def as_dict(self) -> dict:
        return {"score": round(self.score, 4), "name": round(self.name, 4),
                "distance_km": None if self.distance_km is None else round(self.distance_km, 3),
                "place": None if self.place is None else round(self.place, 3), "domain": self.domain,
                "kind": self.kind}


@lru_cache(maxsize=1)
def _fuzz():
    from rapidfuzz import fuzz

    return fuzz


def _name_similarity(a: MatchRecord, b: MatchRecord) -> float:
    """The best similarity over the pairs of name forms, in [0, 1].

    Two names equal up to case, spacing and accents are 1. Two names that name different places
    are 0: two branches of one network (Impact Hub Shanghai, Impact Hub Taipei) or two spaces of
    one kind (Fablab Taipei, Fablab Tainan). Otherwise place names count for nothing, and the
    distinctive words (neither generic nor a place) must agree:

    - both names have distinctive words: the words, and the names without their place names, are
      compared ("FabCafe Taipei" and "MakerBar Taipei" as fabcafe and makerbar);
    - neither has (each says only "a fab lab in Taipei"): the names without their place names are
      compared, that is their kind words ("Fablab Taipei" and "Maker Faire Taipei" as fablab and
      makerfaire; "Taipei Hackerspace" and "Hackerspace Taipei" agree);
    - only one has: the other says only "a fab lab in Amsterdam", and agrees (0.85, one name's
      words all in the other's) when the first is of that kind too ("Waag Society / Fablab
      Amsterdam"), else 0 ("MakerBar Taipei" and "Maker Faire Taipei": makerbar is no maker faire).
    """
    fuzz = _fuzz()
    best = 0.0
    for compact_a, words_a, rest_a, places_a, kinds_a in a.forms:
        for compact_b, words_b, rest_b, places_b, kinds_b in b.forms:
            if compact_a == compact_b:
                return 1.0
            if compact_a.isascii() != compact_b.isascii():
                continue  # Chinese characters against Latin letters: the pinyin forms compare them
            if places_a and places_b and places_a.isdisjoint(places_b):
                continue  # two places named: two branches (Impact Hub Shanghai, Impact Hub Taipei)
            if not (words_a or words_b):
                best = max(best, fuzz.ratio(rest_a, rest_b))  # the kind words, the place set aside
                continue
            if not (words_a and words_b):
                # "Fablab Amsterdam" and "Waag Society / Fablab Amsterdam": the words of the one are
                # all in the other (token_set_ratio 100, × 0.85 as below) when its kind words are
                # (joined: "Fab Lab" is "Fablab").
                kinds = kinds_b if words_a else kinds_a
                if kinds and kinds in (kinds_a if words_a else kinds_b):
                    best = max(best, 85.0)
                continue
            value = fuzz.ratio(rest_a, rest_b)
            if words_a == words_b:
                value = max(value, 97.0)
            else:
                joined = fuzz.ratio(words_a.replace(" ", ""), words_b.replace(" ", "")) * 0.95
                value = max(value, joined)
                # The word-order and word-subset measures only matter when a word is shared.
                if joined >= 50 or not set(words_a.split()).isdisjoint(words_b.split()):
                    value = max(value, fuzz.token_sort_ratio(words_a, words_b) * 0.95,
                                fuzz.token_set_ratio(words_a, words_b) * 0.85)
            best = max(best, value)
    return best / 100.0


def _haversine_km(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _place(distance: float) -> float:
    for limit, value in ((0.25, 1.0), (1.0, 0.8), (3.0, 0.5), (10.0, 0.2), (50.0, 0.0)):
        if distance <= limit:
            return value
    return -1.0


def pair_score(a: MatchRecord, b: MatchRecord) -> PairScore:
    """The similarity of two records (see the module docstring)."""
    name = _name_similarity(a, b)
    distance = place = None
    if a.lat is not None and b.lat is not None and a.lng is not None and b.lng is not None:
        distance = _haversine_km(a.lng, a.lat, b.lng, b.lat)
        place = _place(distance)
    elif a.city and b.city:
        place = 0.3 if a.city == b.city else -0.3
    domain_a, domain_b = domain_key(a.domain), domain_key(b.domain)
    domain = 0.0
    if domain_a and domain_b:
        domain = 1.0 if domain_a == domain_b else -0.5
    kind = 0.0
    if a.kind and b.kind:
        kind = 0.05 if a.kind == b.kind else (0.0 if a.layer == b.layer else -0.1)
    if name < 0.5:
        # Two different names at the same address (a building of several spaces, or the city centre
        # a geocoder gives to every row of a city) are not evidence of one actor.
        score = 0.6 * name + 0.15 * max(domain, 0.0)
    else:
        score = 0.6 * name + 0.25 * (place if place is not None else 0.0) + 0.15 * domain + kind
    return PairScore(score=max(0.0, min(1.0, score)), name=name, distance_km=distance, place=place, domain=domain,
                     kind=kind)


def _forms_of(items: list[tuple[str, tuple]]) -> list:
    return [_name_forms_and_keys(name, own) for name, own in items]


def records_prepare(records: list[MatchRecord], *, processes: int | None = None, parallel_from: int = 20_000) -> None:
    """Prepare the records that are not yet; the name forms of many distinct names (pinyin and
    script conversion, the costly part of preparing) are computed in worker processes."""
    todo = [record for record in records if not record.forms]
    items = sorted({(name, record.places) for record in todo for name in record.names if name})
    if len(items) >= parallel_from and (processes or os.cpu_count() or 1) > 1:
        import multiprocessing

        _gazetteer()  # loaded once, before the fork
        workers = processes or os.cpu_count() or 2
        chunks = [items[i:i + 2000] for i in range(0, len(items), 2000)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for chunk, results in zip(chunks, pool.imap(_forms_of, chunks), strict=True):
                for item, result in zip(chunk, results, strict=True):
                    _FORMS_DONE[item] = result
    for record in todo:
        record.prepare()
    _FORMS_DONE.clear()


_SCORING: dict = {}


def _score_chunk(chunk: list[tuple[int, int]]) -> list[tuple[int, int, PairScore]]:
    records, review = _SCORING["records"], _SCORING["review"]
    found = []
    for i, j in chunk:
        result = pair_score(records[i], records[j])
        if result.score >= review:
            found.append((i, j, result))
    return found


def resolve(records: list[MatchRecord], *, auto_merge: float = AUTO_MERGE, review: float = REVIEW,
            max_block: int = MAX_BLOCK, parallel_from: int = 200_000) -> tuple[list[tuple[int, int, PairScore]], dict]:
    """Score the candidate pairs; return those at or above ``review`` (best first) and the statistics.

    From ``parallel_from`` candidate pairs on, the pairs are scored in one worker process per core
    (forked, so the records are shared, not copied).
    """
    records_prepare(records)
    pairs, stats = candidate_pairs(records, max_block=max_block)
    ordered = sorted(pairs)
    _SCORING.update(records=records, review=review)
    try:
        workers = os.cpu_count() or 1
        if len(ordered) >= parallel_from and workers > 1:
            import multiprocessing

            size = max(10_000, len(ordered) // (workers * 8))
            chunks = [ordered[k:k + size] for k in range(0, len(ordered), size)]
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                scored = [item for part in pool.imap(_score_chunk, chunks) for item in part]
        else:
            scored = _score_chunk(ordered)
    finally:
        _SCORING.clear()
    scored.sort(key=lambda item: (-item[2].score, records[item[0]].id, records[item[1]].id))
    stats["above_review"] = len(scored)
    stats["above_auto_merge"] = sum(1 for _, _, s in scored if s.score >= auto_merge)
    return scored, stats
