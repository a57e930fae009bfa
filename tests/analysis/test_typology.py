"""Typology: MCA against the reference fixture, HCPC, silhouettes, bootstrap stability, v-tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from observatory.analysis.typology import (
    bootstrap_jaccard,
    hcpc,
    indicator_matrix,
    mca,
    name_types,
    silhouette,
    vtest,
)
from tests.analysis.conftest import load_reference


@pytest.fixture
def spaces():
    data = load_reference("typology_mca.json")["mca"]["data"]
    return pd.DataFrame({k: data[k] for k in ("status", "funding", "access")}, index=data["index"])


@pytest.fixture
def expected():
    return load_reference("typology_mca.json")["mca"]


def test_it_reproduces_the_reference_eigenvalues_and_inertia(spaces, expected):
    result = mca(spaces)
    assert result.eigenvalues == pytest.approx(expected["eigenvalues"], abs=1e-12)
    assert result.total_inertia == pytest.approx(expected["total_inertia"])
    assert result.eigenvalues.sum() == pytest.approx(result.total_inertia)
    assert (result.J, result.K) == (expected["J"], expected["K"])


def test_it_reproduces_the_benzecri_and_greenacre_percentages(spaces, expected):
    result = mca(spaces)
    assert result.benzecri_adjusted == pytest.approx(expected["benzecri_adjusted"], abs=1e-12)
    assert result.benzecri_pct == pytest.approx(expected["benzecri_pct"], abs=1e-10)
    assert result["greenacre_total_adjusted_inertia"] == pytest.approx(
        expected["greenacre_total_adjusted_inertia"], abs=1e-12)
    assert result.greenacre_pct == pytest.approx(expected["greenacre_pct"], abs=1e-10)


@pytest.mark.parametrize("attribute, key", [("row_coords", "row_principal_coords_first3"),
                                            ("col_coords", "col_principal_coords_first3")])
def test_it_reproduces_principal_coordinates_up_to_sign(spaces, expected, attribute, key):
    got = getattr(mca(spaces), attribute).iloc[:, :3].to_numpy()
    np.testing.assert_allclose(np.abs(got), np.abs(np.array(expected[key])), atol=1e-10)


def test_it_names_indicator_columns_as_the_fixture(spaces, expected):
    assert list(mca(spaces).col_coords.index) == expected["indicator_columns"]
    assert list(indicator_matrix(spaces).columns) == expected["indicator_columns"]


def test_it_serialises_the_mca_result(spaces):
    as_dict = mca(spaces).to_dict()
    assert as_dict["eigenvalues"][0] == pytest.approx(1.0)
    assert len(as_dict["row_coords"]) == 8


@pytest.mark.parametrize("frame, message", [
    (pd.DataFrame({"status": ["assoc", "assoc", "assoc"], "access": ["open", "paid", "open"]}), "single category"),
    (pd.DataFrame({"status": ["assoc"], "access": ["open"]}), "at least 2 rows"),
    (pd.DataFrame({"status": ["assoc", None], "access": ["open", "paid"]}), "missing values"),
])
def test_it_explains_unusable_tables(frame, message):
    with pytest.raises(ValueError, match=message):
        mca(frame)


@pytest.fixture
def three_groups():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    X = np.vstack([rng.normal(c, 0.3, size=(15, 2)) for c in centres])
    return X, np.repeat([0, 1, 2], 15)


def test_it_cuts_the_ward_tree_where_the_inertia_gain_drops(three_groups):
    X, truth = three_groups
    result = hcpc(X, max_clusters=6, seed=0)
    assert result.n_clusters == 3
    assert min(result.criterion, key=result.criterion.get) == 3
    assert pd.crosstab(result.labels, truth).max(axis=1).sum() == len(truth)   # same partition


def test_it_honours_a_chosen_number_of_clusters(three_groups):
    X, _ = three_groups
    result = hcpc(X, n_clusters=2, consolidate=False)
    assert result.n_clusters == 2 and set(result.labels) == {0, 1}
    assert np.bincount(result.labels)[0] >= np.bincount(result.labels)[1]   # cluster 0 is the largest


def test_it_agrees_with_scikit_learn_silhouettes(three_groups):
    from sklearn.metrics import silhouette_score

    X, truth = three_groups
    result = silhouette(X, truth)
    assert result["average"] == pytest.approx(silhouette_score(X, truth))
    assert set(result["per_cluster"]) == {0, 1, 2}


def test_it_rejects_a_single_cluster_for_silhouettes(three_groups):
    X, _ = three_groups
    with pytest.raises(ValueError, match="between 2 and n"):
        silhouette(X, np.zeros(len(X)))


def test_it_finds_separated_clusters_stable_and_noise_unstable(three_groups):
    X, truth = three_groups
    stable = bootstrap_jaccard(X, truth, n_boot=25, seed=2)
    assert (stable["mean_jaccard"] > 0.85).all()
    assert set(stable["verdict"]) == {"highly stable"}
    rng = np.random.default_rng(5)
    noise = rng.uniform(size=(45, 2))
    arbitrary = hcpc(noise, n_clusters=5).labels
    unstable = bootstrap_jaccard(noise, arbitrary, n_boot=25, seed=2)
    assert unstable["mean_jaccard"].min() < 0.75


def test_it_computes_hypergeometric_v_tests(spaces):
    labels = np.array([0, 0, 0, 1, 1, 0, 0, 0])           # the company/sales/paid pair apart
    vt = vtest(indicator_matrix(spaces), labels)
    top = vt[vt["cluster"] == 1].iloc[0]
    assert top["category"] in {"status__company", "funding__sales", "access__paid"}
    # P(both companies fall in a cluster of 2 out of 8 with 2 companies) = 1/28
    assert top["p_value"] == pytest.approx(2 / 28)
    assert top["pct_of_cluster"] == 100 and top["pct_of_category"] == 100


def test_it_computes_lebart_normal_v_tests():
    Z = pd.DataFrame({"a__x": [1, 1, 0, 0], "a__y": [0, 0, 1, 1]})
    vt = vtest(Z, [0, 0, 1, 1], method="normal")
    # (2 − 1) / sqrt(2·2/3 · 1/2 · 1/2)
    assert vt.iloc[0]["v_test"] == pytest.approx(1 / np.sqrt(1 / 3))


def test_it_names_types_by_over_represented_traits(spaces):
    labels = np.array([0, 0, 0, 1, 1, 0, 0, 0])
    names = name_types(vtest(spaces, labels), top=1, alpha=0.1)
    assert names[1] in {"status: company", "funding: sales", "access: paid"}
    assert names[0].endswith("(modal)") or ":" in names[0]
