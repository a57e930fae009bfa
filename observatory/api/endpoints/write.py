"""Writing endpoints, for curators with a token. They call the inventory and coding services, so
the same validation, history and derivations apply as in the admin and the loaders."""

from __future__ import annotations

import re

from django.urls import reverse
from ninja import Status
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from observatory.coding.services import code_resolve, coding_upsert
from observatory.inventory.models import Entity
from observatory.inventory.services import entity_upsert, relation_upsert, source_ref_parse

from ..errors import ERROR_CODES, ApiError, ErrorOut
from ..schemas import CodingIn, CodingWriteOut, EntityIn, EntityWriteOut, RelationIn, RelationWriteOut
from ..services import token_authenticate, user_is_curator
from .read import router


class CuratorToken(HttpBearer):
    openapi_description = "A curator's API token: observatory api-token USERNAME"

    def authenticate(self, request, token):
        record = token_authenticate(token)
        if record is None:
            return None
        if not user_is_curator(record.user):
            raise AuthorizationError(message=f"the token of {record.user.get_username()!r} is valid, but only "
                                             "curators may write")
        request.api_user = record.user
        return record.user


# One router with the reads: a path answers both GET and PUT (ninja joins operations per router).
AUTH = CuratorToken()
WRITE = {"auth": AUTH, "tags": ["writing"]}
ERRORS = dict.fromkeys(ERROR_CODES, ErrorOut)
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _entity(slug: str, field: str) -> Entity:
    entity = Entity.objects.filter(slug=slug).first()
    if entity is None:
        raise ApiError(422, f"{field}: no entity with slug {slug[:120]!r}", code="invalid",
                       details={field: f"unknown entity {slug[:120]!r}"})
    return entity


@router.put("/entities/{slug}", **WRITE, response={200: EntityWriteOut, 201: EntityWriteOut, **ERRORS},
            url_name="entity_put", summary="Create or replace an entity (names, locations, statuses)")
def entity_put(request, slug: str, payload: EntityIn):
    if not (len(slug) <= 120 and re.match(SLUG, slug)):
        raise ApiError(422, f"slug {slug[:120]!r} is not a slug: lowercase ASCII letters, digits and single "
                            "hyphens, e.g. chaihuo-makerspace", code="invalid", details={"slug": slug[:120]})
    data = payload.model_dump(mode="json")
    for location in data["locations"]:
        if location.get("division") is None:
            location.pop("division", None)
    entity, status = entity_upsert(
        slug=slug, kind=data["kind"], names=data["names"], sources=data["sources"], website=data["website"],
        founded=data["founded"], closed=data["closed"], locations=data["locations"], statuses=data["statuses"],
        is_public=data["public"], user=request.api_user, comment="Written through the API")
    return Status(201 if status == "created" else 200, {
        "slug": entity.slug, "status": status, "url": reverse("api:entity_detail", args=[entity.slug])})


@router.post("/relations", **WRITE, response={200: RelationWriteOut, 201: RelationWriteOut, **ERRORS},
             url_name="relation_post", summary="Create or update a relation (keyed by ends, type and source)")
def relation_post(request, payload: RelationIn):
    source, locator = source_ref_parse(payload.source)
    relation, status = relation_upsert(
        source_entity=_entity(payload.source_entity, "source_entity"), type=payload.type.value,
        target_entity=_entity(payload.target_entity, "target_entity"), source=source, source_locator=locator,
        from_date=payload.from_date, to_date=payload.to_date, weight=payload.weight,
        confidence=payload.confidence, evidence=payload.evidence, user=request.api_user)
    return Status(201 if status == "created" else 200, {"id": relation.pk, "status": status})


@router.post("/codings", **WRITE, response={200: CodingWriteOut, 201: CodingWriteOut, **ERRORS},
             url_name="coding_post", summary="Code an entity with evidence from a source")
def coding_post(request, payload: CodingIn):
    source, locator = source_ref_parse(payload.source)
    code = code_resolve(payload.code)
    coding, status = coding_upsert(
        entity=_entity(payload.entity, "entity"), code=code, source=source, source_locator=locator,
        quote=payload.quote, confidence=payload.confidence, coder=request.api_user,
        coder_name=request.api_user.get_username(), note=payload.note)
    return Status(201 if status == "created" else 200, {"id": coding.pk, "status": status})
