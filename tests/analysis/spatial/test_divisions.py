"""Counts of spaces per GB/T 2260 division, as they are and aggregated."""

from __future__ import annotations

import pytest

from observatory.analysis.spatial.divisions import counts_by_division


def test_it_counts_spaces_by_division():
    codes = ["440304", "440305", "440304", "110105", None, ""]
    assert counts_by_division(codes).to_dict() == {"110105": 1, "440304": 2, "440305": 1}
    by_province = counts_by_division(codes, level="province")
    assert by_province.to_dict() == {"110000": 1, "440000": 3}
    assert by_province.attrs["missing"] == 2


def test_it_rejects_a_malformed_division_code():
    with pytest.raises(ValueError, match="six-digit"):
        counts_by_division(["4403"])
