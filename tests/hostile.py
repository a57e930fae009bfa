"""A hostile corpus and the probes that send it through every input of the site: the GET parameters
of the public pages and the API, every field of the API's writes, every admin form. Used by
tests/test_hostile_input.py (the compact corpus, one request per page and payload) and by
bench/bench_hostile.py (the full corpus, one request per parameter or field and payload).

A probe records every answer of 500 or more and every HTML answer that carries an XSS payload
unescaped; the caller asserts there are none.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote

# --- the corpus ----------------------------------------------------------------------------------

XSS_SCRIPT = "<script>alert('obs-xss')</script>"
XSS_IMG = "\"><img src=x onerror=alert('obs-xss')>"
#: What must never appear in an HTML answer: a payload's markup as markup.
UNESCAPED = ("<script>alert('obs-xss')", "<img src=x onerror=alert('obs-xss')>")

DEEP = "[" * 5000 + "]" * 5000

#: Text that a reader, a curator or a client could send. Strings may hold lone surrogates: the
#: probes encode them as a client would (UTF-8 with surrogatepass, or a JSON \\ud800 escape).
COMPACT = [
    "chai\x00huo",                               # NUL
    "\ud800",                                    # lone high surrogate
    "x\udfffy",                                  # lone low surrogate
    "\u202eevil\u202c\u200f",                    # bidi overrides
    "' OR '1'='1' --",                           # SQL injection
    "{{ 7|add:7 }}{% debug %}${7*7}",            # template injection
    XSS_SCRIPT,
    XSS_IMG,
    "NaN", "Infinity", "1e309", "-1",
    "A" * 100_000,                               # huge
    DEEP,                                        # deeply nested (as JSON text)
    '{"title": "\\ud800"}', '"\\u0000"', "[[]]", "true",  # hostile JSON texts for JSON fields
]

#: For forms: what a form can carry (form encoding turns a lone surrogate into U+FFFD) and the
#: JSON texts for the JSON fields (CSL items, polygons).
ADMIN_COMPACT = ["chai\x00huo", XSS_SCRIPT, XSS_IMG, "NaN", "1e309", "A" * 100_000, DEEP, '{"title": "\\ud800"}',
                 '"\\u0000"', "[[]]", "true"]

#: For the API's writes: every kind of hostile text once.
API_COMPACT = ["chai\x00huo", "\ud800", "\u202eevil", XSS_SCRIPT, "' OR '1'='1' --", "A" * 100_000]

FULL = COMPACT + [
    "'; DROP TABLE inventory_entity; --",
    "\" OR \"\"=\"",
    "1; SELECT pg_sleep(5)--",
    "%00", "%27", "../../../../etc/passwd",
    "{{ request }}", "{% load log %}{% get_admin_log 10 as l %}",
    "javascript:alert('obs-xss')",
    "<svg/onload=alert('obs-xss')>",
    "\u0000\u0001\u001f\u007f",
    "\ufeff\u200b\u2028\u2029",
    "🀄" * 1000,
    "9" * 400, "-9" * 200, "1e-400", "0x10", "  ",
    "[" * 100 + "]" * 100, '{"a":' * 2000 + "1" + "}" * 2000,
    "NaN", "-Infinity", "Infinity", "1E309",
    "\ud83d",                                    # half an emoji
]

#: Numbers a JSON client can send that are not finite: raw JSON tokens.
NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e309", "-1e309"]

# --- what is probed ------------------------------------------------------------------------------

#: The GET parameters the public pages read (a superset is sent to every page).
SITE_PARAMS = ["q", "kind", "layer", "province", "page", "lang", "status", "year", "zoom", "bbox", "crs",
               "level", "since", "until", "metric", "division", "next", "language"]
SITE_PAGES = ["/", "/entities/", "/entities/chaihuo-makerspace/", "/search/", "/map/", "/map/data.json",
              "/map/choropleth.json", "/network/", "/network/data.json", "/timeline/", "/analysis/", "/blog/",
              "/blog/feeds/rss.xml", "/blog/feeds/atom.xml", "/sitemap.xml", "/geo/provinces.json"]
#: Pages with a part of the path taken from the URL.
SITE_PATHS = ["/entities/{}/", "/blog/tags/{}/", "/blog/feeds/{}/rss.xml", "/blog/tags/{}/atom.xml", "/blog/{}/",
              "/api/v1/entities/{}", "/api/v1/exports/{}"]

SOURCE = "szmakermap2017#feature:9"
ENTITY = {
    "kind": "makerspace",
    "names": [{"text": "Hostile Space", "lang": "en", "type": "official", "source": SOURCE, "valid_from": "2010"}],
    "sources": [SOURCE],
    "website": "https://example.org/",
    "founded": "2010",
    "closed": "2020",
    "locations": [{"lng": 114.05, "lat": 22.54, "crs": "WGS-84", "precision": "street", "address_zh": "深圳",
                   "address_en": "Shenzhen", "hint": "floor 2", "source": SOURCE, "valid_from": "2012",
                   "polygon": [[[114.0, 22.5], [114.1, 22.5], [114.1, 22.6]]]}],
    "statuses": [{"value": "active", "kind": "self_declared", "date": "2015", "programme": "国家备案众创空间",
                  "batch": "1", "note": "seen", "revoked_on": "2019", "source": SOURCE}],
    "public": True,
}
RELATION = {"source_entity": "chaihuo-makerspace", "type": "partner_of", "target_entity": "szoil",
            "source": SOURCE, "from_date": "2015", "to_date": "2018", "weight": 1.0, "confidence": 0.5,
            "evidence": "they said so"}
CODING = {"entity": "szoil", "code": "knowledge.peer-learning", "source": SOURCE, "quote": "a quote",
          "confidence": 0.5, "note": "a note"}
WRITES = [("put", "/api/v1/entities/hostile-space", ENTITY), ("post", "/api/v1/relations", RELATION),
          ("post", "/api/v1/codings", CODING)]


@dataclass
class Findings:
    requests: int = 0
    by_status: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    unescaped: list[str] = field(default_factory=list)

    def record(self, what: str, response) -> None:
        self.requests += 1
        self.by_status[response.status_code // 100 * 100] += 1
        if response.status_code >= 500:
            self.server_errors.append(f"{response.status_code} {what}")
        content_type = response.get("Content-Type", "")
        if "html" in content_type and not getattr(response, "streaming", False):
            body = response.content.decode("utf-8", "replace")
            for marker in UNESCAPED:
                if marker in body:
                    self.unescaped.append(f"{what}: {marker}")

    def summary(self) -> str:
        return (f"{self.requests} requests; {len(self.server_errors)} 5xx; {len(self.unescaped)} unescaped; "
                f"by class: {dict(sorted(self.by_status.items()))}")


def _q(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _short(value: str) -> str:
    return ascii(value[:40]) + (f"…({len(value)})" if len(value) > 40 else "")


def probe_get_parameters(client, corpus, findings: Findings, *, one_at_a_time: bool = False, api_params=()) -> None:
    """Every public page and API read with every parameter set to each payload."""
    pages = [(page, SITE_PARAMS) for page in SITE_PAGES] + list(api_params)
    for page, params in pages:
        for value in corpus:
            groups = [[p] for p in params] if one_at_a_time else [params]
            for group in groups:
                query = "&".join(f"{p}={_q(value)}" for p in group)
                findings.record(f"GET {page}?{','.join(group)}={_short(value)}",
                                client.get(f"{page}?{query}"))
    for template in SITE_PATHS:
        for value in corpus:
            findings.record(f"GET {template.format(_short(value))}", client.get(template.format(_q(value[:2000]))))


def api_read_parameters() -> list[tuple[str, list[str]]]:
    """The API's GET operations and their query parameters, from its OpenAPI description."""
    from observatory.api.api import api

    schema = api.get_openapi_schema()
    pages = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        params = [p["name"] for p in get.get("parameters", []) if p.get("in") == "query"]
        pages.append((path, params + ["unknown"]))
    return pages


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _leaves(child, (*path, key))
    elif isinstance(value, list) and value and not all(isinstance(v, int | float) for v in value):
        for index, child in enumerate(value):
            yield from _leaves(child, (*path, index))
    else:
        yield path


def _with(body, path, value):
    body = copy.deepcopy(body)
    target = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return body


SENTINEL = "__obs_raw__"


def _json(body) -> bytes:
    """JSON as a client would send it: lone surrogates as \\ud800 escapes; a SENTINEL-tagged string
    replaced by a raw token (NaN, 1e309, deep nesting)."""
    text = json.dumps(body, ensure_ascii=True, allow_nan=True)
    text = re.sub(r'"__obs_raw__(.*?)__obs_end__"', lambda m: json.loads(f'"{m.group(1)}"'), text)
    return text.encode("ascii")


def raw(token: str) -> str:
    return f"{SENTINEL}{token}__obs_end__"


def probe_api_writes(client, token: str, corpus, findings: Findings, *, numbers=NON_FINITE) -> None:
    """Each field of each API write set to each payload (text), each non-finite number and a deep
    structure; and the slug of the path."""
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    values = list(corpus) + [raw(t) for t in numbers] + [raw("[" * 3000 + "]" * 3000), raw("{}"), raw("[[]]"),
                                                         raw("[[[NaN, 1], [2, 3], [4, 5]]]")]
    for method, url, base in WRITES:
        for path in _leaves(base):
            for value in values:
                body = _with(base, path, value)
                response = getattr(client, method)(url, _json(body), content_type="application/json", **auth)
                findings.record(f"{method.upper()} {url} {'.'.join(map(str, path))}={_short(value)}", response)
    for value in corpus:
        response = client.put(f"/api/v1/entities/{_q(value[:2000])}", _json(ENTITY), content_type="application/json",
                              **auth)
        findings.record(f"PUT /api/v1/entities/{_short(value)}", response)


class _FormParser(HTMLParser):
    """The fields of the admin's change form (id="…_form"): name -> value, and which take text."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.text_fields: list[str] = []
        self.in_form = False
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("id") or "").endswith("_form"):
            self.in_form = True
        if not self.in_form or "name" not in attrs:
            if tag == "option" and self._select and "selected" in attrs:
                self.fields[self._select] = attrs.get("value", "")
            return
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self.fields[name] = attrs.get("value", "")
                if kind in ("text", "url", "email", "number", "search", "date", "datetime-local", "time") \
                        and "__prefix__" not in name and not name.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")):
                    self.text_fields.append(name)
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""
            if "__prefix__" not in name:
                self.text_fields.append(name)
        elif tag == "select":
            self._select = name
            self.fields.setdefault(name, "")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            if self._textarea:
                self.fields[self._textarea] = self.fields[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self.in_form:
            self.in_form = False


def admin_form_urls(*, change_objects: bool = True) -> list[str]:
    """The add form of every model the admin registers, and the change form of the first object of each."""
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    urls = []
    for model in admin.site._registry:
        meta = model._meta
        try:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
        except NoReverseMatch:
            continue
        first = model._default_manager.order_by("pk").first() if change_objects else None
        if first is not None:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
    return urls


def _form_body(fields: dict[str, str]) -> bytes:
    return "&".join(f"{_q(k)}={_q(v)}" for k, v in fields.items()).encode("ascii")


def probe_admin_forms(client, corpus, findings: Findings, *, one_field_at_a_time: bool = False,
                      urls: list[str] | None = None, search_corpus=None) -> None:
    """Every admin form posted with each payload: in every text field at once (compact) or in one
    field at a time (full); plus every changelist searched and filtered with it."""
    from django.contrib import admin
    from django.urls import reverse

    for url in urls if urls is not None else admin_form_urls():
        page = client.get(url)
        findings.record(f"GET {url}", page)
        if page.status_code != 200:
            continue
        parser = _FormParser()
        parser.feed(page.content.decode("utf-8"))
        if not parser.text_fields:
            continue
        groups = [[name] for name in parser.text_fields] if one_field_at_a_time else [parser.text_fields]
        for value in corpus:
            for group in groups:
                fields = dict(parser.fields)
                fields.update(dict.fromkeys(group, value))
                response = client.generic("POST", url, _form_body(fields),
                                          content_type="application/x-www-form-urlencoded")
                findings.record(f"POST {url} {','.join(group)[:80]}={_short(value)}", response)
    for model in admin.site._registry:
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        for value in corpus if search_corpus is None else search_corpus:
            findings.record(f"GET {changelist}?q={_short(value)}",
                            client.get(f"{changelist}?q={_q(value[:5000])}&o={_q(value[:50])}&p={_q(value[:50])}"))
