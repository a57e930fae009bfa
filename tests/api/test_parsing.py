"""Cursors and bounding boxes: any text gives a value or a 400 that says why, never a crash."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from observatory.api.errors import ApiError
from observatory.api.pagination import cursor_decode, cursor_encode
from observatory.china.coords import bbox_parse


@given(st.integers(0, 2**63 - 1))
def test_it_reads_back_its_own_cursors(last_id):
    assert cursor_decode("entity", cursor_encode("entity", last_id)) == last_id


@given(st.text(max_size=200))
def test_it_answers_any_cursor_with_a_position_or_a_400(text):
    try:
        assert cursor_decode("entity", text) >= 0
    except ApiError as exc:
        assert exc.status == 400 and exc.code == "bad_cursor"


@given(st.text(max_size=100) | st.lists(st.floats(), min_size=4, max_size=4).map(lambda v: ",".join(map(str, v))))
def test_it_answers_any_bbox_with_four_ordered_degrees_or_a_400(text):
    try:
        west, south, east, north = bbox_parse(text)
    except ValueError as exc:
        assert "bbox" in str(exc)
    else:
        assert -180 <= west <= east <= 180 and -90 <= south <= north <= 90
