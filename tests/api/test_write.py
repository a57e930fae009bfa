"""Writing through the API: a curator's token, the services' validation, the error envelope."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from observatory.api.models import ApiToken
from observatory.api.services import token_create
from observatory.coding.models import Coding
from observatory.inventory.models import Entity, Relation

pytestmark = pytest.mark.django_db

API = "/api/v1"

NEW_SPACE = {
    "kind": "makerspace",
    "names": [{"text": "新车间", "lang": "zh-Hans", "source": "szmakermap2017#feature:9"},
              {"text": "XinCheJian", "lang": "en"}],
    "sources": ["szmakermap2017#feature:9"],
    "founded": "2010",
    "locations": [{"lng": 121.4737, "lat": 31.2304, "crs": "GCJ-02", "precision": "street",
                   "source": "szmakermap2017#feature:9"}],
}


@pytest.fixture
def token(curator_user):
    return token_create(user=curator_user, name="tests")[1]


def _auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_it_creates_then_updates_an_entity_with_a_curators_token(reader, mini_dataset, token):
    response = reader.put(f"{API}/entities/xinchejian", NEW_SPACE, content_type="application/json", **_auth(token))
    assert response.status_code == 201, response.content
    assert response.json() == {"slug": "xinchejian", "status": "created", "url": f"{API}/entities/xinchejian"}
    assert "Access-Control-Allow-Origin" not in response
    entity = Entity.objects.get(slug="xinchejian")
    location = entity.locations.get()
    assert (location.original_lng, location.crs) == (121.4737, "GCJ-02") and location.lng != 121.4737
    assert entity.names.get(lang="zh-Hans").pinyin  # derived by the service
    again = reader.put(f"{API}/entities/xinchejian", NEW_SPACE, content_type="application/json", **_auth(token))
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    assert ApiToken.objects.get().last_used is not None


@pytest.mark.parametrize(("change", "field"), [
    ({"kind": "castle"}, "kind"),
    ({"names": []}, "names"),
    ({"colour": "red"}, "colour"),
    ({"founded": "someday"}, "founded"),
    ({"sources": ["nosuchsource"]}, "source"),
    ({"locations": [{"lng": 500, "lat": 31}]}, "lng"),
])
def test_it_rejects_invalid_entities_in_the_envelope(reader, mini_dataset, token, change, field):
    response = reader.put(f"{API}/entities/xinchejian", {**NEW_SPACE, **change}, content_type="application/json",
                          **_auth(token))
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["message"]
    assert not Entity.objects.filter(slug="xinchejian").exists()


def test_it_rejects_a_bad_slug_and_malformed_json(reader, mini_dataset, token):
    response = reader.put(f"{API}/entities/Not A Slug", NEW_SPACE, content_type="application/json", **_auth(token))
    assert response.status_code in {404, 422}
    assert response.json()["error"]
    response = reader.put(f"{API}/entities/ok", "{not json", content_type="application/json", **_auth(token))
    assert 400 <= response.status_code < 500 and response.json()["error"]["status"] == response.status_code


def test_it_refuses_writes_without_a_valid_curator_token(reader, mini_dataset, curator_user):
    assert reader.put(f"{API}/entities/xinchejian", NEW_SPACE, content_type="application/json").status_code == 401
    record, token = token_create(user=curator_user)
    record.revoked = True
    record.save()
    assert reader.put(f"{API}/entities/xinchejian", NEW_SPACE, content_type="application/json",
                      **_auth(token)).status_code == 401
    visitor = get_user_model().objects.create_user("visitor", password="visitor-password-1")
    response = reader.put(f"{API}/entities/xinchejian", NEW_SPACE, content_type="application/json",
                          **_auth(token_create(user=visitor)[1]))
    assert response.status_code == 403 and "only curators" in response.json()["error"]["message"]
    assert not Entity.objects.filter(slug="xinchejian").exists()


def test_it_records_relations_and_codings(reader, mini_dataset, token):
    relation = {"source_entity": "chaihuo-makerspace", "type": "spun_off_from", "target_entity": "seeed-studio",
                "source": "szmakermap2017#feature:5", "from_date": "2011", "confidence": 0.9}
    response = reader.post(f"{API}/relations", relation, content_type="application/json", **_auth(token))
    assert response.status_code == 201, response.content
    created = Relation.objects.get(pk=response.json()["id"])
    assert created.from_precision == "year" and created.recorded_by.username == "curator"
    bad = reader.post(f"{API}/relations", {**relation, "target_entity": "chaihuo-makerspace"},
                      content_type="application/json", **_auth(token))
    assert bad.status_code == 422 and "itself" in bad.json()["error"]["message"]
    unknown = reader.post(f"{API}/relations", {**relation, "target_entity": "nobody"},
                          content_type="application/json", **_auth(token))
    assert unknown.status_code == 422 and "nobody" in unknown.json()["error"]["message"]
    # JSON has no infinity: Python's parser takes one, the schema and the service refuse it
    for weight in ("Infinity", "NaN", "1e999"):
        body = json.dumps({**relation, "type": "partner_of"}).replace('"confidence"', f'"weight": {weight}, "confidence"')
        refused = reader.post(f"{API}/relations", body, content_type="application/json", **_auth(token))
        assert refused.status_code == 422, (weight, refused.content)
        error = refused.json()["error"]  # strict JSON: no Infinity echoed back
        assert error["code"] == "invalid" and error["details"][0]["field"] == "weight", error
    from observatory.inventory.services import relation_upsert

    with pytest.raises(ValidationError, match="finite"):
        relation_upsert(source_entity=Entity.objects.get(slug="chaihuo-makerspace"), type="partner_of",
                        target_entity=Entity.objects.get(slug="seeed-studio"), weight=float("inf"))
    coding = {"entity": "x-factory", "code": "knowledge.peer-learning", "source": "szmakermap2017#feature:3",
              "quote": "makers teach each other", "confidence": 0.6}
    response = reader.post(f"{API}/codings", coding, content_type="application/json", **_auth(token))
    assert response.status_code == 201, response.content
    assert Coding.objects.get(pk=response.json()["id"]).coder.username == "curator"
    wrong = reader.post(f"{API}/codings", {**coding, "code": "knowledge"}, content_type="application/json",
                        **_auth(token))
    assert wrong.status_code == 422 and "dimension" in wrong.json()["error"]["message"]


def test_it_creates_a_token_from_the_command(curator_user, capsys):
    call_command("api_token", "curator", "--name", "laptop")
    token = capsys.readouterr().out.strip()
    assert token.startswith("obs_") and ApiToken.objects.get().name == "laptop"
    assert token not in str(ApiToken.objects.values_list("key_hash", flat=True)[0])
    get_user_model().objects.create_user("visitor")
    with pytest.raises(CommandError, match="not a curator"):
        call_command("api_token", "visitor")
