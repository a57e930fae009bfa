"""Backup and restore: export the whole database as a data package, import it into an empty
database, export again: the same files (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from observatory.exports import export_run
from observatory.exports.restore import PackageError, package_restore

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]


def _empty_database() -> None:
    from observatory.census.models import CensusRun
    from observatory.coding.models import Code, Codebook, Coding, Document, Excerpt
    from observatory.inventory.models import Entity, Relation, Source, SourceRecord

    for model in (Coding, Excerpt, Document, Relation, Entity, CensusRun, Code, Codebook, SourceRecord, Source):
        model.objects.all().delete()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _round_trip(tmp_path: Path) -> dict[str, bytes]:
    export_run("datapackage", tmp_path / "first", include_restricted=True)
    _empty_database()
    package_restore(tmp_path / "first")
    export_run("datapackage", tmp_path / "second", include_restricted=True)
    first, second = _files(tmp_path / "first"), _files(tmp_path / "second")
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name
    return first


def _enrich_mini() -> None:
    """Everything a backup must carry: a raw record, a merged duplicate, a private note, a field note
    coded as evidence, a dated relation, statuses."""
    from observatory.coding.models import Code, Coding, Document, Excerpt
    from observatory.inventory.models import Entity, Source
    from observatory.inventory.services import entity_upsert, source_record_upsert

    source = Source.objects.get(key="szmakermap2017")
    record, _ = source_record_upsert(source=source, external_id="feature:2",
                                     payload={"name": "SZOIL", "contact": "private@example.org", "n": [1, 2.5]})
    szoil = Entity.objects.get(slug="szoil")
    szoil.records.add(record)
    entity_upsert(slug="szoil-duplicate", kind="fab_lab", names=[{"text": "深圳开放创新实验室", "lang": "zh-Hans"}],
                  sources=["szmakermap2017#feature:2"], is_public=False, note="curator: duplicate of szoil",
                  statuses=[{"value": "accredited", "kind": "official_accreditation", "date": "2016-03",
                             "programme": "国家备案众创空间", "batch": "2", "source": "szmakermap2017"}])
    Entity.objects.filter(slug="szoil-duplicate").update(merged_into=szoil)
    document = Document.objects.create(title="Visit to SZOIL", text="We saw peer learning at the open night.")
    excerpt = Excerpt.objects.create(document=document, start=7, end=20)
    Coding.objects.create(entity=szoil, code=Code.objects.get(path="knowledge.peer-learning"), excerpt=excerpt,
                          coder_name="field team", confidence=0.5)
    _census(szoil)


def _census(entity) -> None:
    """A census run, an observation and the status it inferred (issue 15)."""
    import datetime as dt

    from observatory.census.models import CensusRun, Observation
    from observatory.inventory.models import StatusAssertion

    run = CensusRun.objects.create(status="done", total=1, done=1, options={"kinds": None}, counts={"gone": 1})
    Observation.objects.create(run=run, entity=entity, kind="website", url="https://szoil.example/",
                               observed_at=dt.datetime(2026, 12, 1, 3, 4, 5, 678000, tzinfo=dt.UTC), outcome="gone",
                               http_status=410, redirects=[[301, "https://szoil.example/"]],
                               error_detail="server banner", elapsed_ms=12)
    StatusAssertion.objects.create(entity=entity, value="closed", kind="inferred", origin="census", confidence=0.75,
                                   rule="census:http-410", date=dt.date(2026, 12, 1), date_precision="day",
                                   note="probably closed since 2026-12-01")


def test_it_restores_a_backup_identically(mini_dataset, tmp_path):
    from observatory.inventory.models import Entity

    _enrich_mini()
    files = _round_trip(tmp_path)
    assert b"private@example.org" in files["source_records.csv"]  # the raw payload is kept in a backup
    assert b"census:http-410" in files["statuses.csv"] and b"server banner" in files["observations.csv"]
    restored = Entity.objects.get(slug="szoil-duplicate")
    assert restored.merged_into.slug == "szoil" and restored.note == "curator: duplicate of szoil"
    assert Entity.objects.filter(slug="chaihuo-makerspace").exists()
    # the search text is restored, so the API and the site find entities at once
    from observatory.inventory.selectors import entity_search_filter

    assert entity_search_filter(Entity.objects.all(), "chaihuo").filter(slug="chaihuo-makerspace").exists()


def test_it_keeps_ids_working_after_a_restore(mini_dataset, tmp_path):
    from observatory.inventory.models import Entity
    from observatory.inventory.services import entity_upsert

    _round_trip(tmp_path)
    entity, status = entity_upsert(slug="new-space", kind="makerspace", names=[{"text": "New", "lang": "en"}],
                                   sources=["szmakermap2017"])
    assert status == "created" and entity.pk > max(Entity.objects.exclude(pk=entity.pk).values_list("pk", flat=True))


def test_it_restores_the_bundled_dataset_identically(db, tmp_path):
    from observatory.coding.dataset import DatasetError, dataset_load

    try:
        dataset_load(REPO / "data" / "china")
    except DatasetError as exc:
        pytest.skip(f"data/china does not load in this checkout: {exc.report.problems[:2]}")
    _round_trip(tmp_path)


def test_it_refuses_a_database_that_is_not_empty(mini_dataset, tmp_path):
    export_run("datapackage", tmp_path / "pkg", include_restricted=True)
    with pytest.raises(PackageError, match="not empty: sources"):
        package_restore(tmp_path / "pkg")


def test_it_names_the_file_line_and_column_of_a_bad_value(mini_dataset, tmp_path):
    from observatory.inventory.models import Entity

    export_run("datapackage", tmp_path / "pkg", include_restricted=True)
    path = tmp_path / "pkg" / "locations.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("BD-09,", "BD-09,not-a-number-", 1)
                    .replace(",true,", ",maybe,", 1), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert "maybe" in text or "not-a-number" in text
    _empty_database()
    with pytest.raises(CommandError, match=r"nothing was imported: locations\.csv:\d+: column \w+"):
        call_command("import_package", str(tmp_path / "pkg"))
    assert not Entity.objects.exists()  # one transaction: nothing half-imported


def test_it_refuses_an_infinite_relation_weight(mini_dataset, tmp_path):
    import csv

    export_run("datapackage", tmp_path / "pkg", include_restricted=True)
    path = tmp_path / "pkg" / "relations.csv"
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    rows[1][rows[0].index("weight")] = "inf"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    _empty_database()
    with pytest.raises(CommandError, match=r"relations\.csv:2: column weight: 'inf' is not valid \(expected a finite"):
        call_command("import_package", str(tmp_path / "pkg"))


def test_it_explains_a_folder_that_is_not_a_package(db, tmp_path):
    with pytest.raises(CommandError, match="no datapackage.json"):
        call_command("import_package", str(tmp_path))


def test_it_exports_from_the_command_with_a_summary(open_dataset, tmp_path, capsys):
    call_command("export", "geojson", str(tmp_path / "out.geojson"))
    output = capsys.readouterr().out
    assert "Left out" in output and "forbid redistribution" in output
    with pytest.raises(CommandError, match="unknown format 'shp'; accepted: csv"):
        call_command("export", "shp", str(tmp_path / "x"))


def test_it_imports_a_public_package_as_a_mirror_and_says_it_is_lossy(open_dataset, tmp_path, capsys):
    from observatory.inventory.models import Entity, Name
    from observatory.inventory.selectors import entity_search_filter

    Name.objects.create(entity=Entity.objects.get(slug="x-factory"), text="柴火造物中心", lang="zh-Hans", type="common",
                        source=open_dataset)
    export_run("datapackage", tmp_path / "public")
    _empty_database()
    call_command("import_package", str(tmp_path / "public"))
    assert "not a backup" in capsys.readouterr().out
    assert set(Entity.objects.values_list("slug", flat=True)) == {"x-factory", "seeed-studio", "szoil"}
    # search text is not published; the mirror derives it again from the names it has
    assert list(entity_search_filter(Entity.objects.all(), "柴火").values_list("slug", flat=True)) == ["x-factory"]
    export_run("datapackage", tmp_path / "again")
    assert (tmp_path / "again" / "entities.csv").read_bytes() == (tmp_path / "public" / "entities.csv").read_bytes()


def test_it_moves_a_database_to_a_fresh_sqlite_file_with_the_commands(mini_dataset, tmp_path):
    """The documented move between databases, run as a user would: the backup of the test database
    (PostgreSQL when the suite runs there) restored by `observatory import-package` into a new
    SQLite file in another process, and exported again there: the same files."""
    import os
    import subprocess
    import sys

    _enrich_mini()
    export_run("datapackage", tmp_path / "backup", include_restricted=True)
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'moved.sqlite3'}",
           "OBSERVATORY_VAR_DIR": str(tmp_path)}
    for args in (["migrate", "-v0"], ["import-package", str(tmp_path / "backup")],
                 ["export", "datapackage", str(tmp_path / "again"), "--include-restricted"]):
        result = subprocess.run([sys.executable, "-m", "observatory.cli", *args], cwd=REPO, env=env,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-2000:]
    assert _files(tmp_path / "backup") == _files(tmp_path / "again")


def test_it_imports_the_zip_the_api_gives(open_dataset, tmp_path, capsys):
    from observatory.exports import export_to_file
    from observatory.inventory.models import Entity

    archive, _report = export_to_file("datapackage", tmp_path)
    _empty_database()
    call_command("import_package", str(archive))
    assert Entity.objects.count() == 3 and "Restored from" in capsys.readouterr().out


def test_a_public_export_carries_observations_and_the_statuses_evidence_fields(mini_dataset, tmp_path):
    import csv

    from observatory.inventory.services import entity_upsert, source_upsert

    source_upsert(key="open-directory", csl={"type": "dataset", "title": "An open directory"}, licence="CC0-1.0",
                  redistributable=True)
    published, _ = entity_upsert(slug="open-space", kind="makerspace", names=[{"text": "Open Space", "lang": "en"}],
                                 sources=["open-directory"])
    _census(published)
    export_run("csv", tmp_path / "public")
    with (tmp_path / "public" / "statuses.csv").open(encoding="utf-8") as handle:
        statuses = list(csv.DictReader(handle))
    census = [s for s in statuses if s["origin"] == "census"]
    assert [(s["confidence"], s["rule"]) for s in census] == [("0.75", "census:http-410")]
    with (tmp_path / "public" / "observations.csv").open(encoding="utf-8") as handle:
        [observation] = list(csv.DictReader(handle))
    assert (observation["outcome"], observation["http_status"]) == ("gone", "410")
    assert "error_detail" not in observation  # server banners stay in private backups
