"""The partition of a brokerage run: who is online, who is physical.

The research asks who brokers between the online and the physical world, so the default partition
of a network run has two sides. Places (layer ``physical``) and online communities (layer
``virtual``) have a side by their kind. An organisation (layer ``organizational``: a company, a
university, a meetup) has none by kind; ``rule`` decides:

- ``"majority"`` (default): it joins the side of the majority of its tie partners that have a side
  by kind (in the graph as the run sees it: its classes and window); with a tie, or without such
  partners, it is left out;
- ``"exclude"``: every organisation is left out.

Left-out nodes are removed with their ties, and counted per reason (the codes of ``LEFT_OUT``) in
the run's ``sample``, where the runner words each reason.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx

__all__ = ["LEFT_OUT", "ONLINE", "ORGANISATION_RULES", "PHYSICAL", "online_physical"]

ONLINE, PHYSICAL = "online", "physical"
ORGANISATION_RULES = ("majority", "exclude")
#: Why a node gets no side: a layer that is none of the three, an organisation left out by the rule
#: ``exclude``, one with as many online as physical partners, one with neither.
LEFT_OUT = ("no_layer", "organisation_excluded", "organisation_tied", "organisation_unpartnered")
_BY_LAYER = {"virtual": ONLINE, "physical": PHYSICAL}


def online_physical(G: nx.Graph, *, rule: str = "majority", layer: str = "layer") -> tuple[dict, Counter]:
    """The side of every node that gets one, and the number of nodes left out per reason.

    Parameters
    ----------
    G : networkx graph whose nodes carry ``layer`` (``physical``, ``virtual`` or ``organizational``).
    rule : {"majority", "exclude"}
        How organisations get a side (module docstring).

    Returns
    -------
    (sides, excluded): ``sides`` maps node → ``"online"`` or ``"physical"``; ``excluded`` counts the
    nodes left out per reason (a code of ``LEFT_OUT``).

    Examples
    --------
    >>> G = nx.DiGraph([("forum", "acme"), ("acme", "lab"), ("acme", "fablab"), ("uni", "forum")])
    >>> nx.set_node_attributes(G, {"forum": "virtual", "lab": "physical", "fablab": "physical",
    ...                            "acme": "organizational", "uni": "organizational"}, "layer")
    >>> sides, excluded = online_physical(G)
    >>> sides["acme"], sides["uni"], dict(excluded)
    ('physical', 'online', {})
    >>> online_physical(G, rule="exclude")[1]
    Counter({'organisation_excluded': 2})
    """
    if rule not in ORGANISATION_RULES:
        raise ValueError(f"organisations={rule!r}: use one of {', '.join(ORGANISATION_RULES)}")
    sides: dict = {}
    excluded: Counter = Counter()
    organisations = []
    for node, value in G.nodes(data=layer):
        side = _BY_LAYER.get(value)
        if side is not None:
            sides[node] = side
        elif value == "organizational":
            organisations.append(node)
        else:
            excluded["no_layer"] += 1
    if rule == "exclude":
        if organisations:
            excluded["organisation_excluded"] += len(organisations)
        return sides, excluded
    by_kind = dict(sides)
    for node in organisations:
        partners = set(nx.all_neighbors(G, node)) if G.is_directed() else set(G[node])
        votes = Counter(by_kind[p] for p in partners if p in by_kind)
        if votes[ONLINE] > votes[PHYSICAL]:
            sides[node] = ONLINE
        elif votes[PHYSICAL] > votes[ONLINE]:
            sides[node] = PHYSICAL
        elif votes:
            excluded["organisation_tied"] += 1
        else:
            excluded["organisation_unpartnered"] += 1
    return sides, excluded
