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
similarity (rapidfuzz) over the pairs of name forms (the compact form of each name, its pinyin,
and the distinctive words), ``place`` comes from the distance between exact points (1 within
250 m … −1 beyond 50 km) or, without points, from the same city (0.3), ``domain`` is 1 for the
same domain and −0.5 for two different own domains, and ``kind`` adds 0.05 for the same kind and
−0.1 for different layers. See docs/entity-resolution.md for the thresholds and measured
precision and recall.
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
#: Name forms computed by worker processes during records_prepare, by name.
_FORMS_DONE: dict[str, tuple] = {}
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
    forms: list[tuple[str, str]] = field(default_factory=list)  # (compact, words)
    keys: set[str] = field(default_factory=set)

    def prepare(self) -> MatchRecord:
        self.forms, self.keys = [], set()
        for name in self.names:
            if not name:
                continue
            forms, keys = _FORMS_DONE.get(name) or _name_forms_and_keys(name)
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


def name_forms(name: str) -> list[tuple[str, str]]:
    """The forms a name is compared in: (compact, distinctive words) pairs.

    >>> name_forms("Chaihuo Maker Space")
    [('chaihuomakerspace', 'chaihuo')]
    >>> name_forms("柴火创客空间")[1]
    ('chaihuochuangkekongjian', 'chaihuo')
    """
    return list(_name_forms_and_keys(name)[0]) if name else []


@lru_cache(maxsize=200_000)
def _name_forms_and_keys(name: str) -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
    """Forms and block keys of a name, computed once per distinct name (pinyin and script
    conversion are the costly part of resolution)."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    if not is_cjk(folded):
        # Accents stripped: directories write Bogotá and Bogota, München and Munchen.
        folded = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
        tokens = _WORD.findall(folded)
        words = " ".join(t for t in tokens if t not in GENERIC_WORDS) or " ".join(tokens)
        compact = "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")
        forms = ((compact, words),) if compact else ()
        return forms, frozenset(_name_keys(words))
    simplified = to_simplified(folded)
    distinctive = _strip_generic_zh(simplified)
    compact_zh = "".join(ch for ch in simplified if unicodedata.category(ch)[0] in "LN")
    compact_pinyin = "".join(s for s in pinyin_syllables(simplified) if s.isalnum()).casefold()
    distinctive_syllables = pinyin_syllables(distinctive)
    pinyin_words = " ".join(w for w in _join_syllables(distinctive_syllables) if w not in GENERIC_WORDS)
    forms = tuple(f for f in ((compact_zh, " ".join(_WORD.findall(distinctive))), (compact_pinyin, pinyin_words))
                  if f[0])
    syllables = [s for s in distinctive_syllables if s.isalpha()]
    keys = {"s:" + a + b for a, b in zip(syllables, syllables[1:], strict=False) if a + b not in GENERIC_WORDS}
    for _compact, words in forms:
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
    fuzz = _fuzz()
    best = 0.0
    for compact_a, words_a in a.forms:
        for compact_b, words_b in b.forms:
            if compact_a == compact_b:
                return 1.0
            if compact_a.isascii() != compact_b.isascii():
                continue  # Chinese characters against Latin letters: the pinyin forms compare them
            value = fuzz.ratio(compact_a, compact_b)
            if words_a and words_b:
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


def _forms_of(names: list[str]) -> list:
    return [_name_forms_and_keys(name) for name in names]


def records_prepare(records: list[MatchRecord], *, processes: int | None = None, parallel_from: int = 20_000) -> None:
    """Prepare the records that are not yet; the name forms of many distinct names (pinyin and
    script conversion, the costly part of preparing) are computed in worker processes."""
    todo = [record for record in records if not record.forms]
    names = sorted({name for record in todo for name in record.names if name})
    if len(names) >= parallel_from and (processes or os.cpu_count() or 1) > 1:
        import multiprocessing

        workers = processes or os.cpu_count() or 2
        chunks = [names[i:i + 2000] for i in range(0, len(names), 2000)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for chunk, results in zip(chunks, pool.imap(_forms_of, chunks), strict=True):
                for name, result in zip(chunk, results, strict=True):
                    _FORMS_DONE[name] = result
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
