"""Files that cannot be read: a clear one-line error naming the file and what was expected, never a
traceback, never a server path; workbooks that would unpack to too much are refused unread."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from observatory.inventory.importers import ImportFileError, importer_get, source_import, tabular
from observatory.inventory.models import Entity
from tests.conftest import REPO


def _workbook(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "City"])
    sheet.append(["Chaihuo", "Shenzhen"])
    book.save(path)
    return path


def _bomb(path: Path, megabytes: int = 20) -> Path:
    """A zip shaped as a workbook whose sheet unpacks a thousand times its packed size."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("xl/worksheets/sheet1.xml", "w") as handle:
            for _ in range(megabytes):
                handle.write(b"\0" * (1 << 20))
    return path


def _broken_xml_workbook(path: Path) -> Path:
    """A real zip whose parts are not well-formed XML (what a truncated save leaves)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types><Default Extension=")
        archive.writestr("xl/workbook.xml", "<workbook")
    return path


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    bomb = _bomb(tmp_path / "spaces.xlsx")
    with pytest.raises(ImportFileError) as caught:
        list(tabular.xlsx_rows(bomb))
    message = str(caught.value)
    assert message.startswith(str(bomb)) and "xl/worksheets/sheet1.xml" in message
    assert f"the limit is {tabular.XLSX_MAX_RATIO}" in message


def test_a_workbook_that_unpacks_past_the_limit_is_refused(tmp_path, monkeypatch):
    workbook = _workbook(tmp_path / "spaces.xlsx")
    tabular.xlsx_check(workbook)  # a real workbook passes
    assert [row.data for row in tabular.xlsx_rows(workbook)] == [{"Name": "Chaihuo", "City": "Shenzhen"}]
    monkeypatch.setattr(tabular, "XLSX_MAX_UNPACKED", 1000)
    with pytest.raises(ImportFileError, match=r"spaces\.xlsx: unpacks to [\d,]+ bytes, more than the limit of 1,000"):
        tabular.xlsx_check(workbook)


@pytest.mark.django_db
def test_an_import_of_a_zip_bomb_writes_nothing(tmp_path):
    with pytest.raises(ImportFileError, match="unpacks"):
        source_import(importer=importer_get("ananse-xlsx"), path=_bomb(tmp_path / "new_spaces_aliases.xlsx"))
    assert not Entity.objects.exists()


def _garbage_xlsx(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04 this was a workbook once")
    return path


def _deep_geojson(path: Path) -> Path:
    path.write_text('{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}")
    return path


def _truncated_geojson(path: Path) -> Path:
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": ')
    return path


@pytest.mark.parametrize(("importer", "make", "expected"), [
    ("ananse-xlsx", _garbage_xlsx, "not a readable XLSX workbook"),
    ("ananse-xlsx", _broken_xml_workbook, "malformed XML"),
    ("hackerspaces-geojson", _deep_geojson, "nested too deeply"),
    ("hackerspaces-geojson", _truncated_geojson, "not valid JSON"),
])
def test_the_import_command_answers_a_broken_file_in_one_line(tmp_path, importer, make, expected):
    suffix = ".xlsx" if importer.endswith("xlsx") else ".geojson"
    path = make(tmp_path / f"broken{suffix}")
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "OBSERVATORY_VAR_DIR": str(tmp_path / "var")}
    result = subprocess.run([sys.executable, "-m", "observatory.cli", "import", importer, str(path)], cwd=REPO,
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and expected in lines[0] and "Nothing was written" in lines[0]


@pytest.fixture
def _uploads(tmp_path, monkeypatch):
    from observatory.inventory import admin_imports

    monkeypatch.setattr(admin_imports, "_UPLOADS", tmp_path / "imports")
    return tmp_path / "imports"


@pytest.mark.django_db
@pytest.mark.parametrize(("importer", "make", "expected"), [
    ("ananse-xlsx", _broken_xml_workbook, "malformed XML"),
    ("hackerspaces-geojson", _deep_geojson, "nested too deeply"),
])
def test_the_admin_upload_names_the_uploaded_file_not_the_server_path(curator, _uploads, tmp_path, importer, make,
                                                                      expected):
    suffix = ".xlsx" if importer.endswith("xlsx") else ".geojson"
    data = make(tmp_path / f"made{suffix}").read_bytes()
    upload = SimpleUploadedFile(f"Spaces 2024{suffix}", data)
    page = curator.post("/admin/inventory/importrun/upload/", {"importer": importer, "file": upload})
    assert page.status_code == 200
    errors = " ".join(page.context["form"].non_field_errors())
    assert errors.startswith(f"Spaces 2024{suffix}: ") and expected in errors
    assert str(_uploads) not in page.content.decode() and str(tmp_path) not in errors
    assert not Entity.objects.exists()
