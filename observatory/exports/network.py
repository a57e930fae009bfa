"""The network of entities and relations for Gephi and graph tools: GEXF 1.3 and GraphML, both
streamed with lxml (a million relations never sit in memory).

GEXF 1.3 (https://gexf.net/schema.html): a directed graph in ``mode="dynamic"`` with
``timeformat="date"``; an entity lives from its founding to its closing date and a relation from
its from-date to its to-date, written as spells (``<spells><spell start end/></spells>``) so that
Gephi's timeline shows them; an open end is left out. Kind, layer and the rest are node
attributes; every relation is one edge (parallel edges allowed, ``id`` = relation id).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from .tables import TABLE_BY_NAME, Selection, cell, table_rows

__all__ = ["GEXF_NS", "GRAPHML_NS", "network_tables", "write_gexf", "write_graphml"]

GEXF_NS = "http://gexf.net/1.3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

NODE_ATTRIBUTES = [("kind", "string"), ("layer", "string"), ("name_zh", "string"), ("name_en", "string"),
                   ("province_code", "string"), ("website", "string"), ("founded", "string"), ("closed", "string"),
                   ("licence", "string")]
EDGE_ATTRIBUTES = [("type", "string"), ("confidence", "double"), ("evidence", "string"), ("source", "string"),
                   ("licence", "string")]


def network_tables(selection: Selection) -> tuple[list[dict], Iterator[dict], dict[int, str]]:
    """(entity rows, relation rows, id -> slug) of the selection."""
    entities = list(table_rows(TABLE_BY_NAME["entities"], selection))
    slugs = {row["id"]: row["slug"] for row in entities}
    return entities, table_rows(TABLE_BY_NAME["relations"], selection), slugs


def _date(value, precision: str) -> str:
    # A spell bound is a day; a year-precise date is its first day (the precision is an attribute).
    return value.isoformat() if value else ""


def _node_values(row: dict, selection: Selection) -> dict:
    from observatory.inventory.dates import format_fuzzy_date

    return {"kind": row["kind"], "layer": row["layer"], "name_zh": row["name_zh"], "name_en": row["name_en"],
            "province_code": row["province_code"], "website": row["website"],
            "founded": format_fuzzy_date(row["founded"], row["founded_precision"]),
            "closed": format_fuzzy_date(row["closed"], row["closed_precision"]),
            "licence": row.get("licence", selection.entity_licence.get(row["id"], ""))}


def write_gexf(out: Path, selection: Selection) -> dict[str, int]:
    source_keys = dict(TABLE_BY_NAME["sources"].model.objects.values_list("id", "key"))
    entities, relations, slugs = network_tables(selection)
    out.parent.mkdir(parents=True, exist_ok=True)
    counts = {"nodes": 0, "edges": 0}
    # through a Python file, so a full disk raises OSError (lxml's own file output loses the error on close)
    with open(out, "wb") as fh, etree.xmlfile(fh, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("gexf", {"version": "1.3", f"{{{XSI}}}schemaLocation": f"{GEXF_NS} {GEXF_NS}/gexf.xsd"},
                        nsmap={None: GEXF_NS, "xsi": XSI}):
            meta = etree.Element("meta")
            etree.SubElement(meta, "creator").text = "Observatory"
            etree.SubElement(meta, "description").text = (
                "China's connected spaces of innovation: entities and their typed, directed relations"
                + ("" if selection.include_restricted else "; records whose sources forbid redistribution are left out"))
            xf.write(meta)
            with xf.element("graph", {"defaultedgetype": "directed", "mode": "dynamic", "timeformat": "date"}):
                for cls, attributes in (("node", NODE_ATTRIBUTES), ("edge", EDGE_ATTRIBUTES)):
                    declaration = etree.Element("attributes", {"class": cls, "mode": "static"})
                    for index, (title, kind) in enumerate(attributes):
                        etree.SubElement(declaration, "attribute", {"id": str(index), "title": title, "type": kind})
                    xf.write(declaration)
                with xf.element("nodes"):
                    for row in entities:
                        node = etree.Element("node", {"id": row["slug"], "label": row["name"]})
                        _attvalues(node, NODE_ATTRIBUTES, _node_values(row, selection))
                        _spells(node, row["founded"], row["closed"])
                        xf.write(node)
                        counts["nodes"] += 1
                with xf.element("edges"):
                    for row in relations:
                        source = source_keys.get(row["source_id"], "")
                        edge = etree.Element("edge", {
                            "id": str(row["id"]), "source": slugs[row["source_entity_id"]],
                            "target": slugs[row["target_entity_id"]], "label": row["type"],
                            "weight": cell(float(row["weight"]))})
                        _attvalues(edge, EDGE_ATTRIBUTES, {
                            "type": row["type"], "confidence": cell(float(row["confidence"])),
                            "evidence": row["evidence"],
                            "source": f"{source}#{row['source_locator']}" if row["source_locator"] else source,
                            "licence": row.get("licence", selection.licence_of(row["source_id"]))})
                        _spells(edge, row["from_date"], row["to_date"])
                        xf.write(edge)
                        counts["edges"] += 1
    return counts


def _attvalues(element, attributes, values: dict) -> None:
    container = etree.SubElement(element, "attvalues")
    for index, (title, _kind) in enumerate(attributes):
        value = values.get(title)
        if value not in (None, ""):
            etree.SubElement(container, "attvalue", {"for": str(index), "value": str(value)})
    if not len(container):
        element.remove(container)


def _spells(element, start, end) -> None:
    if not start and not end:
        return
    spells = etree.SubElement(element, "spells")
    bounds = {}
    if start:
        bounds["start"] = start.isoformat()
    if end:
        bounds["end"] = end.isoformat()
    etree.SubElement(spells, "spell", bounds)


GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GRAPHML_NODE_KEYS = [("label", "string"), *NODE_ATTRIBUTES]
GRAPHML_EDGE_KEYS = [("type", "string"), ("weight", "double"), ("confidence", "double"), ("from_date", "string"),
                     ("to_date", "string"), ("evidence", "string"), ("source", "string"), ("licence", "string")]


def write_graphml(out: Path, selection: Selection) -> dict[str, int]:
    """GraphML (graphml.graphdrawing.org), streamed: a directed graph with one edge per relation
    (``id`` = relation id, so parallel relations stay apart; networkx reads it as a
    MultiDiGraph). Attributes as in GEXF, plus the dates as ISO strings."""
    source_keys = dict(TABLE_BY_NAME["sources"].model.objects.values_list("id", "key"))
    entities, relations, slugs = network_tables(selection)
    out.parent.mkdir(parents=True, exist_ok=True)
    counts = {"nodes": 0, "edges": 0}
    node_keys = {name: f"n{i}" for i, (name, _kind) in enumerate(GRAPHML_NODE_KEYS)}
    edge_keys = {name: f"e{i}" for i, (name, _kind) in enumerate(GRAPHML_EDGE_KEYS)}
    # through a Python file, so a full disk raises OSError (lxml's own file output loses the error on close)
    with open(out, "wb") as fh, etree.xmlfile(fh, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("graphml", {f"{{{XSI}}}schemaLocation": f"{GRAPHML_NS} {GRAPHML_NS}/1.0/graphml.xsd"},
                        nsmap={None: GRAPHML_NS, "xsi": XSI}):
            for cls, keys, ids in (("node", GRAPHML_NODE_KEYS, node_keys), ("edge", GRAPHML_EDGE_KEYS, edge_keys)):
                for name, kind in keys:
                    xf.write(etree.Element("key", {"id": ids[name], "for": cls, "attr.name": name,
                                                   "attr.type": kind}))
            with xf.element("graph", {"id": "observatory", "edgedefault": "directed"}):
                for row in entities:
                    node = etree.Element("node", {"id": row["slug"]})
                    _graphml_data(node, node_keys, {"label": row["name"], **_node_values(row, selection)})
                    xf.write(node)
                    counts["nodes"] += 1
                for row in relations:
                    source = source_keys.get(row["source_id"], "")
                    edge = etree.Element("edge", {"id": str(row["id"]), "source": slugs[row["source_entity_id"]],
                                                  "target": slugs[row["target_entity_id"]]})
                    _graphml_data(edge, edge_keys, {
                        "type": row["type"], "weight": cell(float(row["weight"])),
                        "confidence": cell(float(row["confidence"])), "from_date": cell(row["from_date"]),
                        "to_date": cell(row["to_date"]), "evidence": row["evidence"],
                        "source": f"{source}#{row['source_locator']}" if row["source_locator"] else source,
                        "licence": row.get("licence", selection.licence_of(row["source_id"]))})
                    xf.write(edge)
                    counts["edges"] += 1
    return counts


def _graphml_data(element, keys: dict[str, str], values: dict) -> None:
    for name, key in keys.items():
        value = values.get(name)
        if value not in (None, ""):
            etree.SubElement(element, "data", {"key": key}).text = str(value)
