"""Large files: rows are read as they are needed, a size guard refuses a file before reading it,
and the command's progress bar counts the rows done of the file's rows."""

from __future__ import annotations

import csv
import io
import itertools
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rich.console import Console

from observatory.inventory.importers import ImportFileError, importer_get, source_import
from observatory.inventory.importers.runner import SpilledList
from observatory.inventory.importers.tabular import csv_rows, xlsx_rows
from observatory.inventory.models import Entity, ImportRun

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "importers"

MAPPING = """source:
  key: streaming-test
  title: Streaming test rows
  licence: CC0-1.0
id: code
kind: makerspace
country: China
columns:
  name: name
  lat: lat
  lng: lng
"""


def _csv(path: Path, rows: int, *, start: int = 0) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "lat", "lng"])
        for n in range(start, start + rows):
            writer.writerow([f"S{n}", f"创客空间 {n} Makerspace", f"{22.5 + n % 100 / 1000:.4f}",
                             f"{113.9 + n % 77 / 1000:.4f}"])
    return path


def _peak_bytes(function) -> int:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_csv_file_is_read_row_by_row_not_held_whole(tmp_path):
    path = _csv(tmp_path / "big.csv", 200_000)
    assert path.stat().st_size > 8_000_000
    rows = csv_rows(path)
    first = _peak_bytes(lambda: next(rows))  # checks the encoding of the whole file, then parses one row
    assert first < 2_000_000, first  # a block of 256 KB, decoded
    assert next(rows).data["code"] == "S1"
    more = _peak_bytes(lambda: sum(1 for _ in itertools.islice(rows, 20_000)))
    assert more < 1_000_000, more  # 20,000 rows as dictionaries would be over 10 MB: they are not kept


def test_a_csv_file_whose_only_bad_byte_is_far_down_falls_back_to_cp1252(tmp_path):
    path = tmp_path / "late.csv"
    path.write_bytes(b"name,city\n" + b"Fablab,Paris\n" * 200_000 + b"Caf\xe9 Lab,Lyon\n")
    rows = list(csv_rows(path))
    assert rows[-1].data["name"] == "Café Lab" and rows[0].data["city"] == "Paris"


def test_an_xlsx_sheet_is_read_row_by_row(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["code", "name", "lat", "lng"])
    for n in range(30_000):
        sheet.append([f"S{n}", f"Space {n}", 22.5, 113.9])
    path = tmp_path / "big.xlsx"
    workbook.save(path)
    rows = xlsx_rows(path)
    assert next(rows).data["code"] == "S0"
    rest = _peak_bytes(lambda: sum(1 for _ in rows))
    assert rest < 5_000_000, rest  # the 30,000 rows as dictionaries are about 10 MB: they are not kept


def test_the_mapped_importer_yields_its_rows_lazily_and_checks_the_header_at_the_first(tmp_path):
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    importer = importer_get("spreadsheet", mapping=tmp_path / "m.yaml")
    rows = importer.rows(_csv(tmp_path / "rows.csv", 10))
    assert not isinstance(rows, list) and next(rows).external_id == "S0"
    (tmp_path / "bad.csv").write_text("code,title\nS1,x\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"column\(s\) 'name', 'lat', 'lng' named in the mapping"):
        next(importer.rows(tmp_path / "bad.csv"))


def test_the_report_keeps_its_first_items_in_memory_and_the_rest_in_a_file(monkeypatch):
    monkeypatch.setattr(SpilledList, "kept", 3)
    monkeypatch.setattr(SpilledList, "_BATCH", 2)
    items = SpilledList({"n": n} for n in range(10))
    assert len(items) == 10 and items._file is not None and len(items._head) == 3
    assert [item["n"] for item in items] == list(range(10))
    assert items[:2] == [{"n": 0}, {"n": 1}] and items[7] == {"n": 7} and items == [{"n": n} for n in range(10)]
    assert not SpilledList() and list(SpilledList()) == []


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_naming_it_its_size_and_how_to_raise_the_limit(tmp_path, settings):
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    path = _csv(tmp_path / "rows.csv", 50)
    size = path.stat().st_size
    settings.OBSERVATORY_IMPORT_MAX_BYTES = 1000
    with pytest.raises(CommandError) as caught:
        call_command("import_source", "spreadsheet", str(path), "--mapping", str(tmp_path / "m.yaml"))
    message = str(caught.value)
    assert str(path) in message and f"is {size:,} bytes" in message and "limit of 1,000 bytes" in message
    assert f"--max-bytes {size}" in message and "OBSERVATORY_IMPORT_MAX_BYTES" in message
    assert message.endswith("Nothing was written.") and not Entity.objects.exists()
    with pytest.raises(ImportFileError) as direct:  # what the admin's upload form and the API show
        source_import(importer=importer_get("spreadsheet", mapping=tmp_path / "m.yaml"), path=path)
    assert "OBSERVATORY_IMPORT_MAX_BYTES" in str(direct.value) and "--max-bytes" not in str(direct.value)
    with pytest.raises(CommandError, match="--max-bytes -1: give a number of bytes"):
        call_command("import_source", "spreadsheet", str(path), "--mapping", str(tmp_path / "m.yaml"),
                     "--max-bytes", "-1")
    call_command("import_source", "spreadsheet", str(path), "--mapping", str(tmp_path / "m.yaml"),
                 "--max-bytes", str(size), stdout=io.StringIO())
    assert Entity.objects.count() == 50
    settings.OBSERVATORY_IMPORT_MAX_BYTES = 0  # no limit
    assert source_import(importer=importer_get("spreadsheet", mapping=tmp_path / "m.yaml"), path=path).total == 50


@pytest.mark.django_db
def test_a_file_that_turns_malformed_far_down_writes_nothing(tmp_path):
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    path = _csv(tmp_path / "rows.csv", 3000)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('S9999,"unclosed,22.5,113.9\n')
    with pytest.raises(ImportFileError, match=r"rows.csv, line 3002: malformed CSV"):
        source_import(importer=importer_get("spreadsheet", mapping=tmp_path / "m.yaml"), path=path)
    assert not Entity.objects.exists() and not ImportRun.objects.exists()


def _terminal(monkeypatch) -> io.StringIO:
    """The progress bar as a user's terminal gets it."""
    from observatory import console as console_module

    screen = io.StringIO()
    monkeypatch.setattr(console_module, "console", Console(file=screen, force_terminal=True, width=120))
    return screen


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rows", [40, 700])  # the per-row path and the bulk path
def test_the_progress_bar_shows_the_rows_done_of_the_files_rows(tmp_path, monkeypatch, rows):
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    path = _csv(tmp_path / "rows.csv", rows)
    screen = _terminal(monkeypatch)
    call_command("import_source", "spreadsheet", str(path), "--mapping", str(tmp_path / "m.yaml"),
                 stdout=io.StringIO())
    shown = screen.getvalue()
    assert "Importing rows.csv" in shown and f"{rows}/{rows}" in shown and "/?" not in shown


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("source", "fixture"), [("szmakermap", "szmakermap_list.json"),
                                                 ("ananse-csv", "ananse_china_subset.csv")])
def test_the_other_importers_progress_bars_have_a_total_too(monkeypatch, source, fixture):
    screen = _terminal(monkeypatch)
    call_command("import_source", source, str(FIXTURES / fixture), stdout=io.StringIO())
    total = ImportRun.objects.get().counts
    rows = sum(total.values())
    shown = screen.getvalue()
    assert f"{rows}/{rows}" in shown and "/?" not in shown


@pytest.mark.django_db
def test_a_dry_run_of_a_large_file_streams_it_inside_its_transaction_and_writes_nothing(tmp_path):
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    path = _csv(tmp_path / "rows.csv", 600)  # the bulk path
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write("S5,创客空间 5 Makerspace,22.5050,113.9050\n")  # an identifier seen earlier
    importer = importer_get("spreadsheet", mapping=tmp_path / "m.yaml")
    report = source_import(importer=importer, path=path, dry_run=True)
    assert report.total == 601 and report.summary()["created"] == 600 and report.summary()["rejected"] == 1
    assert report.rejects[0]["line"] == 602 and "earlier in the file" in report.rejects[0]["reason"]
    assert len(report.entities) == 600 and not Entity.objects.exists()
