"""De-duplication runs: the review queue, the report, merges, precision and recall on labelled pairs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from observatory.inventory.importers import importer_get, source_import
from observatory.inventory.models import Entity, MergeDecision
from observatory.inventory.resolution.evaluation import alias_records, cross_source_evaluate, evaluate_pairs
from tests.shared import shared_path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "importers"


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
