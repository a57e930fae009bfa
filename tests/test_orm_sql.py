"""observatory.orm_sql: a queryset's SQL embedded in a statement written by hand selects exactly the
rows the queryset does (the entity document's public rules), on SQLite and PostgreSQL."""

import datetime as dt

import pytest
from django.db import connection

from observatory.coding.models import Code, Coding, Document, Excerpt
from observatory.inventory.lifecycle import LIFECYCLE_CONFIDENCE
from observatory.inventory.models import Entity, Relation, StatusAssertion
from observatory.orm_sql import exists_sql

pytestmark = pytest.mark.django_db


def _embedded(queryset, table: str) -> set[int]:
    """The ids of ``table`` that the EXISTS of ``queryset`` keeps, run as raw SQL."""
    condition, params = exists_sql(queryset, "t.id", connection=connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t.id FROM {table} t WHERE {condition}", params)
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def mixed(mini_dataset):
    """The mini dataset with what the rules leave out: a private entity, a merged one, census
    statuses on both sides of LIFECYCLE_CONFIDENCE, a coding whose only evidence is a private note."""
    entities = list(Entity.objects.order_by("id"))
    Entity.objects.filter(pk=entities[0].pk).update(is_public=False)
    Entity.objects.filter(pk=entities[1].pk).update(merged_into=entities[2])
    for confidence in (LIFECYCLE_CONFIDENCE, LIFECYCLE_CONFIDENCE - 0.01, None):
        StatusAssertion.objects.create(entity=entities[3], value="active", kind="inferred", origin="census",
                                       confidence=confidence, date=dt.date(2026, 1, 1))
    StatusAssertion.objects.create(entity=entities[3], value="active", kind="observed", origin="document",
                                   date=dt.date(2020, 1, 1))
    note = Document.objects.create(title="visit", text="a field note about the space", is_public=False)
    Coding.objects.create(entity=entities[3], code=Code.objects.order_by("id").first(),
                          excerpt=Excerpt.objects.create(document=note, start=0, end=12))


@pytest.mark.parametrize(("queryset", "table"), [
    (lambda: Entity.objects.public(), "inventory_entity"),
    (lambda: Relation.objects.public(), "inventory_relation"),
    (lambda: Coding.objects.public(), "coding_coding"),
    (lambda: StatusAssertion.objects.counting(), "inventory_statusassertion"),
], ids=["public entities", "public relations", "public codings", "counting statuses"])
def test_the_embedded_rule_keeps_the_rows_the_queryset_keeps(mixed, queryset, table):
    kept = set(queryset().values_list("pk", flat=True))
    every = set(queryset().model.objects.values_list("pk", flat=True))
    assert kept and kept != every  # the fixture has rows on both sides of each rule
    assert _embedded(queryset(), table) == kept
