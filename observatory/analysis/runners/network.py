"""The network runner: brokerage between the sides (or layers) of the relation graph."""

from __future__ import annotations

import math
from collections import Counter
from itertools import chain

import networkx as nx
import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _

from .. import graphs
from ..services import AnalysisInputError, JsonReady
from .base import parse_date, render_figures


#: Network runs use these relation classes unless their parameters name others (never listings).
def _relation_classes(parameters: dict) -> list[str]:
    from observatory.inventory.taxonomy import DEFAULT_RELATION_CLASSES, RELATION_CLASSES

    value = parameters.get("relation_classes")
    if value in (None, "", []):
        return list(DEFAULT_RELATION_CLASSES)
    classes = [c.strip() for c in value.split(",")] if isinstance(value, str) else [str(c) for c in value]
    unknown = [c for c in classes if c not in RELATION_CLASSES]
    if unknown:
        raise AnalysisInputError(f"relation_classes: unknown class(es) {', '.join(map(repr, unknown))}; accepted: "
                                 f"{', '.join(RELATION_CLASSES)} (default: interaction,knowledge_flow)")
    return [c for c in RELATION_CLASSES if c in classes]


#: Permutations of the group labels in a network run, unless its parameters say otherwise.
DEFAULT_PERMUTATIONS = 999
#: False discovery rate of the Benjamini–Hochberg correction across brokers.
DEFAULT_FDR = 0.05
PARTITIONS = ("online_physical", "layer")
#: The reasons the online/physical partition leaves a node out, by its codes (network.LEFT_OUT).
_LEFT_OUT = {
    "no_layer": _("no layer"),
    "organisation_excluded": _("organisation left out (rule: exclude)"),
    "organisation_tied": _("organisation with as many online as physical partners"),
    "organisation_unpartnered": _("organisation without online or physical partners"),
}


def run_network(*, parameters: dict, seed: int | None, progress=None) -> dict:
    """Brokerage between the sides of the partition (online ↔ physical by default) on the ties of the
    chosen relation classes, oriented by the flow their types declare; Gould–Fernandez counts with
    sna's analytic expectations and a seeded permutation test of the group labels, Benjamini–Hochberg
    across brokers; structural holes, centralities and communities on the same graph."""
    from observatory.inventory.taxonomy import RELATION_CLASSES, relation_types_of_classes

    from .. import network
    from ..findings import Caveats, Excluded, in_both, sample

    notes: list[dict] = []
    since, until = parse_date(parameters.get("since")), parse_date(parameters.get("until"))
    partition = parameters.get("partition") or "online_physical"
    if partition not in PARTITIONS:
        raise AnalysisInputError(f"partition={partition!r}: use one of {', '.join(PARTITIONS)} (online_physical: "
                                 "two sides, organisations by the rule of 'organisations'; layer: the three layers)")
    rule = parameters.get("organisations") or "majority"
    if rule not in network.ORGANISATION_RULES:
        raise AnalysisInputError(f"organisations={rule!r}: use one of {', '.join(network.ORGANISATION_RULES)}")
    classes = _relation_classes(parameters)
    try:
        permutations = int(parameters.get("permutations", DEFAULT_PERMUTATIONS))
        fdr = float(parameters.get("fdr", DEFAULT_FDR))
    except (TypeError, ValueError):
        raise AnalysisInputError("permutations must be a whole number and fdr a number between 0 and 1") from None
    if permutations < 0 or not 0 < fdr < 1:
        raise AnalysisInputError(f"permutations={permutations}, fdr={fdr}: use permutations ≥ 0 (0 skips the test) "
                                 "and 0 < fdr < 1")
    parameters.update(relation_classes=classes, partition=partition, permutations=permutations, fdr=fdr)
    if partition == "online_physical":
        parameters["organisations"] = rule
    graph = graphs.network_graph(since=since, until=until, classes=classes, oriented=True)
    excluded = Excluded()
    isolated = list(nx.isolates(graph))
    graph.remove_nodes_from(isolated)
    excluded.add(_("no tie of the classes used (%(classes)s)"), len(isolated), classes=", ".join(classes))
    if nx.is_empty(graph):
        raise AnalysisInputError("the relation graph is empty for this window and these relation classes: record "
                                 "relations (or widen --since/--until, or name more relation_classes) before running "
                                 "the network analysis")
    attr = "layer"
    left_out: Counter = Counter()
    if partition == "online_physical":
        sides, left_out = network.online_physical(graph, rule=rule)
        for code, count in left_out.items():
            excluded.add(_LEFT_OUT[code], count)
        graph.remove_nodes_from([n for n in list(graph) if n not in sides])
        nx_set = {n: sides[n] for n in graph}
        for node, side in nx_set.items():
            graph.nodes[node]["side"] = side
        attr = "side"
        lonely = list(nx.isolates(graph))
        graph.remove_nodes_from(lonely)
        excluded.add(_("no tie left once organisations without a side are out"), len(lonely))
        if nx.is_empty(graph):
            raise AnalysisInputError("no tie joins two actors with a side (online or physical): try "
                                     "organisations=majority or partition=layer")
    groups = {data.get(attr) for _node, data in graph.nodes(data=True)}
    if len(groups) < 2:
        raise AnalysisInputError(f"brokerage needs at least two groups, but every node has the same {attr!r} "
                                 f"({groups.pop()!r}); choose another partition")
    # the graph is final from here on: read into arrays once, for every measure below
    arrays = network.GraphArrays(graph)
    n_nodes, n_edges = len(arrays), graph.number_of_edges()
    roles = network.brokerage(arrays, attr)
    tested = None
    if permutations:
        tested = network.brokerage_permutation(arrays, attr, n=permutations,
                                               seed=seed if seed is not None else 0, alternative="greater")
    holes = network.structural_holes(arrays, weight="weight")
    pivots = parameters.get("betweenness_k")
    central = network.centralities(arrays, seed=seed, betweenness_k=None if pivots in (None, "") else int(pivots))
    communities = network.communities(arrays, seed=seed if seed is not None else 0)
    graph_level = network.brokerage_graph(arrays, attr, counts=roles)
    del arrays                                            # the measures are taken: not kept while the result is written
    frames = [roles, holes, central]
    tested_roles = [r for r in network.BROKERAGE_ROLES if r != "total"]
    significant_any = np.zeros(len(roles), dtype=bool)
    per_node_test: list[dict] = [{} for _i in range(len(roles))]
    if tested is not None:
        for role in tested_roles:
            counts = roles[role].to_numpy()
            p = tested[role].to_numpy(dtype=float)
            z_perm = tested.attrs["z"][role].to_numpy(dtype=float)
            brokers = np.flatnonzero(counts > 0)
            # BH across the brokers in this role; an actor that does not broker in it is not tested
            q, reject = network.benjamini_hochberg(p[brokers], alpha=fdr)
            significant_any[brokers[reject]] = True
            for i, pv, qv, rj, zv in zip(brokers.tolist(), p[brokers].tolist(), q.tolist(), reject.tolist(),
                                         z_perm[brokers].tolist(), strict=True):
                per_node_test[i][role] = {"p": pv, "q": qv, "significant": rj,
                                          "z": zv if math.isfinite(zv) else None}
    # undefined analytic z-scores (a role impossible for the broker's group size, as in sna) and
    # isolates' structural-hole measures are stored as null with one note per column, not one per node
    table = pd.concat(frames, axis=1)
    undefined = [c for c in table.columns if table[c].dtype.kind == "f" and not np.isfinite(table[c]).all()]
    if undefined:
        notes.append(in_both(_("null where undefined in %(n)s columns (%(columns)s): z-scores whose null variance is "
                               "0, as in R sna (e.g. liaison between two sides, coordinator in a group of fewer "
                               "than 3)"), n=len(undefined),
                             columns=", ".join(undefined[:8]) + (" ..." if len(undefined) > 8 else "")))
        table[undefined] = table[undefined].astype(object).where(np.isfinite(table[undefined].astype(float)), None)
    # one row per node, built column by column: the node's attributes, the table's columns, its community
    # and its test (columns of the same name: the later one's value in the earlier one's place)
    index = table.index.tolist()
    attributes = [graph.nodes[node] for node in index]
    keys = ["name", "name_zh", "layer", "kind", "side", *table.columns, "community"]
    columns = [[data.get(key) for data in attributes] for key in keys[:5]]
    columns += [table.iloc[:, k].tolist() for k in range(table.shape[1])]
    columns.append([communities.membership.get(node) for node in index])
    if tested is not None:
        keys += ["permutation", "significant", "significant_roles"]
        columns += [per_node_test, significant_any.tolist(),
                    [[r for r, v in test.items() if v["significant"]] for test in per_node_test]]
    # JSON values only (undefined numbers are null, noted above): stored as they are (services.JsonReady)
    nodes = JsonReady((node, dict(zip(keys, row, strict=True))) for node, row in zip(index, zip(*columns, strict=True),
                                                                                    strict=True))
    across = network.across_groups(roles)
    synaptic = roles[across > 0]
    n_significant = int(significant_any.sum())
    brokers = [(graph.nodes[n].get("name"), graph.nodes[n].get("name_zh"), int(across[n]))
               for n in network.broker_ranking(roles)[:5] if across[n] > 0]
    class_names = {"en": ", ".join(RELATION_CLASSES[c][0] for c in classes),
                   "zh": "、".join(RELATION_CLASSES[c][1] for c in classes)}
    summary = in_both(
        _("%(n)s actors, %(m)s ties (%(classes)s); %(b)s actors broker between %(partition)s%(tested)s. "
          "Top brokers across groups (ordered pairs brokered across them): %(top)s"),
        n=n_nodes, m=n_edges,
        classes=class_names,
        b=len(synaptic), partition=_("the online and physical sides") if attr == "side" else _("layers"),
        tested="" if tested is None else in_both(
            _(", %(s)s significantly (permutation test, %(p)s permutations, Benjamini–Hochberg FDR %(fdr)s)"),
            s=n_significant, p=permutations, fdr=f"{fdr:g}"),
        top={"en": ", ".join(f"{name} ({total})" for name, _zh, total in brokers),
             "zh": "、".join(f"{zh or name}（{total}）" for name, zh, total in brokers)})
    caveats = Caveats()
    caveats.add(in_both(_("Only ties of the classes %(classes)s are used, each oriented along the flow its type "
                          "declares; directory listings never enter."),
                        classes=class_names))
    caveats.add(in_both(_("A missing tie means that none was recorded in the sources read, not that none exists.")))
    if n_nodes < 50:
        caveats.add(in_both(_("The network has only %(n)s actors: brokerage scores rest on few ties and can change "
                              "with a single new record."), n=n_nodes))
    if tested is None:
        caveats.add(in_both(_("No permutation test was run (permutations = 0): the analytic z-scores assume "
                              "independent ties and are not a significance test.")))
    elif n_significant == 0:
        caveats.add(in_both(_("No actor brokers significantly more than the permutation test of the group labels "
                              "gives at a false discovery rate of %(fdr)s: the counts describe positions, not "
                              "demonstrated brokerage."), fdr=f"{fdr:g}"))
    if sum(count for code, count in left_out.items() if code != "no_layer"):
        caveats.add(in_both(_("Organisations are placed on the online or physical side by the majority of their "
                              "partners, or left out: their brokerage depends on that rule.")))
    if not central.attrs["betweenness_exact"]:
        notes.append(in_both(_("betweenness is estimated from %(p)s random source pivots (Brandes & Pich 2007): "
                               "relative standard error of the top 100 scores about %(se)s (from two halves of the "
                               "pivots)"), p=central.attrs["betweenness_pivots"],
                             se=f"{central.attrs['betweenness_rel_se_top100'] or 0:.0%}"))
    ties_by_class = Counter(chain.from_iterable(types for _u, _v, types in graph.edges(data="types", default=())))
    result = {"partition": partition, "attribute": attr, "relation_classes": classes,
              "relation_types": relation_types_of_classes(classes),
              "organisations": rule if partition == "online_physical" else None,
              "groups": {str(g): int(s) for g, s in zip(roles.attrs["groups"], roles.attrs["group_sizes"],
                                                        strict=True)},
              "arcs_by_type": dict(sorted(ties_by_class.items())),
              "null_models": {
                  "analytic": "Gould & Fernandez (1989) expectations and z-scores as in R sna::brokerage "
                              "(independent arcs with the observed density)",
                  "permutation": None if tested is None else {
                      "permutations": permutations, "seed": seed if seed is not None else 0,
                      "alternative": "greater", "labels": "group labels permuted over the nodes, graph fixed",
                      "correction": "Benjamini-Hochberg across the brokers of each role", "fdr": fdr,
                      "significant": n_significant}},
              "nodes": nodes, "graph": graph_level.to_dict(orient="index"),
              "modularity": communities.modularity, "communities": communities.method,
              "betweenness": {"exact": central.attrs["betweenness_exact"],
                              "pivots": central.attrs["betweenness_pivots"],
                              "error_95": central.attrs["betweenness_error_95"],
                              "rel_se_top100": central.attrs["betweenness_rel_se_top100"]},
              "n_nodes": n_nodes, "n_edges": n_edges,
              "window": {"since": since, "until": until},
              "sample": sample(n_nodes, excluded), "caveats": caveats}

    def _roles():
        from django.utils.translation import get_language

        from observatory.inventory.models import display_name

        from .. import figures as figs

        language = get_language()
        node_data = graph.nodes
        return figs.brokerage_bar(roles, labels=lambda n: display_name(node_data[n].get("name") or n,
                                                                       node_data[n].get("name_zh") or "", language))

    figures = render_figures({"brokerage-roles": (in_both(_("Brokerage roles of the top brokers")), _roles)})
    return {"result": result, "summary": summary, "notes": notes, "figures": figures, "reasons": excluded.texts}
