import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from observatory.coding import services as coding
from observatory.coding.dataset import DatasetError, dataset_load
from observatory.coding.models import Coding
from observatory.inventory.models import Entity, Relation, Source
from tests.conftest import FIXTURES, REPO

pytestmark = pytest.mark.django_db
MINI = FIXTURES / "curated-mini"
MINI_CODEBOOK = MINI / "codebook.yaml"


def test_it_loads_a_curated_folder_with_provenance(mini_dataset):
    assert mini_dataset.counts["entities"]["created"] == 7
    chaihuo = Entity.objects.get(slug="chaihuo-makerspace")
    assert chaihuo.name_zh == "柴火创客空间"
    assert chaihuo.founded.year == 2011 and chaihuo.founded_precision == "year"
    assert chaihuo.field_sources == {"founded": "szmakermap2017#feature:3"}
    assert [str(c) for c in chaihuo.citations.all()] == ["szmakermap2017#feature:5"]
    market = Entity.objects.get(slug="mintong-digital-city").locations.get()
    assert market.polygon_wgs84[0][0] == market.polygon_wgs84[0][-1], "the unclosed ring is closed"
    assert market.prefecture_code == "440300"
    assert Relation.objects.count() == 2
    assert Coding.objects.filter(code__path="knowledge.peer-learning").count() == 2


def test_a_second_load_of_the_same_folder_changes_nothing(mini_dataset):
    again = dataset_load(MINI, codebook_path=MINI_CODEBOOK)
    assert again.skipped
    forced = dataset_load(MINI, codebook_path=MINI_CODEBOOK, force=True)
    assert forced.counts["entities"] == {"unchanged": 7}
    assert forced.counts["relations"] == {"unchanged": 2}


def test_a_reload_keeps_what_a_merge_gave_a_curated_entity(mini_dataset):
    from observatory.inventory.resolution import entity_merge, entity_unmerge
    from observatory.inventory.services import entity_upsert

    kept = Entity.objects.get(slug="chaihuo-makerspace")
    other, _ = entity_upsert(slug="chaihuo-duplicate", kind="makerspace", sources=["szmakermap2017#feature:9"],
                             names=[{"text": "柴火空间 (a name only the duplicate has)", "lang": "zh-Hans",
                                     "source": "szmakermap2017#feature:9"}])
    decision = entity_merge(kept=kept, merged=other, score=0.95)
    assert kept.names.filter(text__startswith="柴火空间 (a name").exists()
    forced = dataset_load(MINI, codebook_path=MINI_CODEBOOK, force=True)
    assert forced.counts["entities"] == {"unchanged": 7}
    assert kept.names.filter(text__startswith="柴火空间 (a name").exists()
    entity_unmerge(decision=decision)
    assert not kept.names.filter(text__startswith="柴火空间 (a name").exists()


def _broken_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(MINI, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("entities/shenzhen.yaml", "crs: BD-09", "crs: Baidu", "entities/shenzhen.yaml:1 [chaihuo-makerspace] crs:"),
        ("relations.yaml", "to: maker-collider", "to: szoil", "[szoil founded_by szoil] target_entity:"),
        ("codings.yaml", "knowledge.peer-learning", "knowledge.telepathy", "'knowledge.telepathy' is not a code"),
        ("entities/shenzhen.yaml", "kind: fab_lab", "kind: castle", "[szoil] kind: 'castle' is not accepted"),
        ("entities/shenzhen.yaml", "text: SEGMaker", "text: ''", "[segmaker] text: a name cannot be empty"),
        ("sources.yaml", "- key: szmakermap2017", "- key: [broken", "sources.yaml:2 not valid YAML"),
    ],
)
def test_a_broken_folder_names_file_line_entry_and_field_and_writes_nothing(tmp_path, file, old, new, expected):
    folder = _broken_copy(tmp_path, file, old, new)
    with pytest.raises(DatasetError) as error:
        dataset_load(folder, codebook_path=MINI_CODEBOOK)
    messages = [str(p) for p in error.value.report.problems]
    assert any(expected in m for m in messages), messages
    assert Entity.objects.count() == 0 and Source.objects.count() == 0 and Relation.objects.count() == 0


def test_the_command_reports_problems_without_a_traceback(tmp_path, capsys):
    folder = _broken_copy(tmp_path, "relations.yaml", "to: maker-collider", "to: nobody")
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("load_curated", str(folder), "--check")
    assert "unknown entity id 'nobody'" in capsys.readouterr().out


def test_a_code_outside_the_codebook_is_refused_with_the_codes_it_could_be(mini_dataset):
    with pytest.raises(ValidationError, match="knowledge.peer-learning"):
        coding.code_resolve("knowledge.mind-reading")
    with pytest.raises(ValidationError, match="is a dimension"):
        coding.code_resolve("knowledge")


def test_the_bundled_dataset_is_valid_and_large_enough():
    folder = REPO / "data" / "china"
    if not (folder / "entities").is_dir():
        pytest.fail("data/china/entities is missing: the bundled dataset is part of the repository")
    report = dataset_load(folder)
    assert sum(report.counts["entities"].values()) >= 150
    assert sum(report.counts["relations"].values()) >= 300
    coded = Coding.objects.values("entity").distinct().count()
    assert coded >= 40
    layers = set(Entity.objects.values_list("layer", flat=True))
    assert layers == {"physical", "organizational", "virtual"}
    assert all(e.citations.exists() for e in Entity.objects.all())


def test_a_folder_that_is_not_a_dataset_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("not a dataset", encoding="utf-8")
    with pytest.raises(DatasetError) as caught:
        dataset_load(tmp_path, codebook_path=MINI_CODEBOOK)
    assert "not a curated dataset folder" in str(caught.value.report.problems[0])
