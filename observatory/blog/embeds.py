"""Shortcodes that embed live data in a post:

``{{< entity chaihuo-makerspace >}}``             an entity card from the inventory
``{{< map kind=makerspace province=440000 >}}``    a filtered map (Leaflet, with a list without JS)
``{{< network layer=virtual >}}``                  a network view (sigma.js, with a list without JS)
``{{< figure run=12 name=brokerage-roles >}}``      a stored figure, pinned to analysis run 12
``{{< table run=12 key=brokers >}}``               a table from run 12's stored result

Each returns sanitised-by-construction HTML (Django templates escape every value) or a warning.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

__all__ = ["SHORTCODE_RE", "Embed", "embed_render", "shortcode_parse"]

SHORTCODE_RE = re.compile(r"\{\{<\s*([a-z]+)\b(.*?)>\}\}", re.S)
MAX_MAP_POINTS = 2000
MAX_NETWORK_NODES = 300


@dataclass
class Embed:
    html: str = ""
    warning: str = ""
    run_ids: list[int] = field(default_factory=list)


def shortcode_parse(arguments: str) -> tuple[list[str], dict[str, str]]:
    """Positional and key=value arguments of a shortcode (values may be quoted)."""
    positional, named = [], {}
    for token in shlex.split(arguments.strip()):
        if "=" in token:
            key, value = token.split("=", 1)
            named[key.strip()] = value.strip()
        else:
            positional.append(token)
    return positional, named


def embed_render(name: str, arguments: str) -> Embed:
    source = f"{{{{< {name}{arguments.rstrip()} >}}}}"
    try:
        positional, named = shortcode_parse(arguments)
    except ValueError as error:
        return Embed(warning=f"{source}: cannot read the arguments ({error})")
    handler = _HANDLERS.get(name)
    if handler is None:
        return Embed(warning=f"{source}: unknown shortcode {name!r}; accepted: {', '.join(sorted(_HANDLERS))}")
    return handler(source, positional, named)


def _entity(source, positional, named) -> Embed:
    from observatory.coding.entity_document import entity_document
    from observatory.inventory.taxonomy import KINDS, LAYERS

    slug = named.get("slug") or (positional[0] if positional else "")
    if not slug:
        return Embed(warning=f"{source}: name the entity, e.g. {{{{< entity chaihuo-makerspace >}}}}")
    # the entity document, as the entity page and the API read it: what is public is decided there
    entity = entity_document(slug)
    if entity is None:
        return Embed(warning=f"{source}: no public entity with the identifier {slug!r}")
    kind = KINDS.get(entity["kind"])
    html = render_to_string("blog/embeds/_entity.html", {
        "entity": entity, "page_url": reverse("site:entity", args=[entity["slug"]]),
        "kind_label": kind[0] if kind else entity["kind"], "kind_label_zh": kind[1] if kind else "",
        "layer_label": dict(LAYERS).get(entity["layer"], entity["layer"]),
        "location": next(iter(entity["locations"]), None),
        "names": [n for n in entity["names"] if n["text"] != entity["name"]][:3],
    })
    return Embed(html=html)


def _map(source, positional, named) -> Embed:
    from observatory.inventory import selectors
    from observatory.inventory.models import Location
    from observatory.inventory.taxonomy import KINDS, LAYERS

    kind, layer, province = named.get("kind", ""), named.get("layer", ""), named.get("province", "")
    if kind and kind not in KINDS:
        return Embed(warning=f"{source}: unknown kind {kind!r}")
    if layer and layer not in {slug for slug, _label in LAYERS}:
        return Embed(warning=f"{source}: unknown layer {layer!r}")
    if province and not re.fullmatch(r"\d{6}", province):
        return Embed(warning=f"{source}: province is a 6-digit GB/T 2260 code, e.g. 440000")
    entities = selectors.entity_list(kind=kind, layer=layer, province=province).order_by("name", "id")
    located = (Location.objects.filter(entity__in=entities.values("id"), lat__isnull=False)
               .select_related("entity").order_by("entity__name", "entity_id", "id"))
    points, seen = [], set()
    for loc in located:
        if loc.entity_id in seen:
            continue
        seen.add(loc.entity_id)
        points.append({"slug": loc.entity.slug, "name": loc.entity.name, "lat": round(loc.lat, 6),
                       "lng": round(loc.lng, 6), "kind": loc.entity.kind})
        if len(points) >= MAX_MAP_POINTS:
            break
    if not points:
        return Embed(warning=f"{source}: no located public entity matches this filter")
    caption = named.get("caption", "")
    html = render_to_string("blog/embeds/_map.html", {
        "points": points, "points_json": json.dumps(points, ensure_ascii=False, separators=(",", ":")),
        "kind": kind, "layer": layer, "province": province, "caption": caption,
        "outlines": reverse("site:provinces_geojson"),
    })
    return Embed(html=html)


def _network(source, positional, named) -> Embed:
    from observatory.inventory.models import Entity, Relation
    from observatory.inventory.taxonomy import LAYERS

    layer, kind = named.get("layer", ""), named.get("kind", "")
    if layer and layer not in {slug for slug, _label in LAYERS}:
        return Embed(warning=f"{source}: unknown layer {layer!r}")
    public = Entity.objects.public()
    relations = Relation.objects.filter(source_entity__in=public, target_entity__in=public)
    if layer:
        relations = relations.filter(Q(source_entity__layer=layer) | Q(target_entity__layer=layer))
    if kind:
        relations = relations.filter(Q(source_entity__kind=kind) | Q(target_entity__kind=kind))
    edges = list(relations.order_by("id").values_list("source_entity_id", "target_entity_id", "type")[:5000])
    degree: dict[int, int] = {}
    for a, b, _type in edges:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    keep = sorted(degree, key=lambda n: (-degree[n], n))[:MAX_NETWORK_NODES]
    if not keep:
        return Embed(warning=f"{source}: no relations match this filter")
    entities = {e.pk: e for e in Entity.objects.filter(pk__in=keep)}
    nodes = [{"id": e.slug, "label": e.name, "layer": e.layer, "degree": degree[pk]}
             for pk in keep if (e := entities.get(pk))]
    kept = set(keep)
    links = [{"source": entities[a].slug, "target": entities[b].slug, "type": t}
             for a, b, t in edges if a in kept and b in kept]
    html = render_to_string("blog/embeds/_network.html", {
        "nodes": nodes[:25], "node_count": len(nodes), "edge_count": len(links), "layer": layer, "kind": kind,
        "graph_json": json.dumps({"nodes": nodes, "edges": links}, ensure_ascii=False, separators=(",", ":")),
        "caption": named.get("caption", ""),
    })
    return Embed(html=html)


def _run(source, named):
    from observatory.analysis.models import AnalysisRun

    raw = named.get("run", "")
    if not raw.isdigit():
        return None, f"{source}: run= must be the number of an analysis run, e.g. run=12"
    run = AnalysisRun.objects.filter(pk=int(raw)).first()
    if run is None:
        return None, f"{source}: no analysis run #{raw}"
    if run.status != "done":
        return None, f"{source}: analysis run #{raw} is {run.status}, not done"
    return run, ""


def _findings(run, figure_name: str | None = None) -> dict:
    """What the embed states about the run: its sample, its caveats (in the page's language) and, for
    a figure, its title in the page's language, its n and null model (observatory.analysis.findings)."""
    from django.utils.translation import get_language

    from observatory.analysis.findings import caveats_in, figure_facts, sample_in, texts_in

    language = get_language() or "en"
    sample = sample_in(run, language)
    facts = figure_facts(run, language).get(figure_name) if figure_name else None
    title = texts_in(run, language)["titles"].get(figure_name) if figure_name else None
    return {"sample": sample, "caveats": caveats_in(run, language), "facts": facts or {}, "title": title}


def _latest_same_kind(run):
    from observatory.analysis.models import AnalysisRun

    return AnalysisRun.objects.filter(kind=run.kind, status="done").order_by("-started", "-id").first()


def _figure(source, positional, named) -> Embed:
    from observatory.analysis.models import AnalysisFigure
    from observatory.analysis.views import figure_url

    run, problem = _run(source, named)
    if problem:
        return Embed(warning=problem)
    name = named.get("name", "")
    figure = AnalysisFigure.objects.filter(run=run, name=name).only("id", "name", "title", "run_id").first()
    if figure is None:
        names = ", ".join(run.figures.values_list("name", flat=True)) or "none"
        return Embed(warning=f"{source}: run #{run.pk} has no figure {name!r} (it has: {names})")
    latest = _latest_same_kind(run)
    current = None
    if latest and latest.pk != run.pk and latest.figures.filter(name=name).exists():
        current = figure_url(latest.pk, name, "svg")
    html = render_to_string("blog/embeds/_figure.html", {
        "figure": figure, "run": run, "src": figure_url(run.pk, name, "svg"),
        "current": current, "latest": latest, "caption": named.get("caption", ""), **_findings(run, name),
    })
    return Embed(html=html, run_ids=[run.pk])


def _lookup(result, key: str):
    value = result
    for part in key.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _table(source, positional, named) -> Embed:
    run, problem = _run(source, named)
    if problem:
        return Embed(warning=problem)
    key = named.get("key", "")
    value = _lookup(run.result, key) if key else None
    if value is None or isinstance(value, str | int | float | bool):
        keys = ", ".join(sorted(run.result)[:20]) if isinstance(run.result, dict) else ""
        return Embed(warning=f"{source}: run #{run.pk} has no table at key {key!r} (top-level keys: {keys})")
    limit = int(named["rows"]) if named.get("rows", "").isdigit() else 20
    if isinstance(value, dict):
        columns = ["key", "value"]
        rows = [[k, v if not isinstance(v, dict | list) else json.dumps(v, ensure_ascii=False)[:80]]
                for k, v in list(value.items())[:limit]]
    else:
        items = value[:limit]
        columns = list(dict.fromkeys(k for item in items if isinstance(item, dict) for k in item))[:8]
        if columns:
            rows = [[_cell(item.get(c)) if isinstance(item, dict) else "" for c in columns] for item in items]
        else:
            columns = ["value"]
            rows = [[_cell(item)] for item in items]
    latest = _latest_same_kind(run)
    html = render_to_string("blog/embeds/_table.html", {
        "columns": columns, "rows": rows, "run": run, "key": key, "latest": latest if latest != run else None,
        "total": len(value), "caption": named.get("caption", ""), **_findings(run),
    })
    return Embed(html=html, run_ids=[run.pk])


def _cell(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)[:80]
    return value


_HANDLERS = {"entity": _entity, "map": _map, "network": _network, "figure": _figure, "table": _table}
