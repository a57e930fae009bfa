"""Issue 13: each analysis rests on the right ties, points and windows, is tested against a null
model, states its sample and caveats, and refuses what the data cannot support. Rules are shown on
small fixtures built here and on the bundled data (data/china, loaded as the demo loads it)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from observatory.analysis.services import analysis_run
from observatory.coding.dataset import dataset_load
from observatory.inventory.models import Entity, Relation
from observatory.inventory.taxonomy import RELATION_SEMANTICS, RELATION_TYPES, kind_layer
from tests.conftest import REPO

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundled_db():
    """data/china, loaded as the demo loads it."""
    return dataset_load(REPO / "data" / "china")


def _entity(slug, kind, **extra):
    return Entity.objects.create(slug=slug, name=slug, kind=kind, layer=kind_layer(kind), is_public=True, **extra)


def _strict(value):
    return json.dumps(value, allow_nan=False)


def _check_sample_and_caveats(result):
    sample = result["sample"]
    assert isinstance(sample["n"], int) and sample["n"] >= 0
    assert all(isinstance(k, str) and isinstance(v, int) and v > 0 for k, v in sample["excluded"].items())
    assert result["caveats"] and all(set(c) == {"en", "zh"} and c["en"] and c["zh"] for c in result["caveats"])


# --- relation semantics ---------------------------------------------------------------------------

def test_every_relation_type_declares_its_class_and_flow():
    assert set(RELATION_SEMANTICS) == set(RELATION_TYPES)
    assert RELATION_SEMANTICS["listed_in"][:2] == ("listing", "none")
    assert RELATION_SEMANTICS["founded_by"][1] == "reverse" and RELATION_SEMANTICS["hosts"][1] == "forward"


def test_ties_are_oriented_by_flow_and_a_listing_never_enters_a_network_run():
    forum, lab, shop, directory = (_entity("forum", "online_forum"), _entity("lab", "makerspace"),
                                   _entity("shop", "makerspace"), _entity("dir", "online_forum"))
    Relation.objects.create(source_entity=lab, target_entity=forum, type="founded_by")   # forum → lab
    Relation.objects.create(source_entity=forum, target_entity=shop, type="knowledge_flows_to")
    Relation.objects.create(source_entity=lab, target_entity=shop, type="partner_of")
    Relation.objects.create(source_entity=lab, target_entity=directory, type="listed_in")
    Relation.objects.create(source_entity=shop, target_entity=directory, type="listed_in")
    from observatory.analysis.graphs import network_graph

    oriented = network_graph(classes=["interaction", "knowledge_flow", "affiliation"], oriented=True)
    assert oriented.has_edge("forum", "lab") and not oriented.has_edge("lab", "forum")      # founder gives
    assert oriented.has_edge("lab", "shop") and oriented.has_edge("shop", "lab")            # mutual
    assert "dir" not in {v for e in oriented.edges for v in e}
    run = analysis_run("network", parameters={"permutations": 19}, seed=1)
    assert run.parameters["relation_classes"] == ["interaction", "knowledge_flow"]
    assert run.parameters["partition"] == "online_physical"
    assert "dir" not in run.result["nodes"]
    assert all(t != "listed_in" for t in run.result["arcs_by_type"])
    _check_sample_and_caveats(run.result)
    with_all = analysis_run("network", parameters={"permutations": 0,
                                                   "relation_classes": "interaction,knowledge_flow,affiliation"})
    assert "dir" not in with_all.result["nodes"] and "listed_in" not in with_all.result["arcs_by_type"]


def test_an_unknown_relation_class_is_a_clear_message():
    from observatory.analysis.services import AnalysisInputError

    a, b = _entity("a", "online_forum"), _entity("b", "makerspace")
    Relation.objects.create(source_entity=a, target_entity=b, type="partner_of")
    with pytest.raises(AnalysisInputError, match="unknown class.*'friendship'.*accepted"):
        analysis_run("network", parameters={"relation_classes": "interaction,friendship"})


# --- the bundled data -----------------------------------------------------------------------------

@pytest.fixture
def network_run(bundled_db):
    return analysis_run("network", parameters={"permutations": 199}, seed=5)


def test_an_organisations_own_repositories_and_supply_ties_do_not_make_it_a_top_broker(network_run):
    result = network_run.result
    assert result["partition"] == "online_physical" and set(result["groups"]) == {"online", "physical"}
    nodes = result["nodes"]
    ranked = sorted(nodes, key=lambda n: -(nodes[n]["total"] or 0))[:10]
    assert "espressif" not in ranked
    assert "espressif" not in nodes or not nodes["espressif"]["significant"]
    # the recorded ties: its repositories point at it (founded_by), it supplies boards
    assert Relation.objects.filter(target_entity__slug="espressif", type="founded_by").count() >= 4
    assert Relation.objects.filter(source_entity__slug="espressif", type="supplies").count() >= 5


def test_the_permutation_test_is_run_seeded_and_stored_with_bh(network_run):
    result = network_run.result
    permutation = result["null_models"]["permutation"]
    assert permutation["permutations"] == 199 and permutation["seed"] == 5
    assert network_run.parameters["permutations"] == 199
    brokers = [row for row in result["nodes"].values() if (row["gatekeeper"] or 0) > 0]
    assert brokers
    for row in brokers:
        test = row["permutation"]["gatekeeper"]
        assert 1 / 200 <= test["p"] <= 1 and test["q"] >= test["p"]
        assert isinstance(row["significant"], bool) and test["significant"] == ("gatekeeper" in row["significant_roles"])
        assert "expected_gatekeeper" in row and "z_gatekeeper" in row          # Gould–Fernandez kept
    again = analysis_run("network", parameters={"permutations": 199}, seed=5)
    assert _strict(again.result["nodes"]) == _strict(result["nodes"])
    _check_sample_and_caveats(result)
    assert any("no tie" in reason for reason in result["sample"]["excluded"])


def test_the_three_layer_partition_stays_available(bundled_db):
    run = analysis_run("network", parameters={"partition": "layer", "permutations": 0}, seed=1)
    assert set(run.result["groups"]) == {"physical", "organizational", "virtual"}
    assert run.parameters["partition"] == "layer" and "organisations" not in run.parameters


# --- territory ------------------------------------------------------------------------------------

def test_only_spaces_enter_a_point_pattern_and_small_cities_get_no_statistic(bundled_db):
    from observatory.inventory.models import Location

    run = analysis_run("spatial", seed=3)
    result = run.result
    never = {"event", "government_body", "government_programme", "project"}
    assert not never & set(result["kinds"])
    located = dict(Location.objects.filter(lat__isnull=False).values_list("entity__slug", "entity__kind"))
    assert never & set(located.values()), "the bundled data locates events or government bodies"
    members = {slug for cluster in result["hotspots"]["clusters"] for slug in cluster["members"]}
    members |= set(result["nearest_cluster"])
    assert members and not {located[slug] for slug in members} & never
    assert result["sample"]["excluded"]["not a space (kind not among the run's kinds)"] > 0
    _check_sample_and_caveats(result)
    patterns = result["point_patterns"]
    assert patterns
    for code, pattern in patterns.items():
        window = pattern["window"]
        assert window["source"] == "outline" and window["division_code"] == code and window["area_km2"] > 10
        if pattern["n"] < result["min_points_pattern"] == 20:
            assert pattern["statistics"] is None and "too few points" in pattern["reason"]["en"]
    shenzhen = patterns["440300"]["window"]["area_km2"]
    assert 1800 < shenzhen < 2200          # Shenzhen's own outline (about 1,997 km²), not a bounding box
    with pytest.raises(Exception, match="never enter a point pattern"):
        analysis_run("spatial", parameters={"kinds": "makerspace,event"})


def test_a_city_at_the_minimum_gets_clark_evans_with_the_window_area_and_an_envelope(bundled_db):
    run = analysis_run("spatial", parameters={"min_points_pattern": 5, "nsim": 19}, seed=3)
    tested = {c: p for c, p in run.result["point_patterns"].items() if p["statistics"]}
    assert tested
    for pattern in tested.values():
        ce = pattern["statistics"]["clark_evans"]
        assert ce["correction"] == "Donnelly"
        assert ce["intensity"] == pytest.approx(pattern["n"] / pattern["window"]["area_km2"])
        ripley = pattern["statistics"]["ripley"]
        assert len(ripley["L"]) == len(ripley["envelope_lo"]) == len(ripley["r_km"]) and ripley["nsim"] == 19


# --- typology -------------------------------------------------------------------------------------

def test_an_uncoded_dimension_never_counts_as_no_and_the_kind_is_supplementary(bundled_db):
    from observatory.analysis.graphs import MISSING, typology_table
    from observatory.coding.models import Coding

    table = typology_table()
    dimension_of = {c: c.split(".")[0] for c in table.columns if "." in c}
    checked = 0
    for slug in table.index:
        coded = {p.split(".")[0] for p in Coding.objects.filter(entity__slug=slug).values_list("code__path", flat=True)}
        for column, dimension in dimension_of.items():
            value = table.at[slug, column]
            if dimension not in coded:
                assert value == MISSING, (slug, column)
                checked += 1
            else:
                assert value in ("yes", "no")
    assert checked, "the bundled data has entities not coded on every dimension"
    run = analysis_run("typology", seed=3)
    result = run.result
    assert "kind_group" not in result["variables"] and result["supplementary"] == ["kind"]
    assert not any(c.endswith("__missing") for c in result["col_coords"])
    assert result["sample"]["n"] == len(result["row_coords"])
    for t in result["types"]:
        assert t["doubtful"] == (t["mean_jaccard"] is None or t["mean_jaccard"] < 0.75)
        assert (t["name"] is None) == (t["size"] < 5)
        assert t["kinds_supplementary"]
    _check_sample_and_caveats(result)


def test_the_typology_reads_every_dimension_of_the_codebook_unless_told_fewer(bundled_db):
    from observatory.analysis.graphs import codebook_dimensions, typology_table
    from observatory.analysis.services import AnalysisInputError

    dimensions = codebook_dimensions()
    assert {"form", "practice", "business", "knowledge", "governance", "embeddedness"} <= set(dimensions)
    assert any(c.startswith("governance.") for c in typology_table().columns)
    four = typology_table(dimensions=("form", "practice", "business", "knowledge"))
    assert not any(c.startswith(("governance.", "embeddedness.")) for c in four.columns)
    run = analysis_run("typology", seed=3, parameters={"dimensions": ["form", "governance"]})
    assert run.parameters["dimensions"] == ["form", "governance"]
    assert all(v.split(".")[0] in ("form", "governance") for v in run.result["variables"])
    with pytest.raises(AnalysisInputError, match="unknown dimension.*accepted"):
        analysis_run("typology", seed=3, parameters={"dimensions": ["form", "vibes"]})
    with pytest.raises(AnalysisInputError, match="must be a list of the codebook's dimension keys"):
        analysis_run("typology", seed=3, parameters={"dimensions": 4})


def test_the_specific_mca_ignores_missing_and_equals_mca_without_it():
    import pandas as pd

    from observatory.analysis.typology import mca

    plain = pd.DataFrame({"a": ["yes", "no", "yes", "no", "yes", "no"], "b": ["yes", "yes", "no", "no", "yes", "no"]})
    full = mca(plain)
    specific = mca(plain, passive=("missing",))
    assert specific.eigenvalues == pytest.approx(full.eigenvalues)
    with_gap = plain.copy()
    with_gap.loc[0, "b"] = "missing"
    result = mca(with_gap, passive=("missing",))
    assert "b__missing" not in result.col_coords.index and result.K == 4


# --- survival -------------------------------------------------------------------------------------

def test_zero_closings_give_not_estimable_and_no_curve(bundled_db):
    from observatory.inventory.models import StatusAssertion

    # the bundled data with its recorded closings taken out
    StatusAssertion.objects.filter(value__in=["closed", "revoked"]).delete()
    Entity.objects.update(closed=None, closed_precision="")
    run = analysis_run("timeline")
    result = run.result
    assert result["survival"] is None and "cannot be estimated" in result["survival_reason"]["en"]
    assert result["survival_reason"]["zh"]
    assert not run.figures.filter(name="survival").exists() and run.figures.filter(name="per-year").exists()
    assert any(o["founded"] < 2000 for o in result["outliers"])          # the 1922 university, listed apart
    assert result["axis"]["from"] >= 2000
    assert all(row["year"] >= result["axis"]["from"] for row in result["per_year"])
    _check_sample_and_caveats(result)


def _space(slug, founded, group_kind="makerspace"):
    return _entity(slug, group_kind, founded=founded)


def test_censoring_at_last_evidence_left_truncation_and_census_threshold():
    from observatory.inventory.models import EntitySource, Source, StatusAssertion

    source = Source.objects.create(key="dir2012", csl={"title": "A directory", "issued": {"date-parts": [[2012, 1, 1]]}})
    late = Source.objects.create(key="dir2016", csl={"title": "Later", "issued": {"date-parts": [[2016, 1, 1]]}})
    spaces = [_space(f"s{i}", dt.date(2008 + i % 3, 1, 1)) for i in range(8)]
    for i, space in enumerate(spaces):
        EntitySource.objects.create(entity=space, source=source)
        if i % 2:
            EntitySource.objects.create(entity=space, source=late)
    StatusAssertion.objects.create(entity=spaces[0], value="closed", kind="observed", date=dt.date(2014, 1, 1))
    StatusAssertion.objects.create(entity=spaces[2], value="closed", kind="inferred", date=dt.date(2013, 1, 1),
                                   origin="census", confidence=0.9)
    # a census closing below the threshold does not count
    StatusAssertion.objects.create(entity=spaces[4], value="closed", kind="inferred", date=dt.date(2013, 1, 1),
                                   origin="census", confidence=0.5)
    run = analysis_run("timeline", parameters={"axis_from": 2000})
    survival = run.result["survival"]
    assert survival is not None and survival["closings"] == 2
    assert run.parameters["left_truncation"] is True
    curve = survival["groups"]["space"]["curve"]
    # censored at the last evidence (2016 or 2012), never at today: no time beyond 2016 − 2008 = 8 years
    assert max(point["time"] for point in curve) <= 8.01
    # left truncation: nobody is at risk before their first evidence (2012) — at risk at the first event
    # (s2: 2010 → 2013, 3 years) are the actors observed from 2012 whose exit is later
    assert curve[0]["at_risk"] <= 8
    assert run.figures.filter(name="survival").exists()
    _check_sample_and_caveats(run.result)
    # s4 (its census closing too uncertain) and s6 are documented in 2012 only: no span to observe
    assert run.result["sample"] == {
        "n": 6, "excluded": {"observed at one date only (enters and leaves observation at once)": 2}}


# --- every run states its sample and its limits ---------------------------------------------------

def test_the_api_page_and_blog_embeds_carry_sample_and_caveats(bundled_db, reader):
    from django.utils import translation

    from observatory.blog.embeds import embed_render

    runs = {kind: analysis_run(kind, parameters={"permutations": 19} if kind == "network" else {}, seed=2)
            for kind in ("network", "spatial", "typology", "timeline")}
    for run in runs.values():
        detail = reader.get(f"/api/v1/analysis-runs/{run.pk}").json()
        assert detail["sample"] == run.result["sample"] and detail["caveats"] == run.result["caveats"]
        assert detail["caveats"] and all(c["en"] and c["zh"] for c in detail["caveats"])
    network = reader.get(f"/api/v1/analysis-runs/{runs['network'].pk}").json()
    assert network["parameters"]["relation_classes"] == ["interaction", "knowledge_flow"]
    assert network["parameters"]["partition"] == "online_physical"
    assert any("permutation" in row for row in network["result"]["nodes"].values())
    timeline = reader.get(f"/api/v1/analysis-runs/{runs['timeline'].pk}").json()
    survival = timeline["result"]["survival"]
    assert survival is not None or timeline["result"]["survival_reason"]["en"]
    if survival is not None:   # each group is estimable or says why not
        assert all(group["estimable"] or group["reason"] for group in survival["groups"].values())
    page = reader.get("/analysis/").content.decode()
    assert "Null model:" in page and "Caveats" in page and "Sample:" in page
    assert runs["network"].result["caveats"][0]["en"] in page
    with translation.override("zh-hans"):
        embed = embed_render("figure", f" run={runs['network'].pk} name=brokerage-roles")
        assert runs["network"].result["caveats"][0]["zh"] in embed.html and "n = " in embed.html
    zh_page = reader.get("/analysis/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert runs["network"].result["caveats"][0]["zh"] in zh_page
