"""The liveness census against local servers started here (no outside network)."""

import datetime as dt
import threading

import pytest
import trustme
from django.core.management import CommandError, call_command

from observatory.census import services as census
from observatory.census.fetch import FetchSettings, Target, census_fetch
from observatory.census.models import CensusRun, Observation
from observatory.inventory import services
from observatory.inventory.lifecycle import last_seen
from observatory.inventory.models import Entity, StatusAssertion

from .servers import ATOM, LIVE, PARKED, RSS, Server, free_port, slow, spaceapi

HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture(scope="module")
def site():
    routes = {
        "/": (200, {**HTML, "Last-Modified": "Wed, 01 Nov 2023 08:00:00 GMT"}, LIVE.encode()),
        "/gone": (410, HTML, b"<title>Gone</title>"),
        "/broken": (500, HTML, b"<title>Internal error</title>"),
        "/moved": (301, {"Location": "/moved-2"}, b""),
        "/moved-2": (302, {"Location": "PLACEHOLDER"}, b""),
        "/parked": (200, HTML, PARKED),
        "/slow": slow(3),
        "/private/page": (200, HTML, b"<title>private</title>"),
        "/rss": (200, {"Content-Type": "application/rss+xml"}, RSS),
        "/atom": (200, {"Content-Type": "application/atom+xml"}, ATOM),
        "/not-a-feed": (200, HTML, b"<html><title>hello</title></html>"),
        "/v13": (200, {"Content-Type": "application/json"}, spaceapi("13")),
        "/v14": (200, {"Content-Type": "application/json"}, spaceapi("14")),
        "/v15": (200, {"Content-Type": "application/json"}, spaceapi("15")),
        "/v14-invalid": (200, {"Content-Type": "application/json"}, spaceapi("14", valid=False)),
        "/api/repos/example/firmware/commits?per_page=1": (
            200, {"Content-Type": "application/json"},
            b'[{"sha": "abc", "commit": {"committer": {"date": "2024-02-29T10:00:00Z"}}}]'),
        "/api/users/example/repos?sort=pushed&direction=desc&per_page=1": (
            200, {"Content-Type": "application/json"}, b'[{"name": "x", "pushed_at": "2021-06-01T00:00:00Z"}]'),
    }
    server = Server(routes)
    # a redirect chain that ends on another domain (localhost is not 127.0.0.1's domain)
    routes["/moved-2"] = (302, {"Location": server.url("/elsewhere", host="localhost")}, b"")
    routes["/elsewhere"] = (200, HTML, b"<title>Somebody else</title>")
    yield server
    server.close()


@pytest.fixture(scope="module")
def bad_tls():
    ca = trustme.CA()  # a CA nobody trusts: its certificate is a bad certificate for the client
    context = __import__("ssl").create_default_context(__import__("ssl").Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    server = Server({"/": (200, HTML, LIVE.encode())}, tls=context)
    yield server
    server.close()


def _settings(site=None, **extra):
    api = site.url("/api") if site else "http://127.0.0.1:9/api"
    options = {"concurrency": 4, "per_host": 2, "timeout": 1.0, "connect_timeout": 1.0, "retries": 1,
               "backoff": 0.05, "github_api": api, "gitee_api": api}
    return FetchSettings(user_agent="Observatory-census/test (+https://example.org/census)", **{**options, **extra})


def _observe(targets, settings):
    results = []
    census_fetch(targets, settings, results.append)
    return {r.target.url: r for r in results}


def test_it_observes_each_kind_of_answer_a_site_can_give(site, bad_tls):
    site.handler.hits.clear()
    site.handler.agents.clear()
    urls = {name: site.url(path) for name, path in [
        ("live", "/"), ("missing", "/nothing-here"), ("gone", "/gone"), ("broken", "/broken"), ("moved", "/moved"),
        ("parked", "/parked"), ("slow", "/slow"), ("private", "/private/page")]}
    urls["refused"] = f"http://127.0.0.1:{free_port()}/"
    urls["bad_tls"] = bad_tls.url("/")
    urls["dns"] = "http://observatory-census-test.invalid/"
    seen = _observe([Target(1, "website", url) for url in urls.values()], _settings(site))
    r = {name: seen[url] for name, url in urls.items()}

    assert (r["live"].http_status, r["live"].outcome, r["live"].title) == (200, "alive", "示例创客空间 Example Makerspace")
    assert r["live"].last_modified == dt.datetime(2023, 11, 1, 8, tzinfo=dt.UTC)
    assert (r["missing"].http_status, r["missing"].outcome) == (404, "gone")
    assert (r["gone"].http_status, r["gone"].outcome) == (410, "gone")
    assert (r["broken"].http_status, r["broken"].outcome) == (500, "failed")
    moved = r["moved"]
    assert moved.http_status == 200 and moved.left_domain and moved.outcome == "moved"
    assert [hop[0] for hop in moved.redirects] == [301, 302] and moved.final_url.startswith("http://localhost:")
    assert r["parked"].parked and r["parked"].outcome == "parked"
    assert (r["slow"].error, r["slow"].attempts) == ("timeout", 2)  # one retry after back-off
    assert r["private"].error == "robots" and r["private"].outcome == "skipped"
    assert r["refused"].error == "refused"
    assert r["bad_tls"].error == "tls" and "CERTIFICATE" in r["bad_tls"].error_detail.upper()
    assert r["dns"].error == "dns" and r["dns"].outcome == "gone"
    assert "/private/page" not in site.handler.hits  # robots.txt obeyed
    assert site.handler.hits.count("/robots.txt") == 2  # asked once per host: 127.0.0.1 and localhost
    assert set(site.handler.agents) == {"Observatory-census/test (+https://example.org/census)"}


def test_it_reads_the_newest_item_of_rss_and_atom_feeds(site):
    seen = _observe([Target(1, "feed", site.url(p)) for p in ("/rss", "/atom", "/not-a-feed")], _settings(site))
    assert seen[site.url("/rss")].feed_newest == dt.datetime(2023, 9, 2, 2, tzinfo=dt.UTC)
    assert seen[site.url("/atom")].feed_newest == dt.datetime(2024, 4, 20, 9, 30, tzinfo=dt.UTC)
    assert seen[site.url("/not-a-feed")].error == "invalid"


@pytest.mark.parametrize("path", ["/v13", "/v14", "/v15"])
def test_it_validates_spaceapi_documents_and_reads_their_state(site, path):
    [result] = _observe([Target(1, "spaceapi", site.url(path))], _settings(site)).values()
    assert (result.error, result.spaceapi_version, result.spaceapi_open) == ("", path[2:], True)
    assert result.spaceapi_lastchange == dt.datetime.fromtimestamp(1_700_000_000, tz=dt.UTC)


def test_it_rejects_an_invalid_spaceapi_document(site):
    [result] = _observe([Target(1, "spaceapi", site.url("/v14-invalid"))], _settings(site)).values()
    assert result.error == "invalid" and "location.lat" in result.error_detail
    assert result.outcome == "failed"


def test_it_asks_the_forge_api_for_the_latest_commit(site):
    seen = _observe([Target(1, "repository", "https://github.com/example/firmware"),
                     Target(1, "repository", "https://gitee.com/example")], _settings(site))
    assert seen["https://github.com/example/firmware"].repository_last_commit == dt.datetime(2024, 2, 29, 10, tzinfo=dt.UTC)
    assert seen["https://gitee.com/example"].repository_last_commit == dt.datetime(2021, 6, 1, tzinfo=dt.UTC)


def test_it_honours_retry_after_then_reads_the_answer(site):
    calls = []

    def busy(handler):
        calls.append(handler.path)
        if len(calls) == 1:
            return 503, {"Retry-After": "0"}, b"busy"
        return 200, HTML, b"<title>back</title>"

    site.handler.routes["/busy"] = busy
    [result] = _observe([Target(1, "website", site.url("/busy"))], _settings(site)).values()
    assert (result.http_status, result.attempts, result.title) == (200, 2, "back")


def test_it_runs_where_an_event_loop_is_already_running(site):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def caller():
        return _observe([Target(1, "website", site.url("/"))], _settings(site))

    # the caller's loop runs in a thread of its own: this worker's main thread may already have one
    # (Playwright's synchronous API leaves its loop running there after the browser tests)
    with ThreadPoolExecutor(1) as pool:
        [result] = pool.submit(asyncio.run, caller()).result().values()
    assert result.http_status == 200


def test_it_stops_reading_a_body_at_the_cap(site):
    site.handler.routes["/huge-feed"] = (200, {"Content-Type": "application/rss+xml"}, RSS + b" " * 50_000)
    [result] = _observe([Target(1, "feed", site.url("/huge-feed"))], _settings(site, max_body=10_000)).values()
    assert result.error == "too_large"


# ---- the command, the database and the inferred statuses ------------------------------------


@pytest.fixture
def inventory(db, site):
    services.source_upsert(key="test-directory", csl={"type": "dataset", "title": "A directory"})

    def entity(slug, website="", **record):
        made, _ = services.entity_upsert(slug=slug, kind="hackerspace", website=website, sources=["test-directory"],
                                         names=[{"text": slug.title(), "lang": "en", "type": "official"}])
        if record:
            made.records.add(services.source_record_upsert(source=services.source_ref_parse("test-directory")[0],
                                                           external_id=slug, payload=record)[0])
        return made

    return {
        "live": entity("live-space", site.url("/")),
        "gone": entity("gone-space", site.url("/gone")),
        "parked": entity("parked-space", site.url("/parked")),
        "door": entity("door-space", endpoint=site.url("/v15")),
        "blog": entity("blog-space", feeds={"blog": {"type": "rss", "url": site.url("/rss")}}),
        "none": entity("no-address"),
    }


@pytest.fixture
def local_apis(settings, site):
    settings.OBSERVATORY_CENSUS_GITHUB_API = site.url("/api")
    settings.OBSERVATORY_CENSUS_GITEE_API = site.url("/api")


def test_it_keeps_observations_and_infers_statuses_beside_the_curated_ones(inventory, local_apis):
    curated = StatusAssertion.objects.create(entity=inventory["gone"], value="active", kind="self_declared",
                                             date=dt.date(2015, 1, 1))
    call_command("census", "--timeout", "2", "--retries", "0")
    run = CensusRun.objects.get()
    assert (run.status, run.total, run.done) == ("done", 5, 5)
    assert Observation.objects.count() == 5
    live = StatusAssertion.objects.get(entity=inventory["live"], origin="census")
    today = dt.datetime.now(dt.UTC).date()  # observations are dated in UTC
    assert (live.value, live.rule, live.confidence, live.date) == ("active", "census:website-answers", 0.8, today)
    assert live.note.startswith(f"seen alive on {today.isoformat()} by its website")
    blog = StatusAssertion.objects.get(entity=inventory["blog"], origin="census")
    assert (blog.rule, blog.date) == ("census:feed-item", dt.date(2023, 9, 2))
    door = StatusAssertion.objects.get(entity=inventory["door"], origin="census")  # door last moved in 2023
    assert (door.rule, door.date) == ("census:spaceapi-lastchange", dt.date(2023, 11, 14))
    gone = StatusAssertion.objects.get(entity=inventory["gone"], origin="census")
    assert (gone.value, gone.rule, gone.confidence) == ("closed", "census:http-410", 0.75)
    assert gone.note.startswith("probably closed since")
    parked = StatusAssertion.objects.get(entity=inventory["parked"], origin="census")
    assert parked.rule == "census:parked-domain"
    curated.refresh_from_db()
    assert (curated.value, curated.origin) == ("active", "document")  # never overwritten
    assert last_seen(inventory["blog"]).date == dt.date(2023, 9, 2)

    # a second run keeps the first one's observations and statuses (history)
    call_command("census", "--entity", "live-space")
    assert Observation.objects.filter(entity=inventory["live"]).count() == 2
    assert StatusAssertion.objects.filter(entity=inventory["live"], origin="census").count() == 2


def test_it_resumes_an_interrupted_run_without_fetching_again(inventory, local_apis, site):
    stop = threading.Event()
    seen = []

    def halt_after_two(result):
        seen.append(result)
        if len(seen) == 2:
            stop.set()

    settings = _settings(site, concurrency=1, per_host=1)
    first = census.census_run(fetch_settings=settings, on_result=halt_after_two, stop=stop)
    assert first.interrupted and first.run.status == "interrupted"
    observed = set(Observation.objects.values_list("url", flat=True))
    assert 2 <= len(observed) < 5
    assert not StatusAssertion.objects.filter(origin="census").exists()
    # as after a kill -9: the run is left "running", with what it had written
    CensusRun.objects.filter(pk=first.run.pk).update(status="running")
    hits_before = list(site.handler.hits)
    call_command("census", "--resume")
    run = CensusRun.objects.get()
    assert (run.status, run.done, run.total) == ("done", 5, 5)
    assert Observation.objects.count() == 5
    refetched = [h for h in site.handler.hits[len(hits_before):] if h != "/robots.txt"]
    assert not {site.url(h) for h in refetched} & observed
    assert StatusAssertion.objects.filter(origin="census").count() == 5


def test_it_lists_targets_in_a_dry_run_and_writes_nothing(inventory, capsys):
    call_command("census", "--dry-run", "--only", "website,feed")
    out = capsys.readouterr().out
    assert "4 addresses of 4 entities" in out
    call_command("census", "--dry-run", "--entity", "door-space,blog-space", "--source", "test-directory")
    assert "2 addresses of 2 entities" in capsys.readouterr().out
    call_command("census", "--dry-run", "--kind", "fab_lab")
    assert "0 addresses of 0 entities" in capsys.readouterr().out
    assert not CensusRun.objects.exists() and not Observation.objects.exists()


def test_it_refuses_unknown_selectors_with_the_accepted_forms(db):
    with pytest.raises(CommandError, match="accepted: .*fab_lab"):
        call_command("census", "--kind", "spaceship")
    with pytest.raises(CommandError, match="no unfinished census run"):
        call_command("census", "--resume")


def test_it_counts_a_persistent_failure_more_than_a_single_one(inventory, local_apis):
    call_command("census", "--entity", "gone-space")
    first = CensusRun.objects.get()
    CensusRun.objects.filter(pk=first.pk).update(started=first.started - dt.timedelta(days=40))
    Observation.objects.update(observed_at=first.started - dt.timedelta(days=40))
    call_command("census", "--entity", "gone-space")
    latest = StatusAssertion.objects.filter(entity=inventory["gone"], origin="census").order_by("-pk").first()
    assert latest.rule == "census:http-410+persistent" and latest.confidence == 0.9
    assert latest.date == (first.started - dt.timedelta(days=40)).date()
    assert Entity.objects.get(slug="gone-space").closed is None  # the curated field stays the curator's
