"""Writes to the inventory. Every function validates its input, writes inside one transaction and
one history revision, and raises :class:`django.core.exceptions.ValidationError` whose messages
name the field, the value and the accepted forms."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import reversion
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from observatory.validation import WriteConflict, csl_check, instance_check, text_check

from .derivation import (
    STATUS_KIND_CODES,
    STATUS_VALUE_CODES,
    choice_check,
    entity_derived_fields,
    fuzzy_date_check,
    location_derive,
    name_derive,
)
from .models import Entity, EntitySource, Location, Name, Relation, Source, SourceRecord, StatusAssertion
from .taxonomy import KINDS, RELATION_TYPES, kind_layer

__all__ = [
    "checksum_payload",
    "entity_refresh_derived",
    "entity_upsert",
    "relation_upsert",
    "relation_validate",
    "source_ref_parse",
    "source_upsert",
    "source_record_upsert",
]

_LOCATOR_MAX = EntitySource._meta.get_field("locator").max_length


def checksum_payload(payload: Any) -> str:
    """sha256 of the canonical JSON form of a payload (sorted keys, UTF-8)."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def source_ref_parse(ref: str, sources: dict[str, Source] | None = None) -> tuple[Source, str]:
    """``"ananse2016#row:12"`` -> (Source ananse2016, "row:12")."""
    if not isinstance(ref, str) or not ref.strip():
        raise ValidationError({"source": "a source reference is required (key or key#locator)"})
    text_check("source", ref)
    key, _, locator = ref.strip().partition("#")
    if len(locator.strip()) > _LOCATOR_MAX:
        raise ValidationError({"source": f"the locator after '#' is {len(locator.strip())} characters long; at most "
                                         f"{_LOCATOR_MAX} are accepted"})
    source = (sources or {}).get(key)
    if source is None:
        source = Source.objects.filter(key=key).first()
    if source is None:
        raise ValidationError({"source": f"unknown source key {key!r}; add it to the sources first"})
    return source, locator.strip()


def source_upsert(*, key: str, csl: dict, licence: str = "", redistributable: bool | None = None,
                  retrieved=None, note: str = "") -> tuple[Source, bool]:
    """Create or update a source by key; returns (source, changed)."""
    csl_check(csl, where=f"source {key!r}")
    if redistributable is None:
        redistributable = bool(licence) and licence.lower() not in {"unknown", "all-rights-reserved"}
    retrieved_date, _precision = fuzzy_date_check("retrieved", retrieved)
    values = {"csl": csl, "licence": licence, "redistributable": redistributable, "retrieved": retrieved_date,
              "note": note}
    source = Source.objects.filter(key=key).first()
    if source is None:
        source = Source(key=key, **values)
        source.full_clean()
        source.save()
        return source, True
    changed = any(getattr(source, field) != value for field, value in values.items())
    if changed:
        for field, value in values.items():
            setattr(source, field, value)
        source.full_clean()
        source.save()
    return source, changed


def source_record_upsert(*, source: Source, external_id: str, payload: Any) -> tuple[SourceRecord, str]:
    """Keep the raw payload of one row; returns (record, "created" | "updated" | "unchanged")."""
    checksum = checksum_payload(payload)
    record = SourceRecord.objects.filter(source=source, external_id=external_id).first()
    if record is None:
        return SourceRecord.objects.create(source=source, external_id=external_id, payload=payload,
                                           checksum=checksum), "created"
    if record.checksum == checksum:
        return record, "unchanged"
    record.payload, record.checksum = payload, checksum
    record.save(update_fields=["payload", "checksum", "updated_at"])
    return record, "updated"


def entity_refresh_derived(entity: Entity) -> Entity:
    """Recompute the display names, search tokens and province of an entity from its parts."""
    names = list(entity.names.all())
    if not names:
        raise ValidationError({"names": f"entity {entity.slug!r} needs at least one name"})
    locations = list(entity.locations.all())
    derived = entity_derived_fields([(n.text, n.lang, n.type) for n in names],
                                    [text for loc in locations for text in (loc.address_zh, loc.address_en)],
                                    [loc.province_code for loc in locations])
    for field, value in derived.items():
        setattr(entity, field, value)
    entity.layer = kind_layer(entity.kind)
    Entity.objects.filter(pk=entity.pk).update(
        name=entity.name, name_zh=entity.name_zh, name_en=entity.name_en, search_text=entity.search_text,
        province_code=entity.province_code, layer=entity.layer,
    )
    return entity


def _after_race(write, what: str, **kwargs):
    """Run ``write``; if a concurrent transaction inserted the same record first (the unique
    constraint answers IntegrityError), run it again: it then finds that record and answers
    "unchanged" when it holds the same values, or raises :class:`WriteConflict` when it differs."""
    try:
        return write(**kwargs)
    except IntegrityError:
        pass
    return write(**kwargs, on_race=f"{what} was written by a concurrent request with different values; "
                                   "read it again and retry")


def entity_upsert(**kwargs) -> tuple[Entity, str]:
    """Create or replace an entity and its names, locations and statuses from one document.

    Returns (entity, "created" | "updated" | "unchanged"); the change is recorded in history.
    ``names`` items: ``{text, lang, type, source?, valid_from?, valid_to?}``; ``locations`` and
    ``statuses`` as in docs/data-format.md. The same document written twice at once gives one
    entity (the second "unchanged"); two different documents racing to create the same slug give
    :class:`~observatory.validation.WriteConflict` to the later one.
    """
    return _after_race(_entity_upsert, f"entity {kwargs.get('slug')!r}", **kwargs)


@transaction.atomic
def _entity_upsert(*, slug: str, kind: str, names: list[dict], sources: list[str] | None = None,
                   website: str = "", founded=None, closed=None, locations: list[dict] | None = None,
                   statuses: list[dict] | None = None, is_public: bool = True, note: str = "",
                   field_sources: dict | None = None, user=None, comment: str = "",
                   source_index: dict[str, Source] | None = None, on_race: str = "") -> tuple[Entity, str]:
    choice_check("kind", kind, KINDS)
    if not names:
        raise ValidationError({"names": f"entity {slug!r} needs at least one name"})
    founded_date, founded_precision = fuzzy_date_check("founded", founded)
    closed_date, closed_precision = fuzzy_date_check("closed", closed)
    if founded_date and closed_date and closed_date < founded_date:
        raise ValidationError({"closed": f"closed ({closed}) is before founded ({founded})"})

    name_objs = []
    for item in names:
        source, locator = (source_ref_parse(item["source"], source_index) if item.get("source") else (None, ""))
        name = Name(text=item.get("text", ""), lang=item.get("lang", ""), type=item.get("type", "official"),
                    source=source, source_locator=locator,
                    valid_from=fuzzy_date_check("valid_from", item.get("valid_from"))[0],
                    valid_to=fuzzy_date_check("valid_to", item.get("valid_to"))[0])
        name_objs.append(name_derive(name))
    location_objs = []
    for item in locations or []:
        source, locator = (source_ref_parse(item["source"], source_index) if item.get("source") else (None, ""))
        loc = Location(
            original_lng=item.get("lng"), original_lat=item.get("lat"), crs=item.get("crs", "WGS-84"),
            precision=item.get("precision", "exact"), polygon=item.get("polygon"),
            address_zh=item.get("address_zh", ""), address_en=item.get("address_en", ""), hint=item.get("hint", ""),
            division_code=str(item.get("division", "") or ""), source=source, source_locator=locator,
            valid_from=fuzzy_date_check("valid_from", item.get("valid_from"))[0],
            valid_to=fuzzy_date_check("valid_to", item.get("valid_to"))[0],
        )
        if loc.original_lng is None and not loc.division_code and not loc.polygon:
            raise ValidationError({"locations": f"entity {slug!r}: a location needs coordinates (lng, lat), an "
                                                "outline (polygon) or a division code"})
        location_objs.append(instance_check(location_derive(loc)))
    status_objs = []
    for item in statuses or []:
        source, locator = (source_ref_parse(item["source"], source_index) if item.get("source") else (None, ""))
        date, precision = fuzzy_date_check("date", item.get("date"))
        status_objs.append(instance_check(StatusAssertion(
            value=choice_check("value", item.get("value"), STATUS_VALUE_CODES),
            kind=choice_check("kind", item.get("kind"), STATUS_KIND_CODES), date=date, date_precision=precision,
            programme=item.get("programme", ""), batch=str(item.get("batch", "") or ""),
            revoked_on=fuzzy_date_check("revoked_on", item.get("revoked_on"))[0], note=item.get("note", ""),
            source=source, source_locator=locator,
        )))
    citations = [source_ref_parse(ref, source_index) for ref in (sources or [])]

    values = {
        "kind": kind, "layer": kind_layer(kind), "website": website or "", "founded": founded_date,
        "founded_precision": founded_precision, "closed": closed_date, "closed_precision": closed_precision,
        "is_public": is_public, "note": note or "", "field_sources": field_sources or {},
    }
    # Locked until the end of the transaction: concurrent writers of one entity take turns.
    entity = Entity.objects.select_for_update().filter(slug=slug).first()
    created = entity is None
    new_state = _entity_state(values, name_objs, location_objs, status_objs, citations)
    if not created and _entity_state_of(entity) == new_state:
        return entity, "unchanged"
    if on_race:
        raise WriteConflict(on_race)

    with reversion.create_revision():
        if created:
            entity = Entity(slug=slug, name=name_objs[0].text, **values)
        else:
            for field, value in values.items():
                setattr(entity, field, value)
        # The slug's uniqueness is left to the database: a unique check by query here would see a
        # concurrent creator's commit and answer a validation error instead of the race it is.
        entity.full_clean(exclude=["name"], validate_unique=False)
        entity.save()
        entity.names.all().delete()
        entity.locations.all().delete()
        entity.statuses.all().delete()
        entity.citations.all().delete()
        for obj in (*name_objs, *location_objs, *status_objs):
            obj.entity = entity
        seen = set()
        for name in name_objs:
            key = (name.text, name.lang, name.type)
            if key in seen:
                continue
            seen.add(key)
            name.save()
        Location.objects.bulk_create(location_objs)
        StatusAssertion.objects.bulk_create(status_objs)
        EntitySource.objects.bulk_create(
            [EntitySource(entity=entity, source=s, locator=loc) for s, loc in dict.fromkeys(citations)]
        )
        entity_refresh_derived(entity)
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(comment or ("Created" if created else "Updated"))
    return entity, "created" if created else "updated"


def _entity_state(values, names, locations, statuses, citations) -> str:
    state = {
        "values": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()},
        "names": sorted((n.text, n.lang, n.type, n.source_id, n.source_locator, str(n.valid_from), str(n.valid_to))
                        for n in names),
        "locations": [(loc.original_lng, loc.original_lat, loc.crs, loc.precision, loc.polygon, loc.address_zh,
                       loc.address_en, loc.hint, loc.division_code, loc.source_id, loc.source_locator,
                       str(loc.valid_from), str(loc.valid_to)) for loc in locations],
        "statuses": [(s.value, s.kind, str(s.date), s.date_precision, s.programme, s.batch, str(s.revoked_on),
                      s.note, s.source_id, s.source_locator) for s in statuses],
        "citations": sorted({(s.pk, loc) for s, loc in citations}),
    }
    return checksum_payload(state)


def _entity_state_of(entity: Entity) -> str:
    values = {field: getattr(entity, field) for field in (
        "kind", "layer", "website", "founded", "founded_precision", "closed", "closed_precision", "is_public",
        "note", "field_sources")}
    citations = [(c.source, c.locator) for c in entity.citations.select_related("source")]
    return _entity_state(values, list(entity.names.all()), list(entity.locations.all()),
                         list(entity.statuses.all()), citations)


def relation_validate(source_entity: Entity, target_entity: Entity, type: str, confidence: float,
                       weight: float) -> None:
    if source_entity.pk == target_entity.pk:
        raise ValidationError({"target_entity": f"a relation cannot tie {source_entity.slug!r} to itself"})
    choice_check("type", type, RELATION_TYPES)
    if not (0 <= confidence <= 1):
        raise ValidationError({"confidence": f"{confidence} is outside 0…1"})
    if not math.isfinite(weight) or weight < 0:
        raise ValidationError({"weight": f"{weight} is not a finite number ≥ 0"})


def relation_upsert(**kwargs) -> tuple[Relation, str]:
    """Create or update the relation ``source_entity --type--> target_entity`` cited to ``source``
    (concurrent writes as in :func:`entity_upsert`)."""
    return _after_race(_relation_upsert, "the relation", **kwargs)


@transaction.atomic
def _relation_upsert(*, source_entity: Entity, type: str, target_entity: Entity, source: Source | None = None,
                     source_locator: str = "", from_date=None, to_date=None, weight: float = 1.0,
                     confidence: float = 1.0, evidence: str = "", user=None, on_race: str = "") -> tuple[Relation, str]:
    relation_validate(source_entity, target_entity, type, float(confidence), float(weight))
    from_d, from_p = fuzzy_date_check("from_date", from_date)
    to_d, to_p = fuzzy_date_check("to_date", to_date)
    if from_d and to_d and to_d < from_d:
        raise ValidationError({"to_date": f"to_date ({to_date}) is before from_date ({from_date})"})
    values = {"source_locator": source_locator, "from_date": from_d, "from_precision": from_p, "to_date": to_d,
              "to_precision": to_p, "weight": float(weight), "confidence": float(confidence),
              "evidence": evidence or ""}
    relation = Relation.objects.select_for_update().filter(
        source_entity=source_entity, type=type, target_entity=target_entity, source=source).first()
    if relation is not None and all(getattr(relation, k) == v for k, v in values.items()):
        return relation, "unchanged"
    if on_race:
        raise WriteConflict(on_race)
    with reversion.create_revision():
        status = "updated"
        if relation is None:
            relation = Relation(source_entity=source_entity, type=type, target_entity=target_entity, source=source,
                                recorded_by=user)
            status = "created"
        for field, value in values.items():
            setattr(relation, field, value)
        instance_check(relation)
        relation.save()
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(status.capitalize())
    return relation, status
