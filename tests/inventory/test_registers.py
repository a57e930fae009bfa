"""observatory import register: official lists as dated status assertions on resolved actors."""

import csv
import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from observatory.inventory import lifecycle, services
from observatory.inventory.models import Entity, ImportRun, MergeDecision, StatusAssertion
from observatory.inventory.registers import province_code, register_import
from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db
REGISTERS = FIXTURES / "registers"


@pytest.fixture
def existing():
    """Actors already in the inventory: one the register names exactly, in the same province."""
    services.source_upsert(key="curated", csl={"type": "webpage", "title": "A curated page"})
    made, _ = services.entity_upsert(
        slug="open-hardware", kind="makerspace", sources=["curated"],
        names=[{"text": "丙寅开源硬件众创空间", "lang": "zh-Hans", "type": "official"}],
        locations=[{"division": "440300", "precision": "city", "source": "curated"}])
    namesake, _ = services.entity_upsert(
        slug="namesake-elsewhere", kind="makerspace", sources=["curated"],
        names=[{"text": "乙丑物联网众创空间", "lang": "zh-Hans", "type": "official"}])
    return {"open-hardware": made, "namesake": namesake}


def _import(name, mapping, **options):
    return register_import(path=REGISTERS / name, mapping_path=REGISTERS / mapping, **options)


def test_it_turns_each_row_into_a_dated_official_status(existing):
    report = _import("makerspaces_2021.csv", "makerspaces_2021.yaml")
    assert report.counts["statuses created"] == 5
    hardware = StatusAssertion.objects.get(origin="register", note__contains="甲子硬件创客空间")
    assert (hardware.value, hardware.kind, hardware.programme, hardware.batch, hardware.date) == (
        "accredited", "official_accreditation", "国家备案众创空间", "2021年度", dt.date(2022, 6, 28))
    assert hardware.source.key == "most-2022-registered-makerspaces-2021" and hardware.source_locator == "1"
    assert hardware.entity.province_code == "110000"
    # the province merged over two rows is filled down; a city with independent planning status
    # and the Xinjiang Corps name their provinces
    assert StatusAssertion.objects.get(source_locator="2").entity.province_code == "110000"
    assert StatusAssertion.objects.get(source_locator="4").entity.province_code == "440000"
    assert StatusAssertion.objects.get(source_locator="5").entity.province_code == "650000"


def test_it_attaches_sure_matches_and_queues_uncertain_ones(existing):
    report = _import("makerspaces_2021.csv", "makerspaces_2021.yaml")
    assert report.counts["attached"] == 1
    status = StatusAssertion.objects.get(source_locator="3", origin="register")
    assert status.entity == existing["open-hardware"]  # same name, same province
    # same name, province unknown on the existing actor: a new actor and a pair for review
    queued = MergeDecision.objects.get(status="queued")
    assert queued.kept == existing["namesake"] and queued.merged.names.get().text == "乙丑物联网众创空间"
    assert not Entity.objects.filter(merged_into__isnull=False).exists()


def test_it_rejects_bad_rows_with_line_and_reason(existing):
    report = _import("makerspaces_2021.csv", "makerspaces_2021.yaml")
    rejects = {r["line"]: r for r in report.rejects}
    assert set(rejects) == {8, 9, 10}
    assert rejects[8]["field"] == "省份" and rejects[8]["value"] == "火星"
    assert rejects[9]["field"] == "众创空间名称" and "no name" in rejects[9]["reason"]
    assert rejects[10]["field"] == "序号" and "line 5" in rejects[10]["reason"]
    assert ImportRun.objects.get(importer="register").counts["rejected"] == 3


def test_it_changes_nothing_when_the_same_file_is_imported_again(existing):
    _import("makerspaces_2021.csv", "makerspaces_2021.yaml")
    before = (Entity.objects.count(), StatusAssertion.objects.count(), MergeDecision.objects.count())
    again = _import("makerspaces_2021.csv", "makerspaces_2021.yaml")
    assert (again.counts["unchanged"], again.counts["statuses created"], again.counts["created"]) == (5, 0, 0)
    assert (Entity.objects.count(), StatusAssertion.objects.count(), MergeDecision.objects.count()) == before


def test_it_reads_a_published_html_table_and_revokes(existing):
    _import("makerspaces_2021.csv", "makerspaces_2021.yaml")
    report = _import("review_2020.html", "review_2020.yaml")
    assert report.counts["statuses created"] == 3
    assert [r["value"] for r in report.rejects] == ["待定"]
    revoked = StatusAssertion.objects.get(source__key="most-torch-2021-65-review-2020", source_locator="1")
    # the review names the space of the 2021 list in the same province: the same actor
    accredited = StatusAssertion.objects.get(source__key="most-2022-registered-makerspaces-2021", source_locator="1")
    assert revoked.entity == accredited.entity
    assert (revoked.value, revoked.date, revoked.date_precision) == ("revoked", dt.date(2021, 3, 1), "month")
    # traditional characters, rowspan and a province written 廣東 still find the Guangdong actor
    kept = StatusAssertion.objects.get(source__key="most-torch-2021-65-review-2020", source_locator="3")
    assert kept.entity == existing["open-hardware"] and kept.value == "accredited"
    assert StatusAssertion.objects.get(source_locator="2", source__key="most-torch-2021-65-review-2020") \
        .entity.province_code == "110000"
    [standing] = lifecycle.official_standing(revoked.entity)
    assert (standing.value, standing.batch) == ("accredited", "2021年度")  # the 2022 notice is later


def test_it_reads_an_xlsx_list_with_merged_province_cells(existing, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    rows = list(csv.reader((REGISTERS / "makerspaces_2021.csv").open(encoding="utf-8")))[:7]
    for row in rows:
        sheet.append([int(v) if v.isdigit() else (v or None) for v in row])
    sheet.merge_cells("A1:D1")  # the title line over the table
    sheet.merge_cells("B3:B4")  # 北京 over rows 1 and 2
    path = tmp_path / "makerspaces_2021.xlsx"
    workbook.save(path)
    mapping = tmp_path / "m.yaml"
    mapping.write_text((REGISTERS / "makerspaces_2021.yaml").read_text(encoding="utf-8").replace(
        "fill_down: [province]\n", ""), encoding="utf-8")
    report = register_import(path=path, mapping_path=mapping)
    assert report.counts["statuses created"] == 5 and not report.rejects
    assert StatusAssertion.objects.get(source_locator="2").entity.province_code == "110000"


def test_the_command_reports_and_refuses_a_bad_mapping(existing, tmp_path, capsys):
    call_command("import_source", "register", str(REGISTERS / "makerspaces_2021.csv"),
                 "--mapping", str(REGISTERS / "makerspaces_2021.yaml"), "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run" in out and "line 8" in out
    assert not StatusAssertion.objects.filter(origin="register").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("source: {key: x, title: y}\nprogramme: 国家备案众创空间\ncolumns: {name: 名称}\nstatus: maybe\n",
                   encoding="utf-8")
    with pytest.raises(CommandError, match="status: accredited or revoked"):
        call_command("import_source", "register", str(REGISTERS / "makerspaces_2021.csv"), "--mapping", str(bad))


@pytest.mark.parametrize(("cell", "code"), [("北京", "110000"), ("广东省", "440000"), ("深圳", "440000"),
                                             ("大连市", "210000"), ("新疆生产建设兵团", "650000"), ("廣東", "440000"),
                                             ("火星", None)])
def test_it_reads_the_province_cells_of_the_lists(cell, code):
    assert province_code(cell) == code
