"""Pair scores across scripts and places: the same actor written differently is matched, two actors of
one city or two branches of one network are not."""

from __future__ import annotations

from observatory.inventory.resolution import REVIEW, MatchRecord, candidate_pairs, pair_score
from observatory.inventory.resolution.evaluation import alias_records
from observatory.inventory.resolution.normalisation import places_of_divisions, places_of_text
from tests.shared import shared_path


def test_it_blocks_and_matches_names_across_chinese_pinyin_and_english():
    chinese = MatchRecord(1, ["柴火创客空间"], kind="makerspace", lng=113.999, lat=22.546).prepare()
    english = MatchRecord(2, ["Chaihuo Makerspace"], kind="makerspace", lng=113.9918, lat=22.5369).prepare()
    unrelated = MatchRecord(3, ["Trouble Maker"], kind="makerspace", lng=114.0926, lat=22.5496).prepare()
    pairs, stats = candidate_pairs([chinese, english, unrelated])
    assert (0, 1) in pairs and stats["records"] == 3
    assert pair_score(chinese, english).name >= 0.9
    assert pair_score(chinese, unrelated).score < 0.3


def test_it_does_not_merge_two_names_at_one_address_on_a_shared_word():
    a = MatchRecord(1, ["Beijing Mini Maker Faire"], kind="event", lng=116.4228, lat=39.9423).prepare()
    b = MatchRecord(2, ["Affordable Art Beijing"], kind="event", lng=116.4228, lat=39.9423).prepare()
    c = MatchRecord(3, ["Song Zhuang"], kind="event", lng=116.4228, lat=39.9423).prepare()
    assert pair_score(a, b).score < 0.85  # at most queued for a curator
    assert pair_score(a, c).score < 0.6


TAIWAN = places_of_divisions(["710000"])  # what an entity located in Taiwan carries


def _taipei(id_, name, kind, lng, lat, domain=""):
    return MatchRecord(id_, [name], kind=kind, layer="physical", lng=lng, lat=lat, domain=domain,
                       places=TAIWAN).prepare()


def test_two_actors_of_one_city_are_not_queued_on_the_city_s_name():
    # The bundled data queued these: their names share only "Taipei" (or "Tainan").
    fablab = _taipei(1, "Fablab Taipei", "fab_lab", 121.51608, 25.029191, "fablabtaipei.org")
    faire = _taipei(2, "Maker Faire Taipei", "event", 121.519875, 25.042141, "makerfaire.com.tw")
    hackerspace = _taipei(3, "Taipei Hackerspace", "hackerspace", 121.516857, 25.052907, "taipeihack.org")
    makerbar = _taipei(4, "MakerBar Taipei", "fab_lab", 121.5294477, 25.04104892)
    fabcafe = _taipei(5, "FabCafe Taipei", "fab_lab", 121.529, 25.0441)
    tainan_lab = _taipei(6, "Fablab Tainan", "fab_lab", 120.2050263, 22.991824)
    tainan_faire = _taipei(7, "Maker Faire Tainan", "event", 120.196449, 22.994822)
    for a, b in [(fablab, faire), (fablab, hackerspace), (faire, hackerspace), (makerbar, faire),
                 (makerbar, fabcafe), (fabcafe, fablab), (tainan_lab, tainan_faire)]:
        assert pair_score(a, b).score < REVIEW, (a.names, b.names, pair_score(a, b))
    # Without points, on the city alone (a directory giving a name and a city), neither.
    faire_no_point = MatchRecord(8, ["Maker Faire Taipei"], kind="event", city="taipei", places=TAIWAN).prepare()
    lab_no_point = MatchRecord(9, ["Fablab Taipei"], kind="fab_lab", city="taipei", places=TAIWAN).prepare()
    assert pair_score(faire_no_point, lab_no_point).score < REVIEW


def test_branches_named_after_different_places_are_not_one_actor():
    shanghai = MatchRecord(1, ["Impact Hub Shanghai"], kind="coworking_space").prepare()
    taipei = MatchRecord(2, ["Impact Hub Taipei"], kind="coworking_space").prepare()
    assert pair_score(shanghai, taipei).name == 0.0


def test_the_same_name_written_differently_in_one_city_is_still_matched():
    city = places_of_text("Taipei", "Taiwan")
    word_order = (MatchRecord(1, ["Taipei Hackerspace"], kind="hackerspace", city="taipei", places=city).prepare(),
                  MatchRecord(2, ["Hackerspace Taipei"], kind="hackerspace", city="taipei", places=city).prepare())
    longer = (MatchRecord(3, ["Waag Society / Fablab Amsterdam"], kind="fab_lab", city="amsterdam",
                          places=places_of_text("Amsterdam", "Netherlands")).prepare(),
              MatchRecord(4, ["Fablab Amsterdam"], kind="fab_lab", city="amsterdam",
                          places=places_of_text("Amsterdam", "Netherlands")).prepare())
    scripts = (MatchRecord(5, ["台北黑客空间"], kind="hackerspace", city="taipei", places=city).prepare(),
               MatchRecord(6, ["Taibei Hackerspace"], kind="hackerspace", city="taipei", places=city).prepare())
    for a, b in (word_order, longer):
        assert pair_score(a, b).score >= REVIEW, (a.names, b.names, pair_score(a, b))
    assert pair_score(*scripts).name == 1.0  # the kind words compared in English: hackerspace


def test_true_alias_pairs_of_the_alias_sheet_are_still_queued():
    records, truth = alias_records(shared_path("data", "raw", "ananse-atlas-innovation-spaces", "aliases_derived.csv"))
    named = {frozenset((records[i].names[0], records[j].names[0])): (records[i], records[j])
             for i, j in map(tuple, truth)}
    for a, b in [("ActivSpaces Douala", "ActivSpaces"),  # the city dropped
                 ("Fab Lab Bogota", "Fab Lab Bogotá"),  # an accent (mojibake repaired)
                 ("Openlab Taipei", "Openlab.Taipei"),
                 ("Waag Society / Fablab Amsterdam", "Fablab Amsterdam")]:
        assert pair_score(*named[frozenset((a, b))]).score >= REVIEW, (a, b)
