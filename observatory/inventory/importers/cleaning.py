"""Cleaning of raw directory values, one small parser per defect found in real files.

Every parser takes a raw value and returns the clean value with a note of what it did, or raises
:class:`CleaningError` whose message names the value and the accepted forms. None of them guesses
silently: a repaired value always comes with a :class:`Note` that ends up in the import report.

The defects handled are the ones found in ``../shared/data/raw`` (see each PROVENANCE.md): text in
cp1252 or UTF-8 read as cp1252 (mojibake, repaired with ftfy), coordinates as
degrees-minutes-seconds strings whose degree sign was lost (``39 59'49"``), latitude and
longitude swapped, Excel serial dates next to years in the same column, free-text dates, Chinese
addresses, unclosed polygon rings, and telephone numbers and e-mail addresses written into address
fields (personal data that must not reach a public location).

No Django here: these are plain functions, property-tested with hypothesis.
"""

from __future__ import annotations

import codecs
import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "CleaningError",
    "Note",
    "address_divisions",
    "contact_strip",
    "coordinate_parse",
    "date_parse",
    "decode_bytes",
    "excel_serial_to_date",
    "latlng_check_swap",
    "polygon_repair",
    "text_repair",
    "website_normalize",
]


class CleaningError(ValueError):
    """A value that cannot be cleaned; the message names the value and the accepted forms."""


@dataclass(frozen=True)
class Note:
    """What cleaning did to one field of one row (for the per-row report)."""

    field: str
    value: str
    action: str

    def as_dict(self) -> dict:
        return {"field": self.field, "value": self.value, "action": self.action}


# --------------------------------------------------------------------------------------------
# Encodings


def decode_bytes(data: bytes, *, encoding: str = "utf-8") -> tuple[str, str]:
    """Decode a file: the declared encoding first, then UTF-8, then cp1252; never fails.

    Returns (text, encoding used). cp1252 leaves five bytes undefined (0x81, 0x8D, 0x8F, 0x90,
    0x9D); they are decoded as the C1 control they stand for in latin-1, so that the
    UTF-8-read-as-cp1252 mojibake they belong to can still be repaired by :func:`text_repair`.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8"
    for candidate in dict.fromkeys([encoding, "utf-8"]):
        try:
            return data.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("cp1252", errors="ftfy_latin1_fallback"), "cp1252"


def _latin1_fallback(error: UnicodeDecodeError):
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("ftfy_latin1_fallback", _latin1_fallback)

_MOJIBAKE_HINT = re.compile("[ÃÂâ€æåäçéèï][\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]")


# Text written as the literal escapes of its UTF-8 bytes ('\\xe6\\x88\\x90' for 成, the addresses of the
# hackerspaces.org rows of the ananse CSV): two or more escapes in a row.
_ESCAPED_UTF8 = re.compile(r"(?:\\x[0-9a-fA-F]{2}){2,}")

# What makes text_repair do more than strip: a mojibake hint, a replacement character, a control
# character (category Cc: U+0000-U+001F, U+007F-U+009F), a tab or line break, two spaces, or
# escaped UTF-8 bytes.
_NEEDS_REPAIR = re.compile(_MOJIBAKE_HINT.pattern + "|[\x00-\x1f\x7f-\x9f\ufffd]|  |" + _ESCAPED_UTF8.pattern)


def _escapes_decode(match: re.Match) -> str:
    """A run of escaped bytes read back as UTF-8; left as written unless it decodes to non-ASCII text."""
    try:
        text = bytes.fromhex(match.group(0).replace("\\x", "")).decode("utf-8")
    except UnicodeDecodeError:
        return match.group(0)
    return text if not text.isascii() else match.group(0)


def text_repair(value: object, *, field: str = "") -> tuple[str, Note | None]:
    """Clean one text value: decode escaped UTF-8 bytes, repair mojibake (ftfy), normalise to NFC,
    collapse spaces.

    >>> text_repair("FabLab MÃ¼nchen")[0]
    'FabLab München'
    >>> text_repair("\\\\xe6\\\\x88\\\\x90\\\\xe9\\\\x83\\\\xbd, Chengdu")[0]
    '成都, Chengdu'
    """
    if value is None:
        return "", None
    text = value if isinstance(value, str) else str(value)
    if not _NEEDS_REPAIR.search(text) and unicodedata.is_normalized("NFC", text):
        # Nothing below would change it but the final strip (and then there is no note).
        return text.strip(), None
    original = text
    text = _ESCAPED_UTF8.sub(_escapes_decode, text)
    if _MOJIBAKE_HINT.search(text) or "\ufffd" in text or any("\x80" <= ch <= "\x9f" for ch in text):
        import ftfy

        text = ftfy.fix_text(text, normalization="NFC")
    text = "".join(ch if unicodedata.category(ch) != "Cc" or ch in "\n\t\r" else " " for ch in text)
    text = re.sub(r"[ \t\r\n]+", " ", unicodedata.normalize("NFC", text)).strip()
    if text != original.strip() and re.sub(r"\s+", " ", original).strip() != text:
        return text, Note(field, original[:200], f"text repaired to {text[:200]!r}")
    return text, None


# --------------------------------------------------------------------------------------------
# Contact data in free text

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A label that announces a contact: 联系电话 13812345678, Tel: +44 20 7946 0958, 邮箱 a@b.cn.
_CONTACT_LABEL = (r"(?:联系(?:人|电话|方式)?|(?:固定|办公)?电话|手机(?:号码?)?|座机|传真|热线|邮箱|电邮|e-?mail|"
                  r"tel(?:ephone)?|phone|mobile|fax|hotline|contact)")
# The number after a label: digits with the separators people write (at least six digits).
_LABELLED_NUMBER = re.compile(_CONTACT_LABEL + r"\s*[:：.]?\s*(?P<number>\+?[\d(（][\d\s()（）.\-/]{4,}\d)(?!\d)",
                              re.IGNORECASE)
# Numbers that are telephone numbers without a label: a Chinese mobile (1[3-9]x xxxx xxxx), a
# number with a Chinese area code (0755-8888 8888), a 400/800 service line, or an international
# number written with its + (+86 755 8888 8888). A house number or a postcode (six digits) is none
# of these.
_PHONE = re.compile(
    r"(?<![\d\w])(?:"
    r"(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}"
    r"|(?:\+?86[\s-]?)?[(（]?0\d{2,3}[)）]?[\s-]?\d{3,4}[\s-]?\d{4}"
    r"|[48]00[\s-]?\d{3}[\s-]?\d{4}"
    r"|\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){2,4}"
    r")(?!\d)"
)
# A label left without its number ("电话/传真：0755..." loses the number after 传真 first).
_ORPHAN_LABEL = re.compile(r"(?:^|(?<=[\s,，;；、(（/|]))" + _CONTACT_LABEL + r"\s*[:：]?(?=\s*(?:$|[,，;；、)）/|]))",
                           re.IGNORECASE)
_LEFTOVER = re.compile(r"[\s,，;；、:：|/]*[(（]\s*[)）]|[\s,，;；、:：|/]+$|^[\s,，;；、:：|/]+"
                       r"|(?<=[,，;；、|/])(?:\s*[,，;；、|/])+")


def contact_strip(value: str, *, field: str = "") -> tuple[str, Note | None]:
    """The text without telephone numbers and e-mail addresses (and the labels that announced them).

    Directories write contacts into address fields; an address becomes a public Location, so
    the contacts are removed (the raw record, which is never published, keeps the row). The note
    names what was removed, not the values.

    >>> contact_strip("深圳市南山区科技园 联系电话 13812345678 foo@example.com")[0]
    '深圳市南山区科技园'
    >>> contact_strip("Room 1002, 518000 Shenzhen")[0]
    'Room 1002, 518000 Shenzhen'
    """
    if not value:
        return value, None
    removed = []
    text = value
    for kind, pattern in (("e-mail address", _EMAIL), ("telephone number", _LABELLED_NUMBER),
                          ("telephone number", _PHONE)):
        def removal(match: re.Match, kind=kind, labelled=pattern is _LABELLED_NUMBER) -> str:
            found = match.group(0)
            digits = sum(ch.isdigit() for ch in found)
            # "+39-98100" (a postcode after a country prefix) is too short for an international
            # number; "Tel 12-34" for any
            if (found.startswith("+") and digits < 9) or (labelled and digits < 6):
                return found
            if kind not in removed:
                removed.append(kind)
            return " "

        text = pattern.sub(removal, text)
    if not removed:
        return value, None
    previous = None
    while previous != text:
        previous = text
        text = re.sub(r"\s+", " ", _LEFTOVER.sub("", _ORPHAN_LABEL.sub(" ", text))).strip()
    return text, Note(field, "", f"personal contact data removed ({' and '.join(removed)})")


# --------------------------------------------------------------------------------------------
# Coordinates

# 39 59'49"  /  39°59'49"N  /  4_ 37' 52"  (degree sign lost)  /  -74° 3.5'  /  N 39 59 49
_DMS = re.compile(
    r"""^\s*(?P<h1>[NSEW])?\s*(?P<sign>[-+−])?\s*(?P<deg>\d{1,3}(?:\.\d+)?)\s*(?:[°º˚_d:]|\s)\s*
        (?:(?P<min>\d{1,2}(?:\.\d+)?)\s*(?:['’′m:]|\s)\s*
           (?:(?P<sec>\d{1,2}(?:\.\d+)?)\s*(?:["”″s]|''|’’)?)?)?\s*(?P<h2>[NSEW])?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_DECIMAL = re.compile(r"^\s*[-+−]?\s*\d{1,3}(?:[.,]\d+)?\s*°?\s*$")


def coordinate_parse(value: object, *, axis: str, field: str = "") -> tuple[float | None, Note | None]:
    """A latitude or longitude from a number, a decimal string or a degrees-minutes-seconds string.

    ``axis`` is ``"lat"`` or ``"lng"``; a hemisphere letter (N/S/E/W) must agree with it. The
    range is checked later, together with the other coordinate (see :func:`latlng_check_swap`),
    so that a swapped pair can be recognised.

    >>> coordinate_parse("39 59'49\\"", axis="lat")[0]
    39.99694444444444
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        raise CleaningError(f"{value!r} is not a coordinate")
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            raise CleaningError(f"{value!r} is not a finite number")
        return number, None
    text = unicodedata.normalize("NFKC", str(value).replace("º", "°")).strip().replace("−", "-")
    if _DECIMAL.match(text):
        number = float(text.replace(",", ".").replace("°", "").replace(" ", ""))
        return number, None
    match = _DMS.match(text)
    if not match or (match["min"] is None and match["h1"] is None and match["h2"] is None):
        raise CleaningError(
            f"{value!r} is not a coordinate; accepted forms: decimal degrees (39.9969), degrees-minutes-seconds "
            "(39°59'49\"N, 39 59'49\")"
        )
    hemisphere = (match["h1"] or match["h2"] or "").upper()
    if match["h1"] and match["h2"]:
        raise CleaningError(f"{value!r} gives two hemisphere letters")
    if hemisphere and (hemisphere in "NS") != (axis == "lat"):
        raise CleaningError(f"{value!r}: hemisphere {hemisphere} does not fit a {'latitude' if axis == 'lat' else 'longitude'}")
    minutes = float(match["min"] or 0)
    seconds = float(match["sec"] or 0)
    if minutes >= 60 or seconds >= 60:
        raise CleaningError(f"{value!r}: minutes and seconds must be below 60")
    number = float(match["deg"]) + minutes / 60 + seconds / 3600
    if match["sign"] in ("-", "−") or hemisphere in ("S", "W"):
        number = -number
    return number, Note(field, str(value), f"degrees-minutes-seconds read as {number:.6f}")


# Bounding boxes (lng_min, lat_min, lng_max, lat_max) of the countries and territories the swap
# check needs most; generous on purpose: the check only asks which of two readings fits.
COUNTRY_BOXES: dict[str, tuple[float, float, float, float]] = {
    "china": (73.4, 18.1, 135.1, 53.6),
    "hong kong": (113.8, 22.1, 114.5, 22.6),
    "macao": (113.5, 22.1, 113.7, 22.3),
    "macau": (113.5, 22.1, 113.7, 22.3),
    "taiwan": (119.3, 21.8, 122.1, 25.4),
    "japan": (122.9, 24.0, 146.0, 45.6),
    "south korea": (124.6, 33.0, 131.9, 38.7),
    "korea": (124.6, 33.0, 131.9, 38.7),
    "india": (68.1, 6.5, 97.4, 35.7),
    "united states": (-179.2, 18.9, -66.9, 71.4),
    "usa": (-179.2, 18.9, -66.9, 71.4),
    "united kingdom": (-8.7, 49.8, 1.8, 60.9),
    "uk": (-8.7, 49.8, 1.8, 60.9),
    "germany": (5.8, 47.2, 15.1, 55.1),
    "france": (-5.2, 41.3, 9.6, 51.1),
    "brazil": (-74.0, -33.8, -34.7, 5.3),
    "australia": (112.9, -43.7, 153.7, -10.6),
    "singapore": (103.6, 1.2, 104.1, 1.5),
}
CHINA_COUNTRIES = ("china", "hong kong", "macao", "macau", "taiwan", "中国", "prc", "people's republic of china")


def _in_box(lng: float, lat: float, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= lng <= box[2] and box[1] <= lat <= box[3]


def latlng_check_swap(lat: float, lng: float, *, country: str = "", near: tuple[float, float] | None = None,
                      field: str = "lat/long") -> tuple[float, float, Note | None]:
    """Check a (lat, lng) pair for the swap of latitude and longitude; returns (lat, lng, note).

    Swapped when the latitude is outside −90…90 and the longitude inside it; or, for a declared
    country with a known box, when only the swapped reading falls in it; or, given ``near`` (the
    (lng, lat) of the declared city), when the swapped reading is much closer to it. Raises
    :class:`CleaningError` when neither reading is a valid position.
    """
    def valid(a: float, b: float) -> bool:
        return -90 <= a <= 90 and -180 <= b <= 180

    note = None
    if not valid(lat, lng):
        if valid(lng, lat):
            return lng, lat, Note(field, f"{lat}, {lng}", "latitude and longitude swapped (latitude outside −90…90)")
        raise CleaningError(f"({lat}, {lng}) is outside latitude −90…90 / longitude −180…180 in either order")
    if lat == 0 and lng == 0:
        raise CleaningError("0, 0 is a placeholder, not a position (null island)")
    box = COUNTRY_BOXES.get((country or "").strip().casefold())
    if box is not None and not _in_box(lng, lat, box) and _in_box(lat, lng, box) and valid(lng, lat):
        return lng, lat, Note(field, f"{lat}, {lng}", f"latitude and longitude swapped (only the swapped pair lies in {country})")
    if near is not None and valid(lng, lat):
        as_given = _distance_deg(lng, lat, *near)
        swapped = _distance_deg(lat, lng, *near)
        if swapped < 1.0 and as_given > 5 * max(swapped, 0.2):
            return lng, lat, Note(field, f"{lat}, {lng}", "latitude and longitude swapped (the swapped pair is at the declared city)")
    return lat, lng, note


def _distance_deg(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    return math.hypot((lng1 - lng2) * math.cos(math.radians((lat1 + lat2) / 2)), lat1 - lat2)


# --------------------------------------------------------------------------------------------
# Dates

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's 1900 system, including its phantom 1900-02-29
# Serial numbers accepted as dates: 1950-01-01 … 2049-12-31 (directories of the maker movement).
EXCEL_SERIAL_RANGE = (18264, 54789)
_MONTHS = {
    name: index
    for index, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
         ("nov", "november"), ("dec", "december")], start=1)
    for name in names
}
_MONTH_RE = "(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
DATE_FORMS = ("YYYY, YYYY-MM, YYYY-MM-DD, DD/MM/YYYY, DD-Mon-YY, 'March 2012', '2012年3月', 'circa 2010' "
              "or an Excel serial number")


def excel_serial_to_date(serial: float) -> dt.date:
    """Excel 1900-system serial number → date (the fraction, a time of day, is dropped).

    >>> excel_serial_to_date(40752)
    datetime.date(2011, 7, 28)
    """
    if not (EXCEL_SERIAL_RANGE[0] <= serial <= EXCEL_SERIAL_RANGE[1]):
        raise CleaningError(f"{serial!r} is outside the Excel serial numbers accepted as dates "
                            f"({EXCEL_SERIAL_RANGE[0]}…{EXCEL_SERIAL_RANGE[1]}, 1950–2049)")
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _year_ok(year: int) -> int:
    if not 1800 <= year <= 2100:
        raise CleaningError(f"year {year} is outside 1800–2100")
    return year


def date_parse(value: object, *, field: str = "", day_first: bool = True) -> tuple[dt.date | None, str, Note | None]:
    """A date with its precision (``day``, ``month``, ``year``, ``circa``) from what directories write.

    Years (``2011``) stay years; integers and decimals that can only be Excel serial numbers
    become days; ``01/09/2011`` is read day first (UK and most directories; ``day_first=False``
    for US files); ``11-Jan-15``, ``March 2012``, ``2012年3月``, ``circa 2010``, ISO forms.

    >>> date_parse("40752")[:2]
    (datetime.date(2011, 7, 28), 'day')
    >>> date_parse(2006)[:2]
    (datetime.date(2006, 1, 1), 'year')
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, "", None
    if isinstance(value, bool):
        raise CleaningError(f"{value!r} is not a date; accepted forms: {DATE_FORMS}")
    if isinstance(value, dt.datetime):
        return value.date(), "day", None
    if isinstance(value, dt.date):
        return value, "day", None
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise CleaningError(f"{value!r} is not a date; accepted forms: {DATE_FORMS}")
        if float(value).is_integer() and 1800 <= value <= 2100:
            return dt.date(int(value), 1, 1), "year", None
        date = excel_serial_to_date(float(value))
        return date, "day", Note(field, str(value), f"Excel serial date read as {date.isoformat()}")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return date_parse(float(text) if "." in text else int(text), field=field)
    try:
        return _date_text(text, day_first=day_first) + (None,)
    except ValueError as exc:
        if isinstance(exc, CleaningError):
            raise
        raise CleaningError(f"{value!r} is not a valid date ({exc}); accepted forms: {DATE_FORMS}") from None


def _date_text(text: str, *, day_first: bool) -> tuple[dt.date, str]:
    lowered = text.casefold()
    match = re.fullmatch(r"(?:circa|ca\.?|c\.|about|~|约)\s*(\d{4})\s*(?:年)?", lowered)
    if match:
        return dt.date(_year_ok(int(match[1])), 1, 1), "circa"
    match = re.fullmatch(r"(\d{4})(?:\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?|\s*年)?", lowered)
    if match:
        year, month, day = int(match[1]), match[2], match[3]
        date = dt.date(_year_ok(year), int(month or 1), int(day or 1))
        return date, "day" if day else "month" if month else "year"
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?(?:[t ][\d:.]+z?)?", lowered)
    if match:
        date = dt.date(_year_ok(int(match[1])), int(match[2]), int(match[3] or 1))
        return date, "day" if match[3] else "month"
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})", lowered)
    if match:
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        year = year + (2000 if year < 50 else 1900) if len(match[3]) == 2 else year
        day, month = (first, second) if day_first else (second, first)
        return dt.date(_year_ok(year), month, day), "day"
    match = re.fullmatch(r"(\d{1,2})[-\s]" + _MONTH_RE + r"[-\s,]*(\d{4}|\d{2})", lowered)
    if match:
        year = int(match[3])
        year = year + (2000 if year < 50 else 1900) if len(match[3]) == 2 else year
        return dt.date(_year_ok(year), _MONTHS[match["mon"]], int(match[1])), "day"
    match = re.fullmatch(_MONTH_RE + r"\s+(?:(\d{1,2}),?\s+)?(\d{4})", lowered)
    if match:
        day = match[2]
        date = dt.date(_year_ok(int(match[3])), _MONTHS[match["mon"]], int(day or 1))
        return date, "day" if day else "month"
    raise CleaningError(f"{text!r} is not a date; accepted forms: {DATE_FORMS}")


# --------------------------------------------------------------------------------------------
# Addresses and divisions


def address_divisions(address: str) -> tuple[str | None, str]:
    """The GB/T 2260 code of the finest unit read at the start of a Chinese address, and its level
    (``county``, ``prefecture``, ``province``); (None, "") when none is read or it is ambiguous.

    >>> address_divisions("深圳市福田区华强北路1002号")
    ('440304', 'county')
    """
    if not isinstance(address, str) or not address.strip():
        return None, ""
    return _address_divisions(address)


@lru_cache(maxsize=20_000)  # directories repeat addresses (a branch, a building of several spaces)
def _address_divisions(address: str) -> tuple[str | None, str]:
    from observatory.china.addresses import parse_address

    parsed = parse_address(address)
    for level in ("county", "prefecture", "province"):
        code = getattr(parsed, f"{level}_code")
        if code:
            return code, level
    return None, ""


# --------------------------------------------------------------------------------------------
# Polygons


def polygon_repair(coordinates: object, *, field: str = "geometry") -> tuple[list, Note | None]:
    """A GeoJSON Polygon's rings as lists of [lng, lat], each ring closed; raises
    :class:`CleaningError` naming the defect when the polygon cannot be repaired.

    An unclosed ring (first position ≠ last) is closed, with a note. Fewer than three distinct
    positions, positions that are not two finite numbers, or a self-intersecting ring are
    rejected (a self-intersection is not repaired: which outline was meant cannot be known).
    """
    if not isinstance(coordinates, list) or not coordinates:
        raise CleaningError("a Polygon needs a list of rings, each a list of [lng, lat] positions")
    rings, notes = [], []
    if all(isinstance(p, list | tuple) and len(p) >= 2 and all(isinstance(v, int | float) for v in p[:2])
           for p in coordinates):
        # One ring written without the enclosing list of rings (szmakermap's Mintong Digital City).
        coordinates = [list(coordinates)]
        notes.append("a bare ring of positions read as the outer ring")
    for index, ring in enumerate(coordinates):
        if not isinstance(ring, list):
            raise CleaningError(f"ring {index} is not a list of positions")
        points = []
        for position in ring:
            if (not isinstance(position, list | tuple) or len(position) < 2
                    or not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                               for v in position[:2])):
                raise CleaningError(f"ring {index}: {position!r} is not a [lng, lat] position")
            points.append([float(position[0]), float(position[1])])
        if len({tuple(p) for p in points}) < 3:
            raise CleaningError(f"ring {index} has fewer than 3 distinct positions")
        if points[0] != points[-1]:
            points.append(list(points[0]))
            notes.append(f"ring {index} closed (first position repeated at the end)")
        rings.append(points)
    from shapely.geometry import Polygon
    from shapely.validation import explain_validity

    shape = Polygon(rings[0], rings[1:])
    if not shape.is_valid:
        raise CleaningError(f"invalid polygon: {explain_validity(shape)}")
    return rings, (Note(field, f"{len(rings)} ring(s)", "; ".join(notes)) if notes else None)


def website_normalize(value: object) -> str:
    """A URL with a scheme (``www.songhai.org`` → ``http://www.songhai.org``), or "" if it is not one."""
    if not isinstance(value, str):
        return ""
    text = value.strip().split()[0] if value.strip() else ""
    if not text or "@" in text.split("/")[0]:
        return ""
    if not re.match(r"^https?://", text, re.IGNORECASE):
        text = "http://" + text
    host = re.match(r"^https?://([^/?#]+)", text, re.IGNORECASE)
    if not host or "." not in host[1] or not re.fullmatch(r"[A-Za-z0-9.\-:]+", host[1]):
        return ""
    return text[:500]


def website_domain(url: str) -> str:
    """The registrable-ish host of a URL for blocking: ``http://www.Chaihuo.org/x`` → ``chaihuo.org``."""
    match = re.match(r"^(?:[a-z]+://)?([^/?#:]+)", (url or "").strip().casefold())
    if not match:
        return ""
    host = match[1]
    for prefix in ("www.", "m.", "en."):
        if host.startswith(prefix):
            host = host[len(prefix):]
    return host if "." in host else ""
