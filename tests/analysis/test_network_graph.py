"""graphs.network_graph builds, from arrays, the graph the straightforward loop over the ordered
relations builds: same nodes, same arcs in the same order (successors and predecessors), same merged
weights and type lists, on SQLite and PostgreSQL (whose collation orders names and types)."""

from __future__ import annotations

import datetime as dt
import random

import networkx as nx
import pytest
from django.db.models import Q

from observatory.analysis.graphs import network_graph
from observatory.inventory.models import Entity, Relation
from observatory.inventory.taxonomy import RELATION_TYPES, kind_layer

pytestmark = pytest.mark.django_db

KINDS = ["makerspace", "fab_lab", "online_forum", "chat_group", "hackerspace"]
# names that sort differently under byte order and a linguistic collation, and repeated names
NAMES = ["Alpha", "alpha", "Beta lab", "beta-lab", "Beta_lab", "Zeta", "Äther", "创客空间", "chaihuo", "Chaihuo",
         "x", "X", "same", "same", "same"]


def _loop_graph(*, since=None, until=None, types=None) -> nx.DiGraph:
    """The former implementation: ordered queryset, one has_edge/add_edge per relation."""
    graph = nx.DiGraph()
    slugs = {}
    for e in Entity.objects.public():
        if until and e.founded and e.founded > until:
            continue
        if since and e.closed and e.closed < since:
            continue
        slugs[e.pk] = e.slug
        graph.add_node(e.slug, name=e.name, name_zh=e.name_zh, kind=e.kind, layer=e.layer)
    relations = Relation.objects.all()
    if since:
        relations = relations.filter(Q(to_date__isnull=True) | Q(to_date__gte=since))
    if until:
        relations = relations.filter(Q(from_date__isnull=True) | Q(from_date__lte=until))
    if types:
        relations = relations.filter(type__in=types)
    for s, t, rtype, weight in relations.values_list("source_entity_id", "target_entity_id", "type", "weight"):
        if s not in slugs or t not in slugs:
            continue
        u, v = slugs[s], slugs[t]
        if graph.has_edge(u, v):
            graph[u][v]["weight"] += weight
            graph[u][v]["types"].append(rtype)
        else:
            graph.add_edge(u, v, weight=weight, types=[rtype])
    return graph


@pytest.fixture
def ecosystem():
    rng = random.Random(4)
    entities = []
    for i in range(60):
        kind = rng.choice(KINDS)
        founded = dt.date(rng.randint(2005, 2020), 1, 1) if rng.random() < 0.7 else None
        closed = dt.date(founded.year + rng.randint(0, 6), 6, 1) if founded and rng.random() < 0.4 else None
        entities.append(Entity.objects.create(
            slug=f"e{i:02d}", kind=kind, layer=kind_layer(kind), name=f"{rng.choice(NAMES)}", founded=founded,
            closed=closed, is_public=rng.random() < 0.9))
    types = list(RELATION_TYPES)
    for _ in range(500):
        a, b = rng.sample(entities, 2)
        start = dt.date(rng.randint(2005, 2020), 1, 1) if rng.random() < 0.5 else None
        end = dt.date(start.year + rng.randint(0, 5), 1, 1) if start and rng.random() < 0.5 else None
        # parallel relations: the same pair again with another type, or the same type (no source)
        Relation.objects.create(source_entity=a, target_entity=b, type=rng.choice(types[:4]),
                                weight=rng.choice([0.5, 1.0, 1.25, 2.0, 0.1]), from_date=start, to_date=end)
    return entities


def _assert_same(built: nx.DiGraph, expected: nx.DiGraph) -> None:
    assert list(built.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(built.edges(data=True)) == list(expected.edges(data=True))
    for v in expected:
        assert list(built.pred[v].items()) == list(expected.pred[v].items())
    for u, v in built.edges:
        assert built.succ[u][v] is built.pred[v][u]        # one data dict per arc, as networkx keeps it


@pytest.mark.parametrize("window", [{}, {"since": dt.date(2012, 1, 1)}, {"until": dt.date(2016, 12, 31)},
                                    {"since": dt.date(2010, 1, 1), "until": dt.date(2018, 1, 1)},
                                    {"types": list(RELATION_TYPES)[:2]}])
def test_network_graph_is_the_graph_of_the_ordered_loop(ecosystem, window):
    kwargs = dict(window)
    built = network_graph(**kwargs)
    expected = _loop_graph(**kwargs)
    assert built.number_of_edges() > 20 and any(len(d["types"]) > 1 for _, _, d in built.edges(data=True))
    _assert_same(built, expected)
    # the graph is an ordinary networkx graph: it can be edited and read back
    u, v = next(iter(built.edges))
    built.remove_edge(u, v)
    assert not built.has_edge(u, v) and u not in built.pred[v]


def test_network_graph_without_relations_has_the_nodes(ecosystem):
    Relation.objects.all().delete()
    built = network_graph()
    assert built.number_of_edges() == 0
    assert list(built.nodes(data=True)) == list(_loop_graph().nodes(data=True))
