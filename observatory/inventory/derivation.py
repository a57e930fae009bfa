"""The rules that check an entity's parts and derive its computed fields, in one place for the two
ways entities are written: one at a time (:func:`observatory.inventory.services.entity_upsert`) and a
table at a time (:mod:`observatory.inventory.importers.bulk`, which only writes the rows).

- checks of a vocabulary value (:func:`choice_check`) and of a fuzzy date (:func:`fuzzy_date_check`);
- a name's search keys (:func:`name_keys`, :func:`name_derive`);
- a location's WGS-84 point, outline and divisions (:func:`location_derive`; :func:`points_derive`
  for many checked points at once, on arrays, with the same numbers);
- an entity's display names, search text and province (:func:`entity_derived_fields`);
- ``Entity.full_clean`` on a dict of column values (:func:`entity_values_clean`).

The values that repeat in directories (dates, texts, choices) are remembered by value: segmenting a
text with pinyin or running a field's validators costs more than the lookup.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, DateField, Model

from observatory.china import coords as china_coords
from observatory.china import divisions as china_divisions
from observatory.china import names as china_names
from observatory.china import text as china_text
from observatory.validation import instance_check, polygon_check

from .dates import FuzzyDateError, parse_fuzzy_date
from .models import Entity, Location, Name
from .taxonomy import CRS_CHOICES, NAME_LANGUAGES, NAME_TYPES, PRECISIONS, STATUS_KINDS, STATUS_VALUES

__all__ = [
    "CRS_CODES",
    "NAME_LANGS",
    "NAME_TYPE_CODES",
    "STATUS_KIND_CODES",
    "STATUS_VALUE_CODES",
    "choice_check",
    "division_chain",
    "entity_derived_fields",
    "entity_values_clean",
    "fuzzy_date_check",
    "location_derive",
    "location_point_check",
    "name_derive",
    "name_keys",
    "points_derive",
]

CRS_CODES = [c for c, _ in CRS_CHOICES]
NAME_LANGS = [code for code, _ in NAME_LANGUAGES if code != "pinyin"]
NAME_TYPE_CODES = [code for code, _ in NAME_TYPES]
STATUS_VALUE_CODES = [code for code, _ in STATUS_VALUES]
STATUS_KIND_CODES = [code for code, _ in STATUS_KINDS]
# Precision of a location placed at a division's centroid, by the length of the significant code.
_CENTROID_PRECISION = {2: "province", 4: "city", 6: "district"}
# the rank of a name's type when choosing the display name (a former name is never chosen)
_NAME_RANK = {"official": 0, "common": 1, "abbreviation": 2, "former": 3}
_REMEMBERED = 100_000


def choice_check(field: str, value: Any, accepted: Iterable[str]) -> str:
    accepted = list(accepted)
    if value not in accepted:
        raise ValidationError({field: f"{value!r} is not accepted; use one of: {', '.join(accepted)}"})
    return value


_FUZZY: dict = {}


def fuzzy_date_check(field: str, value: Any):
    """(date, precision) of a fuzzy date (:func:`~observatory.inventory.dates.parse_fuzzy_date`), or a
    ValidationError on ``field``; remembered by value."""
    try:
        key = (field, value.__class__, value)
        hit = _FUZZY.get(key)
    except TypeError:  # an unhashable value: not remembered
        key, hit = None, None
    if hit is None:
        try:
            hit = (True, parse_fuzzy_date(value))
        except FuzzyDateError as exc:
            hit = (False, str(exc))
        if key is not None and len(_FUZZY) < _REMEMBERED:
            _FUZZY[key] = hit
    if hit[0]:
        return hit[1]
    raise ValidationError({field: hit[1]})


@lru_cache(maxsize=50_000)
def name_keys(text: str) -> tuple[str, str]:
    """(pinyin, normalized) of a name's stripped, non-empty text: pinyin for Chinese names only."""
    return ((china_names.to_pinyin(text) if china_names.is_cjk(text) else "")[:600],
            china_names.normalize_name(text)[:300])


def name_derive(name: Name) -> Name:
    """Check a name (not empty, a known language and type) and fill its search keys."""
    name.text = (name.text or "").strip()
    if not name.text:
        raise ValidationError({"text": "a name cannot be empty"})
    choice_check("lang", name.lang, NAME_LANGS)
    choice_check("type", name.type, NAME_TYPE_CODES)
    instance_check(name, exclude={"pinyin", "normalized"})
    name.pinyin, name.normalized = name_keys(name.text)
    return name


@lru_cache(maxsize=50_000)
def _search_tokens(text: str) -> tuple[str, ...]:
    return tuple(china_text.search_tokens(text))


def entity_derived_fields(names: Sequence[tuple[str, str, str]], addresses: Iterable[str],
                          province_codes: Iterable[str]) -> dict[str, str]:
    """The computed fields of an entity from its parts: ``name_zh`` and ``name_en`` (the best-ranked
    name that is not a former one in each script, the first of equal rank winning), ``name``
    (English, else Chinese, else the first name), ``search_text`` (the tokens of its names and
    addresses, each once) and ``province_code`` (the first known one of its locations).

    ``names``: (text, lang, type) in the order they were recorded; ``addresses`` the locations'
    Chinese and English addresses; ``province_codes`` the locations' provinces, in order.
    """
    def best(langs: tuple[str, ...]) -> str:
        candidates = [(_NAME_RANK.get(kind, 9), index, text) for index, (text, lang, kind) in enumerate(names)
                      if lang in langs and kind != "former"]
        return min(candidates)[2] if candidates else ""

    name_zh = best(("zh-Hans",)) or best(("zh-Hant",))
    name_en = best(("en",)) or best(("other",))
    tokens: list[str] = []
    for text in [text for text, _lang, _type in names] + list(addresses):
        if text:
            tokens.extend(_search_tokens(text))
    return {"name": name_en or name_zh or names[0][0], "name_zh": name_zh, "name_en": name_en,
            "search_text": " ".join(dict.fromkeys(tokens)),
            "province_code": next((code for code in province_codes if code), "")}


def location_point_check(location) -> None:
    """The checks of :func:`location_derive` for a point, in its order and with its messages."""
    choice_check("crs", location.crs, CRS_CODES)
    choice_check("precision", location.precision, PRECISIONS)
    polygon_check(location.polygon)
    lng, lat = location.original_lng, location.original_lat
    if not (-180 <= lng <= 180) or not (-90 <= lat <= 90):
        raise ValidationError({"original_lat": f"({lng}, {lat}) is outside longitude −180…180 / latitude −90…90; "
                                               "check for swapped latitude and longitude"})


def location_derive(location: Location) -> Location:
    """Fill the derived fields of a location: the WGS-84 point (converted from the original
    system, which is kept), the polygon in WGS-84, and the division codes.

    A location without coordinates is placed at the centroid of its division, with the precision
    of that division and ``placed_at_centroid`` set: never at 0,0 and never silently exact.
    """
    choice_check("crs", location.crs, CRS_CODES)
    choice_check("precision", location.precision, PRECISIONS)
    polygon_check(location.polygon)
    lng, lat = location.original_lng, location.original_lat
    if lng is None and lat is None and location.polygon:
        # An outline without a point (a market, a park): the point is its centroid, in the same system.
        lng, lat = _polygon_centroid(location.polygon)
    if (lng is None) != (lat is None):
        raise ValidationError({"original_lat": "give both longitude and latitude, or neither"})
    if lng is not None:
        if not (-180 <= lng <= 180) or not (-90 <= lat <= 90):
            raise ValidationError({"original_lat": f"({lng}, {lat}) is outside longitude −180…180 / latitude −90…90; "
                                                   "check for swapped latitude and longitude"})
        location.lng, location.lat = (float(v) for v in china_coords.convert(lng, lat, location.crs, "WGS-84"))
        location.placed_at_centroid = False
    elif location.division_code:
        centroid = china_divisions.division_centroid(location.division_code)
        if centroid is None:
            raise ValidationError({"division_code": f"{location.division_code!r} is not a known GB/T 2260 division code"})
        location.lng, location.lat = (float(v) for v in centroid)
        location.placed_at_centroid = True
        significant = len(location.division_code.rstrip("0")) if location.division_code.rstrip("0") else 2
        finest = _CENTROID_PRECISION.get(significant + significant % 2, "district")
        if PRECISIONS.index(location.precision) < PRECISIONS.index(finest):
            location.precision = finest
    else:
        location.lng = location.lat = None
        location.placed_at_centroid = False
    if location.polygon:
        location.polygon_wgs84 = _polygon_to_wgs84(location.polygon, location.crs)
    else:
        location.polygon_wgs84 = None
    location.province_code = location.prefecture_code = location.county_code = ""
    if location.division_code:
        location.province_code, location.prefecture_code, location.county_code = division_chain(
            location.division_code)
    if location.lng is not None and not location.placed_at_centroid:
        found = china_divisions.locate(location.lng, location.lat)
        if found is not None:
            location.province_code = found.province_code
            location.prefecture_code = found.prefecture_code or ""
            location.county_code = found.county_code or location.county_code
    return location


def points_derive(locations: list) -> None:
    """:func:`location_derive` of point locations already checked by :func:`location_point_check`
    (a point, no outline), on arrays: one conversion per coordinate system and one point-in-division
    lookup for all (the arrays give exactly the scalar numbers)."""
    if not locations:
        return
    by_crs: dict[str, list] = defaultdict(list)
    for location in locations:
        by_crs[location.crs].append(location)
    for crs, group in by_crs.items():
        lngs = np.array([location.original_lng for location in group], dtype=float)
        lats = np.array([location.original_lat for location in group], dtype=float)
        wgs_lng, wgs_lat = china_coords.convert(lngs, lats, crs, "WGS-84")
        for location, lng, lat in zip(group, wgs_lng.tolist(), wgs_lat.tolist(), strict=True):
            location.lng, location.lat = lng, lat
    found_all = china_divisions.locate_many([location.lng for location in locations],
                                            [location.lat for location in locations])
    for location, found in zip(locations, found_all, strict=True):
        location.placed_at_centroid = False
        location.polygon_wgs84 = None
        location.province_code = location.prefecture_code = location.county_code = ""
        if location.division_code:
            location.province_code, location.prefecture_code, location.county_code = division_chain(
                location.division_code)
        if found is not None:
            location.province_code = found.province_code
            location.prefecture_code = found.prefecture_code or ""
            location.county_code = found.county_code or location.county_code


def division_chain(code: str) -> tuple[str, str, str]:
    """(province, prefecture, county) codes of a division, following the bundled hierarchy. As in
    :func:`observatory.china.divisions.locate`, a municipality (Beijing, Shanghai, ...) is its own
    prefecture, so city-level counts treat it as one city."""
    unit = china_divisions.division_by_code(code)
    chain = {}
    while unit is not None:
        chain[unit.level] = unit.code
        unit = china_divisions.division_by_code(unit.parent_code) if unit.parent_code else None
    province = chain.get("province", code[:2] + "0000")
    prefecture = chain.get("prefecture") or (province if chain.get("county") or chain.get("district") else "")
    county = chain.get("county") or chain.get("district") or ""
    return province, prefecture, county


def _polygon_centroid(polygon: Any) -> tuple[float, float]:
    from shapely.geometry import Polygon

    try:
        shape = Polygon(polygon[0], polygon[1:])
        point = shape.centroid if shape.is_valid and not shape.is_empty else shape.representative_point()
        return float(point.x), float(point.y)
    except (TypeError, ValueError, IndexError) as exc:
        raise ValidationError({"polygon": f"not a polygon ({exc}); give a list of rings of [lng, lat] pairs"}) from None


def _polygon_to_wgs84(polygon: Any, crs: str) -> list:
    if not isinstance(polygon, list) or not polygon:
        raise ValidationError({"polygon": "a polygon is a list of rings, each a list of [lng, lat] pairs"})
    rings = []
    for ring in polygon:
        if not isinstance(ring, list) or len(ring) < 3:
            raise ValidationError({"polygon": "each ring needs at least 3 [lng, lat] points"})
        converted = []
        for point in ring:
            if not (isinstance(point, list | tuple) and len(point) == 2):
                raise ValidationError({"polygon": f"{point!r} is not a [lng, lat] pair"})
            lng, lat = china_coords.convert(float(point[0]), float(point[1]), crs, "WGS-84")
            converted.append([round(float(lng), 7), round(float(lat), 7)])
        if converted[0] != converted[-1]:
            converted.append(list(converted[0]))  # close the ring (GeoJSON requires it)
        if len(converted) < 4:
            raise ValidationError({"polygon": "a closed ring needs at least 4 positions"})
        rings.append(converted)
    return rings


# Entity.full_clean(exclude=["name", "slug"], validate_unique=False, validate_constraints=False) on a
# dict: each field's clean() (to_python, validate, validators) unless blank and empty, then the
# model's clean() when Entity defines one.
_CLEANED_FIELDS = [f for f in Entity._meta.fields if f.name not in ("name", "slug") and not f.generated]
# Fields whose values repeat (choices, dates, flags, codes): their clean() is remembered by value.
_REPEATING = {f.attname for f in _CLEANED_FIELDS
              if f.choices or isinstance(f, DateField | BooleanField) or (getattr(f, "max_length", None) or 99) <= 10}
_ENTITY_DEFAULTS = {f.attname: f.get_default() for f in Entity._meta.concrete_fields}
_CLEAN: dict = {}


def _text_check(field):
    """For a text field whose validators are the default ones (length, NUL, and URLValidator for
    a URLField), a check that a value passes clean() unchanged; None for other fields. A value
    that fails the check goes through clean() itself, which names the error."""
    from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator, URLValidator

    from .importers.common import web_address_valid

    if field.choices or field.get_internal_type() not in ("CharField", "TextField", "SlugField", "URLField"):
        return None
    validators = field.validators
    if field.get_internal_type() == "SlugField" or not all(
            (type(v) is MaxLengthValidator and v.limit_value == field.max_length)
            or type(v) is ProhibitNullCharactersValidator
            or (type(v) is URLValidator and {"http", "https"} <= set(v.schemes) and v.max_length == 2048)
            for v in validators):
        return None
    limit = field.max_length
    url = any(type(v) is URLValidator for v in validators)

    def check(value) -> bool:
        return (value.__class__ is str and value != "" and (limit is None or len(value) <= limit)
                and "\x00" not in value and (not url or web_address_valid(value)))

    return check


@lru_cache(maxsize=1)
def _text_checks() -> dict:
    return {f.attname: _text_check(f) for f in _CLEANED_FIELDS}


def entity_values_clean(values: dict) -> None:
    """``Entity.full_clean`` (without name and slug, uniqueness and constraints, which the database
    keeps) on a dict of column values; the cleaned values replace the given ones, as clean_fields
    sets them on an instance."""
    errors = {}
    checks = _text_checks()
    for field in _CLEANED_FIELDS:
        name = field.attname
        raw = values.get(name, _ENTITY_DEFAULTS[name])
        if field.blank and raw in field.empty_values:
            continue
        if name in _REPEATING:
            try:
                key = (name, raw.__class__, raw)
                hit = _CLEAN.get(key)
            except TypeError:
                key, hit = None, None
            if hit is None:
                try:
                    hit = (True, field.clean(raw, None))
                except ValidationError as exc:
                    hit = (False, exc.error_list)
                if key is not None and len(_CLEAN) < _REMEMBERED:
                    _CLEAN[key] = hit
            if hit[0]:
                values[name] = hit[1]
            else:
                errors[field.name] = hit[1]
            continue
        check = checks[name]
        if check is not None and check(raw):
            continue  # clean() would give it back as it is
        try:
            values[name] = field.clean(raw, None)
        except ValidationError as exc:
            errors[field.name] = exc.error_list
    if errors:
        raise ValidationError(errors)
    if Entity.clean is not Model.clean:
        Entity(**{k: v for k, v in values.items() if k in _ENTITY_DEFAULTS}).clean()
