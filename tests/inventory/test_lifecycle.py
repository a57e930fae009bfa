"""The life rules (observatory.inventory.lifecycle): what counts as evidence of life and of closing."""

import datetime as dt

import pytest

from observatory.inventory import lifecycle, services
from observatory.inventory.models import Entity, StatusAssertion

pytestmark = pytest.mark.django_db


@pytest.fixture
def space():
    services.source_upsert(key="register-2016", csl={"type": "webpage", "title": "第二批国家备案众创空间",
                                                     "issued": {"date-parts": [[2016, 2, 18]]}})
    services.source_upsert(key="undated", csl={"type": "webpage", "title": "A page"})
    entity, _ = services.entity_upsert(slug="chaihuo", kind="makerspace", sources=["undated"],
                                       names=[{"text": "柴火创客空间", "lang": "zh-Hans", "type": "official"}])
    return entity


def _status(entity, value, date, origin="document", confidence=None, **extra):
    return StatusAssertion.objects.create(entity=entity, value=value, kind=extra.pop("kind", "observed"),
                                          date=date, origin=origin, confidence=confidence, **extra)


def test_it_counts_documents_registers_and_only_confident_census_inferences(space):
    _status(space, "active", dt.date(2014, 1, 1))
    _status(space, "accredited", dt.date(2016, 2, 18), origin="register", kind="official_accreditation")
    sure = _status(space, "active", dt.date(2020, 5, 1), origin="census", confidence=lifecycle.LIFECYCLE_CONFIDENCE)
    _status(space, "closed", dt.date(2023, 5, 1), origin="census", confidence=0.5)
    counted = set(StatusAssertion.objects.counting().values_list("pk", flat=True))
    assert len(counted) == 3 and sure.pk in counted
    assert lifecycle.closing(Entity.objects.all()) == {}


def test_it_marks_whether_each_status_counts_with_the_same_rule_as_the_filter(space):
    assert lifecycle.LIFECYCLE_CONFIDENCE == 0.7
    cases = {("document", None): True, ("register", None): True, ("census", 0.7): True, ("census", 0.69): False,
             ("census", None): False}
    made = {_status(space, "active", dt.date(2020, 1, 1), origin=origin, confidence=confidence).pk: expected
            for (origin, confidence), expected in cases.items()}
    assert dict(StatusAssertion.objects.with_counts().values_list("pk", "counts")) == made
    assert set(StatusAssertion.objects.counting().values_list("pk", flat=True)) == {
        pk for pk, counts in made.items() if counts}
    assert set(StatusAssertion.objects.with_counts().filter(counts=False).values_list("pk", flat=True)) == {
        pk for pk, counts in made.items() if not counts}


def test_it_takes_the_latest_alive_evidence_from_statuses_and_dated_sources(space):
    assert lifecycle.last_seen(space) is None
    _status(space, "active", dt.date(2014, 1, 1))
    assert lifecycle.last_seen(space).date == dt.date(2014, 1, 1)
    space.citations.create(source=services.source_upsert(key="register-2016", csl={
        "type": "webpage", "title": "第二批国家备案众创空间", "issued": {"date-parts": [[2016, 2, 18]]}})[0])
    seen = lifecycle.last_seen(space)
    assert (seen.date, seen.by, seen.label) == (dt.date(2016, 2, 18), "source", "register-2016")
    assert lifecycle.last_seen(Entity.objects.all())[space.pk] == seen
    assert Entity.objects.filter(lifecycle.seen_since_q(2016)).count() == 1
    assert Entity.objects.filter(lifecycle.seen_since_q(2017)).count() == 0


def test_it_reports_the_latest_official_standing_per_programme(space):
    _status(space, "accredited", dt.date(2016, 2, 18), origin="register", kind="official_accreditation",
            programme="国家备案众创空间", batch="第二批")
    assert Entity.objects.filter(lifecycle.official_status_q("accredited")).count() == 1
    _status(space, "revoked", dt.date(2019, 11, 1), origin="register", kind="official_accreditation",
            programme="国家备案众创空间", batch="2019年复核")
    [standing] = lifecycle.official_standing(space)
    assert (standing.value, standing.batch) == ("revoked", "2019年复核")
    assert Entity.objects.filter(lifecycle.official_status_q("accredited")).count() == 0
    assert Entity.objects.filter(lifecycle.official_status_q("revoked", "国家备案众创空间")).count() == 1
    assert lifecycle.closing([space.pk])[space.pk][0] == dt.date(2019, 11, 1)



@pytest.mark.parametrize("later_source", [False, True])
def test_the_evidence_read_from_the_entity_document_is_the_evidence_read_from_the_database(space, later_source):
    """entity_evidence (the entity page, no query) against last_seen, official_statuses and
    official_standing (their SQL), on statuses that exercise each rule."""
    from observatory.coding.entity_document import entity_document

    _status(space, "active", dt.date(2014, 1, 1), rule="")
    _status(space, "active", dt.date(2014, 1, 1), origin="census", confidence=0.9, rule="census:feed")  # later id
    _status(space, "active", None)                                                     # undated: no evidence
    _status(space, "active", dt.date(2022, 1, 1), origin="census", confidence=0.5)    # does not count
    _status(space, "relocated", dt.date(2015, 3, 1), date_precision="month")
    _status(space, "accredited", dt.date(2016, 2, 18), origin="register", kind="official_accreditation",
            programme="国家备案众创空间", batch="第二批")
    _status(space, "revoked", dt.date(2019, 11, 1), origin="register", kind="official_accreditation",
            programme="国家备案众创空间", batch="2019年复核")
    _status(space, "accredited", None, origin="register", kind="official_accreditation", programme="孵化器")
    # an undated accreditation in the same programme ranks first (before the 2016 one) on both databases
    _status(space, "accredited", None, origin="register", kind="official_accreditation",
            programme="国家备案众创空间", batch="undated")
    _status(space, "accredited", dt.date(2020, 1, 1), origin="census", confidence=None)        # does not count
    _status(space, "revoked", dt.date(2021, 1, 1), origin="census", confidence=0.3, programme="孵化器")  # nor this
    if later_source:
        space.citations.create(source=services.source_upsert(key="report-2021", csl={
            "type": "article-newspaper", "title": "A report", "issued": {"date-parts": [[2021, 6]]}})[0])
    document = entity_document(space.slug)
    read = lifecycle.entity_evidence(document["statuses"], [(s["key"], s["csl"]) for s in document["sources"]])
    reference = lifecycle.last_seen(space)
    assert reference.by == ("source" if later_source else "status")
    assert (read.last_seen.date, read.last_seen.by, read.last_seen.origin, read.last_seen.label) == (
        reference.date, reference.by, reference.origin, reference.label)
    official = list(lifecycle.official_statuses(space))
    assert [(s["value"], s["programme"], s["batch"]) for s in read.official] == [
        (s.value, s.programme, s.batch) for s in official]
    assert [(s.programme, s.value, s.batch, s.date) for s in read.standing] == [
        (s.programme, s.value, s.batch, s.date) for s in lifecycle.official_standing(space)]
    assert len(read.standing) == 2


def test_a_status_and_a_source_of_the_same_day_leave_the_status_as_last_seen(space):
    from observatory.coding.entity_document import entity_document

    status = _status(space, "active", dt.date(2016, 2, 18), rule="")
    space.citations.create(source=services.source_upsert(key="register-2016", csl={
        "type": "webpage", "title": "第二批国家备案众创空间", "issued": {"date-parts": [[2016, 2, 18]]}})[0])
    document = entity_document(space.slug)
    read = lifecycle.entity_evidence(document["statuses"], [(s["key"], s["csl"]) for s in document["sources"]])
    assert (read.last_seen.by, read.last_seen.date) == ("status", status.date)
    assert lifecycle.last_seen(space).status_id == status.pk


def _cite(entity, key, *date_parts):
    entity.citations.create(source=services.source_upsert(key=key, csl={
        "type": "article-newspaper", "title": key, "issued": {"date-parts": [list(date_parts)]}})[0])


@pytest.mark.parametrize("reborn", [False, True])
def test_a_source_dated_while_the_entity_was_closed_is_no_sign_of_life(space, reborn):
    from observatory.coding.entity_document import entity_document

    _status(space, "active", dt.date(2018, 4, 1), rule="")
    _status(space, "closed", dt.date(2020, 5, 1))
    _cite(space, "report-of-the-closing", 2020, 6, 2)                 # a report of the closing
    _status(space, "revoked", dt.date(2019, 11, 1), origin="register", kind="official_accreditation",
            programme="国家备案众创空间")                              # a revocation closes no door
    _cite(space, "after-revocation", 2019, 12)
    if reborn:
        _status(space, "relocated", dt.date(2021, 3, 1))             # open again, elsewhere
        _cite(space, "visit", 2022, 9)
    seen = lifecycle.last_seen(space)
    expected = (dt.date(2022, 9, 1), "visit") if reborn else (dt.date(2019, 12, 1), "after-revocation")
    assert (seen.date, seen.label) == expected
    document = entity_document(space.slug)
    read = lifecycle.entity_evidence(document["statuses"], [(s["key"], s["csl"]) for s in document["sources"]])
    assert (read.last_seen.date, read.last_seen.label) == expected
    for year in (2019, 2020, 2022, 2023):
        assert Entity.objects.filter(lifecycle.seen_since_q(year)).exists() == (seen.date.year >= year), year


def test_the_curated_count_of_last_seen_dates_follows_the_same_rule():
    from observatory.coding.curated_check import _has_last_seen

    sources = {"closing": {"csl": {"issued": {"date-parts": [[2020, 6, 2]]}}},
               "earlier": {"csl": {"issued": {"date-parts": [[2019]]}}}}
    closed = {"statuses": [{"value": "closed", "date": "2020-05"}], "sources": ["closing#para. 1"]}
    assert not _has_last_seen(closed, sources)
    assert _has_last_seen({**closed, "sources": ["closing#para. 1", "earlier#para. 2"]}, sources)
    assert _has_last_seen({"statuses": [{"value": "accredited", "date": "2016"}], "sources": []}, sources)


@pytest.mark.parametrize(("given", "precision", "stored"), [
    (dt.date(2011, 6, 15), "year", dt.date(2011, 1, 1)), (dt.date(2011, 6, 15), "circa", dt.date(2011, 1, 1)),
    (dt.date(2011, 6, 15), "month", dt.date(2011, 6, 1)), (dt.date(2011, 6, 15), "day", dt.date(2011, 6, 15)),
    (dt.date(2011, 6, 15), "", dt.date(2011, 6, 15))])
def test_a_status_date_is_kept_as_the_first_day_of_its_period(space, given, precision, stored):
    """What the admin's form does with a day and a coarser precision (the document writes the period)."""
    status = StatusAssertion(entity=space, value="active", kind="observed", date=given, date_precision=precision)
    status.full_clean()
    assert status.date == stored
