"""The one adapter between the ORM and the pure algorithms: querysets in, graphs and tables out.

Only public, unmerged entities enter an analysis; a relation enters a time slice when its known
dates overlap the window (a relation without dates is taken as present throughout).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import networkx as nx
import pandas as pd
from django.db.models import Q

from observatory.coding.models import Code, Coding
from observatory.inventory.models import Entity, Location, Relation

__all__ = ["dataset_fingerprint", "network_graph", "spatial_points", "timeline_table", "typology_table"]


def _entities(public_only: bool = True):
    queryset = Entity.objects.public() if public_only else Entity.objects.filter(merged_into__isnull=True)
    return queryset


def dataset_fingerprint(*, public_only: bool = True) -> str:
    """sha256 over everything an analysis reads, in a stable order: same data, same fingerprint."""
    digest = hashlib.sha256()
    entities = _entities(public_only)
    for row in entities.order_by("slug").values_list("slug", "kind", "founded", "founded_precision", "closed",
                                                     "closed_precision", "province_code").iterator(chunk_size=5000):
        digest.update(repr(row).encode())
    for row in (Location.objects.filter(entity__in=entities).order_by("entity__slug", "id")
                .values_list("entity__slug", "lng", "lat", "precision", "prefecture_code").iterator(chunk_size=5000)):
        digest.update(repr(row).encode())
    for row in (Relation.objects.filter(source_entity__in=entities, target_entity__in=entities)
                .order_by("source_entity__slug", "type", "target_entity__slug", "id")
                .values_list("source_entity__slug", "type", "target_entity__slug", "from_date", "to_date", "weight")
                .iterator(chunk_size=5000)):
        digest.update(repr(row).encode())
    for row in (Coding.objects.filter(entity__in=entities).order_by("entity__slug", "code__path", "id")
                .values_list("entity__slug", "code__path", "confidence").iterator(chunk_size=5000)):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def network_graph(*, since: dt.date | None = None, until: dt.date | None = None, types: list[str] | None = None,
                  public_only: bool = True) -> nx.DiGraph:
    """Directed graph of entities (attributes: slug, name, name_zh, kind, layer) and relations in a
    date window. Parallel relations between the same ordered pair are merged: their weights add up
    and their types are listed."""
    graph = nx.DiGraph()
    entities = _entities(public_only)
    for slug, name, name_zh, kind, layer, founded, closed in entities.values_list(
            "slug", "name", "name_zh", "kind", "layer", "founded", "closed").iterator(chunk_size=10000):
        if until and founded and founded > until:
            continue
        if since and closed and closed < since:
            continue
        graph.add_node(slug, name=name, name_zh=name_zh, kind=kind, layer=layer)
    relations = Relation.objects.filter(source_entity__in=entities, target_entity__in=entities)
    if since:
        relations = relations.filter(Q(to_date__isnull=True) | Q(to_date__gte=since))
    if until:
        relations = relations.filter(Q(from_date__isnull=True) | Q(from_date__lte=until))
    if types:
        relations = relations.filter(type__in=types)
    for source, target, rtype, weight in relations.values_list(
            "source_entity__slug", "target_entity__slug", "type", "weight").iterator(chunk_size=20000):
        if source not in graph or target not in graph:
            continue
        if graph.has_edge(source, target):
            data = graph.edges[source, target]
            data["weight"] += weight
            data["types"].append(rtype)
        else:
            graph.add_edge(source, target, weight=weight, types=[rtype])
    return graph


def spatial_points(*, public_only: bool = True, finest: str = "street") -> pd.DataFrame:
    """One row per located entity (its first location): WGS-84 lat/lng, precision and divisions.
    Columns ``point_ok`` marks locations at least as precise as ``finest`` (usable as points)."""
    from observatory.inventory.taxonomy import PRECISIONS

    rows = (Location.objects.filter(entity__in=_entities(public_only), lat__isnull=False)
            .order_by("entity__slug", "id")
            .values("entity__slug", "entity__kind", "entity__layer", "lat", "lng", "precision", "placed_at_centroid",
                    "province_code", "prefecture_code"))
    frame = pd.DataFrame.from_records(list(rows))
    if frame.empty:
        return pd.DataFrame(columns=["slug", "kind", "layer", "lat", "lng", "precision", "placed_at_centroid",
                                     "province_code", "prefecture_code", "point_ok"])
    frame = frame.rename(columns={"entity__slug": "slug", "entity__kind": "kind", "entity__layer": "layer"})
    frame = frame.drop_duplicates("slug", keep="first").reset_index(drop=True)
    limit = PRECISIONS.index(finest)
    frame["point_ok"] = frame["precision"].map(PRECISIONS.index).le(limit) & ~frame["placed_at_centroid"]
    return frame


def typology_table(*, public_only: bool = True, dimensions: tuple[str, ...] = ("form", "practice", "business",
                                                                                 "knowledge")) -> pd.DataFrame:
    """Coded entities × categorical variables for MCA: ``kind_group`` and, for every code used in the
    given dimensions, ``yes``/``no``. Only entities with at least one coding are rows."""
    from observatory.inventory.taxonomy import KINDS

    codings = (Coding.objects.filter(entity__in=_entities(public_only), code__path__regex=r"^({})\.".format("|".join(dimensions)))
               .values_list("entity__slug", "entity__kind", "code__path"))
    records: dict[str, dict] = {}
    used: set[str] = set()
    for slug, kind, path in codings:
        top = ".".join(path.split(".")[:2])
        row = records.setdefault(slug, {"kind_group": KINDS[kind][3]})
        row[top] = "yes"
        used.add(top)
    frame = pd.DataFrame.from_dict(records, orient="index")
    for column in sorted(used):
        frame[column] = frame[column].fillna("no")
    labels = dict(Code.objects.filter(path__in=used).values_list("path", "label_en"))
    frame.attrs["labels"] = labels
    return frame.sort_index()


def timeline_table(*, public_only: bool = True) -> pd.DataFrame:
    """One row per entity with its kind, layer, founded and closed dates (with precision)."""
    rows = _entities(public_only).order_by("slug").values("slug", "kind", "layer", "founded", "founded_precision",
                                                          "closed", "closed_precision")
    return pd.DataFrame.from_records(list(rows), columns=["slug", "kind", "layer", "founded", "founded_precision",
                                                          "closed", "closed_precision"])
