"""The one adapter between the ORM and the pure algorithms: querysets in, graphs and tables out.

Only public, unmerged entities enter an analysis; a relation enters a time slice when its known
dates overlap the window (a relation without dates is taken as present throughout).
"""

from __future__ import annotations

import datetime as dt

import networkx as nx
import numpy as np
import pandas as pd
from django.db.models import Q

from observatory.coding.models import Code, Coding
from observatory.inventory.models import Entity, Location, Relation

__all__ = ["network_graph", "spatial_points", "timeline_table", "typology_table"]


def _entities(public_only: bool = True):
    queryset = Entity.objects.public() if public_only else Entity.objects.filter(merged_into__isnull=True)
    return queryset


def network_graph(*, since: dt.date | None = None, until: dt.date | None = None, types: list[str] | None = None,
                  public_only: bool = True, classes: list[str] | tuple[str, ...] | None = None,
                  oriented: bool = False) -> nx.DiGraph:
    """Directed graph of entities (attributes: slug, name, name_zh, kind, layer) and relations in a
    date window. Parallel relations between the same ordered pair are merged: their weights add up
    and their types are listed.

    Built from arrays: the relations are read as (source id, target id, type, weight) rows in the
    queryset's order; their ends are mapped to node positions and the parallel ones grouped by a hash
    factorisation (in order of first appearance), the weights of a group added in row order from 0
    (the sums a loop over the rows makes) and the types listed in that order. The arcs are then
    written into the graph's successor and predecessor dicts in order of first appearance, with one
    data dict shared by both as networkx does: the graph that ``add_edges_from`` (and the former
    ``has_edge`` loop) built.

    ``classes`` keeps only the relation types of those classes (``taxonomy.RELATION_SEMANTICS``; None
    keeps every type). ``oriented`` turns each relation into arcs along the flow of knowledge or
    resources its type declares: as recorded (forward), reversed (``founded_by``: founder → founded),
    both ways (mutual) or none (a listing, never an arc); each arc then lists the types that gave it.
    Without ``oriented`` the arcs are the relations as recorded (source → target)."""
    return _network_graph(since=since, until=until, types=types, public_only=public_only, classes=classes,
                          oriented=oriented)


def _network_graph(*, since, until, types, public_only, classes=None, oriented=False) -> nx.DiGraph:
    from observatory.inventory.taxonomy import RELATION_SEMANTICS, relation_types_of_classes

    graph = nx.DiGraph()
    entities = _entities(public_only)
    ids = []
    nodes = []
    names = []
    # in the entities' default order (by name), which the relations' order below refers to; an entity
    # founded after the window or closed before it is not a node (left out here, not in SQL: a filter
    # changes the plan, and with it the order of entities of the same name on PostgreSQL)
    for pk, slug, name, name_zh, kind, layer, founded, closed in entities.values_list(
            "pk", "slug", "name", "name_zh", "kind", "layer", "founded", "closed").iterator(chunk_size=10000):
        if until and founded and founded > until:
            continue
        if since and closed and closed < since:
            continue
        ids.append(pk)
        names.append(name)
        nodes.append((slug, {"name": name, "name_zh": name_zh, "kind": kind, "layer": layer}))
    graph.add_nodes_from(nodes)
    relations = Relation.objects.all()
    if since:
        relations = relations.filter(Q(to_date__isnull=True) | Q(to_date__gte=since))
    if until:
        relations = relations.filter(Q(from_date__isnull=True) | Q(from_date__lte=until))
    if types:
        relations = relations.filter(type__in=types)
    if classes is not None:
        relations = relations.filter(type__in=relation_types_of_classes(classes))
    # The rows are read unordered and put in the relations' default order (source entity's name, type,
    # id) here: sorting a million rows joined to their source in the database took three quarters of
    # the query time. The database still decides the order of names (the entities' order) and of
    # types (a query for the distinct types), so its collation rules as before. Relations whose ends
    # are not nodes are skipped here rather than by two IN (subquery) filters.
    rows = list(relations.order_by().values_list("id", "source_entity_id", "target_entity_id", "type", "weight"))
    if not rows or not nodes:
        return graph
    columns = list(zip(*rows, strict=True))
    del rows
    position = pd.Index(np.asarray(ids, dtype=np.int64))
    source = position.get_indexer(np.asarray(columns[1], dtype=np.int64))
    target = position.get_indexer(np.asarray(columns[2], dtype=np.int64))
    kept = np.flatnonzero((source >= 0) & (target >= 0))
    if kept.size == 0:
        return graph
    type_codes, type_values = pd.factorize(np.asarray(columns[3], dtype=object)[kept], sort=False)
    database_order = {t: i for i, t in enumerate(relations.order_by("type").values_list("type", flat=True).distinct())}
    late = sorted(t for t in type_values if t not in database_order)      # a type added meanwhile
    database_order.update({t: len(database_order) + i for i, t in enumerate(late)})
    type_rank = np.array([database_order[t] for t in type_values], dtype=np.int64)[type_codes]
    name_group = np.cumsum([False] + [a != b for a, b in zip(names, names[1:], strict=False)], dtype=np.int64)
    relation_ids = np.asarray(columns[0], dtype=np.int64)[kept]
    order = kept[np.lexsort((relation_ids, type_rank, name_group[source[kept]]))]
    source, target = source[order], target[order]
    weights = np.asarray(columns[4], dtype=np.float64)[order]
    rtypes = np.asarray(columns[3], dtype=object)[order]
    if oriented:
        flow = np.array([RELATION_SEMANTICS.get(t, ("", "forward", ""))[1] for t in rtypes.tolist()], dtype=object)
        reverse, mutual, none = flow == "reverse", flow == "mutual", flow == "none"
        source, target = np.where(reverse, target, source), np.where(reverse, source, target)
        # a mutual tie is two arcs, the reversed one right after the recorded one; a listing none
        row = np.arange(source.size)
        extra = np.flatnonzero(mutual)
        keep = np.flatnonzero(~none)
        row = np.concatenate([row[keep], extra])
        rank = np.concatenate([keep * 2, extra * 2 + 1])
        picked = np.argsort(rank, kind="stable")
        swapped = np.concatenate([np.zeros(keep.size, dtype=bool), np.ones(extra.size, dtype=bool)])[picked]
        row = row[picked]
        source, target = np.where(swapped, target[row], source[row]), np.where(swapped, source[row], target[row])
        weights, rtypes = weights[row], rtypes[row]
        if source.size == 0:
            return graph
    # arc ids numbered in order of first appearance, so a row is the first of its arc where the
    # running maximum of the ids grows
    arc = pd.factorize(source * len(nodes) + target, sort=False)[0]
    running = np.maximum.accumulate(arc)
    first = np.flatnonzero(np.r_[True, running[1:] > running[:-1]])
    total = np.bincount(arc, weights=weights, minlength=first.size)   # row order, from 0 as the loop did
    type_lists = [[t] for t in rtypes[first].tolist()]
    repeated = np.ones(arc.size, dtype=bool)
    repeated[first] = False
    for a, t in zip(arc[repeated].tolist(), rtypes[repeated].tolist(), strict=True):
        type_lists[a].append(t)                           # later relations of the pair, in row order
    slugs = [slug for slug, _ in nodes]
    graph.add_edges_from(zip(map(slugs.__getitem__, source[first].tolist()),
                             map(slugs.__getitem__, target[first].tolist()),
                             ({"weight": w, "types": tl} for w, tl in zip(total.tolist(), type_lists, strict=True)),
                             strict=True))
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


#: The value of a code for an entity never coded on the code's dimension: missing, not "no".
MISSING = "missing"


def codebook_dimensions() -> tuple[str, ...]:
    """The keys of the codebooks' dimensions (their top-level codes), in the codebooks' order: the one
    list of what an entity can be coded on (observatory/coding/codebook/default.yaml)."""
    keys = Code.objects.filter(parent__isnull=True).order_by("codebook_id", "order").values_list("key", flat=True)
    return tuple(dict.fromkeys(keys))


def typology_table(*, public_only: bool = True, dimensions: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Coded entities × categorical variables for MCA: for every code used in the given dimensions
    (all the codebook's dimensions unless named), ``yes`` (coded), ``no`` (the entity is coded on that
    dimension, but not with this code) or ``missing`` (the entity was never coded on that dimension:
    nothing is known, so it is not "no"). Also ``kind_group`` (a supplementary variable, never an input)
    and ``n_dimensions`` (on how many of the dimensions the entity is coded). Only entities with at
    least one coding are rows."""
    from observatory.inventory.taxonomy import KINDS

    dimensions = tuple(dimensions) if dimensions else codebook_dimensions()
    codings = (Coding.objects.filter(entity__in=_entities(public_only), code__path__regex=r"^({})\.".format("|".join(dimensions)))
               .values_list("entity__slug", "entity__kind", "code__path"))
    records: dict[str, dict] = {}
    coded_on: dict[str, set] = {}
    used: set[str] = set()
    for slug, kind, path in codings:
        top = ".".join(path.split(".")[:2])
        row = records.setdefault(slug, {"kind_group": KINDS[kind][3]})
        row[top] = "yes"
        coded_on.setdefault(slug, set()).add(top.split(".")[0])
        used.add(top)
    frame = pd.DataFrame.from_dict(records, orient="index")
    for column in sorted(used):
        dimension = column.split(".")[0]
        known = frame.index.map(lambda slug, d=dimension: d in coded_on[slug])
        frame[column] = np.where(frame[column].eq("yes"), "yes", np.where(known, "no", MISSING))
    frame["n_dimensions"] = [len(coded_on[slug]) for slug in frame.index]
    labels = dict(Code.objects.filter(path__in=used).values_list("path", "label_en"))
    frame.attrs["labels"] = labels
    frame.attrs["labels_zh"] = dict(Code.objects.filter(path__in=used).exclude(label_zh="")
                                    .values_list("path", "label_zh"))
    frame.attrs["dimensions"] = list(dimensions)
    return frame.sort_index()


def _issued(csl) -> dt.date | None:
    """The issue date of a CSL-JSON item (``issued.date-parts``; a year alone is taken as 1 July)."""
    try:
        parts = [int(p) for p in (csl or {}).get("issued", {}).get("date-parts", [[]])[0]]
    except (AttributeError, TypeError, ValueError, IndexError):
        return None
    if not parts:
        return None
    try:
        return dt.date(parts[0], parts[1] if len(parts) > 1 else 7, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return None


def timeline_table(*, public_only: bool = True) -> pd.DataFrame:
    """One row per entity with its kind, layer, founded and closed dates (with precision), and the dates
    survival needs: ``first_evidence`` and ``last_alive`` (the earliest and latest dated evidence that
    the entity existed: the issue dates of the sources that establish it or locate it, and the dates
    of statuses showing it alive), and ``closing`` (the entity's closed date or the earliest status
    closed/revoked). Statuses count as :mod:`observatory.inventory.lifecycle` says (census inferences only
    above its confidence threshold)."""
    from observatory.inventory.lifecycle import ALIVE_VALUES, CLOSED_VALUES
    from observatory.inventory.models import EntitySource, Source, StatusAssertion

    entities = _entities(public_only)
    rows = entities.order_by("slug").values("id", "slug", "name", "kind", "layer", "founded", "founded_precision",
                                            "closed", "closed_precision")
    frame = pd.DataFrame.from_records(list(rows), columns=["id", "slug", "name", "kind", "layer", "founded",
                                                           "founded_precision", "closed", "closed_precision"])
    issued = {pk: _issued(csl) for pk, csl in Source.objects.values_list("pk", "csl")}
    first: dict[int, dt.date] = {}
    last: dict[int, dt.date] = {}
    closing: dict[int, dt.date] = {}

    def seen(entity_id, day):
        if day is None:
            return
        if entity_id not in first or day < first[entity_id]:
            first[entity_id] = day
        if entity_id not in last or day > last[entity_id]:
            last[entity_id] = day

    for entity_id, source_id in EntitySource.objects.values_list("entity_id", "source_id"):
        seen(entity_id, issued.get(source_id))
    for entity_id, source_id in Location.objects.filter(source__isnull=False).values_list("entity_id", "source_id"):
        seen(entity_id, issued.get(source_id))
    for entity_id, value, day in StatusAssertion.objects.counting().filter(date__isnull=False).values_list(
            "entity_id", "value", "date"):
        if value in ALIVE_VALUES:
            seen(entity_id, day)
        elif value in CLOSED_VALUES and (entity_id not in closing or day < closing[entity_id]):
            closing[entity_id] = day
    ids = frame["id"].tolist()
    frame["first_evidence"] = [first.get(i) for i in ids]
    frame["last_alive"] = [last.get(i) for i in ids]
    frame["closing"] = [min(d for d in (closing.get(i), c) if d is not None) if (closing.get(i) or c) else None
                        for i, c in zip(ids, frame["closed"].tolist(), strict=True)]
    return frame.drop(columns=["id"])
