"""Build data/china/entities/directories.yaml from three raw directories, with hand-made merges.

Run from the repository root:  .venv/bin/python data/china/tools/build_directories.py
It reads ../shared/data/raw/{ananse-atlas-innovation-spaces,szmakermap,hackerspaces-wiki-chgrp}
(see their PROVENANCE.md). Every entity below is written by hand (kind, ids, merges, notes); the
script only pulls the values (names, coordinates, addresses, dates, statuses) out of the cited rows
so that what is written is what the source says, and prints the counts for PROVENANCE-directories.md.

It never writes e-mail addresses, phone numbers, personal names, WeChat IDs or contact fields.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import sys
from collections import Counter
from pathlib import Path

import openpyxl
import yaml

ROOT = Path(__file__).resolve().parents[3]
RAW = ROOT.parent / "shared" / "data" / "raw"
OUT = ROOT / "data" / "china" / "entities" / "directories.yaml"

# ---------------------------------------------------------------- raw sources


def read_ananse():
    raw = (
        (RAW / "ananse-atlas-innovation-spaces" / "new_spaces.csv")
        .read_bytes()
        .decode("cp1252", errors="replace")
    )
    rows = list(csv.reader(io.StringIO(raw)))
    hdr = rows[0]
    return [dict(zip(hdr, r, strict=False)) for r in rows[1:]]


def read_aliases():
    wb = openpyxl.load_workbook(
        RAW / "ananse-atlas-innovation-spaces" / "new_spaces_aliases.xlsx", read_only=True
    )
    it = wb.active.iter_rows(values_only=True)
    hdr = next(it)
    return [dict(zip(hdr, r, strict=False)) for r in it]


ANANSE = read_ananse()
ALIASES = read_aliases()
SZ = json.loads((RAW / "szmakermap" / "list.json").read_text("utf-8"))
HS = json.loads(
    (RAW / "hackerspaces-wiki-chgrp" / "hackerspaces_exchanges_residencies.geojson").read_text("utf-8")
)["features"]

CHINA_ROWS = [
    i for i, r in enumerate(ANANSE) if r["Country"].strip().lower() in ("china", "taiwan", "hong kong")
]
CHINA_ALIAS_ROWS = [
    i
    for i, r in enumerate(ALIASES)
    if r["Country"] and str(r["Country"]).strip().lower() in ("china", "taiwan", "hong kong")
]
HS_ROWS = [31, 103, 145, 157, 164, 173]  # the China / Hong Kong / Taiwan features (checked by hand)


def fix_mojibake(s: str) -> str:
    """UTF-8 bytes that were read as cp1252 (the xlsx alias columns): read them back as UTF-8."""
    b = bytearray()
    for ch in s:
        try:
            b += ch.encode("cp1252")
        except UnicodeEncodeError:
            b += bytes([ord(ch)])
    return b.decode("utf-8")


def unescape_hex(s: str) -> str:
    r"""Addresses the hackerspaces.org export wrote as literal '\xe5\x8c\x97' escapes of UTF-8."""
    if "\\x" not in s:
        return s
    return codecs.decode(s, "unicode_escape").encode("latin-1").decode("utf-8")


def excel_date(serial: str) -> tuple[str, bool]:
    """Excel serial day number -> (ISO date, is_first_of_month)."""
    d = dt.date(1899, 12, 30) + dt.timedelta(days=int(serial))
    return d.isoformat(), d.day == 1


DMS = re.compile(r"^\s*(\d+)\s+(\d+)'(\d+)\"\s*$")


def dms(s: str) -> float:
    m = DMS.match(s)
    d, mi, se = (int(x) for x in m.groups())
    return round(d + mi / 60 + se / 3600, 6)


# ---------------------------------------------------------------- bookkeeping

A = "ananse2016#row:{}"
AX = "ananse2016-aliases#row:{}"
SZK = "szmakermap2017#feature:{}"
HSK = "hackerspaces-chgrp2015#feature:{}"

used_ananse: set[int] = set()
used_alias: set[int] = set()
used_sz: set[int] = set()
used_hs: set[int] = set()
REJECTED: dict[int, str] = {}
CLEANING: list[str] = []  # what was cleaned, for PROVENANCE
ENTITIES: list[dict] = []


def cite(ref: str) -> str:
    key, _, loc = ref.partition("#")
    if key not in ("ananse2016", "ananse2016-aliases", "szmakermap2017", "hackerspaces-chgrp2015"):
        return ref  # a publication or page of sources.yaml, cited as written
    n = int(loc.split(":")[1])
    {
        "ananse2016": used_ananse,
        "ananse2016-aliases": used_alias,
        "szmakermap2017": used_sz,
        "hackerspaces-chgrp2015": used_hs,
    }[key].add(n)
    return ref


def name(text, lang, typ, source, valid_to=None):
    n = {"text": text, "lang": lang, "type": typ, "source": cite(source)}
    if valid_to:
        n["valid_to"] = valid_to
    return n


def clean_addr(s: str) -> str:
    s = unescape_hex(s).replace("\r", " ").replace("\n", " ")
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"(,\s*)+$", "", s).strip()
    return s


HAS_HAN = re.compile(r"[\u4e00-\u9fff]")


def loc_ananse(
    row: int,
    precision: str,
    division: str | None = None,
    *,
    coords: bool = True,
    address: bool = True,
    address_override: str | None = None,
) -> dict:
    """A location from an ananse row: coordinates as given (DMS converted, swapped pairs put back)."""
    r = ANANSE[row]
    loc: dict = {}
    lat_s, lng_s = r["Lat"].strip(), r["Long"].strip()
    if coords and lat_s and lng_s:
        if DMS.match(lat_s):
            lat, lng = dms(lat_s), dms(lng_s)
        else:
            lat, lng = float(lat_s), float(lng_s)
            if abs(lat) > 90:  # rows of the "open" list: Lat and Long swapped
                lat, lng = lng, lat
        loc["lng"], loc["lat"] = lng, lat
        loc["crs"] = crs_ananse(row, division)
    loc["precision"] = precision
    if division:
        loc["division"] = division
    if address:
        a = address_override if address_override is not None else clean_addr(r["address"])
        if a:
            loc["address_zh" if HAS_HAN.search(a) else "address_en"] = a
    loc["source"] = cite(A.format(row))
    return loc


def mainland(division: str | None) -> bool:
    """Hong Kong (81xxxx) and Taiwan (71xxxx) maps are not offset; every other division is mainland."""
    return not (division or "").startswith(("81", "71"))


def crs_ananse(row: int, division: str | None) -> str:
    """The coordinate system of an ananse point, decided per source (PROVENANCE-directories.md, "Coordinate
    systems"): mainland points of the hackerspaces.org, Maker Faire, 'open' list, Makery, Makerspace.com and
    creativespaceexplorer rows are GCJ-02 (their city-centre geocodes coincide with the GCJ-02 city points of
    the gcoord fixture to 1-62 m, and Chaihuo and TechSpace agree with the BD-09 szmakermap only when read as
    GCJ-02); the fablabs.io rows could not be tested and keep the declared WGS-84; Hong Kong and Taiwan are
    WGS-84."""
    if not mainland(division):
        return "WGS-84"
    if "fab_lab" in ANANSE[row]["Source"]:
        return "WGS-84"
    return "GCJ-02"


def loc_sz(i: int, precision: str, division: str) -> dict:
    f = SZ[i]
    loc: dict = {}
    g = f["geometry"]
    if g["type"] == "Point" and g["coordinates"]:
        loc["lng"], loc["lat"] = g["coordinates"]
        loc["crs"] = "BD-09"
    elif g["type"] == "Polygon":
        ring = [list(p) for p in g["coordinates"]]
        if ring[0] != ring[-1]:
            ring = ring + [list(ring[0])]
        loc["crs"] = "BD-09"
        loc["polygon"] = [ring]
    loc["precision"] = precision
    loc["division"] = division
    zh = f["properties"]["zh"].get("address")
    en = f["properties"]["en"].get("address")
    if zh:
        loc["address_zh"] = zh
    if en:
        loc["address_en"] = en
    loc["source"] = cite(SZK.format(i))
    return loc


def loc_hs(i: int, precision: str, division: str) -> dict:
    lng, lat = HS[i]["geometry"]["coordinates"]
    return {
        "lng": lng,
        "lat": lat,
        "crs": "GCJ-02" if mainland(division) else "WGS-84",  # same wiki as the hackerspaces.org rows of ananse
        "precision": precision,
        "division": division,
        "source": cite(HSK.format(i)),
    }


def founded_ananse(row: int, month_if_first: bool = True) -> dict | None:
    v = ANANSE[row]["Date of founding"].strip()
    if not v:
        return None
    if re.fullmatch(r"\d{4}", v) and 1800 <= int(v) <= 2030:  # a year (rows of the "open" list)
        return {"date": v, "source": cite(A.format(row))}
    if re.fullmatch(r"\d{4,5}", v):
        iso, first = excel_date(v)
        return {"date": iso[:7] if (first and month_if_first) else iso, "source": cite(A.format(row))}
    return None  # e.g. "candidate"


def status_ananse(row: int) -> list[dict]:
    """'active' on a hackerspaces.org row, dated by the row's own 'Last Updated' (an Excel serial day), which is
    when the space last said so, not by the 2016 date of the file."""
    v = ANANSE[row]["Status"].strip().lower()
    updated = ANANSE[row]["Last Updated"].strip()
    if v == "active" and re.fullmatch(r"\d{5}", updated):
        iso, _first = excel_date(updated)
        return [{"value": "active", "kind": "self_declared", "date": iso, "source": cite(A.format(row)),
                 "note": f"hackerspaces.org status as last updated on the wiki (Last Updated {updated} = {iso})"}]
    return []


def status_sz(i: int) -> list[dict]:
    """Listed on LAB ZERO's map of Shenzhen makerspaces and markets at the commit of 2017-10-27: seen alive then."""
    return [{"value": "active", "kind": "observed", "date": "2017-10", "source": cite(SZK.format(i)),
             "note": "listed on the szmakermap map of Shenzhen makerspaces (commit of 2017-10-27)"}]


# Later sightings read in the press (second edition): a dated 'active' that gives the space's last-seen date.
SEEN = {
    "makerbay": [{"value": "active", "kind": "observed", "date": "2016-12-15",
                  "source": "scmp2016-makerbay#para. 3",
                  "note": "classes at its Yau Tong headquarters; a second, smaller workshop opened at PMQ, Central, in "
                          "October 2016"},
                 {"value": "active", "kind": "observed", "date": "2017-10-28", "source": "wong2017-makerbay#para. 1",
                  "note": "a visitor's account of the workshop in October 2017"}],
    "fablab-taipei": [{"value": "active", "kind": "observed", "date": "2022-11-22",
                       "source": "ngm2022-fablabtaipei#header lines 2-4 and Q1",
                       "note": "its founder interviewed at Fablab Taipei about the lab he started in 2013"}],
    "yuanfen-flow": [{"value": "active", "kind": "observed", "date": "2012-04-25",
                      "source": "artradar2012-yuanfenflow#para. 1",
                      "note": "a 798 gallery grown from a new-media art space into a creative business incubator "
                              "(summary of a WSJ Scene Asia article of 2012-04-09)"}],
    "dimsumlabs": [{"value": "active", "kind": "observed", "date": "2017-07-20",
                    "source": "chicamp2017-dimsumlabs#para. 2",
                    "note": "visited in Sheung Wan in July 2017"}],
    "xindanwei": [{"value": "active", "kind": "observed", "date": "2012-07-09",
                   "source": "chinadaily2012-xindanwei#para. 4", "note": "three properties in Shanghai in 2012"}],
    "chaihuo-makerspace": [{"value": "active", "kind": "observed", "date": "2017-11-19",
                            "source": "makezine2017-mfsz-wrap#para. 1",
                            "note": "organiser of Maker Faire Shenzhen 2017 (as 'Chaihuo Makers')"}],
    "xinchejian": [{"value": "active", "kind": "observed", "date": "2017-11-19",
                    "source": "jkl-hacklab2017-shanghai#para. 5",
                    "note": "visited in the autumn of 2017, in a start-up incubator building in Shanghai"},
                   {"value": "active", "kind": "observed", "date": "2023-05-18", "source": "shhk2023-xinchejian#para. 1",
                    "note": "opened a joint laboratory with the Shanghai Institute of Innovative and Creative Design "
                            "(DIIS), with a first open night for its members (Hongkou district news)"}],
}


def ent(id, kind, names, sources, *, website=None, founded=None, locations=None, statuses=None, note=None):
    e = {"id": id, "kind": kind, "names": names, "sources": [cite(s) for s in sources]}
    if website:
        e["website"] = website
    if founded:
        e["founded"] = founded
    if locations:
        e["locations"] = locations
    statuses = list(statuses or []) + SEEN.get(id, [])
    for loc in locations or []:  # a space on LAB ZERO's 2017 map was seen alive then
        if loc["source"].startswith("szmakermap2017#"):
            statuses = status_sz(int(loc["source"].split(":")[1])) + statuses
    if statuses:
        e["statuses"] = statuses
    if note:
        e["note"] = note
    ENTITIES.append(e)
    return e


def an(row):  # name text of an ananse row, trimmed
    return ANANSE[row]["Name"].strip()


GCJ = (
    "Mainland point: its coordinate system is decided per source (PROVENANCE-directories.md, 'Coordinate "
    "systems'): GCJ-02 for the hackerspaces.org, Maker Faire, 'open' list, Makery and creativespaceexplorer "
    "rows; the declared WGS-84 kept, untested, for fablabs.io rows."
)
DMSN = "ananse gives degrees-minutes-seconds strings (hackerspaces.org), converted to decimal degrees."
SWAP = (
    "ananse row from the 'open' list has Lat and Long swapped (Lat≈{lat_s}, Long≈{lng_s}); "
    "written in the corrected order."
)
XL = "Founding date: ananse 'Date of founding' is an Excel serial day number ({serial}), converted to {iso}."
XL1 = (
    "Founding date: ananse 'Date of founding' is an Excel serial day number ({serial}) = {iso}; "
    "a first-of-month date is what a spreadsheet makes of a month-only date, so it is kept to the month."
)
CITYC = "The coordinates are the geocoded centre of {city}, not of the space: precision city."


def xl_note(row):
    v = ANANSE[row]["Date of founding"].strip()
    iso, first = excel_date(v)
    return (XL1 if first else XL).format(serial=v, iso=iso)


def swap_note(row):
    r = ANANSE[row]
    return SWAP.format(lat_s=r["Lat"].strip()[:6], lng_s=r["Long"].strip()[:5])


def J(*parts):
    return " ".join(p for p in parts if p)


# ================================================================ the entities
# Division codes (GB/T 2260, from geomapdata-cn-datav/location.json): the finest the address names.

# ---------------------------------------------------------------- Shenzhen

ent(
    "chaihuo-makerspace",
    "makerspace",
    [
        name("柴火创客空间", "zh-Hans", "official", SZK.format(5)),
        name("Chaihuo Maker Space", "en", "official", SZK.format(5)),
        name("Chaihuo", "en", "common", A.format(3214)),
    ],
    [SZK.format(5), A.format(3214)],
    website="http://www.chaihuo.org",
    founded=founded_ananse(3214),
    locations=[loc_sz(5, "building", "440305"), loc_ananse(3214, "street", "440305")],
    statuses=status_ananse(3214),
    note=J(
        "Merged: szmakermap feature 5 and ananse row 3214 (hackerspaces.org 'Chaihuo'), same OCT Loft A5 "
        "address and website. Kind makerspace as szmakermap and its own name say (the wiki lists it as "
        "Makerspace/Hackerspace).",
        xl_note(3214),
        DMSN,
        GCJ,
        "Locations: the first (szmakermap, BD-09) is preferred; they are the same place. Converted to WGS-84 the "
        "two points are 764 m apart if the ananse point were WGS-84 and 343 m apart read as GCJ-02, the system "
        "adopted for the hackerspaces.org rows (evidence in PROVENANCE-directories.md).",
    ),
)

ent(
    "szoil",
    "fab_lab",
    [
        name("深圳开放创新实验室", "zh-Hans", "official", SZK.format(2)),
        name("Shenzhen Open Innovation Lab", "en", "official", SZK.format(2)),
    ],
    [SZK.format(2), A.format(818)],
    website="https://www.szoil.org/",
    locations=[loc_sz(2, "building", "440304"), loc_ananse(818, "district", "440304")],
    note=J(
        "Merged: szmakermap feature 2 and ananse row 818 (fablabs.io). Kind fab_lab: it is listed on fablabs.io "
        "as a fab lab (szmakermap files it under makerspaces). The abbreviation SZOIL is only in the URLs, so "
        "not written as a name. The ananse row has no coordinates; its address is kept, located by the district it names (Futian).",
        "Locations: the first (szmakermap, BD-09) is preferred; same place (Funian Plaza 531, Futian Bonded Zone).",
    ),
)

ent(
    "x-factory",
    "makerspace",
    [
        name("柴火造物中心", "zh-Hans", "official", SZK.format(3)),
        name("X.factory", "en", "official", SZK.format(3)),
    ],
    [SZK.format(3), "xinku2016-xfactory#para. 3"],
    website="https://www.xfactory.io",
    founded={"date": "2016-10", "source": "xinku2016-xfactory#para. 3"},
    locations=[loc_sz(3, "building", "440305")],
    note=(
        "The source spells the English name 'X.facotry' (a typo, the site is xfactory.io): written as X.factory. "
        "Founding month from the October 2016 report on the national mass-innovation week (a reprint): Chaihuo's "
        "founder said the first X.Factory, in Vanke Cloud Design Commune, would open officially that month (para. 3)."
    ),
)
CLEANING.append(
    "szmakermap feature 3: the English name typo 'X.facotry' is written 'X.factory' (its website is "
    "xfactory.io)."
)

ent(
    "trouble-maker",
    "makerspace",
    [name("Trouble Maker", "en", "official", SZK.format(4))],
    [SZK.format(4), "eyeshenzhen2016-troublemaker#para. 1"],
    website="https://troublemaker.site",
    founded={"date": "2016-07", "source": "eyeshenzhen2016-troublemaker#para. 1"},
    locations=[loc_sz(4, "building", "440304")],
    statuses=[{"value": "active", "kind": "observed", "date": "2019-01-07", "source": "makermag2019-hqb#para. 1",
               "note": "a visitor writes from a small office in Trouble Maker, on the seventh floor of the Huaqiangbei "
                       "International Maker Center"}],
    note=(
        "szmakermap gives 'Trouble Maker' as both its English and its Chinese name. Opening ceremony at the "
        "Huaqiangbei International Maker Space on a Saturday in July 2016, reported on 2016-07-15 by Eyeshenzhen "
        "(para. 1); the day is not written because the report's print date is not certain."
    ),
)

ent(
    "szdiy",
    "hackerspace",
    [name("SZDIY", "en", "official", SZK.format(6))],
    [SZK.format(6), A.format(3219)],
    website="http://szdiy.org",
    founded=founded_ananse(3219),
    locations=[loc_sz(6, "building", "440305"), loc_ananse(3219, "city", "440300")],
    statuses=status_ananse(3219),
    note=J(
        "Merged: szmakermap feature 6 and ananse row 3219 (hackerspaces.org), same name and website. "
        "Kind hackerspace (hackerspaces.org; szmakermap files it under makerspaces).",
        xl_note(3219),
        DMSN,
        "The ananse row's address is only 'Shenzhen, China', so its point is kept with precision city; it lies "
        "about 3.4 km from the szmakermap point (the space may have moved between 2015 and 2017; no source says).",
        GCJ,
        "Locations: the first (szmakermap, BD-09) is preferred.",
    ),
)

ent(
    "segmaker",
    "makerspace",
    [name("SEGMaker", "en", "official", SZK.format(7))],
    [SZK.format(7)],
    website="http://www.segmaker.com",
    locations=[loc_sz(7, "district", "440304")],
    note=(
        "szmakermap gives an empty coordinate list for this Point: no coordinates; located by the district its "
        "address names (Futian, 赛格创客中心)."
    ),
)

ent(
    "lab-zero",
    "makerspace",
    [name("LAB ZERO", "en", "official", SZK.format(0)), name("零空间", "zh-Hans", "official", SZK.format(0))],
    [SZK.format(0), "szdaily2017-labzero#para. 1"],
    website="https://lab0x0.com",
    founded={"date": "2017-08-12", "source": "szdaily2017-labzero#para. 1"},
    locations=[loc_sz(0, "building", "440305")],
    note=(
        "szmakermap is published by LAB ZERO itself (GitHub lab0x0/szmakermap). Same Maqueling M-10 industrial "
        "area as TechSpace (ananse row 3212), but a different building and organisation: not merged. Shenzhen "
        "Daily (2017-08-14) reports its official opening party on the Saturday before (2017-08-12) and gives its "
        "lineage: after TechSpace moved away, two of its members opened Litchee Lab next door, and LAB ZERO took "
        "Litchee Lab's place when Litchee Lab moved (paras. 1-3)."
    ),
)

ent(
    "mintong-digital-city",
    "electronics_market",
    [
        name("明通数码城", "zh-Hans", "official", SZK.format(1)),
        name("Mintong Digital City", "en", "official", SZK.format(1)),
    ],
    [SZK.format(1)],
    locations=[loc_sz(1, "building", "440304")],
    note=(
        "The source gives an outline only (no point), as a Polygon ring of 4 vertices that is not closed "
        "(first ≠ last): the ring is closed here by repeating the first vertex, nothing else changed. "
        "In Huaqiangbei."
    ),
)
CLEANING.append(
    "szmakermap feature 1 (Mintong Digital City): the unclosed polygon ring was closed by repeating its "
    "first vertex."
)

ent(
    "techspace",
    "hackerspace",
    [name(an(3212), "en", "official", A.format(3212))],
    [A.format(3212)],
    website="http://www.techspace.cn",
    founded=founded_ananse(3212),
    locations=[loc_ananse(3212, "street", "440305")],
    statuses=status_ananse(3212) + [
        {"value": "relocated", "kind": "observed", "date": "2017-08-14", "source": "szdaily2017-labzero#para. 2",
         "note": "Shenzhen Daily says TechSpace had moved away from the Maqueling site before Litchee Lab opened "
                 "next door; neither the date of the move nor the new address is given, so the status is dated by "
                 "the report."}],
    note=J(
        "Its address starts 'KaiFang KongJian' (pinyin of 开放空间, 'open space'), kept in the address as given "
        "and not written as a name.",
        xl_note(3212),
        DMSN,
        GCJ,
    ),
)

ent(
    "opensource-makerspace",
    "hackerspace",
    [name(an(3217), "en", "official", A.format(3217))],
    [A.format(3217), HSK.format(145)],
    website="http://www.opensourcemakerspace.com",
    founded=founded_ananse(3217),
    locations=[loc_hs(145, "street", "440300"), loc_ananse(3217, "street", "440300")],
    statuses=status_ananse(3217),
    note=J(
        "Merged: ananse row 3217 and hackerspaces-chgrp feature 145 (both from hackerspaces.org, same point).",
        xl_note(3217),
        DMSN,
        GCJ,
        "Shekou is in Nanshan but the address does not name the district: 440300.",
    ),
)

ent(
    "fablab-o-shenzhen",
    "fab_lab",
    [
        name(an(820), "en", "official", A.format(820)),
        name(fix_mojibake(ALIASES[722]["fablab alias"]).strip(), "zh-Hans", "common", AX.format(722)),
    ],
    [A.format(820), AX.format(722)],
    locations=[loc_ananse(820, "building", "440307")],
    note=J(
        "fablabs.io row. The alias comes from the xlsx 'fablab alias' column, repaired from mojibake (UTF-8 read "
        "as cp1252). Its website is a Weibo account (weibo.com/fablab), an online presence rather than its own "
        "site: not written as website.",
        GCJ,
    ),
)

ent(
    "maker-faire-shenzhen",
    "event",
    [name(an(290), "en", "official", A.format(290)), name(an(289), "en", "common", A.format(289))],
    [A.format(290), A.format(289)],
    website="http://shenzhenmakerfaire.com/",
    locations=[loc_ananse(290, "city", "440300"), loc_ananse(289, "city", "440300")],
    note=J(
        "Merged: ananse rows 290 ('Maker Faire Shenzhen', Featured, faire_year 2014, faire_annual 3) and 289 "
        "('Shenzhen Mini Maker Faire', Mini, faire_year 2012): the same annual Shenzhen faire listed under "
        "its Mini and its Featured names. Row 290's website is a Facebook page, so the website is row 289's. "
        "Neither row gives a venue: precision city (row 289's point is the geocoded centre of Shenzhen).",
        GCJ,
    ),
)

ent(
    "oct-loft",
    "industrial_park",
    [name("Oct Loft", "en", "official", A.format(1505))],
    [A.format(1505)],
    founded=founded_ananse(1505),
    locations=[loc_ananse(1505, "street", "440305")],
    note=J(
        "The source names it 'Oct Loftâ' (a broken character at the end, cp1252 mojibake): written 'Oct Loft'. "
        "Kind industrial_park: OCT Loft (华侨城创意文化园) is a creative park; ananse files the row under "
        "Gallery, which is no kind of the taxonomy. The row's website (ocat.org.cn) is that of OCAT, a gallery "
        "inside the park, not of the park: not written.",
        swap_note(1505),
        GCJ,
    ),
)
CLEANING.append("ananse row 1505: name 'Oct Loftâ' -> 'Oct Loft' (mojibake at the end).")

# ---------------------------------------------------------------- Dongguan, Guangzhou

ent(
    "dongguanmaker",
    "hackerspace",
    [name(an(3210), "en", "official", A.format(3210))],
    [A.format(3210), HSK.format(31)],
    founded=founded_ananse(3210),
    locations=[loc_hs(31, "city", "441900"), loc_ananse(3210, "city", "441900")],
    statuses=status_ananse(3210),
    note=J(
        "Merged: ananse row 3210 and hackerspaces-chgrp feature 31 (both hackerspaces.org, same point). "
        "Both give only 'Dongguan' as address: precision city. The website given (a page on 304.kechuang.org) "
        "is a page of another site: not written.",
        xl_note(3210),
        DMSN,
        GCJ,
    ),
)

ent(
    "fab-lab-xh",
    "fab_lab",
    [name(an(822), "en", "official", A.format(822))],
    [A.format(822)],
    website="http://fablab.xh.sysu.org",
    locations=[loc_ananse(822, "building", "441900")],
    note=J(
        "fablabs.io row; the blurb names Xinhua College (of Sun Yat-sen University, per its domain sysu.org).",
        GCJ,
    ),
)

ent(
    "htg",
    "hackerspace",
    [name(an(3211), "en", "official", A.format(3211))],
    [A.format(3211)],
    founded=founded_ananse(3211),
    locations=[loc_ananse(3211, "city", "440100")],
    note=J(
        "hackerspaces.org status 'planned' (2 members) is not a status value: no status written. Address only "
        "'Guangzhou, China': precision city.",
        xl_note(3211),
        DMSN,
        GCJ,
    ),
)

ent(
    "hackerspace-gz",
    "hackerspace",
    [name(an(3215), "en", "official", A.format(3215))],
    [A.format(3215)],
    founded=founded_ananse(3215),
    locations=[loc_ananse(3215, "district", "440106", coords=False, address=False)],
    statuses=status_ananse(3215),
    note=J(
        "A one-member space whose website (kevinsmake.com) reads as a person's site: website, street address "
        "and point are left out as possibly personal data; located by the district its address names (Tianhe).",
        xl_note(3215),
    ),
)
CLEANING.append(
    "ananse row 3215 (HackerSpace@GZ, 1 member): street address, point and website left out (possibly "
    "personal); district kept."
)

# ---------------------------------------------------------------- Shanghai, Jiangsu

ent(
    "xinchejian",
    "hackerspace",
    [name("新车间", "zh-Hans", "official", "whb2015-xinchejian#para. 1"),
     name(an(3204), "en", "official", A.format(3204))],
    [A.format(3204), "whb2015-xinchejian"],
    website="http://www.xinchejian.com",
    founded={"date": "2010", "source": "whb2015-xinchejian#para. 6"},
    locations=[loc_ananse(3204, "city", "310106")],
    statuses=status_ananse(3204),
    note=J(
        "ananse row 3204 (hackerspaces.org); the Chinese name 新车间 and the founding come from Wenhui Bao "
        "(2015-02-01), which dates the founding in Shanghai to September 2010 and places it in the Donghai Plaza "
        "office building on Yuyuan East Road. The wiki row's Excel date reads 2010-10: the two sources differ by a "
        "month, so only the year both give is written.",
        CITYC.format(city="Shanghai (31.2304, 121.474, rounded)"),
        "The address names Jing'an District: division 310106.",
        xl_note(3204),
        GCJ,
    ),
)

ent(
    "xinfab",
    "fab_lab",
    [
        name(an(823), "en", "official", A.format(823)),
        name(fix_mojibake(ALIASES[724]["fablab alias"]).strip(), "zh-Hans", "common", AX.format(724)),
    ],
    [A.format(823), AX.format(724)],
    website="http://www.xinfab.com",
    locations=[loc_ananse(823, "building", "310000")],
    note=J(
        "The alias comes from the xlsx 'fablab alias' column, repaired from mojibake (UTF-8 read as cp1252). The "
        "blurb says it was built next to XinCheJian.",
        GCJ,
    ),
)

ent(
    "fablab-o-shanghai",
    "fab_lab",
    [
        name(an(821), "en", "official", A.format(821)),
        name(fix_mojibake(ALIASES[721]["fablab alias"]).strip(), "zh-Hans", "common", AX.format(721)),
    ],
    [A.format(821), AX.format(721)],
    website="http://Fablab.tongji.edu.cn",
    founded={"date": "2012", "source": "fx361-2014-tongjifablab#para. 1"},
    locations=[loc_ananse(821, "building", "310000")],
    note=J(
        "At Tongji University's College of Design and Innovation. The alias comes from the xlsx 'fablab alias' "
        "column, repaired from mojibake. Founding year from the 2014 magazine report on Tongji's FabLab (para. 1: "
        "set up in 2012 as China's first campus fab lab), identified with this row by its address.",
        GCJ,
    ),
)

ent(
    "fablab-gezhi",
    "fab_lab",
    [name(an(819), "en", "official", A.format(819))],
    [A.format(819)],
    locations=[loc_ananse(819, "building", "310000")],
    note=J(
        "fablabs.io status 'Planned' is not a status value: no status written. Inside Gezhi High School, which "
        "also held the 'Gezhi High School Maker Faire' (ananse row 291, rejected as a one-off school event).",
        GCJ,
    ),
)

ent(
    "neocha",
    "company",
    [name(an(168), "en", "official", A.format(168))],
    [A.format(168)],
    website="http://edge.neocha.com/",
    founded=founded_ananse(168),
    locations=[
        loc_ananse(
            168,
            "building",
            "310104",
            address_override="Huaihai Zhong Rd, Lane 1285, No. 51, 2nd Floor, Xuhui District, "
            "Shanghai, 200031",
        )
    ],
    note=J(
        "ananse 'open' list: Cluster / Marketplace, form 'Digital'. Kind company: NeoCha EDGE is a creative "
        "agency and online platform, not a cluster (judgement).",
        swap_note(168),
        "Stray mojibake characters 'â' in the address removed.",
        GCJ,
    ),
)
CLEANING.append("ananse row 168 (NeoCha): stray mojibake 'â' characters removed from the address.")

ent(
    "800-show",
    "industrial_park",
    [name(an(169), "en", "official", A.format(169))],
    [A.format(169)],
    founded=founded_ananse(169),
    locations=[loc_ananse(169, "street", "310106", address_override="Jing'an district, Shanghai")],
    note=J(
        "ananse 'open' list: Cluster. The address 'JingÑan' is mojibake for Jing'an: repaired. The row's website "
        "is a page of worldbuildingsdirectory.com, not the park's: not written.",
        swap_note(169),
        GCJ,
    ),
)
CLEANING.append("ananse row 169 (800 Show): address 'JingÑan' -> 'Jing'an' (mojibake).")

ent(
    "xindanwei",
    "coworking_space",
    [name(an(1713), "en", "official", A.format(1713)),
     name("新单位", "zh-Hans", "official", "xindanwei2011-manual#title")],
    [A.format(1713), "xindanwei2011-manual#section 新单位的诞生和成长, para. 1"],
    website="http://xindanwei.com/",
    founded={"date": "2009-07-01", "source": "xindanwei2011-manual#section 新单位的诞生和成长, para. 1"},
    locations=[loc_ananse(1713, "street", "310000")],
    note=J("ananse 'open' list: Hub / Co-working Space (Date of founding 2009). Its own site (2011) gives the opening "
           "day, 1 July 2009, and the Chinese name 新单位.", swap_note(1713), GCJ),
)

ent(
    "red-town-570",
    "incubator",
    [name(an(2728), "en", "official", A.format(2728))],
    [A.format(2728)],
    website="http://www.redtown570.com/en/eng.html",
    founded=founded_ananse(2728),
    locations=[loc_ananse(2728, "building", "310000")],
    note=J("ananse 'open' list: Incubator (ownership Non-Profit).", swap_note(2728), GCJ),
)

ent(
    "agora-space",
    "coworking_space",
    [name(an(1712), "en", "official", A.format(1712))],
    [A.format(1712)],
    website="http://www.agora-space.com/",
    locations=[loc_ananse(1712, "street", "310000")],
    note=J(
        "creativespaceexplorer.org row: Hub, 'a co-working space and a meeting and (un)conference' space. "
        "The address names only Panyu Road: precision street.",
        GCJ,
    ),
)

ent(
    "the-nest-shanghai",
    "incubator",
    [name(an(2730), "en", "official", A.format(2730))],
    [A.format(2730)],
    locations=[loc_ananse(2730, "city", "310000")],
    note=J(
        "creativespaceexplorer.org row: a social-enterprise incubator (The Nest at Gongyi Xintiandi). The row's "
        "'Website' holds a telephone number: not written.",
        CITYC.format(city="Shanghai"),
    ),
)
CLEANING.append("ananse row 2730 (The NEST): the Website field holds a phone number; dropped.")

ent(
    "88-spaces",
    "hackerspace",
    [name(an(3218), "en", "official", A.format(3218))],
    [A.format(3218)],
    website="http://88spaces.com",
    founded=founded_ananse(3218),
    locations=[loc_ananse(3218, "city", "310000")],
    statuses=status_ananse(3218),
    note=J(CITYC.format(city="Shanghai"), xl_note(3218)),
)

ent(
    "impact-hub-shanghai",
    "coworking_space",
    [name(an(1711), "en", "official", A.format(1711))],
    [A.format(1711)],
    locations=[loc_ananse(1711, "province", "310000", coords=False)],
    note=(
        "GIZ row with no address or coordinates; its Google geocoding (g_*) matched Impact Hub New York and is "
        "marked 'WRONG': not used. 'Date of founding' says 'candidate', which is no date. Located by its State "
        "(Shanghai): placed at the municipality's centroid, hence precision province."
    ),
)

ent(
    "jinqiao-mini-maker-faire",
    "event",
    [name(an(292), "en", "official", A.format(292))],
    [A.format(292)],
    website="http://jinqiaomakerfaire.com/",
    locations=[loc_ananse(292, "city", "310000")],
    note=J("Maker Faire row (Mini, faire_year 2016, faire_annual 3). No venue given: precision city.", GCJ),
)

ent(
    "fab-lab-fbi",
    "fab_lab",
    [name(an(817), "en", "official", A.format(817))],
    [A.format(817)],
    founded={"date": "2014", "source": A.format(817) + " (description)"},
    locations=[loc_ananse(817, "building", "320585", address_override="20 Jian Xiong Road, Taicang")],
    note=J(
        "Source 'open,fab_lab': Lat and Long are in the right order here (only Lat_open/Long_open are swapped). "
        "The website given is its fablabs.io page, not its own site: not written. Address joined from the "
        "address and ADDRESS 3 (Taicang) fields. Founding year from the row's description, which says the lab "
        "was set up in 2014 and registered that year through Fablab Dynamic (the 'Date of founding' field is "
        "empty).",
        GCJ,
    ),
)

# ---------------------------------------------------------------- Beijing, Harbin, Zhengzhou

ent(
    "tsinghua-i-center",
    "university_lab",
    [name(an(3198), "en", "official", A.format(3198)),
     name("Fundamental Industry Training Center of Tsinghua University", "en", "former",
          "tsinghua2015-icenter#para. 1", valid_to="2014")],
    [A.format(3198), HSK.format(173), "tsinghua2015-icenter"],
    website="http://www.xlzx.tsinghua.edu.cn",
    founded={"date": "2014", "source": "tsinghua2015-icenter#para. 1"},
    locations=[loc_hs(173, "building", "110108"), loc_ananse(3198, "street", "110108")],
    statuses=status_ananse(3198),
    note=J(
        "Merged: ananse row 3198 and hackerspaces-chgrp feature 173 (both hackerspaces.org). Kind "
        "university_lab, not hackerspace: its address is Tsinghua University's Basic Industrial Training Centre "
        "(清华大学基础工业训练中心), 16,000 m². The address was written as escaped UTF-8 bytes ('\\xe5\\x8c...') "
        "and is decoded.",
        "The row's 'Date of founding' is the Excel serial 8280 (= 1922-09-01). The university's own page "
        "(tsinghua2015-icenter, para. 1) dates a hand-craft course to 1922, the Fundamental Industry Training "
        "Center to 1996 and its upgrade into the i.Center to 2014: 1922 is the origin of a predecessor, not a date "
        "of the i.Center, so the founding written is 2014 and the training centre's name is a former name.",
        DMSN,
        GCJ,
    ),
)

ent(
    "toyhouse",
    "makerspace",
    [
        name(an(3216), "en", "official", A.format(3216)),
        name(ALIASES[4341]["hackerspace alias"].strip(), "en", "common", AX.format(4341)),
    ],
    [A.format(3216), AX.format(4341)],
    website="http://toyhouse.cc",
    founded=founded_ananse(3216),
    locations=[loc_ananse(3216, "street", "110000")],
    note=J(
        "Makery row (Simple Category Makerspace, Full Category 'Educ') carrying the hackerspaces.org fields of "
        "the wiki page 'Hackers in Residence Tsinghua', which the xlsx gives as its alias. Status 'planned' is "
        "not a status value: none written. Not merged with tsinghua-i-center (different room, building and "
        "name).",
        xl_note(3216),
        GCJ,
    ),
)

ent(
    "largo-city-hackerspace",
    "hackerspace",
    [name(an(3201), "en", "official", A.format(3201))],
    [A.format(3201), HSK.format(103)],
    website="http://skynetech.wix.com/lcms",
    founded=founded_ananse(3201),
    locations=[loc_ananse(3201, "street", "110108"), loc_hs(103, "district", "110108")],
    statuses=status_ananse(3201),
    note=J(
        "Merged: ananse row 3201 and hackerspaces-chgrp feature 103 (both hackerspaces.org). The chgrp point is "
        "rounded to 0.01° (≈1 km): precision district.",
        xl_note(3201),
        DMSN,
        GCJ,
    ),
)

ent(
    "beijing-makerspace",
    "makerspace",
    [name(an(3205), "en", "official", A.format(3205)),
     name("北京创客空间", "zh-Hans", "official", "whb2014-wangshenglin#Q1"),
     name("FlamingoEDA开放空间", "zh-Hans", "former", "jizihe2015-wangshenglin#para. 3", valid_to="2011")],
    [A.format(3205), "whb2014-wangshenglin"],
    website="http://www.bjmakerspace.com",
    founded={"date": "2011-01", "source": "whb2014-wangshenglin#Q1"},
    locations=[loc_ananse(3205, "building", "110000"),
               {"precision": "district", "division": "110108", "valid_from": "2012-08",
                "hint": "an office of about 200 m2 in Zhongguancun, after the move from near Xuanwumen",
                "source": "victorzhang2013-bjmakerspace#paras. 1-2"}],
    statuses=[{"value": "relocated", "kind": "observed", "date": "2012-08",
               "source": "victorzhang2013-bjmakerspace#para. 2",
               "note": "moved from its first site near Xuanwumen to about 200 m2 in Zhongguancun, at a reduced rent "
                       "granted after its April 2012 maker carnival (para. 3)"}],
    note=J(
        "Makery row: Simple Category Makerspace, Full Category 'hackerspace'; makerspace as its own name says. "
        "Wenhui Bao (2014-10-10) dates its founding to January 2011 in a 20 m² room near Xuanwumen; a reprinted "
        "profile (jizihe2015-wangshenglin, a mirror) names that first space FlamingoEDA开放空间, which is the "
        "hackerspaces.org row kept as flamingoeda-open-space (row 3206, founded 2011-02, point near Xuanwumen): "
        "the same group under its first name. Kept as two entities (the directory rows describe two places) "
        "with the former name here and a spun_off_from tie in relations.yaml.",
        GCJ,
    ),
)

ent(
    "innovation-works",
    "investor",
    [name(an(2729), "en", "official", A.format(2729))],
    [A.format(2729)],
    website="http://en.chuangxin.com/about-us/1.html",
    founded=founded_ananse(2729),
    locations=[loc_ananse(2729, "building", "110108")],
    note=J(
        "ananse 'open' list files it as Incubator with functions 'Investing, Mentoring' (ownership 'Government, "
        "Entrepreneur'). Kind investor: Innovation Works (创新工场) is a venture-capital firm with an incubation "
        "programme (judgement).",
        swap_note(2729),
        GCJ,
    ),
)

ent(
    "flamingoeda-open-space",
    "hackerspace",
    [name(an(3206), "en", "official", A.format(3206))],
    [A.format(3206)],
    website="http://space.flamingoeda.com",
    founded=founded_ananse(3206),
    locations=[loc_ananse(3206, "city", "110000")],
    statuses=status_ananse(3206),
    note=J("Address only 'Beijing, China': point kept, precision city.", xl_note(3206), DMSN, GCJ),
)

ent(
    "gk-fab",
    "hackerspace",
    [name(an(3207), "en", "official", A.format(3207))],
    [A.format(3207)],
    founded=founded_ananse(3207),
    locations=[loc_ananse(3207, "city", "110000")],
    statuses=[{"value": "closed", "kind": "self_declared", "date": "2011-10-08",
               "source": A.format(3207) + " (description)",
               "note": "the row's description says that, for personal reasons, the establishment of GK Fab came to a "
                       "halt, and sends visitors to Beijing's makerspace instead; dated by the row's Last Updated "
                       "(Excel serial 40824 = 2011-10-08). The space was still being set up (wiki status 'building')."}],
    note=J(
        "hackerspaces.org status 'building' is not a status value: none written for it. Its website is a page of the "
        "chinamakerspaces.org wiki, not its own site: not written. Address only 'Beijing, China': precision city. "
        "Its description announces that the project was halted (status 'closed', dated by the row's last update).",
        xl_note(3207),
        DMSN,
        GCJ,
    ),
)

ent(
    "yff-hackerlab",
    "hackerspace",
    [
        name(an(3208), "en", "official", A.format(3208)),
        name(ALIASES[1620]["hackerspace alias"].strip(), "en", "abbreviation", AX.format(1620)),
    ],
    [A.format(3208), AX.format(1620)],
    founded=founded_ananse(3208),
    locations=[loc_ananse(3208, "city", "110000")],
    statuses=status_ananse(3208),
    note=J(
        "Its website is yuanfenflow.org and its point lies in the 798 area: it is the hacker lab of Yuanfen-Flow "
        "Space (id yuanfen-flow), kept as a separate entity (a relation 'yuanfen-flow hosts yff-hackerlab' is "
        "for the relations curator). Website not written here (it is the host's). The 'Number of members' field "
        "holds personal names: not used. Address only 'Beijing, China': precision city.",
        xl_note(3208),
        DMSN,
        GCJ,
    ),
)

ent(
    "yuanfen-flow",
    "incubator",
    [name(an(2727), "en", "official", A.format(2727))],
    [A.format(2727)],
    website="http://yuanfenflow.org/",
    locations=[loc_ananse(2727, "city", "110000")],
    note=J(
        "creativespaceexplorer.org row: 'an incubator / accelerator / lab and a miscellaneous space', an art "
        "gallery with a tech incubator in the 798 Art District.",
        CITYC.format(city="Beijing"),
    ),
)

ent(
    "qike-space",
    "hackerspace",
    [name(an(3209), "en", "official", A.format(3209))],
    [A.format(3209)],
    website="http://qike.info",
    locations=[loc_ananse(3209, "street", "110000")],
    note=J(
        "creativespaceexplorer.org row: Full Category 'a hacker space'. Address names only Guanghua Lu.", GCJ
    ),
)

ent(
    "song-zhuang",
    "vertical_cluster",
    [name(an(1714), "en", "official", A.format(1714))],
    [A.format(1714)],
    founded=founded_ananse(1714),
    locations=[loc_ananse(1714, "street", "110112")],
    note=J(
        "ananse 'open' list files it as Hub / Co-working Space; kind vertical_cluster because Songzhuang is an "
        "artists' village (a cluster of studios), not a single coworking space (judgement). The row's website is "
        "that of one gallery (Artist Village Gallery): not written.",
        swap_note(1714),
        GCJ,
    ),
)

ent(
    "affordable-art-beijing",
    "event",
    [name(an(167), "en", "official", A.format(167))],
    [A.format(167)],
    website="http://www.affordableartchina.com/",
    founded=founded_ananse(167),
    locations=[loc_ananse(167, "building", "110101")],
    note=J(
        "ananse 'open' list: Cluster / Marketplace, function Trading. Kind event: it is an art fair (its Twitter "
        "handle is @SurgeArtFair) — judgement; no kind 'marketplace' exists.",
        swap_note(167),
        GCJ,
    ),
)

ent(
    "maker-faire-beijing",
    "event",
    [name(an(294), "en", "official", A.format(294)), name(an(293), "en", "common", A.format(293))],
    [A.format(294), A.format(293)],
    website="http://www.beijingmakerfaire.com/",
    locations=[loc_ananse(294, "city", "110000")],
    note=J(
        "Merged: ananse rows 294 ('Maker Faire Beijing', Featured, faire_year 2016, faire_annual 2) and 293 "
        "('Beijing Mini Maker Faire', Mini, faire_year 2015, faire_annual 1): the same Beijing faire, same "
        "point, listed under its Mini and its Featured names. No venue given: precision city. Row 293's point is "
        "identical to row 294's, so only one location is written.",
        GCJ,
    ),
)

ent(
    "harbin-mini-maker-faire",
    "event",
    [name(an(295), "en", "official", A.format(295))],
    [A.format(295)],
    locations=[loc_ananse(295, "city", "230100")],
    note=J("Maker Faire row (Mini, faire_year 2016). No venue given: precision city.", GCJ),
)

ent(
    "zhengzhou-makerspace",
    "makerspace",
    [name(an(3221), "en", "official", A.format(3221))],
    [A.format(3221)],
    locations=[loc_ananse(3221, "city", "410100")],
    note=J(
        "Makerspace.com row; its 'Website' field repeats the name: no website.",
        CITYC.format(city="Zhengzhou"),
    ),
)

# ---------------------------------------------------------------- Chengdu, Wuhan, Nanjing

ent(
    "ichengdu",
    "hackerspace",
    [name(an(3199), "en", "official", A.format(3199))],
    [A.format(3199)],
    website="http://www.ichengdu.org",
    founded=founded_ananse(3199),
    locations=[loc_ananse(3199, "city", "510100", address_override="成都, Chengdu, China")],
    statuses=status_ananse(3199),
    note=J(
        "Address only 'Chengdu' (written as escaped UTF-8, decoded): precision city.",
        xl_note(3199),
        DMSN,
        GCJ,
    ),
)

ent(
    "swjtu-makerspace",
    "hackerspace",
    [name(an(3203), "en", "official", A.format(3203))],
    [A.format(3203), HSK.format(157)],
    website="http://maker.swjtu.edu.cn",
    founded=founded_ananse(3203),
    locations=[loc_hs(157, "street", "510100"), loc_ananse(3203, "street", "510100")],
    statuses=status_ananse(3203),
    note=J(
        "Merged: ananse row 3203 and hackerspaces-chgrp feature 157 (both hackerspaces.org, same point). At "
        "Southwest Jiaotong University; kind hackerspace as listed (a student makerspace, not the university's "
        "own lab).",
        xl_note(3203),
        DMSN,
        GCJ,
    ),
)

ent(
    "tinymake",
    "hackerspace",
    [name(an(3220), "en", "official", A.format(3220))],
    [A.format(3220)],
    website="http://www.tinymake.com",
    founded=founded_ananse(3220),
    locations=[loc_ananse(3220, "building", "510100")],
    statuses=status_ananse(3220),
    note=J("In a room of Sichuan University's Wangjiang campus.", xl_note(3220), GCJ),
)

ent(
    "wukong-club",
    "hackerspace",
    [name(an(3200), "en", "official", A.format(3200))],
    [A.format(3200)],
    website="http://www.wukongclub.com",
    founded=founded_ananse(3200),
    locations=[
        loc_ananse(
            3200, "street", "420100", address_override="武汉市光谷国际花园, 湖北省-430000, Wuhan, China"
        )
    ],
    statuses=status_ananse(3200),
    note=J(
        "The address (escaped UTF-8, decoded) ends in a flat number of a residential estate (光谷国际花园): the flat "
        "number is left out as possibly a private home.",
        xl_note(3200),
        DMSN,
        GCJ,
    ),
)
CLEANING.append("ananse row 3200 (Wukong Club): flat number of a residential estate left out of the address.")

ent(
    "nanjing-makerspace",
    "hackerspace",
    [name(an(3213), "en", "official", A.format(3213))],
    [A.format(3213)],
    website="http://do-idea.org",
    founded=founded_ananse(3213),
    locations=[loc_ananse(3213, "city", "320100")],
    statuses=status_ananse(3213),
    note=J(CITYC.format(city="Nanjing"), xl_note(3213)),
)

ent(
    "thenestworks",
    "makerspace",
    [name(an(3222), "en", "official", A.format(3222))],
    [A.format(3222)],
    note=(
        "Instructables competition list: only a name, country China and category Makerspace. No location, "
        "website or date. Not the same as The NEST (Shanghai), nothing links them."
    ),
)

# ---------------------------------------------------------------- Hong Kong

ent(
    "dimsumlabs",
    "hackerspace",
    [name(an(3202), "en", "official", A.format(3202))],
    [A.format(3202)],
    website="http://www.dimsumlabs.com",
    founded=founded_ananse(3202),
    locations=[loc_ananse(3202, "street", "810000")],
    statuses=status_ananse(3202),
    note=J(xl_note(3202), DMSN),
)

ent(
    "fill-in-the-blank",
    "hackerspace",
    [name(an(3625), "en", "official", A.format(3625))],
    [A.format(3625)],
    website="http://www.fillintheblank.hk",
    founded=founded_ananse(3625),
    locations=[loc_ananse(3625, "building", "810000")],
    statuses=status_ananse(3625),
    note=xl_note(3625),
)

ent(
    "makerbay",
    "hackerspace",
    [name(an(3626), "en", "official", A.format(3626)), name(an(5459), "en", "common", A.format(5459))],
    [A.format(3626), A.format(5459)],
    website="http://makerbay.org",
    founded=founded_ananse(3626),
    locations=[
        loc_ananse(
            5459,
            "building",
            "810000",
            address_override="Yau Tong Industrial Building Block 2, Sze Shan St, Yau Tong",
        ),
        loc_ananse(3626, "street", "810000"),
    ],
    statuses=status_ananse(3626),
    note=J(
        "Merged: ananse rows 3626 ('Makerbay', hackerspaces.org) and 5459 ('Maker Bay', a 2016 form submission "
        "whose Source field is a spreadsheet timestamp), same Yau Tong industrial building and website. Row "
        "5459's address lost its first letter ('au Tong'): repaired from its own g_Address.",
        xl_note(3626),
    ),
)
CLEANING.append(
    "ananse row 5459 (Maker Bay): address 'au Tong Industrial…' -> 'Yau Tong Industrial…' (as its own "
    "g_Address gives)."
)

ent(
    "impact-hub-hong-kong",
    "coworking_space",
    [name(an(1710), "en", "official", A.format(1710))],
    [A.format(1710)],
    locations=[loc_ananse(1710, "province", "810000", coords=False)],
    note=(
        "GIZ row with no address or coordinates; its Google geocoding (g_*) matched Impact Hub DC and is marked "
        "'WRONG': not used. 'Date of founding' says 'candidate', which is no date. Located by its State "
        "(Hong Kong): placed at the SAR's centroid, hence precision province."
    ),
)

ent(
    "maker-faire-hong-kong",
    "event",
    [name(an(286), "en", "official", A.format(286))],
    [A.format(286)],
    locations=[loc_ananse(286, "city", "810000")],
    note=(
        "Maker Faire row (Featured, faire_year 2015). Its website is a Facebook page of 'Hong Kong Mini Maker "
        "Faire': not written. No venue given: precision city."
    ),
)

# ---------------------------------------------------------------- Taiwan

ent(
    "taipei-hackerspace",
    "hackerspace",
    [name(an(4218), "en", "official", A.format(4218))],
    [A.format(4218), HSK.format(164)],
    website="https://taipeihack.org",
    founded=founded_ananse(4218),
    locations=[loc_hs(164, "building", "710000"), loc_ananse(4218, "street", "710000")],
    statuses=status_ananse(4218),
    note=J(
        "Merged: ananse row 4218 (Makery, with hackerspaces.org fields) and hackerspaces-chgrp feature 164. "
        "The ananse address gives two places joined by 'OR' (Nanjing W. Rd. or Taiyuan Road): kept as given; "
        "the chgrp point is near Nanjing W. Rd.",
        xl_note(4218),
    ),
)

ent(
    "fablab-taipei",
    "fab_lab",
    [name(an(1322), "en", "official", A.format(1322))],
    [A.format(1322)],
    website="http://fablabtaipei.org/",
    founded={"date": "2013-05", "source": A.format(1322) + " (description)"},
    locations=[loc_ananse(1322, "building", "710000")],
    note=(
        "fablabs.io row. Its ADDRESS 1/3 and POSTCODE fields hold Fablab Tainan's address (a merge error in the "
        "source): ignored; its 'address' field is used. Opening month from the row's description (opened May "
        "2013, now run by the Taiwan Makers Association); the 'Date of founding' field is empty."
    ),
)

ent(
    "fablab-dynamic",
    "fab_lab",
    [name(an(1321), "en", "official", A.format(1321))],
    [A.format(1321)],
    website="http://www.fablabtaiwan.org.tw/",
    founded={"date": "2013-08", "source": A.format(1321) + " (description)"},
    locations=[loc_ananse(1321, "building", "710000")],
    note=(
        "fablabs.io row, Shilin District, Taipei. Founding month from the row's description (founded August 2013 "
        "with the Digital Art Center, Taipei); the 'Date of founding' field is empty."
    ),
)

ent(
    "makerbar-taipei",
    "fab_lab",
    [name(an(1323), "en", "official", A.format(1323))],
    [A.format(1323)],
    website="http://www.makerbartaipei.com",
    founded={"date": "2013-10", "source": "orientaldaily2015-makerbar#para. 2"},
    locations=[loc_ananse(1323, "building", "710000")],
    note=(
        "fablabs.io row (its blurb calls it a makerspace). Its 'Website' field holds the Facebook page and its "
        "'Facebook' field the website (swapped): the website is written. Formal operation from October 2013 "
        "(Oriental Daily, 2015-11-03, para. 2)."
    ),
)

ent(
    "fabcafe-taipei",
    "fab_lab",
    [name(an(1324), "en", "official", A.format(1324))],
    [A.format(1324), "loftwork2023-fabcafetaipei#para. 2 and para. 5"],
    founded={"date": "2013-05", "source": "loftwork2023-fabcafetaipei#para. 5"},
    locations=[{**loc_ananse(1324, "building", "710000"), "valid_to": "2021-11"}],
    statuses=[
        {"value": "inactive", "kind": "self_declared", "date": "2021-11", "source": "loftwork2023-fabcafetaipei#para. 2",
         "note": "its operator says the Huashan 1914 café closed temporarily from November 2021 because of the "
                 "pandemic"},
        {"value": "relocated", "kind": "self_declared", "date": "2023-05-23",
         "source": "loftwork2023-fabcafetaipei#para. 2",
         "note": "dated by the announcement: its reopening was set for 1 June 2023 in a four-storey building in "
                 "Taipei's Ximen area (café, workshop and event floor, the operator's office, a residency floor)"}],
    note=(
        "Source 'open,Makery, mini_fab_lab': Lat and Long are in the right order here (only Lat_open/Long_open are "
        "swapped). Its website is its fablabs.io page, not its own site: not written. Part of the FabCafe "
        "network (blurb). Its operator Loftwork (2023-05-23) dates its birth to May 2013 at Huashan 1914, the "
        "second FabCafe in the world, a temporary closure from November 2021 and a reopening in Ximen on "
        "1 June 2023: the Huashan point is valid until the closure; the Ximen site has no address in the source."
    ),
)

ent(
    "fablab-tainan",
    "fab_lab",
    [name(an(1325), "en", "official", A.format(1325))],
    [A.format(1325)],
    founded={"date": "2013-12", "source": cite(A.format(1325))},
    locations=[loc_ananse(1325, "building", "710000")],
    note=(
        "fablabs.io row. Founded 'Dec. 2013' is stated in the row's blurb (there is no 'Date of founding'). Its "
        "Website field is a bare facebook.com/group link: not written."
    ),
)

ent(
    "impact-hub-taipei",
    "coworking_space",
    [name(an(2521), "en", "official", A.format(2521))],
    [A.format(2521)],
    website="http://taipei.impacthub.net/",
    locations=[loc_ananse(2521, "building", "710000")],
    note="GIZ row; its point is Google's geocode of the establishment (g_Name 'Impact Hub Taipei').",
)

ent(
    "futureward",
    "hackerspace",
    [name(an(4217), "en", "official", A.format(4217)),
     name("未來產房", "zh-Hant", "official", "workface-futureward#section 講者簡介, para. 3")],
    [A.format(4217), "workface-futureward#section 講者簡介, para. 3"],
    website="http://www.futureward.com/about-en/",
    founded={"date": "2014", "source": "workface-futureward#section 講者簡介, para. 3"},
    locations=[loc_ananse(4217, "street", "710000")],
    note=(
        "Makery row: Simple Category Makerspace, Full Category 'Hakerspace' (sic). Its address (40 Zhongshan N. Rd "
        "Sec. 3) is Tatung University's; a WorkFace talk record says 未來產房 (FutureWard) was co-founded there in "
        "2014 in the design department's practice workshop."
    ),
)

ent(
    "goodwork",
    "makerspace",
    [name(an(4219), "en", "official", A.format(4219))],
    [A.format(4219)],
    website="http://goodwork.hfcc.com.tw/",
    locations=[loc_ananse(4219, "street", "710000")],
    note="Makery row, Taichung.",
)

ent(
    "openlab-taipei",
    "hackerspace",
    [
        name(an(4220), "en", "official", A.format(4220)),
        name(ALIASES[2231]["hackerspace alias"].strip(), "en", "common", AX.format(2231)),
    ],
    [A.format(4220), AX.format(2231)],
    website="http://www.openlabtaipei.org/",
    founded=founded_ananse(4220),
    locations=[loc_ananse(4220, "street", "710000")],
    statuses=status_ananse(4220),
    note=xl_note(4220),
)

ent(
    "maker-faire-taipei",
    "event",
    [name(an(421), "en", "official", A.format(421))],
    [A.format(421)],
    website="http://www.makerfaire.com.tw/",
    locations=[loc_ananse(421, "city", "710000")],
    note="Maker Faire row (Featured, faire_year 2013). No venue given: precision city.",
)

ent(
    "maker-faire-tainan",
    "event",
    [name(an(418), "en", "official", A.format(418))],
    [A.format(418)],
    locations=[loc_ananse(418, "city", "710000")],
    note="Maker Faire row (Mini, faire_year 2014). No venue given: precision city.",
)

ent(
    "taichung-mini-maker-faire",
    "event",
    [name(an(419), "en", "official", A.format(419))],
    [A.format(419)],
    locations=[loc_ananse(419, "city", "710000")],
    note="Maker Faire row (Mini, faire_year 2015). No venue given: precision city.",
)

ent(
    "hsinchu-mini-maker-faire",
    "event",
    [name(an(420), "en", "official", A.format(420))],
    [A.format(420)],
    website="http://www.makerfairehsinchu.org/",
    locations=[loc_ananse(420, "city", "710000")],
    note="Maker Faire row (Mini, faire_year 2016); the source's name includes the year. No venue: precision city.",
)

# ---------------------------------------------------------------- companies, no place

ent(
    "seeed-studio",
    "maker_brand",
    [name(an(3197), "en", "official", A.format(3197)),
     name("矽递科技", "zh-Hans", "official", "c21ic2015-chaihuo#para. 3")],
    [A.format(3197), "c21ic2015-chaihuo"],
    founded={"date": "2008", "source": "c21ic2015-chaihuo#para. 3"},
    note=(
        "ananse row (source 'Ananse') files it as a Makerspace with no address; kind maker_brand because Seeed "
        "Studio is an open-hardware company (judgement). Its Google geocoding (g_*) matched a library in Ottawa and "
        "is marked 'WRONG': no location written."
    ),
)

ent(
    "haxlr8r",
    "accelerator",
    [name("HAXLR8R", "en", "official", "tominshenzhen2012"),
     name("HAX", "en", "common", "szdaily2015-hax#para. 1"),
     name(an(2726), "en", "common", A.format(2726))],
    [A.format(2726), "tominshenzhen2012", "szdaily2015-hax", "wired2016-hax#para. 4"],
    founded={"date": "2011", "source": "wired2016-hax#para. 4"},
    note=(
        "ananse row (source 'Ananse') files it as an Incubator with no address; kind accelerator (HAXLR8R is a "
        "hardware accelerator programme). The programme's own participants write HAXLR8R (tominshenzhen2012, "
        "atmel2013-seeed); the directory spells it 'HAXLR8TR', kept as a common (misspelt) form because a source "
        "uses it. Shenzhen Daily (2015-08-21) calls it HAX, Shenzhen's oldest hardware accelerator, founded about three years "
        "earlier by the same investor who led the 2012 HAXLR8R programme: the same accelerator under its later name. Its Google geocoding matched "
        "'Xlr8r Magazine' in San Francisco and is marked 'WRONG': no location written. Founded 2011 per WIRED "
        "(2016, para. 4); Shenzhen Daily's 'about three years' before 2015 is the looser figure."
    ),
)

# ---------------------------------------------------------------- rejected rows

REJECTED[287] = (
    "Shenzhen American International School Maker Faire: one-off school event (School, faire_annual 1)"
)
REJECTED[288] = "Bond Education School Maker Faire: one-off school event (School, faire_annual 1)"
REJECTED[291] = "Gezhi High School Maker Faire: one-off school event (School, faire_annual 1)"
REJECTED[1520] = (
    "phenotypsetter: a concept store; the row says Country/address 'hong kong' but its coordinates "
    "(51.92, 4.48) and another field say Rotterdam, Netherlands: its place cannot be established"
)

# ================================================================ output

HEADER = """\
# Entities from three directories: ananse "Atlas of Innovation Spaces" (2016), szmakermap (2017),
# hackerspaces.org wiki extract by chgrp (2015). Built by data/china/tools/build_directories.py
# (hand-made merges and kinds); see data/china/PROVENANCE-directories.md. Sources in
# data/china/sources-directories.yaml.
#
# Ids defined here (for relations.yaml and ecosystem.yaml):
"""


class Dumper(yaml.SafeDumper):
    pass


def _list(dumper, data):
    flow = all(isinstance(x, (int, float)) for x in data) and len(data) == 2
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


Dumper.add_representer(list, _list)
Dumper.ignore_aliases = lambda self, data: True


def main():
    ids = [e["id"] for e in ENTITIES]
    dup = [i for i, c in Counter(ids).items() if c > 1]
    assert not dup, dup
    missing = [i for i in CHINA_ROWS if i not in used_ananse and i not in REJECTED]
    lines = [HEADER]
    w = max(len(i) for i in ids)
    for e in ENTITIES:
        nm = " / ".join(n["text"] for n in e["names"][:2])
        lines.append(f"#   {e['id']:<{w}}  {e['kind']:<17} {nm}\n")
    lines.append("\n")
    body = yaml.dump(ENTITIES, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=110)
    body = re.sub(r"^- id:", "\n- id:", body, flags=re.M).lstrip("\n")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(lines) + body, "utf-8")

    by_kind = Counter(e["kind"] for e in ENTITIES)
    src_of = Counter()
    for e in ENTITIES:
        for k in sorted({s.split("#")[0] for s in e["sources"]}):
            src_of[k] += 1
    merged = [
        e["id"]
        for e in ENTITIES
        if len({s for s in e["sources"] if not s.startswith("ananse2016-aliases")}) > 1
    ]
    print("entities", len(ENTITIES))
    print("by kind", dict(sorted(by_kind.items())))
    print("entities citing each source", dict(src_of))
    print(
        "ananse China/HK/TW rows",
        len(CHINA_ROWS),
        "used",
        len(used_ananse),
        "rejected",
        len(REJECTED),
        "unaccounted",
        missing,
    )
    print("alias rows used", sorted(used_alias), "of China alias rows", len(CHINA_ALIAS_ROWS))
    print("szmakermap used", sorted(used_sz), "chgrp used", sorted(used_hs))
    print("merged entities", len(merged), merged)
    print("cleaning", *CLEANING, sep="\n  ")
    if missing:
        sys.exit("unaccounted rows")


if __name__ == "__main__":
    main()
