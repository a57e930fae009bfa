"""Entity resolution, pair scoring: how alike two records are (no Django).

Definition. ``score = 0.6·name + 0.25·place + 0.15·domain + kind``, clipped to [0, 1], where
``name`` is the best similarity (rapidfuzz) over the pairs of name forms (the compact form of each
name, its pinyin, and the distinctive words, :mod:`.normalisation`), place names set apart: two
names of different places are 0, and the distinctive words, neither generic nor a place, must agree
(see :func:`_name_similarity`); ``place`` comes from the great-circle distance between exact points
(1 within 250 m … −1 beyond 50 km) or, without points, from the same city (0.3), ``domain`` is 1
for the same domain and −0.5 for two different own domains, and ``kind`` adds 0.05 for the same
kind and −0.1 for different layers. Below a name similarity of 0.5 the score is only
``0.6·name + 0.15·max(domain, 0)``: two different names at one address are not one actor. See
docs/entity-resolution.md for the thresholds and measured precision and recall.

References
----------
Christen, P. (2012). *Data Matching*. Springer, ch. 5 (record pair comparison).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from observatory.china.coords import haversine_km

from .normalisation import domain_key
from .records import MatchRecord

__all__ = ["PairScore", "pair_score"]

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
        distance = haversine_km(a.lng, a.lat, b.lng, b.lat)
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
