import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from observatory.inventory.dates import FuzzyDateError, format_fuzzy_date, parse_fuzzy_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2011", (dt.date(2011, 1, 1), "year")),
        ("2011-05", (dt.date(2011, 5, 1), "month")),
        ("2011-05-03", (dt.date(2011, 5, 3), "day")),
        ("circa 2008", (dt.date(2008, 1, 1), "circa")),
        ("约2008年", (dt.date(2008, 1, 1), "circa")),
        (2015, (dt.date(2015, 1, 1), "year")),
        ("", (None, "")),
        (None, (None, "")),
    ],
)
def test_it_parses_dates_with_their_precision(text, expected):
    assert parse_fuzzy_date(text) == expected


@pytest.mark.parametrize("text", ["2011-13", "next year", "circa 2011-05", "2011-02-30", 3.5])
def test_it_rejects_what_is_not_a_date_and_names_the_accepted_forms(text):
    with pytest.raises(FuzzyDateError, match="YYYY, YYYY-MM, YYYY-MM-DD"):
        parse_fuzzy_date(text)


@given(st.dates(min_value=dt.date(1000, 1, 1)), st.sampled_from(["day", "month", "year", "circa"]))
def test_it_round_trips_every_precision(date, precision):
    text = format_fuzzy_date(date, precision)
    parsed, parsed_precision = parse_fuzzy_date(text)
    assert parsed_precision == precision
    assert format_fuzzy_date(parsed, parsed_precision) == text


@given(st.text(max_size=30))
def test_it_never_fails_with_anything_but_a_clear_error(text):
    try:
        parse_fuzzy_date(text)
    except FuzzyDateError as exc:
        assert "accepted forms" in str(exc)
