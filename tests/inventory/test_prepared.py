"""Prepared querysets (observatory/prepared.py, the one module on Django's private ORM internals, kept
because it pays: docs/benchmarks.md): compiled once, the same rows as the ORM every time."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from observatory.inventory.models import Entity, Name
from observatory.inventory.selectors import entity_detail
from observatory.prepared import Prepared, attach_prefetched

pytestmark = pytest.mark.django_db

NAMES = Prepared(lambda pk: Name.objects.select_related("source").filter(entity_id=pk).order_by("id"), -17)
BY_SLUGS = Prepared(lambda a, b: Entity.objects.filter(slug__in=[a, b]).order_by("slug"), "\x00a", "\x00b")


def _fields(objects, *names):
    return [tuple(getattr(o, n) for n in names) for o in objects]


def test_it_gives_the_rows_and_related_objects_the_orm_gives(mini_dataset):
    for entity in Entity.objects.all():
        expected = list(Name.objects.select_related("source").filter(entity_id=entity.pk).order_by("id"))
        got = NAMES.run(entity.pk)
        assert _fields(got, "pk", "text", "lang", "source_id") == _fields(expected, "pk", "text", "lang", "source_id")
        with CaptureQueriesContext(connection) as queries:
            assert [n.source.key if n.source else None for n in got] == [
                n.source.key if n.source else None for n in expected]
        assert len(queries) == 0
    slugs = sorted(Entity.objects.values_list("slug", flat=True))[:2]
    assert [e.slug for e in BY_SLUGS.run(*slugs)] == slugs
    assert NAMES.run(10**9) == []


def test_it_compiles_once_and_then_runs_one_query(mini_dataset):
    entity = Entity.objects.first()
    NAMES.run(entity.pk)
    with CaptureQueriesContext(connection) as queries:
        NAMES.run(entity.pk)
    assert len(queries) == 1 and str(entity.pk) in queries[0]["sql"]


def test_a_marker_the_lookup_changes_is_refused_when_compiled(db):
    contains = Prepared(lambda text: Name.objects.filter(text__contains=text), "\x00text")
    with pytest.raises(ValueError, match="does not reach the SQL parameters"):
        contains.run("柴火")
    with pytest.raises(ValueError, match="without prefetch_related"):
        Prepared(lambda pk: Entity.objects.filter(pk=pk).prefetch_related("names"), -5).run(1)


def test_it_runs_on_the_connection_of_each_thread(mini_dataset, transactional_db):
    entity = Entity.objects.first()
    expected = _fields(NAMES.run(entity.pk), "pk")
    seen, errors = [], []

    def read():
        try:
            seen.append(_fields(NAMES.run(entity.pk), "pk"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert not errors and seen == [expected]


def test_attached_parts_answer_without_a_query_and_still_filter(mini_dataset):
    entity = entity_detail("chaihuo-makerspace")
    with CaptureQueriesContext(connection) as queries:
        names = list(entity.names.all())
        assert all(n.entity is entity for n in names)
        list(entity.locations.all()), list(entity.statuses.all())
        list(entity.citations.all())
    assert len(queries) == 0
    assert sorted(n.pk for n in names) == sorted(Name.objects.filter(entity=entity).values_list("pk", flat=True))
    english = entity.names.filter(lang="en")
    assert {n.pk for n in english} == set(Name.objects.filter(entity=entity, lang="en").values_list("pk", flat=True))


def test_attach_prefetched_replaces_a_stale_list(mini_dataset):
    entity = Entity.objects.get(slug="chaihuo-makerspace")
    attach_prefetched(entity, "names", [])
    assert list(entity.names.all()) == []
    attach_prefetched(entity, "names", NAMES.run(entity.pk))
    assert len(entity.names.all()) == Name.objects.filter(entity=entity).count()


def test_a_value_of_the_clock_is_refused_rather_than_frozen(db):
    from django.utils import timezone

    recent = Prepared(lambda pk: Name.objects.filter(entity_id=pk, entity__updated__lte=timezone.now()), -23)
    with pytest.raises(ValueError, match="no date or time"):
        recent.run(1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side prepared statements are PostgreSQL's")
def test_on_postgresql_a_prepared_queryset_is_not_prepared_on_the_server(mini_dataset):
    """Its result columns are the model's: after a migration that changes one's type, a statement
    prepared on a kept connection would fail on every run (observatory.prepared.prepared_cursor)."""
    for entity in Entity.objects.all():
        NAMES.run(entity.pk)
        entity_detail(entity.slug)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ['%"inventory_%'])
        assert cursor.fetchone()[0] == 0
