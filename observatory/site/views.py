"""Public pages: thin views over observatory.site.selectors and observatory.inventory.selectors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import router
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from observatory.blog.citations import source_entry_html
from observatory.blog.selectors import post_list_published, post_search
from observatory.china import coords as china_coords
from observatory.china import divisions as china_divisions
from observatory.china.names import is_chinese_language
from observatory.coding.entity_document import entity_document
from observatory.inventory import lifecycle, selectors
from observatory.inventory.dates import parse_fuzzy_date
from observatory.inventory.models import Location, Name, Relation, StatusAssertion
from observatory.inventory.taxonomy import KINDS, LAYERS, RELATION_TYPES, kind_is_place
from observatory.pagecache import public_page

from . import selectors as site
from .templatetags import atlas


def _int(value, default=None, *, low=None, high=None):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    if low is not None and number < low:
        return low
    if high is not None and number > high:
        return high
    return number


def _layers():
    return [(slug, atlas.layer_label(slug)) for slug, _label in LAYERS]


def _kinds():
    return [(slug, atlas.kind_label(slug)) for slug in KINDS]


# --------------------------------------------------------------------------------------------- home

@public_page
def home(request):
    return render(request, "site/home.html", {
        "figures": site.home_figures(),
        "posts": post_list_published()[:5],
        "network_run": site.analysis_latest("network"),
        "spatial_run": site.analysis_latest("spatial"),
        "timeline_run": site.analysis_latest("timeline"),
    })


# --------------------------------------------------------------------------------------------- inventory

@public_page
def entity_list(request):
    kind = request.GET.get("kind", "")
    layer = request.GET.get("layer", "")
    province = request.GET.get("province", "")
    query = request.GET.get("q", "").strip()[:200]
    seen, official = _evidence_filters(request)
    queryset = selectors.entity_list(kind=kind, layer=layer, province=province, query=query, seen_since=seen,
                                     official=official, relation_count=True)
    page = Paginator(queryset.order_by("name", "id"), settings.OBSERVATORY_PAGE_SIZE).get_page(request.GET.get("page"))
    provinces = sorted({code for code in selectors.entity_list().values_list("province_code", flat=True) if code})
    return render(request, "site/entity_list.html", {
        "page": page, "kinds": _kinds(), "layers": _layers(), "kind": kind, "layer": layer,
        "province": province, "query": query,
        "provinces": [(code, china_divisions.division_name_zh(code)) for code in provinces],
        **_evidence_filter_context(seen, official),
    })


# evidence of life (issue 15): "seen since YEAR" and the official standing, on the list and the map

def _evidence_filters(request) -> tuple[int | None, str]:
    seen = _int(request.GET.get("seen_since", ""), None, low=1900, high=2100)
    official = request.GET.get("official", "")
    return seen, official if official in lifecycle.OFFICIAL_VALUES else ""


def _evidence_filter_context(seen, official) -> dict:
    this_year = dt.date.today().year
    return {"seen_since": seen, "official": official, "seen_years": list(range(this_year, 1999, -1)),
            "officials": [("accredited", _("accredited")), ("revoked", _("accreditation revoked"))]}


@public_page
def entity_detail(request, slug):
    """The entity page, rendered from the entity document the API sends (one read of the record:
    a field added to the document is there for the page too)."""
    document = entity_document(slug)
    if document is None:
        raise Http404("No such entity")
    # the entity's row (for its history and evidence of life) and the other ends of its relations
    ends = selectors.entity_names({slug, *(r[end] for r in document["relations"]
                                          for end in ("source_entity", "target_entity"))})
    entity = ends.get(slug)
    if entity is None:  # made private between the two reads
        raise Http404("No such entity")
    locations = [_location(loc) for loc in document["locations"]]
    points = [{"lat": loc["lat"], "lng": loc["lng"], "precision": loc["precision"],
               "radius": site.PRECISION_RADIUS_M.get(loc["precision"], 0)} for loc in locations if loc["lat"] is not None]
    return render(request, "site/entity_detail.html", {
        "entity": document,
        "updated": dt.datetime.fromisoformat(document["updated"]),
        "names": [{**name, "type_label": _choice(Name, "type", name["type"]), "source_ref": _source_ref(name)}
                  for name in document["names"]],
        "relations": _relation_groups(document, ends),
        "locations": [(loc, china_divisions.division_name_zh(loc["prefecture_code"] or loc["province_code"]))
                      for loc in locations],
        "points": points,
        "statuses": [(_status(status), status["date"] or "") for status in document["statuses"]],
        "citations": [(source, source_entry_html(source["csl"], key=source["key"], locator=source["locator"]))
                      for source in document["sources"]],
        "codings": document["codes"],
        "history": _history(entity),
        "json_ld": json_ld_text(_json_ld(request, document, locations)),
        "api_url": document["url"],
        "evidence": _evidence_of_life(entity, document),
    })


def _choice(model, field: str, value: str) -> str:
    """The label of a stored choice in the reader's language (what ``get_FOO_display`` gives)."""
    return dict(model._meta.get_field(field).flatchoices).get(value, value)


def _source_ref(part: dict) -> str:
    """A part's source as the page writes it: ``key#locator`` (the form the services read,
    ``source_ref_parse``), or the key alone."""
    source = part["source"]
    if not source:
        return ""
    return f"{source['key']}#{source['locator']}" if source["locator"] else source["key"]


def _location(loc: dict) -> dict:
    return {**loc, "precision_label": _choice(Location, "precision", loc["precision"]), "source_ref": _source_ref(loc)}


def _status(status: dict) -> dict:
    return {**status, "value_label": _choice(StatusAssertion, "value", status["value"]),
            "kind_label": _choice(StatusAssertion, "kind", status["kind"]),
            "origin_label": _choice(StatusAssertion, "origin", status["origin"]),
            "revoked_on": dt.date.fromisoformat(status["revoked_on"]) if status["revoked_on"] else None,
            "source_ref": _source_ref(status)}


def _evidence_of_life(entity, document: dict) -> dict:
    """Last seen (by what, when), the official accreditations and revocations with their
    announcements, and the census's latest observations (observatory.inventory.lifecycle), from the
    entity document: a query only for the census's observations, and for the record of an
    announcement the entity does not cite."""
    from observatory.census.selectors import observations_latest

    cited = {source["key"]: source for source in document["sources"]}
    evidence = lifecycle.entity_evidence(document["statuses"], [(key, source["csl"]) for key, source in cited.items()])
    seen = evidence.last_seen
    # a source's last-seen label is its key
    seen_source = cited.get(seen.label) if seen is not None and seen.by == "source" else None
    announced = {status["source"]["key"] for status in evidence.official if status["source"]}
    records = {key: source["csl"] for key, source in cited.items() if key in announced}
    if announced - set(records):
        records.update(selectors.source_records(announced - set(records)))
    official = [(_status(status), status["date"] or "",
                 source_entry_html(records[status["source"]["key"]], key=status["source"]["key"],
                                   locator=status["source"]["locator"]) if status["source"] else "")
                for status in evidence.official]
    return {"last_seen": seen, "last_seen_source": seen_source, "standing": evidence.standing,
            "official": official, "observations": observations_latest(entity, limit=5)}


def _relation_groups(document: dict, ends: dict) -> list[tuple[str, list[dict]]]:
    """The document's relations grouped by type and direction, labelled in the reader's language,
    each with the other end (``ends``: the entities by slug); in a group, by the name of the entity
    the relation starts from."""
    zh = is_chinese_language(get_language())
    slug = document["slug"]
    groups: dict[tuple[str, bool], list[dict]] = {}
    # an end made private since the document was read is left out
    shown = [r for r in document["relations"] if r["source_entity"] in ends and r["target_entity"] in ends]
    for relation in sorted(shown, key=lambda r: (ends[r["source_entity"]].name, r["type"], r["id"])):
        outgoing = relation["source_entity"] == slug
        other = relation["target_entity"] if outgoing else relation["source_entity"]
        groups.setdefault((relation["type"], outgoing), []).append({
            "relation": {**relation, "from_year": _year(relation["from_date"]), "to_year": _year(relation["to_date"]),
                         "source_ref": _source_ref(relation)},
            "other": ends[other]})
    labelled = []
    for (kind, outgoing), items in groups.items():
        english, chinese = RELATION_TYPES.get(kind, (kind, kind))
        if zh:
            label = chinese if outgoing else f"{chinese}（反向）"
        else:
            label = english if outgoing else f"{english} (inverse)"
        order = _choice(Relation, "type", kind) if outgoing else f"{_choice(Relation, 'type', kind)} (inverse)"
        labelled.append((order, label, items))
    return [(label, items) for _order, label, items in sorted(labelled, key=lambda group: group[0])]


def _year(fuzzy: str | None) -> int | None:
    """The year of a fuzzy date as the document writes it (``2011``, ``circa 2011``, ``2011-05``)."""
    return parse_fuzzy_date(fuzzy)[0].year if fuzzy else None


def _versions(content_type_id: int, object_id: str):
    from reversion.models import Version

    from observatory.inventory.models import Entity

    # what Version.objects.get_for_object filters on, the content type left a value
    return (Version.objects.filter(content_type_id=content_type_id, object_id=object_id,
                                   db=router.db_for_write(Entity))
            .order_by("-revision__date_created").values_list("revision__date_created", flat=True)[:50])


def _history(entity) -> list[dt.datetime]:
    """Dates of the recorded revisions of an entity (newest first), without who made them."""
    content_type = ContentType.objects.get_for_model(entity, for_concrete_model=True)
    return list(_versions(content_type.pk, str(entity.pk)))


# Inside <script>, "</script>" or "<!--" in a value would end or confuse the element: written as
# JSON escapes they stay the same JSON (what Django's json_script does).
_JSON_LD_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def json_ld_text(data: dict) -> str:
    """JSON for a ``<script type="application/ld+json">`` element: no ``<``, ``>`` or ``&`` in it."""
    return json.dumps(data, ensure_ascii=False).translate(_JSON_LD_ESCAPES)


def _json_ld(request, entity: dict, locations: list[dict]) -> dict:
    if entity["kind"] == "event":
        schema_type = "Event"
    elif kind_is_place(entity["kind"]):
        schema_type = "Place"
    elif entity["kind"] == "university":
        schema_type = "CollegeOrUniversity"
    elif entity["kind"] in ("government_body", "government_programme"):
        schema_type = "GovernmentOrganization"
    elif entity["layer"] == "organizational":
        schema_type = "Organization"
    else:
        schema_type = "Organization"
    data: dict = {"@context": "https://schema.org", "@type": schema_type, "@id": request.build_absolute_uri(),
                  "name": entity["name"], "url": request.build_absolute_uri()}
    alternate = [n["text"] for n in entity["names"] if n["text"] != entity["name"]]
    if alternate:
        data["alternateName"] = alternate
    if atlas.web_link(entity["website"]):
        data["sameAs"] = atlas.web_link(entity["website"])
    if entity["founded"]:
        data["startDate" if schema_type == "Event" else "foundingDate"] = parse_fuzzy_date(entity["founded"])[0].isoformat()
    if entity["closed"]:
        data["endDate" if schema_type == "Event" else "dissolutionDate"] = parse_fuzzy_date(entity["closed"])[0].isoformat()
    located = [loc for loc in locations if loc["lat"] is not None]
    if located:
        loc = located[0]
        geo = {"@type": "GeoCoordinates", "latitude": loc["lat"], "longitude": loc["lng"]}
        address = loc["address_zh"] or loc["address_en"]
        if schema_type == "Place":
            data["geo"] = geo
            if address:
                data["address"] = address
        else:
            place = {"@type": "Place", "geo": geo}
            if address:
                place["address"] = address
            data["location"] = place
    return data


# --------------------------------------------------------------------------------------------- search

@public_page
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "")
    layer = request.GET.get("layer", "")
    hits, total = site.search_ranked(query, kind=kind, layer=layer) if query else ([], 0)
    return render(request, "site/search.html", {
        "query": query, "hits": hits, "total": total, "posts": post_search(query)[:10] if query else [],
        "kinds": _kinds(), "layers": _layers(), "kind": kind, "layer": layer,
    })


# --------------------------------------------------------------------------------------------- map

def _tile_layers() -> list[dict]:
    return [dict(layer) for layer in getattr(settings, "OBSERVATORY_TILE_LAYERS", [])]


@public_page
def map_page(request):
    options = site.map_filter_options()
    values, origin = site.choropleth("province")
    rows = sorted(((code, china_divisions.division_name_zh(code), v["count"], v["density"]) for code, v in values.items()),
                  key=lambda r: -r[2])
    return render(request, "site/map.html", {
        "kinds": _kinds(), "layers": _layers(), "statuses": [("active", _("active")), ("inactive", _("inactive")), ("closed", _("closed"))],
        "provinces": options["provinces"], "year_min": options["year_min"], "year_max": options["year_max"],
        "choropleth_rows": rows[:40], "choropleth_origin": origin, **_evidence_filter_context(None, ""),
        "map_config": {
            "data": reverse("site:map_data"), "provinces": reverse("site:provinces_geojson"),
            "prefectures": reverse("site:prefectures_geojson"), "choropleth": reverse("site:map_choropleth"),
            "entity": reverse("site:entity", args=["SLUG"]), "tiles": _tile_layers(),
        },
        "map_i18n": {"actors": _("actors"), "open": _("Open the entity page"), "all": _("all years"),
                     "outlines": _("Outlines only (offline)"), "shown": _("shown"), "precision": _("precision"),
                     "points": _("points and groups on the map"), "density": _("actors per province"),
                     "zoom": _("click or press Enter to zoom in")},
    })


def map_data(request):
    """Clustered points: ?zoom=&bbox=west,south,east,north&kind=&layer=&status=&province=&year=&crs=gcj02"""
    try:
        bbox = china_coords.bbox_parse(request.GET["bbox"]) if request.GET.get("bbox") else None
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    year = request.GET.get("year", "")
    seen, official = _evidence_filters(request)
    data = site.map_clusters(
        zoom=_int(request.GET.get("zoom"), 4, low=0, high=22), bbox=bbox, kind=request.GET.get("kind", ""),
        layer=request.GET.get("layer", ""), status=request.GET.get("status", ""),
        province=request.GET.get("province", ""), year=_int(year) if year else None,
        gcj02=request.GET.get("crs", "").lower() in ("gcj02", "gcj-02"), seen_since=seen, official=official,
        language=get_language() or "en")
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    response["Cache-Control"] = "public, max-age=60"
    # the names are in the reader's language, chosen by the language cookie or Accept-Language
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


def map_choropleth(request):
    level = request.GET.get("level", "province")
    if level not in ("province", "prefecture"):
        return HttpResponseBadRequest("level: expected province or prefecture")
    values, origin = site.choropleth(level)
    return JsonResponse({"level": level, "origin": origin, "values": values})


@cache_control(max_age=86400, public=True)
def provinces_geojson(request):
    """The bundled province outlines (WGS-84): the map's base layer that needs no tile server."""
    return JsonResponse(china_divisions.provinces_geojson())


@cache_control(max_age=86400, public=True)
def prefectures_geojson(request):
    """The bundled prefecture outlines (WGS-84)."""
    return JsonResponse(china_divisions.prefectures_geojson())


# --------------------------------------------------------------------------------------------- network

def _date(value: str):
    if not value:
        return None
    try:
        if len(value) == 4:
            return dt.date(int(value), 1, 1)
        return dt.date.fromisoformat(value)
    except ValueError:
        return "bad"


@public_page
def network_page(request):
    run = site.analysis_latest("network")
    return render(request, "site/network.html", {
        "kinds": _kinds(), "layers": _layers(), "metrics": [(m, _metric_label(m)) for m in site.NETWORK_METRICS],
        "run": run, "brokers": site.brokers_top(run, 15), "colours": site.LAYER_COLOURS,
        "network_config": {"data": reverse("site:network_data"), "entity": reverse("site:entity", args=["SLUG"])},
        "network_i18n": {"actors": _("actors"), "ties": _("ties"),
                         "metrics": {m: _metric_label(m) for m in site.NETWORK_METRICS},
                         "focused": _("%(name)s: %(metric)s %(value)s; Enter opens its page"),
                         "labelled": _("%(n)s of %(m)s names shown; point at a node, or focus the graph and "
                                       "use the arrow keys, for the others")},
    })


def _metric_label(metric: str) -> str:
    """A network metric's name in the reader's language."""
    return {"degree": _("degree (number of ties)"), "total": _("brokerage (brokered pairs)"),
            "betweenness": _("betweenness centrality"), "pagerank": _("PageRank"),
            "effective_size": _("effective size (Burt)")}.get(metric, metric)


def network_data(request):
    """?kind=&layer=&since=YYYY[-MM-DD]&until=...&metric=degree|total|betweenness|pagerank|effective_size
    &view=|flow|flow_affiliation|affiliation|listing (relation classes, oriented by flow)"""
    since, until = _date(request.GET.get("since", "")), _date(request.GET.get("until", ""))
    if "bad" in (since, until):
        return HttpResponseBadRequest("since/until: expected a year (2015) or a date (2015-06-01)")
    view = request.GET.get("view", "")
    if view not in site.NETWORK_VIEWS:
        return HttpResponseBadRequest(f"view: expected one of {', '.join(v or '(empty)' for v in site.NETWORK_VIEWS)}")
    data = site.network_data(kind=request.GET.get("kind", ""), layer=request.GET.get("layer", ""), since=since,
                             until=until, metric=request.GET.get("metric", "degree"), view=view,
                             language=get_language() or "en")
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})


# --------------------------------------------------------------------------------------------- timeline

@public_page
def timeline_page(request):
    records, origin = site.timeline_per_year()
    totals = site.timeline_totals(records)
    peak = max([max(r["foundings"], r["closings"]) for r in totals] + [1])
    width, height, pad = 720, 240, 30
    bar = (width - 2 * pad) / max(len(totals), 1)
    chart = []
    for i, row in enumerate(totals):
        x = pad + i * bar
        f_h = (height - 2 * pad) * row["foundings"] / peak
        c_h = (height - 2 * pad) * row["closings"] / peak
        chart.append({"year": row["year"], "x": round(x, 1), "w": round(max(bar / 2 - 1, 1), 1),
                      "fy": round(height - pad - f_h, 1), "fh": round(f_h, 1),
                      "cx": round(x + bar / 2, 1), "cy": round(height - pad - c_h, 1), "ch": round(c_h, 1),
                      "label": i % max(1, len(totals) // 12) == 0, "foundings": row["foundings"],
                      "closings": row["closings"]})
    kinds = sorted({r["kind"] for r in records})
    by_kind = {}
    for row in records:
        by_kind.setdefault(row["kind"], {})[int(row["year"])] = row
    return render(request, "site/timeline.html", {
        "totals": totals, "origin": origin, "chart": chart, "width": width, "height": height, "pad": pad,
        "peak": peak, "records": records, "kinds": kinds, "run": site.analysis_latest("timeline"),
    })


# --------------------------------------------------------------------------------------------- analysis

@public_page
def analysis_page(request):
    runs = []
    for kind, label in (("network", "network"), ("spatial", "territory"), ("typology", "typology"),
                        ("timeline", "timeline")):
        run = site.analysis_latest(kind)
        item = {"kind": kind, "label": label, "run": run, "figures": [], "caveats": [], "sample": None}
        if run is not None:

            from observatory.analysis.findings import caveats_in, figure_facts, sample_in, texts_in

            language = get_language() or "en"
            facts = figure_facts(run, language)
            texts = texts_in(run, language)
            figures = list(run.figures.all().only("id", "name", "title", "run_id"))
            for figure in figures:
                figure.facts = facts.get(figure.name) or {}
                figure.caption = texts["titles"].get(figure.name) or figure.title
            item.update(figures=figures, caveats=caveats_in(run, language), sample=sample_in(run, language),
                        summary=texts["summary"], notes=texts["notes"])
        runs.append(item)
    network = site.analysis_latest("network")
    return render(request, "site/analysis.html", {"runs": runs, "brokers": site.brokers_top(network, 20)})


_FAVICON = Path(__file__).resolve().parent / "static" / "site" / "favicon.ico"


@cache_control(max_age=604800, public=True)
def favicon(request):
    """The site's icon at the address every browser asks for first, served from the package."""
    return HttpResponse(_FAVICON.read_bytes(), content_type="image/vnd.microsoft.icon")
