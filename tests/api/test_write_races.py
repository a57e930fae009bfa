"""Concurrent writes of one record through the API, on PostgreSQL with real connections (one per
thread): the same write at once gives 2xx and one record, a different one 409, never 500."""

from __future__ import annotations

import copy
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from observatory.api.services import token_create
from observatory.coding.models import Coding
from observatory.inventory.models import Entity

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'",
                       reason="row locks and unique-index waits are PostgreSQL's; SQLite takes one writer at a time"),
]

SPACE = {"kind": "makerspace", "names": [{"text": "Race Space", "lang": "en", "source": "szmakermap2017#feature:9"},
                                         {"text": "竞速空间", "lang": "zh-Hans"}],
         "sources": ["szmakermap2017#feature:9"], "founded": "2014",
         "locations": [{"lng": 114.05, "lat": 22.54, "precision": "street"}]}


@pytest.fixture
def unlimited(settings):
    settings.DEBUG = False
    settings.OBSERVATORY_API_RATE_LIMITS = {"read": (10**9, 60), "write": (10**9, 60)}


def _race(requests: list[tuple[str, str, dict]], token: str) -> list[int]:
    """Send the requests at once, one thread and one database connection each; the statuses."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = [0] * len(requests)

    def send(index: int, method: str, url: str, body: dict) -> None:
        try:
            client = Client(raise_request_exception=False)
            barrier.wait()
            response = getattr(client, method)(url, body, content_type="application/json",
                                               HTTP_AUTHORIZATION=f"Bearer {token}")
            statuses[index] = response.status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_the_same_new_entity_put_at_once_is_created_once(unlimited, mini_dataset, curator_user):
    assert connection.vendor == "postgresql"
    token = token_create(user=curator_user)[1]
    statuses = _race([("put", "/api/v1/entities/race-space", SPACE)] * 24, token)
    assert set(statuses) <= {200, 201}, statuses
    assert statuses.count(201) == 1, statuses
    entity = Entity.objects.get(slug="race-space")
    assert sorted(entity.names.values_list("text", flat=True)) == ["Race Space", "竞速空间"]
    assert entity.locations.count() == 1


def test_different_puts_of_one_new_entity_at_once_give_409_to_the_losers_and_no_torn_record(
        unlimited, mini_dataset, curator_user):
    token = token_create(user=curator_user)[1]
    bodies = []
    for year in range(2000, 2016):
        body = copy.deepcopy(SPACE)
        body["founded"] = str(year)
        body["names"][0]["text"] = f"Race Space {year}"
        bodies.append(("put", "/api/v1/entities/race-space", body))
    statuses = _race(bodies, token)
    assert set(statuses) <= {200, 201, 409}, statuses
    assert statuses.count(201) == 1, statuses
    entity = Entity.objects.get(slug="race-space")
    # the record is one of the documents whole: its name and its founding year agree
    assert entity.names.get(lang="en").text == f"Race Space {entity.founded.year}"
    assert entity.names.count() == 2 and entity.locations.count() == 1


def test_the_same_coding_posted_at_once_is_recorded_once(unlimited, mini_dataset, curator_user):
    token = token_create(user=curator_user)[1]
    coding = {"entity": "szoil", "code": "knowledge.workshops", "source": "szmakermap2017#feature:2",
              "quote": "laser cutters", "confidence": 0.8}
    statuses = _race([("post", "/api/v1/codings", coding)] * 16, token)
    assert set(statuses) <= {200, 201}, statuses
    assert Coding.objects.filter(entity__slug="szoil", code__path="knowledge.workshops").count() == 1


def test_the_same_relation_posted_at_once_is_recorded_once(unlimited, mini_dataset, curator_user):
    token = token_create(user=curator_user)[1]
    relation = {"source_entity": "szoil", "type": "partner_of", "target_entity": "chaihuo-makerspace",
                "source": "szmakermap2017#feature:2", "weight": 2.0}
    statuses = _race([("post", "/api/v1/relations", relation)] * 16, token)
    assert set(statuses) <= {200, 201}, statuses
    assert statuses.count(201) == 1
