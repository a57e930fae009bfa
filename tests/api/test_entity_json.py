"""The entity answer is rendered without a second validation (the busiest read): it must be what
the schema would have given, value for value and type for type, for every public entity."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ninja.renderers import JSONRenderer

from observatory.api.queries import entity_detail_as_dict
from observatory.api.schemas import EntityDetail
from observatory.inventory.models import Entity
from observatory.inventory.selectors import entity_detail
from observatory.inventory.services import entity_upsert

pytestmark = pytest.mark.django_db


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
        entity = entity_detail(slug)
        with CaptureQueriesContext(connection) as queries:
            entity_detail_as_dict(entity)
        assert len(queries) == 1, [q["sql"] for q in queries]  # the relations
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
