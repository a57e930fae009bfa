"""Stored, reproducible analysis runs on the inventory (observatory analyze)."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection  # noqa: F401 — read by the skipif conditions below

from observatory.analysis.models import AnalysisRun
from observatory.analysis.services import AnalysisInputError, analysis_run
from observatory.coding.dataset import dataset_load
from observatory.inventory.models import Entity, Location, Relation
from tests.conftest import REPO

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundled():
    return dataset_load(REPO / "data" / "china")


def _strict_json(value) -> str:
    return json.dumps(value, allow_nan=False, sort_keys=True)


def test_it_runs_all_four_analyses_on_the_bundled_dataset_and_stores_them(bundled, capsys):
    call_command("analyze", "all", "--seed", "7")
    runs = {run.kind: run for run in AnalysisRun.objects.all()}
    assert set(runs) == {"network", "spatial", "typology", "timeline"}
    for run in runs.values():
        assert run.status == "done", run.error
        assert run.seed == 7 and len(run.dataset_fingerprint) == 64 and run.code_version
        _strict_json(run.result)  # no NaN or infinity is ever stored
    network = runs["network"].result
    assert network["partition"] == "online_physical"
    assert runs["network"].parameters["relation_classes"] == ["interaction", "knowledge_flow"]
    assert runs["network"].parameters["permutations"] == 999
    seeed = network["nodes"]["seeed-studio"]
    assert seeed["total"] > 0 and seeed["layer"] == "organizational" and seeed["side"] in ("online", "physical")
    assert set(runs["spatial"].result["counts"]["province"]) >= {"440000", "110000", "310000"}
    assert len(runs["typology"].result["types"]) >= 2
    assert runs["timeline"].result["n_dated"] > 10
    names = {f.name for run in runs.values() for f in run.figures.all()}
    assert {"brokerage-roles", "counts-by-province", "mca-map", "per-year"} <= names
    figure = runs["network"].figures.get(name="brokerage-roles")
    assert figure.svg.lstrip().startswith("<?xml") and bytes(figure.png)[:8] == b"\x89PNG\r\n\x1a\n"
    # each figure is drawn in both languages, with the names of each (matplotlib writes a text as a comment)
    assert all(f.svg_zh.lstrip().startswith("<?xml") and bytes(f.png_zh)[:8] == b"\x89PNG\r\n\x1a\n"
               for run in runs.values() for f in run.figures.all())
    seeed_zh = Entity.objects.get(slug="seeed-studio").name_zh
    assert "<!-- Seeed Studio -->" in figure.svg and f"<!-- {seeed_zh} -->" not in figure.svg
    assert f"<!-- {seeed_zh} -->" in figure.svg_zh and "中介角色 -->" in figure.svg_zh
    out = capsys.readouterr().out
    assert "network run #" in out and "Top brokers" in out


def test_the_same_data_and_seed_give_identical_results(bundled):
    first = analysis_run("network", parameters={"partition": "layer"}, seed=3)
    second = analysis_run("network", parameters={"partition": "layer"}, seed=3)
    assert first.dataset_fingerprint == second.dataset_fingerprint
    assert _strict_json(first.result) == _strict_json(second.result)
    typology_a = analysis_run("typology", seed=3)
    typology_b = analysis_run("typology", seed=3)
    assert _strict_json(typology_a.result) == _strict_json(typology_b.result)


def test_the_fingerprint_changes_with_the_data(bundled):
    before = analysis_run("timeline").dataset_fingerprint
    Relation.objects.filter(pk=Relation.objects.order_by("pk").first().pk).delete()
    assert analysis_run("timeline").dataset_fingerprint != before


def test_an_empty_graph_is_a_clear_message_and_a_failed_run(mini_dataset):
    Relation.objects.all().delete()
    with pytest.raises(AnalysisInputError, match="relation graph is empty"):
        analysis_run("network")
    run = AnalysisRun.objects.get()
    assert run.status == "failed" and "relation graph is empty" in run.error


def test_a_partition_with_one_group_is_refused(mini_dataset):
    Entity.objects.update(layer="physical")
    with pytest.raises(AnalysisInputError, match="at least two groups"):
        analysis_run("network")


def test_entities_without_coordinates_are_explained(mini_dataset):
    Location.objects.all().delete()
    with pytest.raises(AnalysisInputError, match="no entity has a location"):
        analysis_run("spatial")


def test_too_few_coded_entities_for_a_typology(mini_dataset):
    with pytest.raises(AnalysisInputError, match="code at least 5 entities"):
        analysis_run("typology")


def test_the_command_reports_bad_input_without_a_traceback(mini_dataset, capsys):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("analyze", "network", "--since", "last spring")
    Relation.objects.all().delete()
    with pytest.raises(CommandError, match="no analysis could run"):
        call_command("analyze", "network")
    assert "relation graph is empty" in capsys.readouterr().out


def test_a_time_window_slices_the_network(bundled):
    everything = analysis_run("network").result["n_edges"]
    early = analysis_run("network", parameters={"until": "2010-12-31"}).result
    assert early["n_edges"] < everything
    assert early["window"]["until"] == "2010-12-31"


def test_figures_are_served_and_unknown_ones_are_not_found(bundled, reader):
    run = analysis_run("network")
    assert reader.get(f"/analysis/runs/{run.pk}/figures/brokerage-roles.svg")["Content-Type"].startswith("image/svg")
    assert reader.get(f"/analysis/runs/{run.pk}/figures/brokerage-roles.png").content[:4] == b"\x89PNG"
    assert reader.get(f"/analysis/runs/{run.pk}/figures/nope.svg").status_code == 404
    # the Chinese drawing has its own address; the analysis page asks for the reader's language
    figure = run.figures.get(name="brokerage-roles")
    assert reader.get(f"/analysis/runs/{run.pk}/figures/brokerage-roles.zh.svg").content.decode() == figure.svg_zh
    assert reader.get(f"/analysis/runs/{run.pk}/figures/brokerage-roles.zh.png").content == bytes(figure.png_zh)
    assert f"/analysis/runs/{run.pk}/figures/brokerage-roles.svg" in reader.get("/analysis/").content.decode()
    reader.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert f"/analysis/runs/{run.pk}/figures/brokerage-roles.zh.svg" in reader.get("/analysis/").content.decode()


def test_large_point_patterns_are_subsampled_with_a_seed_and_say_so(bundled):
    parameters = {"min_points_pattern": 3, "max_points_pattern": 4, "large_pattern": 4, "nsim": 19, "nsim_large": 9}
    run = analysis_run("spatial", parameters=parameters, seed=5)
    patterns = {code: p for code, p in run.result["point_patterns"].items() if p["statistics"] is not None}
    big = {code: p for code, p in patterns.items() if p["n"] > 4}
    assert big, "the bundled dataset has a city with more than 4 precise points of spaces"
    for p in big.values():
        ripley = p["statistics"]["ripley"]
        assert ripley["subsampled"] and ripley["n"] == 4 and ripley["nsim"] == 9
        assert ripley["envelope_level"] == pytest.approx(0.2)
        assert p["statistics"]["clark_evans"]["n"] == p["n"]           # Clark–Evans keeps every point
    for p in patterns.values():
        if p["n"] <= 4:
            assert not p["statistics"]["ripley"]["subsampled"] and p["statistics"]["ripley"]["nsim"] == 19
    assert any("random subsample of 4 points" in note for note in run.notes)
    again = analysis_run("spatial", parameters=parameters, seed=5)
    assert _strict_json(again.result) == _strict_json(run.result)


def test_a_network_run_records_how_betweenness_was_computed(bundled):
    run = analysis_run("network", seed=2)
    between = run.result["betweenness"]
    assert between["exact"] and between["pivots"] is None and between["error_95"] == 0
    sampled = analysis_run("network", parameters={"betweenness_k": 20}, seed=2).result["betweenness"]
    assert not sampled["exact"] and sampled["pivots"] == 20 and sampled["error_95"] > 0
    assert sampled["rel_se_top100"] > 0


def test_typology_stability_is_assessed_on_a_stratified_subsample_when_asked(bundled):
    import numpy as np

    from observatory.analysis.runners.typology import _stability_rows

    run = analysis_run("typology", seed=4)
    full = run.result
    assert full["stability"]["subsampled"] is False and full["stability"]["n_rows"] == full["stability"]["of"]
    # the types are named in both languages, and the Chinese summary carries the Chinese names
    named = [t for t in full["types"] if t["name"]]
    assert named and all(t["name_zh"] and t["name_zh"] != t["name"] for t in named)
    assert all(t["name_zh"] in full["texts"]["summary"]["zh"] for t in named)
    # the bundled types are too small to subsample (each keeps at least 10 members), so the rule is
    # shown on labels of the size the rule exists for
    labels = np.repeat([0, 1, 2], [400, 300, 15])
    rows = _stability_rows(labels, 100, seed=4)
    assert rows.size < labels.size and set(labels[rows]) == {0, 1, 2}       # every type is in the subsample
    assert (labels[rows] == 2).sum() == 10                                   # a small type keeps 10 members
    assert np.array_equal(rows, _stability_rows(labels, 100, seed=4))        # seeded
    run = analysis_run("typology", parameters={"max_boot_rows": 20, "n_boot": 10}, seed=4)
    assert run.result["stability"]["n_boot"] == 10
    again = analysis_run("typology", parameters={"max_boot_rows": 20, "n_boot": 10}, seed=4)
    assert _strict_json(again.result) == _strict_json(run.result)


# --- the dataset fingerprint ------------------------------------------------------------------------


def _fingerprint() -> str:
    from observatory.analysis.services import dataset_fingerprint

    return dataset_fingerprint()


def test_the_fingerprint_is_stable_and_ignores_database_ids(bundled):
    before = _fingerprint()
    assert len(before) == 64 and _fingerprint() == before
    relation = Relation.objects.order_by("pk").first()
    relation.pk = None          # the same relation again under a new id, the old row gone
    Relation.objects.filter(pk=Relation.objects.order_by("pk").first().pk).delete()
    relation.save()
    assert _fingerprint() == before


@pytest.mark.parametrize("change", [
    "entity name", "entity founding date", "entity closing precision", "entity made private", "location latitude",
    "location precision", "second location", "relation weight", "relation type", "relation end date",
    "coding confidence", "coding removed", "code label",
])
def test_the_fingerprint_changes_with_any_value_an_analysis_reads(bundled, change):
    import datetime as dt

    from observatory.coding.models import Code, Coding

    before = _fingerprint()
    located = Location.objects.filter(entity__is_public=True, lat__isnull=False).order_by("pk").first()
    relation = Relation.objects.filter(source_entity__is_public=True, target_entity__is_public=True).order_by("pk").first()
    coding = Coding.objects.filter(entity__is_public=True).order_by("pk").first()
    entity = located.entity
    if change == "entity name":
        Entity.objects.filter(pk=entity.pk).update(name=entity.name + " (renamed)")
    elif change == "entity founding date":
        Entity.objects.filter(pk=entity.pk).update(founded=dt.date(1999, 1, 1))
    elif change == "entity closing precision":
        Entity.objects.filter(pk=entity.pk).update(closed_precision="day" if entity.closed_precision != "day" else "year")
    elif change == "entity made private":
        Entity.objects.filter(pk=entity.pk).update(is_public=False)
    elif change == "location latitude":
        Location.objects.filter(pk=located.pk).update(lat=located.lat + 1e-9)
    elif change == "location precision":
        Location.objects.filter(pk=located.pk).update(precision="city" if located.precision != "city" else "exact")
    elif change == "second location":
        Location.objects.bulk_create([Location(entity=entity, lng=located.lng, lat=located.lat, precision=located.precision,
                                               province_code=located.province_code,
                                               prefecture_code=located.prefecture_code)])
    elif change == "relation weight":
        Relation.objects.filter(pk=relation.pk).update(weight=relation.weight + 0.5)
    elif change == "relation type":
        other = next(t for t in ("collaborates_with", "hosts", "supplies") if t != relation.type)
        Relation.objects.filter(pk=relation.pk).update(type=other)
    elif change == "relation end date":
        Relation.objects.filter(pk=relation.pk).update(to_date=dt.date(2031, 5, 6))
    elif change == "coding confidence":
        Coding.objects.filter(pk=coding.pk).update(confidence=coding.confidence / 2)
    elif change == "coding removed":
        Coding.objects.filter(pk=coding.pk).delete()
    elif change == "code label":
        Code.objects.filter(pk=coding.code_id).update(label_en="Something else")
    assert _fingerprint() != before


def test_private_entities_do_not_enter_the_fingerprint(bundled):
    private = Entity.objects.filter(is_public=True).order_by("pk").last()
    Entity.objects.filter(pk=private.pk).update(is_public=False)
    before = _fingerprint()
    Entity.objects.filter(pk=private.pk).update(name="renamed while private")
    assert _fingerprint() == before


def test_analyze_all_computes_the_fingerprint_once_for_its_four_runs(bundled, monkeypatch):
    from observatory.analysis import fingerprint, services
    from observatory.analysis.management.commands import analyze

    calls = []

    def counting():
        calls.append(1)
        return fingerprint.dataset_fingerprint()

    monkeypatch.setattr(analyze, "dataset_fingerprint", counting)
    monkeypatch.setattr(services, "dataset_fingerprint", lambda **_: pytest.fail("computed again for one run"))
    call_command("analyze", "all", "--seed", "1")
    runs = list(AnalysisRun.objects.all())
    assert len(calls) == 1 and len(runs) == 4 and all(run.status == "done" for run in runs)
    assert {run.dataset_fingerprint for run in runs} == {fingerprint.dataset_fingerprint()}


def test_json_safe_nulls_undefined_numbers_and_names_where_they_were():
    import numpy as np

    from observatory.analysis.services import json_safe

    notes: list[dict] = []
    value = {"nodes": {"a": {"z": float("nan"), "n": np.int64(3), "ok": 0.5, "name": "x", "ids": (1, 2)},
                       7: [1.0, float("inf"), {"p": np.float64("nan")}]},
             "arr": np.array([1.0, -np.inf]), "flag": np.bool_(True)}
    assert json_safe(value, notes) == {"nodes": {"a": {"z": None, "n": 3, "ok": 0.5, "name": "x", "ids": [1, 2]},
                                                 "7": [1.0, None, {"p": None}]},
                                       "arr": [1.0, None], "flag": True}
    # each note in both languages (findings.in_both), the field named where the value was
    assert [note["en"] for note in notes] == ["result.nodes.a.z: undefined (NaN), stored as null",
                                              "result.nodes.7[1]: undefined (infinite), stored as null",
                                              "result.nodes.7[2].p: undefined (NaN), stored as null",
                                              "result.arr[1]: undefined (infinite), stored as null"]
    assert [note["zh"].split("：")[0] for note in notes] == ["result.nodes.a.z", "result.nodes.7[1]",
                                                            "result.nodes.7[2].p", "result.arr[1]"]


def _stored(runs) -> dict:
    """What a run stores, by kind, apart from its id, times and the commit that made it."""
    return {run.kind: (run.status, run.parameters, run.result, run.summary, run.notes,
                       sorted((f.name, f.svg, bytes(f.png), f.svg_zh, bytes(f.png_zh)) for f in run.figures.all()))
            for run in runs}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="forked workers need a database they can open: the SQLite test database is in memory "
                           "(test_analyze_all_in_two_processes_on_a_sqlite_file covers SQLite)")
def test_analyses_in_worker_processes_store_what_they_store_one_after_another():
    from observatory.analysis.services import analysis_runs, parallel_possible

    dataset_load(REPO / "data" / "china")
    assert parallel_possible()
    parameters = {"network": {"permutations": 99}}
    finished = []
    outcomes = analysis_runs(["network", "timeline", "spatial"], parameters=parameters, seed=5, jobs=2,
                             on_done=lambda outcome: finished.append(outcome.kind))
    assert [o.kind for o in outcomes] == ["network", "timeline", "spatial"]
    assert all(o.run_id and not o.failure for o in outcomes) and sorted(finished) == sorted(o.kind for o in outcomes)
    parallel = _stored(AnalysisRun.objects.filter(pk__in=[o.run_id for o in outcomes]))
    analysis_runs(["network", "timeline", "spatial"], parameters=parameters, seed=5, jobs=1)
    sequential = _stored(AnalysisRun.objects.exclude(pk__in=[o.run_id for o in outcomes]))
    assert parallel == sequential


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the SQLite file case; PostgreSQL is covered above")
def test_analyze_all_in_two_processes_on_a_sqlite_file(tmp_path):
    import sqlite3
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "OBSERVATORY_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    def observatory(*args):
        result = subprocess.run([sys.executable, "-m", "observatory.cli", *args], cwd=REPO, env=env,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout

    observatory("migrate", "-v", "0")
    observatory("load-curated", str(REPO / "data" / "china"))
    out = observatory("analyze", "all", "--seed", "5", "--permutations", "99", "--jobs", "2")
    assert all(f"{kind} run #" in out for kind in ("network", "spatial", "typology", "timeline"))
    # two of them again, alone, one after the other in their own processes
    observatory("analyze", "network", "--seed", "5", "--permutations", "99")
    observatory("analyze", "timeline", "--seed", "5")
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        runs = db.execute("SELECT id, kind, status, parameters, result, summary, notes FROM analysis_analysisrun "
                          "ORDER BY id").fetchall()
        figures = db.execute("SELECT run_id, name, svg, png, svg_zh, png_zh FROM analysis_analysisfigure").fetchall()
    assert len(runs) == 6 and {run[2] for run in runs} == {"done"}
    stored = {}
    for pk, kind, *values in runs:
        drawn = sorted(figure[1:] for figure in figures if figure[0] == pk)
        stored.setdefault(kind, []).append((values, drawn))
    assert stored["network"][0] == stored["network"][1] and stored["timeline"][0] == stored["timeline"][1]


def test_the_network_runners_actors_are_what_the_json_walk_would_store(bundled):
    # services.JsonReady: the actors are stored as they are, so they must be what json_safe makes of them
    from observatory.analysis.runners.network import run_network
    from observatory.analysis.services import JsonReady, json_safe

    for partition in ("online_physical", "layer"):
        nodes = run_network(parameters={"permutations": 99, "partition": partition}, seed=1)["result"]["nodes"]
        assert type(nodes) is JsonReady and len(nodes) > 20
        notes: list[dict] = []
        assert json_safe(dict(nodes), notes) == nodes and notes == []
        _strict_json(nodes)
