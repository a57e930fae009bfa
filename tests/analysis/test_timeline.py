"""Timeline: Kaplan-Meier against R survival, delayed entry, log-rank, foundings per year."""

from __future__ import annotations

import math

import numpy as np
import pytest

from observatory.analysis.timeline import events_per_year, kaplan_meier, logrank_test, median_survival
from tests.analysis.conftest import load_reference


@pytest.fixture
def freireich():
    return load_reference("survival_kaplan_meier.json")["freireich_6mp"]


@pytest.mark.parametrize("column, key", [
    ("time", "time"), ("at_risk", "n_risk"), ("events", "n_event"), ("survival", "surv"),
    ("se", "greenwood_se_logS"), ("lower", "ci95_loglog_lower"), ("upper", "ci95_loglog_upper"),
])
def test_it_reproduces_r_survfit_on_the_6mp_data(freireich, column, key):
    km = kaplan_meier(freireich["time"], freireich["event"])
    assert km[column].to_numpy() == pytest.approx(freireich["km"][key], abs=1e-12)


def test_it_finds_the_textbook_median(freireich):
    assert median_survival(kaplan_meier(freireich["time"], freireich["event"])) == freireich["median"]
    assert median_survival(freireich["time"], freireich["event"]) == 23


def test_it_takes_rs_midpoint_when_survival_is_exactly_one_half():
    assert median_survival(kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])) == 2.5


def test_it_reports_an_unreached_median_as_nan():
    assert math.isnan(median_survival(kaplan_meier([5, 6, 7], [1, 0, 0])))


def test_it_keeps_late_entrants_out_of_earlier_risk_sets():
    # spaces observed from a registry: at risk iff entry < t ≤ exit
    km = kaplan_meier([4, 6, 8, 9], [1, 1, 1, 0], entry=[0, 5, 0, 6])
    assert km["time"].tolist() == [4, 6, 8]
    # t = 4: the entrant at 5 is not yet observed; t = 6: the entrant at exactly 6 is not yet at risk
    assert km["at_risk"].tolist() == [2, 2, 2]
    assert km["survival"].to_numpy() == pytest.approx([1 / 2, 1 / 4, 1 / 8])


def test_it_treats_entry_at_an_event_time_as_not_at_risk():
    km = kaplan_meier([3, 5], [1, 1], entry=[0, 3])
    assert km["at_risk"].tolist() == [1, 1]


def test_it_leaves_the_interval_undefined_at_zero_survival():
    km = kaplan_meier([1, 2], [1, 1])
    assert km["survival"].iloc[-1] == 0 and math.isnan(km["lower"].iloc[-1])


@pytest.mark.parametrize("kwargs, message", [
    ({"durations": [], "events": []}, "empty"),
    ({"durations": [1, 2], "events": [1]}, "one event flag"),
    ({"durations": [1, 2], "events": [1, 2]}, "censored"),
    ({"durations": [1, 2], "events": [1, 1], "entry": [1, 0]}, "entry must be earlier"),
])
def test_it_explains_bad_survival_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kaplan_meier(**kwargs)


def test_it_computes_the_log_rank_statistic_by_hand():
    result = logrank_test([1, 2, 3], [1, 1, 1], [4, 5, 6], [1, 1, 1])
    # E_a = 1/2 + 2/5 + 1/4; V = 1/4 + 6/25 + 3/16
    expected_a = 0.5 + 0.4 + 0.25
    variance = 0.25 + 0.24 + 0.1875
    assert result["expected_a"] == pytest.approx(expected_a)
    assert result["statistic"] == pytest.approx((3 - expected_a) ** 2 / variance)
    assert result["observed_a"] + result["observed_b"] == pytest.approx(result["expected_a"] + result["expected_b"])


def test_it_finds_no_difference_between_identical_groups(freireich):
    result = logrank_test(freireich["time"], freireich["event"], freireich["time"], freireich["event"])
    assert result["statistic"] == pytest.approx(0) and result["p"] == pytest.approx(1)


def test_it_counts_foundings_closings_and_active_spaces_per_year_and_kind():
    table = events_per_year([2012, 2014, 2014, 2015, None], [2016, None, 2015, None, None],
                            ["fablab", "makerspace", "makerspace", "fablab", "fablab"])
    assert table.attrs["skipped"] == 1
    fablab = table[table["kind"] == "fablab"].set_index("year")
    assert fablab.loc[2012, "foundings"] == 1 and fablab.loc[2016, "closings"] == 1
    assert fablab["active"].tolist() == [1, 1, 1, 2, 1]
    for _, part in table.groupby("kind"):
        flows = (part["foundings"] - part["closings"]).cumsum().to_numpy()
        np.testing.assert_array_equal(flows, part["active"].to_numpy())


def test_it_rejects_a_closing_before_the_founding():
    with pytest.raises(ValueError, match="before it is founded"):
        events_per_year([2015], [2014])
