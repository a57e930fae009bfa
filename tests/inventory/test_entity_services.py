import pytest
import reversion
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from reversion.models import Version

from observatory.inventory import services
from observatory.inventory.models import Entity, Location, Relation, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    src, _ = services.source_upsert(key="test-source", csl={"type": "webpage", "title": "A test page"})
    return src


def _names(text="柴火创客空间"):
    return [{"text": text, "lang": "zh-Hans", "type": "official"}]


def test_it_derives_pinyin_and_search_tokens_from_a_chinese_name(source):
    entity, status = services.entity_upsert(slug="chaihuo", kind="makerspace", names=_names(), sources=["test-source"])
    assert status == "created"
    name = entity.names.get()
    assert name.pinyin.replace(" ", "").startswith("chaihuo")
    assert entity.layer == "physical"
    assert "柴火" in entity.search_text.split()


def test_it_converts_bd09_to_wgs84_and_keeps_the_original(source):
    entity, _ = services.entity_upsert(
        slug="chaihuo", kind="makerspace", names=_names(), sources=["test-source"],
        locations=[{"lng": 113.999126, "lat": 22.546195, "crs": "BD-09", "precision": "building",
                    "source": "test-source"}])
    location = entity.locations.get()
    assert (location.original_lng, location.original_lat, location.crs) == (113.999126, 22.546195, "BD-09")
    # BD-09 -> WGS-84 in Shenzhen moves the point by several hundred metres to the south-west.
    assert 0.008 < location.original_lng - location.lng < 0.02
    assert 0.003 < location.original_lat - location.lat < 0.01
    assert location.province_code == "440000"
    assert location.prefecture_code == "440300"
    assert entity.province_code == "440000"


def test_it_places_a_location_without_coordinates_at_its_division_centroid_with_honest_precision(source):
    entity, _ = services.entity_upsert(
        slug="segmaker", kind="makerspace", names=_names("SEGMaker"), sources=["test-source"],
        locations=[{"division": "440300", "precision": "exact", "source": "test-source"}])
    location = entity.locations.get()
    assert location.placed_at_centroid
    assert location.precision == "city"
    assert 113.7 < location.lng < 114.7 and 22.4 < location.lat < 22.9


@pytest.mark.parametrize(
    ("location", "field", "message"),
    [
        ({"lng": 121.45, "lat": 231.2, "crs": "WGS-84"}, "original_lat", "swapped"),
        ({"lng": 116.4, "lat": 39.9, "crs": "EPSG:3857"}, "crs", "WGS-84, GCJ-02, BD-09"),
        ({"lng": 116.4, "crs": "WGS-84"}, "original_lat", "both"),
        ({"division": "999999"}, "division_code", "not a known"),
    ],
)
def test_it_rejects_bad_locations_with_a_clear_message_and_writes_nothing(source, location, field, message):
    with pytest.raises(ValidationError) as error:
        services.entity_upsert(slug="bad", kind="makerspace", names=_names(), sources=["test-source"],
                               locations=[location])
    assert message in " ".join(error.value.message_dict[field])
    assert not Entity.objects.filter(slug="bad").exists()
    assert not Location.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"names": [{"text": "  ", "lang": "en", "type": "official"}]}, "text"),
        ({"names": []}, "names"),
        ({"kind": "castle"}, "kind"),
        ({"founded": "sometime"}, "founded"),
        ({"founded": "2015", "closed": "2012"}, "closed"),
    ],
)
def test_it_rejects_bad_entities(source, kwargs, field):
    arguments = {"slug": "bad", "kind": "makerspace", "names": _names(), "sources": ["test-source"], **kwargs}
    with pytest.raises(ValidationError) as error:
        services.entity_upsert(**arguments)
    assert field in error.value.message_dict
    assert not Entity.objects.filter(slug="bad").exists()


def test_it_is_idempotent_and_records_history_of_real_changes(source):
    services.entity_upsert(slug="chaihuo", kind="makerspace", names=_names(), sources=["test-source"])
    entity, status = services.entity_upsert(slug="chaihuo", kind="makerspace", names=_names(), sources=["test-source"])
    assert status == "unchanged"
    assert Version.objects.get_for_object(entity).count() == 1
    entity, status = services.entity_upsert(slug="chaihuo", kind="makerspace", names=_names(), sources=["test-source"],
                                            website="http://www.chaihuo.org", founded="2011")
    assert status == "updated"
    versions = Version.objects.get_for_object(entity)
    assert versions.count() == 2
    # Revert to the first version: the website and founding date disappear again.
    versions.last().revision.revert(delete=True)
    entity.refresh_from_db()
    assert entity.website == "" and entity.founded is None


def test_it_refuses_a_relation_of_an_entity_to_itself_in_the_service_and_the_database(source):
    entity, _ = services.entity_upsert(slug="chaihuo", kind="makerspace", names=_names(), sources=["test-source"])
    with pytest.raises(ValidationError, match="itself"):
        services.relation_upsert(source_entity=entity, type="partner_of", target_entity=entity, source=source)
    with pytest.raises(IntegrityError), transaction.atomic():
        Relation.objects.create(source_entity=entity, target_entity=entity, type="partner_of")


def test_it_refuses_coordinates_out_of_range_in_the_database(source):
    entity, _ = services.entity_upsert(slug="chaihuo", kind="makerspace", names=_names(), sources=["test-source"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Location.objects.create(entity=entity, original_lng=200, original_lat=10, crs="WGS-84")


def test_it_allows_one_record_per_external_id_and_source(source):
    record, status = services.source_record_upsert(source=source, external_id="row:17", payload={"Name": "XinCheJian"})
    assert status == "created"
    assert services.source_record_upsert(source=source, external_id="row:17", payload={"Name": "XinCheJian"})[1] == "unchanged"
    assert services.source_record_upsert(source=source, external_id="row:17", payload={"Name": "新车间"})[1] == "updated"
    with pytest.raises(IntegrityError), transaction.atomic():
        type(record).objects.create(source=source, external_id="row:17", payload={}, checksum="x")


def test_it_names_an_unknown_source_key(source):
    with pytest.raises(ValidationError, match="unknown source key 'nope'"):
        services.entity_upsert(slug="x", kind="makerspace", names=_names(), sources=["nope#row:1"])


def test_relations_are_typed_and_validated(source):
    a, _ = services.entity_upsert(slug="a", kind="makerspace", names=_names("A"), sources=["test-source"])
    b, _ = services.entity_upsert(slug="b", kind="company", names=_names("B"), sources=["test-source"])
    relation, status = services.relation_upsert(source_entity=a, type="founded_by", target_entity=b, source=source,
                                                from_date="2011")
    assert status == "created" and relation.from_precision == "year"
    with pytest.raises(ValidationError, match="is not accepted"):
        services.relation_upsert(source_entity=a, type="likes", target_entity=b, source=source)
    with pytest.raises(ValidationError, match="outside"):
        services.relation_upsert(source_entity=a, type="partner_of", target_entity=b, source=source, confidence=1.5)
    assert Source.objects.count() == 1
    assert reversion.is_registered(Relation)
