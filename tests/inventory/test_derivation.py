"""The derivations shared by entity_upsert and the bulk import (observatory/inventory/derivation.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from observatory.inventory.derivation import (
    entity_derived_fields,
    fuzzy_date_check,
    location_derive,
    location_point_check,
    points_derive,
)
from observatory.inventory.models import Location


def test_points_are_derived_on_arrays_as_location_derive_derives_each():
    import random

    rng = random.Random(7)
    pairs = []
    for index in range(3000):
        crs = ("WGS-84", "GCJ-02", "BD-09")[index % 3]
        lng, lat = rng.uniform(73, 135), rng.uniform(18, 54)
        if index % 10 == 0:
            lng, lat = rng.uniform(-180, 180), rng.uniform(-90, 90)
        division = ("", "440300", "110105", "4403")[index % 4]
        one = {"original_lng": lng if index % 7 else int(lng), "original_lat": lat, "crs": crs, "precision": "exact",
                   "division_code": division}
        pairs.append((Location(**one), Location(**one)))
    for vector, _scalar in pairs:
        location_point_check(vector)
    points_derive([vector for vector, _scalar in pairs])
    for vector, scalar in pairs:
        location_derive(scalar)
        for field in ("lng", "lat", "placed_at_centroid", "polygon_wgs84", "province_code", "prefecture_code",
                      "county_code", "precision"):
            assert getattr(vector, field) == getattr(scalar, field), (field, scalar.original_lng, scalar.original_lat)


def test_the_display_names_prefer_rank_then_order_and_never_a_former_name():
    derived = entity_derived_fields(
        [("柴火", "zh-Hans", "common"), ("柴火创客空间", "zh-Hans", "official"), ("Old", "en", "former"),
         ("Chaihuo", "en", "abbreviation"), ("Chaihuo Makerspace", "en", "abbreviation")],
        ["深圳市南山区", ""], ["", "440000", "110000"])
    assert (derived["name"], derived["name_zh"], derived["name_en"]) == ("Chaihuo", "柴火创客空间", "Chaihuo")
    assert derived["province_code"] == "440000"
    assert "chaihuo" in derived["search_text"].split()


def test_a_fuzzy_date_it_cannot_read_names_the_field_every_time():
    for _ in range(2):  # the second answer comes from the memo
        with pytest.raises(ValidationError) as error:
            fuzzy_date_check("founded", "the year of the dragon")
        assert "founded" in error.value.message_dict
