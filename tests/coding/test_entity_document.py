"""The entity document is built by the database in one statement (observatory/coding/entity_document.py)
and sent by the API without a second validation: it must be what the schema would have given for a
document built from the models (the reference below), value for value and type for type, for every
public entity, with the same public rules (Relation.objects.public, Coding.objects.public)."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
import struct

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ninja.renderers import JSONRenderer

from observatory.api.queries import (
    _source_ref,
    entity_as_dict,
    relation_as_dict,
    relation_queryset,
    status_evidence,
)
from observatory.api.schemas import EntityDetail
from observatory.coding.entity_document import _DIALECTS
from observatory.coding.selectors import coding_list
from observatory.inventory.dates import format_fuzzy_date
from observatory.inventory.models import Entity
from observatory.inventory.selectors import entity_detail
from observatory.inventory.services import entity_upsert

pytestmark = pytest.mark.django_db


def entity_detail_as_dict(entity: Entity) -> dict:
    """The reference: the entity document built from model instances through the selectors."""
    data = entity_as_dict(entity)
    statuses = list(entity.statuses.with_counts())
    counting = [s for s in statuses if s.counts]
    if counting:
        # the latest date; an undated status ranks below any dated one (as the list's nulls_last)
        latest = max(counting, key=lambda s: (s.date is not None, s.date or dt.date.min, s.id))
        data["status"] = latest.value
    locations = list(entity.locations.all())
    point = next((loc for loc in locations if loc.lat is not None), None)
    data["lng"], data["lat"] = (point.lng, point.lat) if point else (None, None)
    data["names"] = [{"text": n.text, "lang": n.lang, "type": n.type, "pinyin": n.pinyin, "valid_from": n.valid_from,
                      "valid_to": n.valid_to, "source": _source_ref(n)} for n in entity.names.all()]
    data["locations"] = [{
        "original_lng": loc.original_lng, "original_lat": loc.original_lat, "crs": loc.crs, "lng": loc.lng,
        "lat": loc.lat, "precision": loc.precision, "placed_at_centroid": loc.placed_at_centroid,
        "polygon": loc.polygon, "polygon_wgs84": loc.polygon_wgs84, "address_zh": loc.address_zh,
        "address_en": loc.address_en, "hint": loc.hint, "division_code": loc.division_code,
        "province_code": loc.province_code, "prefecture_code": loc.prefecture_code,
        "county_code": loc.county_code, "valid_from": loc.valid_from, "valid_to": loc.valid_to,
        "source": _source_ref(loc)} for loc in locations]
    data["statuses"] = [{"value": s.value, "kind": s.kind, "date": format_fuzzy_date(s.date, s.date_precision) or None,
                         "programme": s.programme, "batch": s.batch, "revoked_on": s.revoked_on,
                         "source": _source_ref(s), **status_evidence(s)} for s in statuses]
    data["relations"] = [relation_as_dict(r) for r in relation_queryset(entity_id=entity.pk).order_by("id")]
    data["codes"] = [{"code": c.code.path, "label_en": c.code.label_en, "label_zh": c.code.label_zh,
                      "confidence": c.confidence, "quote": c.quote, "coded_on": c.coded_on,
                      "source": _source_ref(c)} for c in coding_list(entity_id=entity.pk)]
    data["sources"] = [{"key": c.source.key, "title": c.source.title, "licence": c.source.licence,
                        "redistributable": c.source.redistributable, "locator": c.locator,
                        "csl": c.source.csl if isinstance(c.source.csl, dict) else {}}
                       for c in entity.citations.all()]
    return data


def _same(answer, validated, where: str = "") -> None:
    """Equal and of the same JSON type all the way down (1 and 1.0 are equal in Python, not in the
    schema: a float field must come out as a float)."""
    assert type(answer) is type(validated), f"{where}: {answer!r} is not of the type of {validated!r}"
    if isinstance(validated, dict):
        assert list(answer) == list(validated) or set(answer) == set(validated), f"{where}: keys differ"
        for key in validated:
            _same(answer[key], validated[key], f"{where}.{key}")
    elif isinstance(validated, list):
        assert len(answer) == len(validated), f"{where}: lengths differ"
        for i, (a, v) in enumerate(zip(answer, validated, strict=True)):
            _same(a, v, f"{where}[{i}]")
    else:
        assert answer == validated, f"{where}: {answer!r} != {validated!r}"


def test_every_entity_answer_is_what_the_schema_would_give(reader, mini_dataset):
    entity_upsert(slug="szoil-2", kind="fab_lab", names=[{"text": "SZOIL", "lang": "en"}],
                  sources=["szmakermap2017#feature:2"],
                  statuses=[{"value": "accredited", "kind": "official_accreditation", "date": "2016-03",
                             "programme": "国家备案众创空间", "batch": "2", "source": "szmakermap2017"},
                            {"value": "inactive", "kind": "inferred"}])
    slugs = list(Entity.objects.public().values_list("slug", flat=True))
    assert len(slugs) >= 5
    seen = set()
    for slug in slugs:
        response = reader.get(f"/api/v1/entities/{slug}")
        assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
        answer = json.loads(response.content)
        validated = EntityDetail.model_validate(entity_detail_as_dict(entity_detail(slug))).model_dump()
        _same(answer, json.loads(JSONRenderer().render(None, validated, response_status=200)), slug)
        seen |= {part for part in ("names", "locations", "statuses", "relations", "codes", "sources") if answer[part]}
    # the dataset exercises every part of the answer
    assert seen == {"names", "locations", "statuses", "relations", "codes", "sources"}


def test_no_part_of_an_answer_or_a_page_loads_a_left_out_column(client, mini_dataset, settings):
    """The entity's parts and relations leave large columns (CSL records, search text, notes) in the
    database: nothing that builds the answer or the page may fetch one back, row by row."""
    settings.OBSERVATORY_PAGE_CACHE_SECONDS = 0
    for slug in Entity.objects.public().values_list("slug", flat=True):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/entities/{slug}/").status_code == 200
        lazy = [q["sql"] for q in queries if re.search(r'WHERE "inventory_\w+"\."id" = \S+ LIMIT 21', q["sql"])]
        assert not lazy, lazy


def test_a_malformed_csl_record_answers_an_empty_object(reader, mini_dataset):
    """Services refuse a CSL record that is not an object, but the admin's raw JSON field could
    store one: the answer keeps the schema's shape instead of failing."""
    from observatory.inventory.models import Source

    Source.objects.filter(key="szmakermap2017").update(csl=["not", "an", "object"])
    sources = reader.get("/api/v1/entities/szoil").json()["sources"]
    assert sources and all(s["csl"] == {} for s in sources if s["key"] == "szmakermap2017")


def _awkward_entity():
    """An entity whose every part holds a value that is easy to write wrongly into JSON: floats
    that 15 digits do not round-trip and whole ones, date-times with and without microseconds,
    every precision of a fuzzy date, undated statuses, outlines, CSL records that are and are not
    objects, text that must be escaped, and neighbours and evidence the public must not see."""
    import datetime as dt

    from observatory.coding.models import Code, Codebook, Coding, Document, Excerpt
    from observatory.inventory.models import EntitySource, Location, Name, Relation, Source, StatusAssertion

    utc = dt.UTC
    book = Source.objects.create(key="awkward-book", title="《深圳制造》 \"quoted\" \\ back", licence="CC-BY-4.0",
                                 redistributable=True, csl={"type": "book", "title": "深圳 🛠", "issued": {
                                     "date-parts": [[2016, 3]]}, "page": 1.5})
    odd = Source.objects.create(key="awkward-list", title="list", licence="", redistributable=False,
                                csl=["not", "an", "object"])
    entity = Entity.objects.create(slug="awkward", kind="makerspace", layer="physical", name="怪 \"space\"\n\t\x01",
                                   name_zh="怪空间", name_en="Awkward", website="https://example.org/a?b=1&c=2",
                                   founded=dt.date(999, 1, 1), founded_precision="circa",
                                   closed=dt.date(2019, 7, 1), closed_precision="month", province_code="440000")
    other = Entity.objects.create(slug="awkward-peer", kind="fab_lab", layer="physical", name="Peer")
    hidden = Entity.objects.create(slug="awkward-hidden", kind="fab_lab", layer="physical", name="Hidden",
                                   is_public=False)
    merged = Entity.objects.create(slug="awkward-merged", kind="fab_lab", layer="physical", name="Merged",
                                   merged_into=other)
    Name.objects.create(entity=entity, text="怪空间 🛠", lang="zh-Hans", pinyin="guài kōngjiān", source=book,
                        source_locator="p. 12 \"x\"", valid_from=dt.date(2010, 2, 3))
    Name.objects.create(entity=entity, text="Awkward \\ Space", lang="en")
    Location.objects.create(entity=entity, original_lng=113.93456789012345, original_lat=0.1 + 0.2, crs="GCJ-02",
                            lng=1 / 3, lat=22.0, precision="building",
                            polygon=[[[113.9, 22.5], [114.0, 22.5], [114.0, 22.6], [113.9, 22.5]]],
                            polygon_wgs84=[[[113.89, 22.49], [113.99, 22.49], [113.99, 22.59], [113.89, 22.49]]],
                            address_zh="深圳市南山区", division_code="440305", province_code="440000",
                            prefecture_code="440300", county_code="440305", valid_to=dt.date(2020, 12, 31))
    Location.objects.create(entity=entity, lng=None, lat=None, precision="city", placed_at_centroid=True,
                            source=odd)
    for value, kind, date, precision in (("active", "observed", None, "day"),
                                         ("accredited", "official_accreditation", dt.date(2016, 3, 1), "month"),
                                         ("inactive", "inferred", dt.date(2021, 1, 1), "year"),
                                         ("active", "observed", dt.date(2018, 5, 6), "day")):
        StatusAssertion.objects.create(entity=entity, value=value, kind=kind, date=date, date_precision=precision,
                                       programme="国家备案众创空间" if kind == "official_accreditation" else "",
                                       revoked_on=dt.date(2022, 2, 2) if value == "accredited" else None,
                                       source=book if date else None)
    for target, weight in ((other, 12345678901234567.0), (hidden, 1.0), (merged, 1.0)):
        Relation.objects.create(source_entity=entity, target_entity=target, type="partner_of", weight=weight,
                                confidence=0.7, from_date=dt.date(2015, 1, 1), from_precision="year",
                                to_date=dt.date(2017, 6, 30), to_precision="day", evidence="「合作」\r\n</script>",
                                source=book)
    Relation.objects.create(source_entity=other, target_entity=entity, type="supplies", weight=2.0, confidence=1.0)
    codebook = Codebook.objects.create(key="awkward", version="1", title_en="Awkward")
    code = Code.objects.create(codebook=codebook, path="practice.open-bom", key="open-bom", label_en="Open BOM",
                               label_zh="开放物料清单", definition="d", order=0)
    note = Document.objects.create(title="note", text="a private field note", is_public=False)
    public_note = Document.objects.create(title="public", text="a public interview", is_public=True)
    Coding.objects.create(entity=entity, code=code, source=book, quote="“open” \\ 开源", confidence=1 / 3,
                          coded_on=dt.date(2024, 4, 5))
    Coding.objects.create(entity=entity, code=code, excerpt=Excerpt.objects.create(document=note, start=2, end=9),
                          confidence=1.0)
    Coding.objects.create(entity=entity, code=code, confidence=0.5,
                          excerpt=Excerpt.objects.create(document=public_note, start=2, end=8))
    EntitySource.objects.create(entity=entity, source=book, locator="ch. 3")
    EntitySource.objects.create(entity=entity, source=odd)
    # date-times with microseconds (written as milliseconds, truncated), with none, and with fewer
    # than a millisecond
    Entity.objects.filter(pk=entity.pk).update(updated=dt.datetime(2024, 5, 6, 7, 8, 9, 999999, tzinfo=utc))
    relations = list(Relation.objects.filter(source_entity=entity).order_by("id"))
    Relation.objects.filter(pk=relations[0].pk).update(updated=dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=utc))
    Relation.objects.filter(target_entity=entity).update(updated=dt.datetime(2024, 5, 6, 7, 8, 9, 500, tzinfo=utc))
    return entity


def test_awkward_values_are_written_as_the_schema_would_write_them(reader, db):
    _awkward_entity()
    response = reader.get("/api/v1/entities/awkward")
    assert response.status_code == 200
    answer = json.loads(response.content)
    validated = EntityDetail.model_validate(entity_detail_as_dict(entity_detail("awkward"))).model_dump()
    _same(answer, json.loads(JSONRenderer().render(None, validated, response_status=200)), "awkward")
    # what the comparison rests on, spelled out
    assert answer["founded"] == "circa 0999" and answer["closed"] == "2019-07"
    assert answer["status"] == "inactive"  # the latest dated one; an undated one ranks below any dated
    assert answer["updated"] == "2024-05-06T07:08:09.999Z"
    assert [r["updated"] for r in answer["relations"]] == ["2024-05-06T07:08:09Z", "2024-05-06T07:08:09.000Z"]
    assert [r["target_entity"] for r in answer["relations"]] == ["awkward-peer", "awkward"]  # no hidden end
    assert answer["relations"][0]["weight"] == 12345678901234567.0
    assert answer["locations"][0]["original_lng"] == 113.93456789012345
    assert answer["locations"][0]["lat"] == 22.0 and isinstance(answer["locations"][0]["lat"], float)
    assert len(answer["codes"]) == 2 and answer["codes"][1]["source"] is None  # the private note's coding: no
    assert answer["sources"][1]["csl"] == {} and answer["sources"][0]["csl"]["page"] == 1.5
    assert answer["name"] == "怪 \"space\"\n\t\x01"


def test_the_answer_is_one_query_with_the_shortest_floats_and_no_other_entity_answers(reader, db, settings):
    settings.OBSERVATORY_PAGE_CACHE_SECONDS = 0
    _awkward_entity()
    with CaptureQueriesContext(connection) as queries:
        text = reader.get("/api/v1/entities/awkward").content.decode()
    assert len(queries) == 1, [q["sql"] for q in queries]
    # floats as Python writes them: the shortest digits that read back, whole ones with their '.0'
    assert "113.93456789012345" in text and "0.30000000000000004" in text and '"lat":22.0' in text.replace(" ", "")
    for slug in ("awkward-hidden", "awkward-merged", "no-such-entity"):
        response = reader.get(f"/api/v1/entities/{slug}")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_postgresql_prepares_the_answer_once_per_connection_unless_told_not_to(reader, db, settings):
    settings.OBSERVATORY_PAGE_CACHE_SECONDS = 0
    _awkward_entity()

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                           ["%json_build_object('slug'%"])
            return cursor.fetchone()[0]

    settings.OBSERVATORY_PREPARED_STATEMENTS = False
    plain = reader.get("/api/v1/entities/awkward").content
    assert prepared() == 0
    settings.OBSERVATORY_PREPARED_STATEMENTS = True
    answers = [reader.get("/api/v1/entities/awkward").content for _ in range(3)]
    assert prepared() == 1 and answers == [plain] * 3
    assert reader.get("/api/v1/entities/no-such-entity").status_code == 404
    assert prepared() == 1
    # a migration elsewhere changes the type of a column the statement reads (run in a DO block, so
    # that psycopg, which forgets its statements when it sees an ALTER, does not see this one): the
    # statement, whose one result column stays text, is planned again rather than failing
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction holds deferred checks
        cursor.execute("DO $$ BEGIN EXECUTE 'ALTER TABLE inventory_entity ALTER COLUMN name TYPE varchar(400)'; END $$")
    assert prepared() == 1
    assert reader.get("/api/v1/entities/awkward").content == plain


def _float_values() -> list[float]:
    """Doubles of every kind: random bit patterns (every exponent), random coordinates, and the
    ones that caught earlier versions of the statement out."""
    rng = random.Random(20261129)
    values = [struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(1500)]
    values += [round(rng.uniform(73, 135), rng.randint(3, 15)) for _ in range(500)]
    values += [rng.uniform(18, 54) for _ in range(500)]
    values += [115.94482247950219, 26.593329688289572, 113.93456789012345, 0.1 + 0.2, 1 / 3, 0.1, 1.0, 22.0,
               -0.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1234567890123457.0,
               -1234567890123457.0, 9007199254740992.0, 1e15, 1e16, 12345678901234567.0, 1e-7, 123456789.0]
    return [v for v in values if math.isfinite(v)]


def test_every_float_is_written_as_python_writes_it(db):
    """Through the dialect's own expression: the value read back is the same double and a JSON float
    (a whole one keeps its '.0'); on SQLite the text is Python's own."""
    dialect = _DIALECTS[connection.vendor]
    statement = ("SELECT " + dialect.document(dialect.obj([("v", dialect.number("t.v"))]))
                 + " FROM (SELECT CAST(%s AS DOUBLE PRECISION) AS v) t")
    with connection.cursor() as cursor:
        for value in _float_values():
            cursor.execute(statement, [value])
            text = cursor.fetchone()[0]
            read = json.loads(text)["v"]
            assert type(read) is float and read == value, (value, text)
            if connection.vendor == "sqlite":
                assert json.dumps({"v": value}, separators=(",", ":")) == text
        # JSON has no infinity nor NaN: null rather than a document no parser reads
        for value in (math.inf, -math.inf, math.nan):
            cursor.execute(statement, [value])
            assert json.loads(cursor.fetchone()[0]) == {"v": None}


def test_an_undated_status_ranks_below_any_dated_one_in_every_answer(reader, db):
    import datetime as dt

    from observatory.inventory.models import StatusAssertion

    entity = Entity.objects.create(slug="ancient", kind="makerspace", layer="physical", name="Ancient")
    StatusAssertion.objects.create(entity=entity, value="active", kind="observed", date=dt.date(1, 1, 1))
    StatusAssertion.objects.create(entity=entity, value="closed", kind="observed")  # a later id, no date
    assert reader.get("/api/v1/entities/ancient").json()["status"] == "active"
    assert entity_detail_as_dict(entity_detail("ancient"))["status"] == "active"
    listed = reader.get("/api/v1/entities", {"kind": "makerspace"}).json()["items"]
    assert [e["status"] for e in listed if e["slug"] == "ancient"] == ["active"]
