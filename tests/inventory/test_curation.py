"""The curation of data/china replayed through the importers gives the committed entities file."""

from pathlib import Path

import pytest

from observatory.inventory.curation import CurationError, curation_read, curation_replay, entities_yaml

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT.parent / "shared" / "data" / "raw"
CURATION = ROOT / "data" / "china" / "curation" / "directories.yaml"
ENTITIES = ROOT / "data" / "china" / "entities" / "directories.yaml"

needs_raw = pytest.mark.skipif(
    not (RAW / "ananse-atlas-innovation-spaces" / "new_spaces.csv").is_file(),
    reason=f"the raw directories are absent ({RAW}); the replay reads them through the importers")


@needs_raw
def test_the_replay_gives_the_committed_directories_file_byte_for_byte():
    replay = curation_replay(curation_read(CURATION), RAW)
    assert entities_yaml(replay) == ENTITIES.read_text(encoding="utf-8")
    assert len(replay.entities) == 73
    assert any("cited 71, rejected 4" in line for line in replay.report)  # every China/HK/TW row accounted for


@needs_raw
def test_a_point_without_its_coordinate_system_is_refused_naming_the_entity():
    entity = {"id": "x", "kind": "hackerspace", "names": [{"row": "ananse2016#row:3214", "lang": "en",
                                                          "type": "official"}],
              "sources": ["ananse2016#row:3214"],
              "locations": [{"row": "ananse2016#row:3214", "precision": "street"}]}
    with pytest.raises(CurationError, match="entity 'x'.*coordinate system"):
        curation_replay({"entities": [entity]}, RAW)


@needs_raw
def test_a_row_outside_the_file_and_an_unaccounted_row_in_scope_are_refused():
    entity = {"id": "x", "kind": "hackerspace", "names": [{"row": "ananse2016#row:999999", "lang": "en",
                                                          "type": "official"}], "sources": []}
    with pytest.raises(CurationError, match="no such row"):
        curation_replay({"entities": [entity]}, RAW)
    entity["names"][0]["row"] = "ananse2016#row:3214"
    scope = [{"source": "ananse2016", "field": "Country", "values": ["china"]}]
    with pytest.raises(CurationError, match="no entity cites"):
        curation_replay({"entities": [entity], "scope": scope}, RAW)


def test_an_unknown_or_missing_field_is_refused_without_a_traceback(tmp_path):
    with pytest.raises(CurationError, match="unknown field.*nickname"):
        curation_replay({"entities": [{"id": "x", "nickname": "y"}]}, tmp_path)
    with pytest.raises(CurationError, match="entity 'x': a field is missing"):
        curation_replay({"entities": [{"id": "x"}]}, tmp_path)
    path = tmp_path / "c.yaml"
    path.write_text("- not a mapping\n", encoding="utf-8")
    with pytest.raises(CurationError, match="'entities' list"):
        curation_read(path)
    path.write_text("entities: []\nrejects: []\n", encoding="utf-8")
    with pytest.raises(CurationError, match="unknown key.*rejects"):
        curation_read(path)
