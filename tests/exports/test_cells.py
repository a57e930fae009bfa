"""The text of a CSV cell reads back as the same value (the round trip rests on it)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.db import models
from hypothesis import given
from hypothesis import strategies as st

from observatory.exports.restore import _converter
from observatory.exports.tables import cell, json_cell

JSON = st.recursive(st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
                    | st.floats(allow_nan=False, allow_infinity=False),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children,
                                                                                       max_size=4), max_leaves=12)


def _through_csv(text: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([text, "end"])
    return next(csv.reader(io.StringIO(buffer.getvalue(), newline="")))[0]


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_it_reads_back_every_float(value):
    assert _converter(models.FloatField())(_through_csv(cell(value))) == value


@given(st.datetimes(min_value=dt.datetime(1900, 1, 1), timezones=st.just(dt.UTC)))
def test_it_reads_back_every_datetime(value):
    assert _converter(models.DateTimeField())(_through_csv(cell(value))) == value


@given(st.dates())
def test_it_reads_back_every_date(value):
    assert _converter(models.DateField(null=True))(_through_csv(cell(value))) == value


@given(JSON)
def test_it_reads_back_every_json_value(value):
    assert _converter(models.JSONField(null=True))(_through_csv(json_cell(value))) == value


@given(st.text().filter(lambda t: "\x00" not in t))
def test_it_reads_back_text_with_commas_quotes_and_newlines(value):
    assert _converter(models.TextField(blank=True))(_through_csv(cell(value))) == value


@given(st.booleans())
def test_it_reads_back_booleans(value):
    assert _converter(models.BooleanField())(cell(value)) is value
