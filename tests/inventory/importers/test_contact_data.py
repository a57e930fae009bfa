"""Telephone numbers and e-mail addresses that directories write into address fields never reach a
public Location (and so neither the entity page, the API nor the exports)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from observatory.exports import export_run
from observatory.inventory.importers import importer_get, source_import
from observatory.inventory.importers.cleaning import contact_strip
from observatory.inventory.models import Entity, Location, Source

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "importers"
ADDRESS = "广东省深圳市福田区福田保税区福年广场531室"
CONTACTS = ("13812345678", "foo@example.com")


@pytest.mark.parametrize(("text", "expected"), [
    (f"{ADDRESS} 联系电话 13812345678 foo@example.com", ADDRESS),
    ("华强北路1002号 电话：0755-8888 8888", "华强北路1002号"),
    ("北京市海淀区中关村大街1号（电话010-62345678）", "北京市海淀区中关村大街1号"),
    ("光明区 138-1234-5678 王先生", "光明区 王先生"),
    ("深圳 Tel/Fax: 0755 2345 6789, 邮箱：a@b.cn", "深圳"),
    ("1 Main St, London EC1V 2NX, Tel: +44 20 7946 0958", "1 Main St, London EC1V 2NX"),
    ("Hotline 400-123-4567", ""),
])
def test_it_removes_telephone_numbers_and_e_mail_addresses(text, expected):
    cleaned, note = contact_strip(text, field="address")
    assert cleaned == expected
    assert note is not None and "personal contact data removed" in note.action
    assert note.value == ""  # the note does not repeat what it removed


@pytest.mark.parametrize("text", [
    "Room 1002, 518000 Shenzhen",  # a house number and a postcode
    "深圳市福田区华强北路1002号赛格广场10楼",
    "No. 3001-3003, Block 5",
    "+39-98100, Messina, Italy",  # a postcode after a country prefix: too short for a telephone number
    "2F, Building 3, 1001 Xueyuan Ave, Nanshan",
])
def test_it_leaves_addresses_without_contacts_alone(text):
    assert contact_strip(text, field="address") == (text, None)


@pytest.mark.django_db
def test_an_imported_address_with_contacts_is_public_without_them(tmp_path, reader):
    features = json.loads((FIXTURES / "szmakermap_list.json").read_text(encoding="utf-8"))
    assert features[2]["properties"]["zh"]["address"] == ADDRESS
    features[2]["properties"]["zh"]["address"] = f"{ADDRESS} 联系电话 13812345678 foo@example.com"
    path = tmp_path / "list.json"
    path.write_text(json.dumps(features, ensure_ascii=False), encoding="utf-8")
    report = source_import(importer=importer_get("szmakermap"), path=path)
    assert any("personal contact data removed" in n["action"] for n in report.notes if n["locator"] == "feature:2")

    entity = Entity.objects.get(records__external_id="feature:2")
    location = Location.objects.get(entity=entity)
    assert location.address_zh == ADDRESS and location.division_code  # still read into its divisions

    Source.objects.filter(key="szmakermap2017").update(licence="CC-BY-4.0", redistributable=True)
    page = reader.get(f"/entities/{entity.slug}/").content.decode()
    api = json.dumps(reader.get(f"/api/v1/entities/{entity.slug}").json(), ensure_ascii=False)
    assert ADDRESS in page and ADDRESS in api
    export_run("csv", tmp_path / "csv")
    export_run("geojson", tmp_path / "places.geojson")
    exported = (tmp_path / "csv" / "locations.csv").read_text(encoding="utf-8")
    assert ADDRESS in exported
    exported += (tmp_path / "places.geojson").read_text(encoding="utf-8")
    for contact in CONTACTS:
        assert contact not in page and contact not in api and contact not in exported
