"""observatory check-curated: the checks that keep data/china true, over the bundled folder and small folders."""

from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from observatory.coding.curated_check import check_folder

REPO = Path(__file__).resolve().parents[2]
CHINA = REPO / "data" / "china"


def test_the_bundled_dataset_passes_every_check_and_counts_what_it_holds():
    report = check_folder(CHINA)
    assert [str(f) for f in report.findings] == []
    assert report.counts["entities"] >= 205
    assert report.counts["mainland spaces at street precision or better"] >= 20
    assert report.counts["spaces with a last-seen date (a dated alive status or citing source)"] >= 20


def test_every_point_of_the_bundled_dataset_declares_its_coordinate_system():
    for path in (CHINA / "entities").glob("*.yaml"):
        for entity in yaml.safe_load(path.read_text(encoding="utf-8")):
            for loc in entity.get("locations") or []:
                if loc.get("lng") is not None or loc.get("polygon"):
                    assert loc.get("crs") in ("WGS-84", "GCJ-02", "BD-09"), (path.name, entity["id"])


def test_no_directory_listing_is_stored_as_a_tie():
    for path in CHINA.glob("relations*.yaml"):
        for rel in yaml.safe_load(path.read_text(encoding="utf-8")):
            if rel["to"] in {"hackerspaces-org", "maker-media", "impact-hub"} and \
                    rel["source"].split("#")[0] in {"ananse2016", "hackerspaces-chgrp2015", "szmakermap2017"}:
                assert rel["type"] == "listed_in", rel


def _folder(tmp_path, *, entities, codings=(), relations=(), extra=None):
    (tmp_path / "entities").mkdir()
    sources = [{"key": "press", "csl": {"title": "A report", "issued": {"date-parts": [[2015, 2, 1]]}}}]
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
    (tmp_path / "entities" / "a.yaml").write_text(yaml.safe_dump(list(entities), allow_unicode=True), encoding="utf-8")
    (tmp_path / "codings.yaml").write_text(yaml.safe_dump(list(codings)), encoding="utf-8")
    (tmp_path / "relations.yaml").write_text(yaml.safe_dump(list(relations)), encoding="utf-8")
    for name, content in (extra or {}).items():
        (tmp_path / name).write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return tmp_path


def _space(slug, name, lng, lat, division="440304", crs="WGS-84", **more):
    return {"id": slug, "kind": "makerspace", "names": [{"text": name, "lang": "en", "type": "official",
                                                          "source": "press#para. 1"}],
            "sources": ["press"], "locations": [{"lng": lng, "lat": lat, "crs": crs, "precision": "building",
                                                 "division": division, "source": "press#para. 2"}], **more}


def test_a_point_far_outside_its_division_is_flagged_unless_a_reason_is_written(tmp_path):
    beijing_point_said_shenzhen = _space("lost", "Lost Space", 116.40, 39.90, division="440305")
    folder = _folder(tmp_path, entities=[beijing_point_said_shenzhen])
    findings = check_folder(folder).findings
    assert [f.check for f in findings] == ["division"] and "440300" in findings[0].message
    (folder / "check-exceptions.yaml").write_text(yaml.safe_dump([{"location": "lost#0", "reason": "the source's "
                                                                  "pin is in Beijing; kept as read"}]), encoding="utf-8")
    report = check_folder(folder)
    assert report.findings == [] and len(report.accepted) == 1


def test_a_gcj02_point_is_converted_before_it_is_measured(tmp_path):
    folder = _folder(tmp_path, entities=[_space("hqb", "Huaqiangbei Space", 114.0857, 22.5445, crs="GCJ-02")])
    assert check_folder(folder).findings == []


def test_a_missing_locator_a_late_status_and_an_unknown_source_are_flagged(tmp_path):
    late = _space("late", "Late Space", 114.08, 22.54, statuses=[
        {"value": "active", "kind": "self_declared", "date": "2016", "source": "press#para. 3"}])
    coding = {"entity": "late", "code": "form.grassroots-community", "source": "press", "excerpt": "x"}
    relation = {"from": "late", "type": "partner_of", "to": "late", "source": "nowhere#p. 1", "evidence": "y"}
    report = check_folder(_folder(tmp_path, entities=[late], codings=[coding], relations=[relation]))
    assert sorted(f.check for f in report.findings) == ["locator", "source", "status-date"]


def test_a_date_that_is_no_date_is_flagged_with_the_accepted_forms_not_raised(tmp_path):
    bad = _space("bad", "Bad Date Space", 114.08, 22.54, founded={"date": "2015-02-30", "source": "press#para. 1"},
                 statuses=[{"value": "active", "kind": "observed", "date": "2017-13", "source": "press#para. 3"}])
    report = check_folder(_folder(tmp_path, entities=[bad]))
    messages = [f.message for f in report.findings if f.check == "date"]
    assert len(messages) == 2 and all("accepted forms: YYYY" in m for m in messages)
    assert any(m.startswith("founded:") for m in messages) and any(m.startswith("status 0:") for m in messages)


def test_a_street_precision_without_a_point_is_flagged_and_not_counted(tmp_path):
    claimed = _space("claimed", "Claimed Space", None, None)
    claimed["locations"] = [{"precision": "street", "division": "440304", "address_zh": "华强北路1号",
                             "source": "press#para. 2"}]
    honest = _space("honest", "Honest Space", None, None)
    honest["locations"] = [{"precision": "district", "division": "440304", "address_zh": "华强北路2号",
                            "source": "press#para. 2"}]
    report = check_folder(_folder(tmp_path, entities=[claimed, honest]))
    assert [(f.check, f.where) for f in report.findings] == [("precision", "entities/a.yaml [claimed]")]
    assert "centroid" in report.findings[0].message
    assert report.counts["mainland spaces at street precision or better"] == 0


def test_a_coding_on_the_pending_list_is_counted_not_failed(tmp_path):
    coding = {"entity": "s", "code": "form.grassroots-community", "source": "press", "excerpt": "x"}
    pending = [{"kind": "coding", "item": "s form.grassroots-community", "source": "press", "reason": "not re-read"}]
    report = check_folder(_folder(tmp_path, entities=[_space("s", "Some Space", 114.08, 22.54)], codings=[coding],
                                  extra={"pending-locators.yaml": pending}))
    assert report.findings == [] and report.pending == 1


def test_one_actor_in_two_files_is_found_by_entity_resolution(tmp_path):
    folder = _folder(tmp_path, entities=[_space("chaihuo", "Chaihuo Makerspace", 114.0, 22.54),
                                         _space("chaihuo-2", "Chaihuo Makerspace", 114.0001, 22.5401)])
    assert [f.check for f in check_folder(folder).findings] == ["duplicate"]


@pytest.mark.django_db
def test_the_command_prints_the_counts_and_fails_on_a_problem(tmp_path, capsys):
    call_command("check_curated", str(CHINA), "--counts")
    assert "mainland spaces at street precision or better" in capsys.readouterr().out
    bad = _folder(tmp_path, entities=[_space("lost", "Lost Space", 116.40, 39.90, division="440305")])
    with pytest.raises(CommandError, match="1 problem"):
        call_command("check_curated", str(bad))


@pytest.mark.django_db
def test_the_command_runs_the_loaders_validation_first(tmp_path, capsys):
    space = _space("s", "Some Space", 114.08, 22.54)
    space["names"].append({"text": "Ein Raum", "lang": "de"})
    with pytest.raises(CommandError, match="1 problem.*load-curated refuses"):
        call_command("check_curated", str(_folder(tmp_path, entities=[space])))
    assert "lang" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_file_that_is_not_yaml_is_named_without_a_traceback(tmp_path, capsys):
    folder = _folder(tmp_path, entities=[_space("s", "Some Space", 114.08, 22.54)])
    (folder / "sources.yaml").write_text("- key: x\n  csl:\n    container-title: Make: the magazine\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"1 problem"):
        call_command("check_curated", str(folder))
    out = capsys.readouterr().out
    assert "sources.yaml:3" in out and "Traceback" not in out


@pytest.mark.parametrize("locator, valid", [
    ("row:3214", True), ("para. 5", True), ("paras. 1-3", True), ("Q1", True), ("section 序幕, para. 3", True),
    ("first post and reply 1", True), ("thread header (12 replies)", True), ("URL", True), ("section: Location", True),
    ("somewhere in the middle", False), ("p.12x", False),
])
def test_the_locator_forms_are_those_documented(locator, valid):
    from observatory.coding.curated_check import LOCATOR

    assert bool(LOCATOR.match(locator)) is valid


# WGS-84 city points of the gcoord fixture (hujiulong/gcoord, MIT, test/fixtures/china-cities.json; see
# data/china/PROVENANCE-directories.md, "Coordinate systems").
GCOORD_WGS84 = {"the-nest-shanghai": (121.4691633, 31.2323443), "yuanfen-flow": (116.4011517, 39.9028057),
                "nanjing-makerspace": (118.7916827, 32.0623216)}


@pytest.mark.parametrize("entity_id", sorted(GCOORD_WGS84))
def test_the_directory_city_centres_are_gcj02_as_the_provenance_decides(entity_id):
    from observatory.china.coords import convert, haversine_km

    entities = yaml.safe_load((CHINA / "entities" / "directories.yaml").read_text(encoding="utf-8"))
    loc = next(e for e in entities if e["id"] == entity_id)["locations"][0]
    assert loc["crs"] == "GCJ-02"
    lng, lat = convert(loc["lng"], loc["lat"], "GCJ-02", "WGS-84")
    assert haversine_km(lng, lat, *GCOORD_WGS84[entity_id]) < 0.05
    assert haversine_km(loc["lng"], loc["lat"], *GCOORD_WGS84[entity_id]) > 0.4  # read as WGS-84 it would be off
