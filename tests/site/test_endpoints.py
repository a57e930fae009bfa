"""The JSON endpoints of the map and the network explorer."""

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from observatory.site import selectors

pytestmark = pytest.mark.django_db


def _items(reader, **params):
    response = reader.get("/map/data.json", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_map_data_gives_points_and_clusters(reader, mini_dataset):
    national = _items(reader, zoom=4)
    assert national["count"] >= 5 and national["crs"] == "WGS-84"
    assert any("c" in item for item in national["items"]), "Shenzhen's points cluster at national zoom"
    street = _items(reader, zoom=16)
    singles = {item["s"]: item for item in street["items"] if "s" in item}
    assert "chaihuo-makerspace" in singles
    chaihuo = singles["chaihuo-makerspace"]
    assert chaihuo["r"] == 0 and chaihuo["p"] == "building"
    assert abs(chaihuo["x"] - 113.99) < 0.02 and abs(chaihuo["y"] - 22.54) < 0.02


def test_the_map_data_names_each_actor_in_the_readers_language(reader, mini_dataset):
    from observatory.inventory.models import Entity

    chaihuo = Entity.objects.get(slug="chaihuo-makerspace")
    assert chaihuo.name_zh and chaihuo.name_en and chaihuo.name_zh != chaihuo.name_en
    response = reader.get("/map/data.json", {"zoom": 18})
    assert {"cookie", "accept-language"} <= {v.strip().lower() for v in response["Vary"].split(",")}
    english = {item["s"]: item for item in response.json()["items"] if "s" in item}
    reader.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    chinese = {item["s"]: item for item in _items(reader, zoom=18)["items"] if "s" in item}  # kept per language
    assert (english["chaihuo-makerspace"]["n"], english["chaihuo-makerspace"]["o"]) == (chaihuo.name_en, chaihuo.name_zh)
    assert (chinese["chaihuo-makerspace"]["n"], chinese["chaihuo-makerspace"]["o"]) == (chaihuo.name_zh, chaihuo.name_en)


def test_a_district_level_location_is_an_area_not_a_pin(reader, mini_dataset):
    singles = {item["s"]: item for item in _items(reader, zoom=18)["items"] if "s" in item}
    assert singles["segmaker"]["p"] == "district" and singles["segmaker"]["r"] == 4000


def test_the_map_filters_by_kind_layer_status_province_and_year(reader, mini_dataset):
    from observatory.inventory.models import Entity

    everything = _items(reader, zoom=18)["count"]
    assert _items(reader, zoom=18, kind="fab_lab")["count"] == 1
    assert _items(reader, zoom=18, layer="physical")["count"] == everything  # only places are located
    assert _items(reader, zoom=18, layer="virtual")["count"] == 0
    assert _items(reader, zoom=18, province="440000")["count"] == everything
    assert _items(reader, zoom=18, province="110000")["count"] == 0
    assert _items(reader, zoom=18, status="closed")["count"] == 0
    assert _items(reader, zoom=18, year=2010)["count"] == 0  # Seeed (2008) has no location; Chaihuo is 2011
    assert _items(reader, zoom=18, year=2011)["count"] == 1
    chaihuo = Entity.objects.get(slug="chaihuo-makerspace")
    chaihuo.closed, chaihuo.closed_precision = dt.date(2013, 1, 1), "year"
    chaihuo.save()
    selectors.signature_reset()
    assert _items(reader, zoom=18, year=2014)["count"] == 0
    assert _items(reader, zoom=18, status="closed")["count"] == 1


def test_the_map_shifts_points_to_gcj02_for_display_only(reader, mini_dataset):
    from observatory.china import coords
    from observatory.inventory.models import Location

    wgs = {i["s"]: i for i in _items(reader, zoom=18)["items"] if "s" in i}["szoil"]
    gcj = {i["s"]: i for i in _items(reader, zoom=18, crs="gcj02")["items"] if "s" in i}["szoil"]
    expected = coords.wgs84_to_gcj02(wgs["x"], wgs["y"])
    assert abs(gcj["x"] - expected[0]) < 1e-4 and abs(gcj["y"] - expected[1]) < 1e-4
    assert gcj["x"] != wgs["x"]
    stored = Location.objects.get(entity__slug="szoil")
    assert round(stored.lng, 5) == wgs["x"]


def test_the_map_keeps_to_the_bounding_box(reader, mini_dataset):
    assert _items(reader, zoom=10, bbox="100,30,110,40")["count"] == 0
    assert _items(reader, zoom=10, bbox="113,22,115,23")["count"] >= 5
    assert reader.get("/map/data.json", {"bbox": "nonsense"}).status_code == 400
    assert reader.get("/map/data.json", {"bbox": "0,0,0,999"}).status_code == 400


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(zoom=st.text(max_size=5), year=st.text(max_size=6), kind=st.text(max_size=10))
def test_the_map_data_never_fails_on_odd_parameters(reader, mini_dataset, zoom, year, kind):
    response = reader.get("/map/data.json", {"zoom": zoom, "year": year, "kind": kind})
    # a NUL anywhere in the query is refused up front (observatory/middleware.py); anything else is read leniently
    expected = 400 if "\x00" in zoom + year + kind else 200
    assert response.status_code == expected


def test_a_hundred_thousand_points_stay_under_200_kb_at_national_zoom(reader, mini_dataset, monkeypatch):
    import numpy as np

    rng = np.random.default_rng(1)
    n = 100_000
    lng, lat = rng.uniform(75, 134, n), rng.uniform(18, 53, n)
    table = selectors.PointTable(
        lng=lng, lat=lat, kind=np.array(["makerspace"] * n, dtype=object),
        layer=np.array(["physical"] * n, dtype=object), status=np.array(["active"] * n, dtype=object),
        province=np.array(["440000"] * n, dtype=object), founded=np.full(n, 2015), closed=np.full(n, 9999),
        radius=np.zeros(n), slug=[f"e{i}" for i in range(n)], name=[f"E {i}" for i in range(n)],
        name_zh=[""] * n, name_en=[f"E {i}" for i in range(n)], precision=["exact"] * n)
    monkeypatch.setattr(selectors.maps, "point_table", lambda: table)
    body = reader.get("/map/data.json", {"zoom": 4, "bbox": "73,18,135,54"}).content
    data = json.loads(body)
    assert data["count"] == n
    assert len(body) < 200_000


def test_the_choropleth_endpoint(reader, analysis_runs):
    data = reader.get("/map/choropleth.json").json()
    assert data["values"]["440000"] == {"count": 5, "density": 0.2783}
    assert reader.get("/map/choropleth.json", {"level": "prefecture"}).json()["values"]["440300"]["count"] == 5
    assert reader.get("/map/choropleth.json", {"level": "county"}).status_code == 400


def test_the_division_outlines_are_served(reader, db):
    provinces = reader.get("/geo/provinces.json").json()
    prefectures = reader.get("/geo/prefectures.json").json()
    assert provinces["type"] == prefectures["type"] == "FeatureCollection"
    assert len(prefectures["features"]) > len(provinces["features"]) >= 31


def test_the_network_data_has_positions_layers_and_brokers(reader, analysis_runs):
    data = reader.get("/network/data.json").json()
    nodes = {n["key"]: n for n in data["nodes"]}
    assert {"x-factory", "seeed-studio", "szoil", "maker-collider"} <= set(nodes)
    assert nodes["x-factory"]["b"] is True and nodes["seeed-studio"]["b"] is False
    assert nodes["x-factory"]["o"] == "柴火造物中心"
    assert all(isinstance(n["x"], float) for n in data["nodes"])
    assert ["x-factory", "seeed-studio"] in data["edges"]
    assert data["run"] == analysis_runs["network"].pk


def test_the_network_data_filters_and_sizes(reader, analysis_runs):
    physical = reader.get("/network/data.json", {"layer": "physical"}).json()
    assert physical["nodes"] == []  # every tie crosses layers in the mini dataset
    sized = reader.get("/network/data.json", {"metric": "total"}).json()
    assert {n["key"]: n["v"] for n in sized["nodes"]}["x-factory"] == 6
    assert reader.get("/network/data.json", {"since": "soon"}).status_code == 400
    assert reader.get("/network/data.json", {"since": "2000", "until": "2030-01-01"}).status_code == 200


def test_the_network_data_lays_out_five_thousand_nodes(reader, db, monkeypatch):
    import math

    import networkx as nx

    from observatory.analysis import graphs

    random = nx.gnm_random_graph(5000, 12000, seed=3, directed=True)
    graph = nx.DiGraph()
    for node in random:
        graph.add_node(f"n{node}", name=f"Node {node}", name_zh=f"节点{node}", kind="makerspace",
                       layer=["physical", "organizational", "virtual"][node % 3])
    graph.add_edges_from((f"n{a}", f"n{b}") for a, b in random.edges())
    monkeypatch.setattr(graphs, "network_graph", lambda **_: graph.copy())
    data = reader.get("/network/data.json").json()
    connected = sum(1 for n in graph if graph.degree(n))
    assert len(data["nodes"]) == connected >= 4900
    assert all(math.isfinite(n["x"]) and math.isfinite(n["y"]) for n in data["nodes"])
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == connected  # no two nodes on top of each other


def test_no_two_groups_of_the_map_overlap_on_screen(reader, mini_dataset, monkeypatch):
    """Neighbouring grid cells put group centres closer than their discs: such groups are merged,
    so every count is drawn inside its own disc, with nothing over it."""
    import numpy as np

    from observatory.site.selectors.maps import _mercator, cluster_diameter

    rng = np.random.default_rng(4)
    n = 5_000
    lng, lat = rng.normal(114, 1.5, n), rng.normal(23, 1.0, n)  # one dense region, many neighbouring cells
    table = selectors.PointTable(
        lng=lng, lat=lat, kind=np.array(["makerspace"] * n, dtype=object),
        layer=np.array(["physical"] * n, dtype=object), status=np.array(["active"] * n, dtype=object),
        province=np.array(["440000"] * n, dtype=object), founded=np.full(n, 2015), closed=np.full(n, 9999),
        radius=np.zeros(n), slug=[f"e{i}" for i in range(n)], name=[f"E {i}" for i in range(n)],
        name_zh=[""] * n, name_en=[f"E {i}" for i in range(n)], precision=["exact"] * n)
    monkeypatch.setattr(selectors.maps, "point_table", lambda: table)
    for zoom in (4, 6, 8):
        data = reader.get("/map/data.json", {"zoom": zoom, "bbox": "105,15,125,30"}).json()
        groups = [i for i in data["items"] if "c" in i]
        assert groups and sum(g["c"] for g in groups) + len(data["items"]) - len(groups) == data["count"]
        scale = 256.0 * 2 ** zoom / 360.0
        for g in groups:
            assert g["d"] == cluster_diameter(g["c"]) >= len(str(g["c"])) * 8.5 + 8  # the digits fit
        for i, a in enumerate(groups):
            for b in groups[i + 1:]:
                gap = np.hypot((a["x"] - b["x"]) * scale, (_mercator(a["y"]) - _mercator(b["y"])) * scale)
                assert gap >= (a["d"] + b["d"]) / 2 - 0.5, (zoom, a, b)


def test_the_network_data_names_each_actor_in_the_readers_language(reader, analysis_runs):
    english = {n["key"]: n for n in reader.get("/network/data.json").json()["nodes"]}
    reader.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    chinese = {n["key"]: n for n in reader.get("/network/data.json").json()["nodes"]}
    assert english["x-factory"]["n"] == chinese["x-factory"]["o"] != "柴火造物中心"
    assert chinese["x-factory"]["n"] == english["x-factory"]["o"] == "柴火造物中心"
    assert chinese["seeed-studio"]["n"] == "Seeed Studio"  # no Chinese name: the display name
    assert chinese["seeed-studio"]["o"] == english["seeed-studio"]["o"] == ""  # and nothing in brackets


def test_the_network_page_names_the_metrics_in_chinese(reader, analysis_runs):
    reader.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = reader.get("/network/").content.decode()
    assert '<option value="effective_size">有效规模（Burt）</option>' in html
    assert '<option value="degree">度（关系数）</option>' in html
    assert ">effective_size<" not in html and ">degree<" not in html


def test_brokers_are_ranked_by_pairs_brokered_across_groups_then_in_all():
    from observatory.analysis.models import AnalysisRun
    from observatory.site.selectors import brokers_top

    def roles(coordinator=0, itinerant=0, representative=0, gatekeeper=0, liaison=0):
        counts = {"coordinator": coordinator, "itinerant": itinerant, "representative": representative,
                  "gatekeeper": gatekeeper, "liaison": liaison}
        return {**counts, "total": sum(counts.values())}

    run = AnalysisRun(kind="network", result={"nodes": {
        "inside": roles(coordinator=40, gatekeeper=1),          # most in all, but mostly inside its group
        "liaison": roles(liaison=3, representative=2),
        "tied": roles(itinerant=5),
        "quiet": roles()}})
    assert [row["slug"] for row in brokers_top(run)] == ["liaison", "tied", "inside"]
