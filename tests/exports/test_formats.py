"""Every export format: readable by the field's tools, licence stated, restricted records left out."""

from __future__ import annotations

import csv
import json

import pytest

from observatory.exports import FORMATS, export_run

pytestmark = pytest.mark.django_db

PUBLISHED = {"x-factory", "seeed-studio", "szoil"}


def _csv(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_it_writes_one_csv_per_table_with_licences(open_dataset, tmp_path):
    report = export_run("csv", tmp_path / "csv")
    entities = _csv(tmp_path / "csv" / "entities.csv")
    assert {row["slug"] for row in entities} == PUBLISHED
    assert all(row["licence"] == "CC-BY-4.0" for row in entities)
    assert not (tmp_path / "csv" / "source_records.csv").exists()
    names = _csv(tmp_path / "csv" / "names.csv")
    # names cite the non-redistributable map: left out, and counted
    assert names == []
    assert report.left_out["names whose source forbids redistribution"] >= 3
    assert report.left_out["entities whose sources all forbid redistribution (or state no licence)"] == 4
    relations = _csv(tmp_path / "csv" / "relations.csv")
    assert [(r["type"], r["licence"]) for r in relations] == [("partner_of", "CC-BY-4.0")]


def test_it_writes_csv_into_a_zip(open_dataset, tmp_path):
    import zipfile

    export_run("csv", tmp_path / "tables.zip")
    with zipfile.ZipFile(tmp_path / "tables.zip") as archive:
        assert "entities.csv" in archive.namelist() and "codings.csv" in archive.namelist()


def test_it_leaves_out_everything_when_no_source_is_redistributable(mini_dataset, tmp_path):
    report = export_run("geojson", tmp_path / "out.geojson")
    assert json.loads((tmp_path / "out.geojson").read_text())["features"] == []
    assert report.left_out["entities whose sources all forbid redistribution (or state no licence)"] == 7


def test_it_includes_everything_in_a_restricted_backup(mini_dataset, tmp_path):
    export_run("csv", tmp_path / "backup", include_restricted=True)
    assert len(_csv(tmp_path / "backup" / "entities.csv")) == 7
    assert "note" in _csv(tmp_path / "backup" / "entities.csv")[0]
    assert (tmp_path / "backup" / "source_records.csv").exists()


def test_it_writes_rfc7946_geojson(open_dataset, tmp_path):
    export_run("geojson", tmp_path / "out.geojson", include_restricted=True)
    collection = json.loads((tmp_path / "out.geojson").read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    kinds = {}
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and set(feature) == {"type", "id", "geometry", "properties"}
        geometry = feature["geometry"]
        kinds[feature["properties"]["entity"]] = geometry["type"]
        positions = [geometry["coordinates"]] if geometry["type"] == "Point" else [
            p for ring in geometry["coordinates"] for p in ring]
        for lng, lat in positions:
            # Shenzhen: longitude first, WGS-84 (the BD-09 originals are ~0.006° further east)
            assert 113.8 < lng < 114.2 and 22.4 < lat < 22.7
        if geometry["type"] == "Polygon":
            for ring in geometry["coordinates"]:
                assert ring[0] == ring[-1] and len(ring) >= 4
            exterior = geometry["coordinates"][0]
            area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(exterior, exterior[1:], strict=False))
            assert area > 0, "RFC 7946 §3.1.6: exterior rings are counterclockwise"
        assert feature["properties"]["crs"] in {"WGS-84", "GCJ-02", "BD-09"}
        assert "licence" in feature["properties"]
    assert kinds["mintong-digital-city"] == "Polygon" and kinds["szoil"] == "Point"
    szoil = next(f for f in collection["features"] if f["properties"]["entity"] == "szoil")
    assert szoil["properties"]["original_lng"] == 114.06412 and szoil["geometry"]["coordinates"][0] < 114.06


def test_it_writes_a_geopackage_that_gdal_reads(open_dataset, tmp_path):
    import pyogrio
    import pyogrio.raw

    export_run("gpkg", tmp_path / "out.gpkg", include_restricted=True)
    layers = {name for name, _ in pyogrio.list_layers(tmp_path / "out.gpkg")}
    assert layers == {"locations", "outlines"}
    meta, _index, geometry, fields = pyogrio.raw.read(tmp_path / "out.gpkg", layer="locations")
    assert meta["crs"] == "EPSG:4326" and meta["geometry_type"] == "Point"
    entities = list(fields[meta["fields"].tolist().index("entity")])
    assert "szoil" in entities and "柴火创客空间" in set(fields[meta["fields"].tolist().index("name_zh")])
    info = pyogrio.read_info(tmp_path / "out.gpkg", layer="outlines")
    assert info["features"] == 1 and info["geometry_type"] == "Polygon"


def test_it_writes_gexf_13_that_networkx_reads(open_dataset, tmp_path):
    import networkx as nx
    from lxml import etree

    from observatory.inventory.models import Entity, Relation

    Relation.objects.filter(type="partner_of").update(from_date="2015-01-01", from_precision="year")
    export_run("gexf", tmp_path / "out.gexf", include_restricted=True)
    tree = etree.parse(str(tmp_path / "out.gexf"))
    ns = {"g": "http://gexf.net/1.3"}
    graph_element = tree.find("g:graph", ns)
    assert tree.getroot().get("version") == "1.3"
    assert graph_element.get("mode") == "dynamic" and graph_element.get("timeformat") == "date"
    titles = {a.get("title") for a in tree.iterfind("g:graph/g:attributes[@class='node']/g:attribute", ns)}
    assert {"kind", "layer", "licence"} <= titles
    chaihuo = tree.find("g:graph/g:nodes/g:node[@id='chaihuo-makerspace']", ns)
    assert chaihuo.find("g:spells/g:spell", ns).get("start") == "2011-01-01"
    graph = nx.read_gexf(tmp_path / "out.gexf", version="1.3")
    assert graph.number_of_nodes() == Entity.objects.count()
    assert graph.nodes["szoil"]["kind"] == "fab_lab" and graph.nodes["szoil"]["layer"] == "physical"
    assert graph.has_edge("x-factory", "seeed-studio")
    assert graph.edges["x-factory", "seeed-studio"]["spells"][0][0] == "2015-01-01"  # open end: no "end"


def test_it_writes_graphml(open_dataset, tmp_path):
    import networkx as nx

    from observatory.inventory.models import Entity, Relation, Source

    export_run("graphml", tmp_path / "out.graphml")
    graph = nx.read_graphml(tmp_path / "out.graphml")
    assert set(graph.nodes) == PUBLISHED
    (_u, _v, data), = graph.edges(data=True)
    assert data["type"] == "partner_of" and data["licence"] == "CC-BY-4.0" and data["weight"] == 1.0
    assert graph.nodes["szoil"]["kind"] == "fab_lab" and graph.nodes["szoil"]["label"]
    # two relations between the same pair stay two edges
    Relation.objects.create(source_entity=Entity.objects.get(slug="x-factory"), type="supplies",
                            target_entity=Entity.objects.get(slug="seeed-studio"),
                            source=Source.objects.get(key="openlist2020"))
    export_run("graphml", tmp_path / "multi.graphml")
    graph = nx.read_graphml(tmp_path / "multi.graphml")
    assert graph.is_multigraph() and graph.is_directed()
    assert sorted(d["type"] for _u, _v, d in graph.edges(data=True)) == ["partner_of", "supplies"]


def test_it_writes_the_sources_as_csl_json_and_bibtex(open_dataset, tmp_path):
    import bibtexparser

    export_run("csl-json", tmp_path / "sources.json")
    items = {item["id"]: item for item in json.loads((tmp_path / "sources.json").read_text(encoding="utf-8"))}
    assert items["openlist2020"]["license"] == "CC-BY-4.0"
    assert items["szmakermap2017"]["custom"]["redistributable"] is False
    export_run("bibtex", tmp_path / "sources.bib")
    database = bibtexparser.loads((tmp_path / "sources.bib").read_text(encoding="utf-8"))
    entries = {e["ID"]: e for e in database.entries}
    assert set(entries) == set(items)
    article = entries["openlist2020"]
    assert article["ENTRYTYPE"] == "article" and article["year"] == "2020" and article["doi"] == "10.1234/ojd.1"
    assert r"\&" in article["title"] and "Li, Wei" in article["author"]
    assert "CC-BY-4.0" in article["note"]


def test_it_writes_the_codebook_as_refi_qda(open_dataset, tmp_path):
    from lxml import etree

    export_run("qdc", tmp_path / "Codebook.qdc")
    ns = {"q": "urn:QDA-XML:codebook:1.0"}
    root = etree.parse(str(tmp_path / "Codebook.qdc")).getroot()
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    dimension = root.find("q:Codes/q:Code", ns)
    assert dimension.get("isCodable") == "false"
    code = dimension.find("q:Code", ns)
    assert code.get("isCodable") == "true" and len(code.get("guid")) == 36
    assert code.find("q:Description", ns).text
    export_run("qdc", tmp_path / "again.qdc")
    assert (tmp_path / "again.qdc").read_bytes() == (tmp_path / "Codebook.qdc").read_bytes()


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_it_never_exports_personal_or_private_fields(open_dataset, tmp_path, name):
    from observatory.inventory.models import Entity, Source

    Entity.objects.filter(slug="szoil").update(note="founder: someone@example.org, WeChat abc123")
    Source.objects.filter(key="openlist2020").update(note="ask zhang@example.org")
    report = export_run(name, tmp_path / FORMATS[name].filename.removesuffix(".zip"))
    files = [p for p in report.path.rglob("*") if p.is_file()] if report.path.is_dir() else [
        report.path]
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        assert "@example.org" not in text and "abc123" not in text, path


ATTRIBUTE_TYPES = {"integer", "long", "double", "float", "boolean", "bigdecimal", "biginteger", "byte", "char",
                   "short", "liststring", "listboolean", "listinteger", "listlong", "listfloat", "listdouble",
                   "listbyte", "listshort", "listbigdecimal", "listbiginteger", "listchar", "string", "anyURI"}


def _gexf_13_problems(path) -> list[str]:
    """The constraints of the GEXF 1.3 schema (gexf.xsd + dynamics.xsd, gexf.net/1.3) on what the
    export writes. No installed package ships the schema files, so they are checked here."""
    import re

    from lxml import etree

    g = "{http://gexf.net/1.3}"
    problems = []
    root = etree.parse(str(path)).getroot()
    if root.tag != f"{g}gexf" or root.get("version") != "1.3":
        problems.append("root is not <gexf version='1.3'> in the 1.3 namespace")
    children = [c.tag for c in root]
    if children not in ([f"{g}meta", f"{g}graph"], [f"{g}graph"]):
        problems.append(f"gexf content must be meta?, graph: {children}")
    graph = root.find(f"{g}graph")
    if graph.get("mode") not in {None, "static", "dynamic", "slice"}:
        problems.append("graph mode")
    if graph.get("timeformat") not in {None, "integer", "double", "date", "dateTime"}:
        problems.append("graph timeformat")
    if graph.get("defaultedgetype") not in {None, "directed", "undirected", "mutual"}:
        problems.append("defaultedgetype")
    declared = {"node": set(), "edge": set()}
    for attributes in graph.iterfind(f"{g}attributes"):
        if attributes.get("class") not in declared or attributes.get("mode") not in {None, "static", "dynamic"}:
            problems.append("attributes class/mode")
            continue
        for attribute in attributes:
            if attribute.tag != f"{g}attribute" or not attribute.get("id") or attribute.get("title") is None:
                problems.append("attribute needs id and title")
            if attribute.get("type") not in ATTRIBUTE_TYPES:
                problems.append(f"attribute type {attribute.get('type')!r}")
            declared[attributes.get("class")].add(attribute.get("id"))
    date = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    nodes = set()

    def check_element(element, cls):
        for child in element:
            if child.tag == f"{g}attvalues":
                for value in child:
                    if value.tag != f"{g}attvalue" or value.get("for") not in declared[cls] or value.get(
                            "value") is None:
                        problems.append(f"{cls} attvalue for an undeclared attribute")
            elif child.tag == f"{g}spells":
                if not len(child):
                    problems.append("spells needs at least one spell")
                for spell in child:
                    for bound in ("start", "end"):
                        if spell.get(bound) is not None and not date.match(spell.get(bound)):
                            problems.append(f"spell {bound} {spell.get(bound)!r} is not an xs:date")
            else:
                problems.append(f"unexpected {child.tag} in a {cls}")

    for node in graph.iterfind(f"{g}nodes/{g}node"):
        if not node.get("id") or node.get("id") in nodes:
            problems.append(f"node id {node.get('id')!r} missing or repeated")
        nodes.add(node.get("id"))
        check_element(node, "node")
    edge_ids = set()
    for edge in graph.iterfind(f"{g}edges/{g}edge"):
        if edge.get("source") not in nodes or edge.get("target") not in nodes:
            problems.append(f"edge {edge.get('id')} points outside the nodes")
        if edge.get("id") in edge_ids:
            problems.append(f"edge id {edge.get('id')} repeated")
        edge_ids.add(edge.get("id"))
        try:
            float(edge.get("weight", "1"))
        except ValueError:
            problems.append("edge weight is not a double")
        check_element(edge, "edge")
    return problems


def test_it_writes_gexf_within_the_13_schema(open_dataset, tmp_path):
    from observatory.inventory.models import Relation

    Relation.objects.filter(type="founded_by").update(from_date="2015-06-01", to_date="2019-12-31")
    export_run("gexf", tmp_path / "out.gexf", include_restricted=True)
    assert _gexf_13_problems(tmp_path / "out.gexf") == []


def test_it_notices_a_gexf_outside_the_schema(tmp_path):
    broken = tmp_path / "broken.gexf"
    broken.write_text('<gexf xmlns="http://gexf.net/1.3" version="1.3"><graph mode="sometimes"><nodes>'
                      '<node id="a"><spells/></node></nodes><edges><edge id="1" source="a" target="b"/></edges>'
                      "</graph></gexf>")
    problems = _gexf_13_problems(broken)
    assert "graph mode" in problems and "spells needs at least one spell" in problems
    assert "edge 1 points outside the nodes" in problems


def test_it_keeps_only_citations_of_redistributable_sources(open_dataset, tmp_path):
    report = export_run("csv", tmp_path / "csv")
    citations = _csv(tmp_path / "csv" / "entity_sources.csv")
    assert {row["licence"] for row in citations} == {"CC-BY-4.0"} and len(citations) == 3
    assert report.left_out["entity_sources whose source forbids redistribution"] == 3
    assert all(count > 0 for count in report.left_out.values())
