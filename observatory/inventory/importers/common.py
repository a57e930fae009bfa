"""The cleaning every importer shares: from the fields of one row to an entity document.

:func:`document_build` takes the values an importer found in a row (names, kind, website, dates,
coordinates, address, outline) and applies the cleaning of :mod:`.cleaning` in a fixed order,
recording a note for everything it repairs:

1. text repaired (mojibake, spaces); a row without any name is rejected;
2. coordinates parsed (decimal or degrees-minutes-seconds), checked for a latitude/longitude
   swap against the declared country and city, and kept in the source's coordinate system
   (``crs``): the Location keeps the original and derives the WGS-84 point;
3. telephone numbers and e-mail addresses removed from the address (it becomes a public
   Location; the raw record keeps the row), trailing commas dropped, and Chinese addresses read into province /
   prefecture / county codes;
4. no coordinates: the location is placed at the centroid of the finest division known (from the
   address, else the city), with that precision — never at 0,0; with no division either, the
   entity has no location and the note says so;
5. dates parsed with their precision (Excel serials, free text); an unreadable date is left
   empty with a note rather than rejecting the row;
6. an outline is repaired (ring closed) or the row rejected with the reason.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from observatory.china import names as china_names

from .base import RowRejected
from .cleaning import (
    CHINA_COUNTRIES,
    CleaningError,
    Note,
    address_divisions,
    contact_strip,
    coordinate_parse,
    date_parse,
    latlng_check_swap,
    polygon_repair,
    text_repair,
    website_normalize,
)

__all__ = ["document_build", "city_division", "name_lang", "web_address_valid"]

_URL = URLValidator(schemes=["http", "https"])


@lru_cache(maxsize=4096)
def web_address_valid(site: str) -> bool:
    """Whether Django's URLValidator accepts ``site`` as an http(s) address (remembered: the bulk
    import checks the entity's website again, as the model field's validator)."""
    try:
        _URL(site)
    except ValidationError:
        return False
    return True


def name_lang(text: str) -> str:
    """``zh-Hans`` / ``zh-Hant`` for Chinese text (traditional when conversion changes it), else ``en``."""
    if not china_names.is_cjk(text):
        return "en"
    return "zh-Hant" if china_names.to_simplified(text) != text else "zh-Hans"


@lru_cache(maxsize=4096)  # a file names few cities, on every row
def city_division(city: str, country: str = "") -> tuple[str | None, tuple[float, float] | None]:
    """The GB/T 2260 code and centroid of a Chinese city named in a directory ("Shenzhen, Guangdong",
    "ShenZhen", "深圳"), when exactly one prefecture or province-level unit has that name."""
    if not city or (country and country.strip().casefold() not in CHINA_COUNTRIES):
        return None, None
    from observatory.china import divisions

    for part in [city, *city.replace("，", ",").split(",")]:
        part = part.strip()
        if not part:
            continue
        units = [u for u in divisions.search_division(part) if u.level in ("province", "prefecture")]
        if not units:
            units = [u for u in divisions.search_division(part.replace(" ", "")) if u.level in ("province", "prefecture")]
        prefectures = [u for u in units if u.level == "prefecture"]
        pick = prefectures if len(prefectures) == 1 else units if len(units) == 1 else []
        if pick:
            return pick[0].code, pick[0].centroid
    return None, None


def _dedupe_names(names: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    seen, kept = set(), []
    for text, lang, kind in names:
        key = china_names.normalize_name(text)
        if not key or (key, lang) in seen:
            continue
        seen.add((key, lang))
        kept.append((text, lang, kind))
    return kept


def document_build(importer, raw, *, names: list[tuple[str, str | None, str]], kind: str, notes: list[Note],
                   website: Any = "", founded: Any = None, closed: Any = None, lat: Any = None, lng: Any = None,
                   crs: str | None = None, country: str = "", city: str = "", address: str = "",
                   polygon: Any = None, precision: str = "exact", statuses: list[dict] | None = None,
                   day_first: bool = True) -> dict:
    """The entity document of one row (see the module docstring for the order of cleaning)."""
    ref = importer.ref(raw)
    crs = crs or importer.source.crs
    clean_names: list[tuple[str, str, str]] = []
    for index, (text, lang, name_type) in enumerate(names):
        fixed, note = text_repair(text, field=f"name[{index}]")
        if note:
            notes.append(note)
        if fixed:
            clean_names.append((fixed[:300], lang or name_lang(fixed), name_type))
    clean_names = _dedupe_names(clean_names)
    if not clean_names:
        raise RowRejected("name", names[0][0] if names else "", "the row has no name")
    field_sources = {"name": ref, "kind": ref}
    document: dict[str, Any] = {
        "kind": kind,
        "names": [{"text": t, "lang": lang, "type": nt, "source": ref} for t, lang, nt in clean_names],
        "sources": [ref],
        "field_sources": field_sources,
    }
    site = website_normalize(text_repair(website)[0] if isinstance(website, str) else "")
    if site and not web_address_valid(site):
        site = ""
    if website and not site:
        notes.append(Note("website", str(website)[:200], "not a web address; left empty"))
    if site:
        document["website"] = site
        field_sources["website"] = ref
    for label, value in (("founded", founded), ("closed", closed)):
        if value in (None, ""):
            continue
        try:
            date, date_precision, note = date_parse(value, field=label, day_first=day_first)
        except CleaningError as exc:
            notes.append(Note(label, str(value)[:100], f"left empty: {exc}"))
            continue
        if note:
            notes.append(note)
        if date is not None:
            document[label] = _fuzzy_text(date, date_precision)
            field_sources[label] = ref
    if "founded" in document and "closed" in document and document["closed"] < document["founded"]:
        notes.append(Note("closed", document["closed"], "before the founding date; left empty"))
        del document["closed"]
    if statuses:
        document["statuses"] = statuses

    location = _location_build(raw, ref=ref, notes=notes, lat=lat, lng=lng, crs=crs, country=country, city=city,
                               address=address, polygon=polygon, precision=precision)
    if location is not None:
        document["locations"] = [location]
        field_sources["location"] = ref
    return document


def _fuzzy_text(date, precision: str) -> str:
    from observatory.inventory.dates import format_fuzzy_date

    return format_fuzzy_date(date, precision)


def _location_build(raw, *, ref: str, notes: list[Note], lat, lng, crs: str, country: str, city: str, address: str,
                    polygon, precision: str) -> dict | None:
    location: dict[str, Any] = {"crs": crs, "precision": precision, "source": ref}
    address_text, note = text_repair(address, field="address")
    if note:
        notes.append(note)
    address_text, note = contact_strip(address_text, field="address")
    if note:
        notes.append(note)
    # The separators an empty last field leaves at the end (the ananse CSV's "20 Jian Xiong Road, ").
    address_text = address_text.rstrip(" ,，")
    if address_text:
        if china_names.is_cjk(address_text):
            location["address_zh"] = address_text[:500]
        else:
            location["address_en"] = address_text[:500]
    if polygon is not None:
        try:
            rings, note = polygon_repair(polygon)
        except CleaningError as exc:
            raise RowRejected("geometry", str(polygon)[:200], str(exc)) from None
        if note:
            notes.append(note)
        location["polygon"] = rings
    lat_value = lng_value = None
    try:
        lat_value, lat_note = coordinate_parse(lat, axis="lat", field="lat")
        lng_value, lng_note = coordinate_parse(lng, axis="lng", field="lng")
        notes.extend(n for n in (lat_note, lng_note) if n)
    except CleaningError as exc:
        notes.append(Note("lat/lng", f"{lat}, {lng}"[:200], f"coordinates left empty: {exc}"))
        lat_value = lng_value = None
    if (lat_value is None) != (lng_value is None):
        notes.append(Note("lat/lng", f"{lat}, {lng}", "only one coordinate given; left empty"))
        lat_value = lng_value = None
    division = None
    if address_text and china_names.is_cjk(address_text):
        division, _level = address_divisions(address_text)
        if division:
            notes.append(Note("address", address_text[:200], f"division {division} read from the address"))
    city_code, city_point = city_division(city, country) if (city or country) else (None, None)
    if lat_value is not None:
        try:
            lat_value, lng_value, note = latlng_check_swap(lat_value, lng_value, country=country, near=city_point)
        except CleaningError as exc:
            notes.append(Note("lat/lng", f"{lat}, {lng}", f"coordinates left empty: {exc}"))
            lat_value = lng_value = None
        else:
            if note:
                notes.append(note)
    if lat_value is not None:
        location["lat"], location["lng"] = lat_value, lng_value
        if division:
            location["division"] = division
        return location
    if "polygon" in location:
        if division or city_code:
            location["division"] = division or city_code
        return location
    division = division or city_code
    if division:
        location["division"] = division
        notes.append(Note("lat/lng", "", f"no coordinates: placed at the centroid of division {division}"))
        return location
    if address_text:
        notes.append(Note("lat/lng", "", "no coordinates and no known division: no location (the address stays "
                                         "in the source record)"))
        return None
    notes.append(Note("lat/lng", "", "no coordinates and no known division: no location"))
    return None
