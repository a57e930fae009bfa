"""De-duplication across sources and scripts: candidate pairs, the report, the review queue, P/R."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from observatory.inventory.importers import importer_get, source_import
from observatory.inventory.models import Entity, MergeDecision
from observatory.inventory.resolution import REVIEW, MatchRecord, candidate_pairs, pair_score
from observatory.inventory.resolution.evaluation import alias_records, cross_source_evaluate, evaluate_pairs
from observatory.inventory.resolution.matching import places_of_divisions, places_of_text
from tests.shared import shared_path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "importers"


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


@pytest.mark.django_db
def test_the_queue_holds_no_two_actors_of_one_city_and_keeps_a_true_pair(tmp_path):
    source_import(importer=importer_get("ananse-csv"), path=FIXTURES / "ananse_china_subset.csv")
    call_command("dedupe")
    queued = {frozenset((d.kept.name, d.merged.name)): d for d in
              MergeDecision.objects.filter(status="queued").select_related("kept", "merged")}
    for pair in [("Maker Faire Taipei", "MakerBar Taipei"), ("Maker Faire Taipei", "FabCafe Taipei"),
                 ("Fablab Tainan", "Maker Faire Tainan"), ("Taipei Hackerspace", "Openlab Taipei"),
                 ("Taipei Hackerspace", "Maker Faire Taipei")]:
        assert frozenset(pair) not in queued, pair
    # The two rows of the Beijing Maker Faire (one address, "Mini" in one name) are queued.
    beijing = queued[frozenset(("Beijing Mini Maker Faire", "Maker Faire Beijing"))]
    assert beijing.score == round(beijing.score, 4) and str(beijing).endswith(f"(queued, {beijing.score:.2f})")


@pytest.mark.django_db
def test_dedupe_measures_its_pairs_against_pairs_judged_by_hand(tmp_path, capsys):
    from observatory.console import console

    source_import(importer=importer_get("ananse-csv"), path=FIXTURES / "ananse_china_subset.csv")
    slugs = dict(Entity.objects.values_list("name", "slug"))
    judged = tmp_path / "judged.csv"
    judged.write_text("a,b,same,note\n"
                      f"{slugs['Beijing Mini Maker Faire']},{slugs['Maker Faire Beijing']},yes,one fair\n"
                      f"{slugs['Maker Faire Taipei']},{slugs['MakerBar Taipei']},no,a fair and a fab lab\n",
                      encoding="utf-8")
    with console.capture() as captured:
        call_command("dedupe", "--dry-run", "--judged", str(judged))
    text = captured.get()
    assert "Pairs judged the same actor: 1, found (merged or queued): 1." in text
    queued_row = next(line for line in text.splitlines() if line.strip("│ ").startswith("queued"))
    assert "1.00" in queued_row  # the one judged pair queued is the same actor
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,same\nx,y,maybe\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.csv: line 2: field same: 'maybe' is neither yes nor no"):
        call_command("dedupe", "--dry-run", "--judged", str(bad))


@pytest.mark.django_db
def test_dedupe_merges_sure_pairs_queues_likely_ones_and_reports_them(tmp_path):
    source_import(importer=importer_get("szmakermap"), path=FIXTURES / "szmakermap_list.json")
    source_import(importer=importer_get("ananse-csv"), path=FIXTURES / "ananse_china_subset.csv")
    source_import(importer=importer_get("hackerspaces-geojson"), path=FIXTURES / "hackerspaces_subset.geojson")
    report_path = tmp_path / "dedupe.csv"
    call_command("dedupe", "--report", str(report_path))
    rows = list(csv.DictReader(report_path.open(encoding="utf-8")))
    merged = [r for r in rows if r["decision"] == "merged"]
    assert merged and all(float(r["score"]) >= 0.85 for r in merged)
    sides = {frozenset((r["kept_source"], r["merged_source"])) for r in merged}
    tsinghua = next(pair for pair in sides if "hackerspaces-chgrp2015#feature:5" in pair)  # Tsinghua i.Center
    assert any(side.startswith("ananse2016#row:") for side in tsinghua)
    assert all("#row:" in r["kept_source"] + r["merged_source"] or "#feature:" in r["kept_source"] for r in rows)
    queued = MergeDecision.objects.filter(status="queued").count()
    assert queued == sum(1 for r in rows if r["decision"] == "queued")
    # A second run proposes nothing new: merged pairs are gone, queued ones stay queued once.
    call_command("dedupe")
    assert MergeDecision.objects.filter(status="queued").count() == queued


@pytest.mark.django_db
def test_a_dry_run_writes_nothing(tmp_path):
    source_import(importer=importer_get("hackerspaces-geojson"), path=FIXTURES / "hackerspaces_subset.geojson")
    source_import(importer=importer_get("ananse-csv"), path=FIXTURES / "ananse_china_subset.csv")
    call_command("dedupe", "--dry-run", "--report", str(tmp_path / "r.csv"))
    assert not MergeDecision.objects.exists() and not Entity.objects.filter(merged_into__isnull=False).exists()
    assert "merged" in (tmp_path / "r.csv").read_text(encoding="utf-8")


def test_precision_and_recall_on_the_ananse_alias_sheet():
    records, truth = alias_records(shared_path("data", "raw", "ananse-atlas-innovation-spaces", "aliases_derived.csv"))
    (auto, review), stats = evaluate_pairs(records, truth)
    assert len(truth) == 237 and stats["pairs_per_record"] < 5
    assert auto.precision == 1.0  # nothing merged automatically on a name and a city alone
    assert review.precision >= 0.9 and review.recall >= 0.65


def test_precision_and_recall_on_labelled_cross_source_china_pairs():
    raw = shared_path("data", "raw")
    files = [("ananse-csv", raw / "ananse-atlas-innovation-spaces" / "new_spaces.csv"),
             ("szmakermap", raw / "szmakermap" / "list.json"),
             ("hackerspaces-geojson", raw / "hackerspaces-wiki-chgrp" / "hackerspaces_exchanges_residencies.geojson")]
    (auto, review), stats = cross_source_evaluate(FIXTURES / "cross_source_labels.csv", files)
    assert stats["found_refs"] == 85 and auto.true_pairs == 12
    assert auto.precision == 1.0 and auto.recall >= 0.65
    # One true pair is missed since place names count for nothing: "Shenzhen Mini Maker Faire" and
    # "Maker Faire Shenzhen" compare as "mini maker faire" and "maker faire" (docs/entity-resolution.md).
    assert review.precision >= 0.9 and review.recall >= 0.9
