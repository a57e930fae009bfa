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

    export_run("graphml", tmp_path / "out.graphml")
    graph = nx.read_graphml(tmp_path / "out.graphml")
    assert set(graph.nodes) == PUBLISHED
    (_u, _v, data), = graph.edges(data=True)
    assert data["type"] == "partner_of" and data["licence"] == "CC-BY-4.0"


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
