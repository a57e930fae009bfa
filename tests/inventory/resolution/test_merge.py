"""Merging keeps every name, record, citation and relation; un-merging restores both exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from observatory.inventory.importers import importer_get, source_import
from observatory.inventory.models import Entity, MergeDecision, Relation
from observatory.inventory.resolution import (
    entity_merge,
    entity_unmerge,
    merge_decision_accept,
    merge_decision_reject,
)
from observatory.inventory.services import _entity_state_of, relation_upsert

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "importers"
pytestmark = pytest.mark.django_db


def _state(entity: Entity) -> tuple:
    entity.refresh_from_db()
    relations = sorted(Relation.objects.filter(source_entity=entity).values_list("id", "type", "target_entity_id")) + \
        sorted(Relation.objects.filter(target_entity=entity).values_list("id", "type", "source_entity_id"))
    return (_entity_state_of(entity), entity.name, entity.search_text, entity.merged_into_id,
            sorted(entity.records.values_list("id", flat=True)), relations)


@pytest.fixture
def pair():
    source_import(importer=importer_get("szmakermap"), path=FIXTURES / "szmakermap_list.json")
    source_import(importer=importer_get("ananse-csv"), path=FIXTURES / "ananse_china_subset.csv")
    kept = Entity.objects.get(records__source__key="szmakermap2017", records__external_id="feature:5")
    merged = Entity.objects.get(name="Chaihuo", records__source__key="ananse2016")
    x_factory = Entity.objects.get(records__source__key="szmakermap2017", records__external_id="feature:3")
    relation_upsert(source_entity=x_factory, type="spun_off_from", target_entity=merged)
    relation_upsert(source_entity=merged, type="partner_of", target_entity=kept)
    return kept, merged


def test_it_merges_keeping_every_name_record_and_relation(pair):
    kept, merged = pair
    decision = entity_merge(kept=kept, merged=merged, score=0.9)
    kept.refresh_from_db()
    merged.refresh_from_db()
    assert merged.merged_into == kept and decision.status == "merged"
    assert {"柴火创客空间", "Chaihuo Maker Space", "Chaihuo"} <= set(kept.names.values_list("text", flat=True))
    assert kept.records.count() == 2 and merged.records.count() == 1
    assert kept.website == "https://www.chaihuo.org/" or kept.website
    assert Relation.objects.filter(type="spun_off_from", target_entity=kept).exists()
    # The tie between the two stays on the merged entity rather than becoming a self-tie.
    assert Relation.objects.filter(type="partner_of", source_entity=merged, target_entity=kept).exists()
    assert merged.names.count() == 1 and merged.locations.count() == 1  # nothing taken from it
    assert "chaihuo" in kept.search_text
    assert not Entity.objects.public().filter(pk=merged.pk).exists()


def test_it_unmerges_both_entities_exactly(pair):
    kept, merged = pair
    before = (_state(kept), _state(merged))
    decision = entity_merge(kept=kept, merged=merged, score=0.9)
    assert (_state(kept), _state(merged)) != before
    entity_unmerge(decision=decision)
    assert (_state(kept), _state(merged)) == before
    assert MergeDecision.objects.get().status == "unmerged"


def test_reimporting_a_kept_entity_keeps_its_merged_names(pair):
    kept, merged = pair
    entity_merge(kept=kept, merged=merged, score=0.9)
    report = source_import(importer=importer_get("szmakermap"), path=FIXTURES / "szmakermap_list.json")
    assert report.summary()["unchanged"] == 8
    assert "Chaihuo" in set(kept.names.values_list("text", flat=True))


def test_a_curator_accepts_or_rejects_a_queued_pair(pair):
    kept, merged = pair
    queued = MergeDecision.objects.create(kept=kept, merged=merged, score=0.7, status="queued")
    merge_decision_reject(decision=queued)
    assert MergeDecision.objects.get().status == "rejected"
    with pytest.raises(ValidationError):
        merge_decision_accept(decision=MergeDecision.objects.get())
    queued.status = "queued"
    queued.save()
    merge_decision_accept(decision=queued)
    merged.refresh_from_db()
    assert merged.merged_into == kept


def test_it_refuses_to_merge_an_entity_already_merged(pair):
    kept, merged = pair
    entity_merge(kept=kept, merged=merged)
    other = Entity.objects.get(name="SZDIY", records__source__key="szmakermap2017")
    with pytest.raises(ValidationError, match="already merged"):
        entity_merge(kept=other, merged=merged)
