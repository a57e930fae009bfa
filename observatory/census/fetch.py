"""The census's polite asynchronous fetcher (no Django): one observation per target URL.

Politeness and robustness, in the order a fetch meets them: ``robots.txt`` of every host visited
(RFC 9309, parsed by Protego; a 4xx means no rules, a 5xx means "not now"), its ``Crawl-delay``
(capped), a bounded number of requests overall and per host, timeouts, retries with exponential
back-off on timeouts, refused connections and 429/502/503/504 (``Retry-After`` honoured up to a
cap), redirects followed hop by hop (so each hop's host is asked for its robots.txt and the hops
are recorded), and a cap on the decompressed body (a compressed bomb stops at the cap).

The forges' REST APIs (GitHub, Gitee) are programs' interfaces, not pages: they are asked without
robots.txt (api.github.com's robots.txt disallows everything, for crawlers of pages).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import html
import json
import random
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

__all__ = ["Target", "Result", "FetchSettings", "census_fetch", "registrable_domain", "outcome_of",
           "is_parked", "repository_api_url"]

REDIRECTS = {301, 302, 303, 307, 308}
RETRY_STATUSES = {429, 502, 503, 504}

# Parking and domain-sale pages: hosts they redirect to, and phrases they show (English and Chinese).
PARKING_HOSTS = ("sedoparking.com", "sedo.com", "dan.com", "afternic.com", "hugedomains.com", "bodis.com",
                 "parkingcrew.net", "above.com", "undeveloped.com", "domainmarket.com", "godaddy.com",
                 "parklogic.com", "uniregistry.com", "4.cn", "juming.com", "ename.com", "22.cn")
PARKING_PHRASES = (
    "this domain is for sale", "this domain may be for sale", "domain is for sale", "buy this domain",
    "the domain name is for sale", "domain parked", "this domain is parked", "parked free", "parked domain",
    "is available for purchase", "make an offer on this domain", "inquire about this domain",
    "域名出售", "域名正在出售", "此域名出售", "该域名出售", "本域名出售", "域名转让", "域名停放", "域名可出售",
    "该域名可以转让", "这个域名出售",
)
# Second-level labels under which the registrable domain has three labels (a short list of the
# public suffixes the inventory meets: China's, Hong Kong's, Taiwan's and a few others).
_SECOND_LEVEL = {"com", "net", "org", "edu", "gov", "ac", "co", "mil", "idv", "ltd", "plc", "ne", "or"}


@dataclass(frozen=True)
class Target:
    entity_id: int
    kind: str  # website, spaceapi, feed, repository
    url: str


@dataclass
class Result:
    target: Target
    observed_at: dt.datetime
    http_status: int | None = None
    final_url: str = ""
    left_domain: bool = False
    redirects: list = field(default_factory=list)
    error: str = ""
    error_detail: str = ""
    parked: bool = False
    title: str = ""
    last_modified: dt.datetime | None = None
    feed_newest: dt.datetime | None = None
    spaceapi_version: str = ""
    spaceapi_open: bool | None = None
    spaceapi_lastchange: dt.datetime | None = None
    repository_last_commit: dt.datetime | None = None
    attempts: int = 0
    elapsed_ms: int | None = None

    @property
    def outcome(self) -> str:
        return outcome_of(self)


@dataclass
class FetchSettings:
    user_agent: str
    concurrency: int = 32
    per_host: int = 2
    timeout: float = 15.0
    connect_timeout: float = 10.0
    retries: int = 2
    backoff: float = 1.0
    max_retry_after: float = 60.0
    max_crawl_delay: float = 10.0
    max_body: int = 2 * 1024 * 1024
    page_body: int = 256 * 1024
    max_redirects: int = 10
    verify: bool | ssl.SSLContext = True
    github_api: str = "https://api.github.com"
    gitee_api: str = "https://gitee.com/api/v5"


class _Failure(Exception):
    def __init__(self, error: str, detail: str):
        super().__init__(detail)
        self.error, self.detail = error, detail[:300]


def registrable_domain(host: str) -> str:
    """The domain a site is registered under: ``www.chaihuo.org`` → ``chaihuo.org``,
    ``szoil.gov.cn`` → ``szoil.gov.cn``; an IP address is itself."""
    host = (host or "").lower().rstrip(".")
    labels = host.split(".")
    if re.fullmatch(r"[\d.]+|\[.*\]", host) or len(labels) <= 2:
        return host
    if len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def is_parked(host: str, title: str, text: str) -> bool:
    host = (host or "").lower()
    if any(host == p or host.endswith("." + p) for p in PARKING_HOSTS):
        return True
    haystack = f"{title}\n{text}".lower()
    return any(phrase in haystack for phrase in PARKING_PHRASES)


def outcome_of(result: Result) -> str:
    """alive, gone, parked, moved, failed or skipped: what one observation says of the address."""
    if result.error == "robots":
        return "skipped"
    if result.parked:
        return "parked"
    if result.error == "dns":
        return "gone"
    if result.error:
        return "failed"
    status = result.http_status or 0
    if 200 <= status < 300:
        return "moved" if result.left_domain else "alive"
    if status in (404, 410):
        return "gone"
    return "failed"


def repository_api_url(url: str, settings: FetchSettings) -> str | None:
    """The forge API address that answers a repository's (or an account's) latest commit or push."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = [p for p in parts.path.split("/") if p][:2]
    if not path or host not in ("github.com", "gitee.com"):
        return None
    base = settings.github_api if host == "github.com" else settings.gitee_api
    if len(path) == 2:
        repo = path[1].removesuffix(".git")
        return f"{base.rstrip('/')}/repos/{path[0]}/{repo}/commits?per_page=1"
    return f"{base.rstrip('/')}/users/{path[0]}/repos?sort=pushed&direction=desc&per_page=1"


# ------------------------------------------------------------------------------------------------
# reading bodies


def _http_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _iso_datetime(value) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _decode(body: bytes, content_type: str) -> str:
    match = re.search(r"charset=([\w-]+)", content_type, re.I) or re.search(
        rb"<meta[^>]+charset=[\"']?([\w-]+)", body[:4096], re.I)
    charset = match.group(1) if match else "utf-8"
    charset = charset.decode("ascii", "replace") if isinstance(charset, bytes) else charset
    if charset.lower() in ("gb2312", "gbk", "gb_2312-80"):
        charset = "gb18030"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _title(text: str) -> str:
    match = re.search(r"<title[^>]*>(.*?)</title\s*>", text, re.I | re.S)
    return re.sub(r"\s+", " ", html.unescape(match.group(1))).strip()[:300] if match else ""


def _read_feed(result: Result, body: bytes) -> None:
    import feedparser

    parsed = feedparser.parse(body)
    if not parsed.get("version"):
        raise _Failure("invalid", "not an RSS or Atom feed")
    dates = []
    for entry in parsed.entries:
        for key in ("published", "updated"):  # asking for *_parsed only when present (feedparser issue 310)
            if key in entry and entry.get(f"{key}_parsed"):
                dates.append(dt.datetime(*entry[f"{key}_parsed"][:6], tzinfo=dt.UTC))
    if not dates and parsed.feed.get("updated_parsed"):
        dates.append(dt.datetime(*parsed.feed["updated_parsed"][:6], tzinfo=dt.UTC))
    result.title = str(parsed.feed.get("title", ""))[:300]
    result.feed_newest = max(dates) if dates else None


def _read_spaceapi(result: Result, body: bytes) -> None:
    import jsonschema

    from observatory.inventory.importers.directories import spaceapi_schema, spaceapi_version

    try:
        document = json.loads(body)
    except ValueError as error:
        raise _Failure("invalid", f"not JSON: {error}") from None
    if not isinstance(document, dict):
        raise _Failure("invalid", "a SpaceAPI document is a JSON object")
    version = spaceapi_version(document)
    if not version:
        raise _Failure("invalid", "declares no SpaceAPI version 13, 14 or 15")
    result.spaceapi_version = version
    schema = {**spaceapi_schema(), "$ref": f"#/definitions/v{version}"}
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(document), key=lambda e: list(e.path))
    if errors:
        where = ".".join(str(p) for p in errors[0].path) or "(document)"
        raise _Failure("invalid", f"not valid SpaceAPI v{version} at {where}: {errors[0].message}")
    state = document.get("state") or {}
    result.title = str(document.get("space", ""))[:300]
    if isinstance(state.get("open"), bool):
        result.spaceapi_open = state["open"]
    lastchange = state.get("lastchange")
    if isinstance(lastchange, int | float) and not isinstance(lastchange, bool) and 0 < lastchange < 2**33:
        result.spaceapi_lastchange = dt.datetime.fromtimestamp(lastchange, tz=dt.UTC)


def _read_repository(result: Result, body: bytes) -> None:
    try:
        document = json.loads(body)
    except ValueError as error:
        raise _Failure("invalid", f"the forge API answered no JSON: {error}") from None
    first = document[0] if isinstance(document, list) and document else None
    if not isinstance(first, dict):
        raise _Failure("invalid", "the forge API listed no commit or repository")
    commit = first.get("commit") if isinstance(first.get("commit"), dict) else None
    when = None
    if commit:
        for who in ("committer", "author"):
            when = when or _iso_datetime((commit.get(who) or {}).get("date"))
    when = when or _iso_datetime(first.get("pushed_at")) or _iso_datetime(first.get("updated_at"))
    if when is None:
        raise _Failure("invalid", "the forge API gave no commit date")
    result.repository_last_commit = when


# ------------------------------------------------------------------------------------------------
# the fetcher


def _classify(error: BaseException) -> _Failure:
    chain, seen = [], error
    while seen is not None and len(chain) < 8:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    text = " | ".join(str(e) for e in chain)
    if isinstance(error, httpx.TimeoutException):
        return _Failure("timeout", f"{type(error).__name__}: {text or 'no answer in time'}")
    if any(isinstance(e, ssl.SSLError) for e in chain) or "SSL" in text or "CERTIFICATE" in text:
        return _Failure("tls", text)
    if any(isinstance(e, socket.gaierror) for e in chain) or re.search(
            r"Name or service not known|nodename nor servname|No address associated|Temporary failure in name"
            r"|getaddrinfo", text):
        return _Failure("dns", text)
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "Connection refused" in text:
        return _Failure("refused", text)
    if isinstance(error, httpx.ConnectError | httpx.ReadError | httpx.WriteError | OSError):
        return _Failure("connection", f"{type(error).__name__}: {text}")
    return _Failure("protocol", f"{type(error).__name__}: {text}")


class _Census:
    def __init__(self, settings: FetchSettings):
        self.settings = settings
        self.everyone = asyncio.Semaphore(settings.concurrency)
        self.hosts: dict[str, asyncio.Semaphore] = {}
        self.robots: dict[str, object] = {}
        self.robots_locks: dict[str, asyncio.Lock] = {}
        self.next_at: dict[str, float] = {}
        limits = httpx.Limits(max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency)
        self.client = httpx.AsyncClient(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout), limits=limits,
            verify=settings.verify, follow_redirects=False, trust_env=False)

    async def close(self):
        await self.client.aclose()

    async def _request(self, url: str, result: Result, *, cap: int, accept: str = "*/*") -> tuple[httpx.Response, bytes]:
        """One GET with retries; the response (closed) and its body read up to ``cap`` bytes."""
        host = urlsplit(url).netloc.lower()
        gate = self.hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host))
        for attempt in range(self.settings.retries + 1):
            result.attempts += 1
            delay = None
            try:
                async with gate, self.everyone:
                    wait = self.next_at.get(host, 0) - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    async with self.client.stream("GET", url, headers={"Accept": accept}) as response:
                        body = bytearray()
                        async for chunk in response.aiter_bytes():
                            body += chunk
                            if len(body) > cap:
                                break
                    robots = self.robots.get(_origin(url))
                    crawl_delay = getattr(robots, "crawl_delay", lambda _ua: None)(self.settings.user_agent) \
                        if robots is not None else None
                    if crawl_delay:
                        self.next_at[host] = time.monotonic() + min(float(crawl_delay), self.settings.max_crawl_delay)
                if response.status_code in RETRY_STATUSES and attempt < self.settings.retries:
                    delay = self._retry_after(response, attempt)
                    if delay is None:
                        return response, bytes(body)
                else:
                    return response, bytes(body)
            except (httpx.HTTPError, OSError) as error:
                failure = _classify(error)
                if failure.error not in ("timeout", "refused", "connection", "protocol") \
                        or attempt >= self.settings.retries:
                    raise failure from None
                delay = self._backoff(attempt)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        return self.settings.backoff * (2 ** attempt) * (0.75 + random.random() / 2)  # noqa: S311 (jitter)

    def _retry_after(self, response: httpx.Response, attempt: int) -> float | None:
        value = response.headers.get("Retry-After", "").strip()
        if not value:
            return self._backoff(attempt)
        if value.isdigit():
            seconds = float(value)
        else:
            when = _http_date(value)
            seconds = (when - dt.datetime.now(dt.UTC)).total_seconds() if when else self._backoff(attempt)
        # a server asking for longer than the cap is answered later, by the next run
        return max(0.0, seconds) if seconds <= self.settings.max_retry_after else None

    async def _allowed(self, url: str, result: Result) -> None:
        from protego import Protego

        origin = _origin(url)
        lock = self.robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self.robots:
                try:
                    response, body = await self._request(origin + "/robots.txt", Result(result.target, result.observed_at),
                                                         cap=512 * 1024, accept="text/plain")
                    status = response.status_code
                    if 200 <= status < 300:
                        self.robots[origin] = Protego.parse(body.decode("utf-8", errors="replace"))
                    elif status >= 500 or status == 429:
                        self.robots[origin] = _Failure("robots", f"{origin}/robots.txt answered {status}: "
                                                                 "the site asks not to be crawled now (RFC 9309 §2.3.1.4)")
                    else:
                        self.robots[origin] = None  # 3xx/4xx: no rules (RFC 9309 §2.3.1.3)
                except _Failure as failure:
                    self.robots[origin] = failure  # the site is unreachable: every fetch of it fails alike
        rules = self.robots[origin]
        if isinstance(rules, _Failure):
            raise rules
        if rules is not None and not rules.can_fetch(url, self.settings.user_agent):
            raise _Failure("robots", f"robots.txt of {origin} disallows {urlsplit(url).path or '/'}")

    async def observe(self, target: Target) -> Result:
        result = Result(target, dt.datetime.now(dt.UTC))
        started = time.monotonic()
        try:
            if target.kind == "repository":
                await self._observe_repository(result)
            else:
                await self._observe_page(result)
        except _Failure as failure:
            result.error, result.error_detail = failure.error, failure.detail
        except Exception as error:  # noqa: BLE001 — one odd site must not stop a census
            failure = _classify(error)
            result.error, result.error_detail = failure.error, failure.detail
        result.elapsed_ms = int((time.monotonic() - started) * 1000)
        return result

    async def _follow(self, result: Result, url: str, *, cap: int, accept: str, robots: bool = True):
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            if robots:
                await self._allowed(current, result)
            response, body = await self._request(current, result, cap=cap, accept=accept)
            location = response.headers.get("Location")
            if response.status_code in REDIRECTS and location:
                current = urljoin(current, location)
                result.redirects.append([response.status_code, current[:500]])
                continue
            result.final_url = current[:1000]
            start, end = urlsplit(url).hostname or "", urlsplit(current).hostname or ""
            result.left_domain = registrable_domain(start) != registrable_domain(end)
            result.http_status = response.status_code
            result.last_modified = _http_date(response.headers.get("Last-Modified"))
            return response, body
        raise _Failure("too_many_redirects", f"more than {self.settings.max_redirects} redirects from {url}")

    async def _observe_page(self, result: Result) -> None:
        kind = result.target.kind
        accept = {"feed": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
                  "spaceapi": "application/json"}.get(kind, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
        cap = self.settings.page_body if kind == "website" else self.settings.max_body
        response, body = await self._follow(result, result.target.url, cap=cap, accept=accept)
        if len(body) > cap and kind != "website":
            raise _Failure("too_large", f"the body passed the cap of {cap} bytes")
        if not 200 <= response.status_code < 300:
            return
        content_type = response.headers.get("Content-Type", "")
        if kind == "feed":
            _read_feed(result, body)
        elif kind == "spaceapi":
            _read_spaceapi(result, body)
        else:
            text = _decode(body[:cap], content_type)
            result.title = _title(text)
            visible = re.sub(r"<[^>]+>", " ", text[:65536])
            result.parked = is_parked(urlsplit(result.final_url).hostname or "", result.title, visible)

    async def _observe_repository(self, result: Result) -> None:
        api = repository_api_url(result.target.url, self.settings)
        if api is None:
            raise _Failure("invalid", "not a GitHub or Gitee repository or account address")
        response, body = await self._follow(result, api, cap=self.settings.max_body,
                                            accept="application/vnd.github+json, application/json", robots=False)
        result.final_url, result.left_domain = result.target.url, False  # the API's host is not the site's
        if 200 <= response.status_code < 300:
            _read_repository(result, body)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


async def _run(targets: Iterable[Target], settings: FetchSettings, deliver: Callable[[Result], object],
               should_stop: Callable[[], bool]) -> None:
    census = _Census(settings)
    iterator = iter(targets)
    try:
        async def worker():
            for target in iterator:
                if should_stop():
                    return
                result = await census.observe(target)
                outcome = deliver(result)
                if asyncio.iscoroutine(outcome):
                    await outcome

        await asyncio.gather(*(worker() for _ in range(settings.concurrency)))
    finally:
        await census.close()


def census_fetch(targets: Iterable[Target], settings: FetchSettings, deliver: Callable[[Result], object],
                 should_stop: Callable[[], bool] = lambda: False) -> None:
    """Observe every target, at most ``settings.concurrency`` at a time, handing each result to
    ``deliver`` as soon as it is made (a coroutine function is awaited: use it for back-pressure).

    Called where an event loop already runs in this thread (a notebook, an async caller, a test
    runner's plugin), the census runs its own loop in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_run(targets, settings, deliver, should_stop))
        return
    import threading

    failure: list[BaseException] = []

    def run():
        try:
            asyncio.run(_run(targets, settings, deliver, should_stop))
        except BaseException as error:  # noqa: BLE001 — re-raised in the caller's thread
            failure.append(error)

    thread = threading.Thread(target=run, name="census-loop")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
