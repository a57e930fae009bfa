"""De-duplication across sources and scripts: candidate pairs, the report, the review queue, P/R."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command

from observatory.inventory.importers import importer_get, source_import
from observatory.inventory.models import Entity, MergeDecision
from observatory.inventory.resolution import MatchRecord, candidate_pairs, pair_score
from observatory.inventory.resolution.evaluation import alias_records, cross_source_evaluate, evaluate_pairs
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
    assert auto.precision == 1.0 and auto.recall >= 0.7
    assert review.recall == 1.0
