"""Checks that keep a curated dataset folder true, and the counts a researcher cites from it.

``load-curated`` validates the *form* of a folder (docs/data-format.md); this module checks what the form cannot:
that every fact cites a source, that evidence can be found (a locator), that every point has a declared coordinate
system and lies in the division its address names, that no location claims street precision or better without a
point, that every founding, closing and status date is one of the accepted forms (a bad one is a finding, never a
traceback), that no status is dated after the source that asserts it, and that no actor is in the folder twice (the project's own entity resolution, run over the folder). A coding or a
relation with evidence whose locator could not yet be established is not a failure when the folder's
``pending-locators.yaml`` lists it with a reason (``{kind: coding|relation, item: "<entity> <code>" or
"<from> <type> <to>", source, reason}``): the list is the documented debt, counted by ``--counts``. It reads the YAML
files only and writes nothing: ``observatory check-curated DIR`` runs it (``--counts`` prints the counts).

Points are measured against the bundled boundaries (:mod:`observatory.china.divisions`): prefectures, and the
districts of the municipalities and of Hong Kong and Macao. A district below a prefecture (440305 Nanshan) is
checked at its prefecture (440300 Shenzhen), the finest unit with a bundled outline. A point further than
:data:`MAX_OUTSIDE_KM` outside its unit is flagged; a flag is accepted only with a reason written in the folder's
``check-exceptions.yaml`` (``{location: "<entity id>#<0-based location index>", reason: ...}``); a pair that
entity resolution would merge but that are two actors is accepted the same way (``{pair: [id, id], reason: ...}``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

__all__ = ["MAX_OUTSIDE_KM", "SPACE_KINDS", "CheckReport", "Finding", "check_folder"]

#: A point may lie this far outside the outline of its division before it is flagged: the bundled outlines are
#: simplified at about 800 m and the coast snaps at about 2 km (observatory/china/divisions.py).
MAX_OUTSIDE_KM = 2.0

#: The kinds counted as *spaces* (places where people make things together) in the counts.
SPACE_KINDS = frozenset({"fab_lab", "hackerspace", "makerspace", "techshop", "coworking_space", "incubator",
                         "accelerator", "university_lab"})

#: Sources whose rows are the evidence themselves: their locator is a row or feature index.
#: One part of a locator (docs/data-format.md, "Source references"). A locator is one part or several joined by
#: ", " or " and ", optionally followed by a comment in parentheses: "section 序幕, para. 3", "thread header (12 replies)".
_PART = (r"(row:\d+|feature:\d+|pp?\. ?\d+(-\d+)?|paras?\. \d+(-\d+)?|§ ?[\w.]+|Q\d+|repo:\S+|art\. \d+\w*|"
         r"items? \d+(-\d+)?|infobox|tables? \d+|t=\d+:\d\d(:\d\d)?|batch \d+|chapter \d+|slides? \d+(-\d+)?|"
         r"title( slide)?|lead|abstract|intro|captions?( \d+)?|URL|header( lines? \d+(-\d+)?)?|thread header|first post|repl(y|ies)( \d+(-\d+)?)?|"
         r"sections? [^,()]+?|section: [^,()]+?|box [^,()]+?)")
LOCATOR = re.compile(rf"^{_PART}((, | and ){_PART})*( \([^()]*\))?$")
PRECISE = frozenset({"exact", "building", "street"})
CLOSINGS = frozenset({"closed", "revoked"})


@dataclass(frozen=True)
class Finding:
    check: str  # "source", "locator", "crs", "division", "precision", "date", "status-date", "duplicate"
    where: str  # file and entry
    message: str

    def __str__(self) -> str:
        return f"{self.where}: [{self.check}] {self.message}"


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    accepted: list[tuple[Finding, str]] = field(default_factory=list)  # flags with a documented reason
    counts: dict[str, int | str] = field(default_factory=dict)
    pending: int = 0

    def flag(self, check: str, where: str, message: str) -> None:
        self.findings.append(Finding(check, where, message))


def _read(path: Path) -> list[dict]:
    """The entries of a YAML list file; a file that cannot be read raises ValueError naming file and line."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path.name}: not UTF-8 ({exc}); save the file as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path.name}:{mark.line + 1}" if mark else path.name
        raise ValueError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)}); run observatory "
                         "load-curated --check for the full list") from None
    if not isinstance(document, list):
        raise ValueError(f"{path.name}: the file must be a YAML list of entries")
    return [item for item in document if isinstance(item, dict)]


def _has_last_seen(entity: dict, sources: dict) -> bool:
    """Whether the product will give the entity a last-seen date: ``lifecycle.entity_evidence`` (the
    rule of ``lifecycle.last_seen``) on the entity's statuses, ordered as the database orders them,
    and its citing sources. Every curated status counts (its origin is a document); a date that does
    not parse is left out here and flagged by the check of dates."""
    from observatory.inventory.dates import FuzzyDateError, parse_fuzzy_date
    from observatory.inventory.lifecycle import entity_evidence

    statuses = []
    for status in entity.get("statuses") or []:
        try:
            date = parse_fuzzy_date(status.get("date"))[0]
        except FuzzyDateError:
            continue
        statuses.append((date, {"counts": True, "date": date, "value": status.get("value"), "origin": "document",
                                "rule": "", "census_note": "", "programme": status.get("programme", ""),
                                "batch": status.get("batch", "")}))
    statuses.sort(key=lambda item: (item[0] is not None, item[0] or dt.date.min))   # HISTORY_ORDER
    citations = [(key, (sources.get(key) or {}).get("csl") or {})
                 for key in (str(ref).partition("#")[0] for ref in entity.get("sources") or [])]
    return entity_evidence([status for _date, status in statuses], citations).last_seen is not None


def _date_of(value) -> dt.date | None:
    """The latest day a fuzzy date (``2016``, ``2016-05``, ``2016-05-03``, ``circa 2016``) can mean."""
    if value is None or value == "":
        return None
    text = str(value).replace("circa", "").strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text)
    if not m:
        return None
    year, month, day = int(m[1]), m[2], m[3]
    try:
        if day:
            return dt.date(year, int(month), int(day))
        if month:
            nxt = dt.date(year + (month == "12"), 1 if month == "12" else int(month) + 1, 1)
            return nxt - dt.timedelta(days=1)
    except ValueError:       # 2017-13, 2017-02-30: flagged by the check of dates
        return None
    return dt.date(year, 12, 31)


def _issued(source: dict) -> dt.date | None:
    parts = (((source.get("csl") or {}).get("issued") or {}).get("date-parts") or [[None]])[0]
    if not parts or parts[0] is None:
        return None
    return _date_of("-".join(f"{int(p):02d}" if i else str(int(p)) for i, p in enumerate(parts)))


def _checkable(code: str, units: dict, with_outline: set[str]) -> str | None:
    """The finest unit at or above ``code`` that the bundled outlines can test."""
    while code and code not in with_outline:
        unit = units.get(code)
        code = unit.parent_code if unit else None
    return code


def _km_outside(lng: float, lat: float, geometries) -> float:
    from shapely.geometry import Point
    from shapely.ops import nearest_points, unary_union

    from observatory.china.coords import haversine_km

    shape = unary_union(geometries)
    if shape.covers(Point(lng, lat)):
        return 0.0
    near = nearest_points(shape, Point(lng, lat))[0]
    return haversine_km(lng, lat, near.x, near.y)


def check_folder(root: Path, *, max_outside_km: float = MAX_OUTSIDE_KM) -> CheckReport:
    """Check a curated folder (read only) and count what it holds."""
    from observatory.china import divisions
    from observatory.china.coords import convert
    from observatory.inventory.dates import FuzzyDateError, parse_fuzzy_date
    from observatory.inventory.importers.cleaning import website_domain
    from observatory.inventory.resolution.matching import AUTO_MERGE, resolve
    from observatory.inventory.resolution.records import MatchRecord
    from observatory.inventory.taxonomy import kind_layer

    root = Path(root)
    report = CheckReport()
    sources = {s.get("key"): s for p in sorted(root.glob("sources*.yaml")) for s in _read(p)}
    entities = [(p.name, e) for p in sorted((root / "entities").glob("*.yaml")) for e in _read(p)]
    relations = [(p.name, r) for p in sorted(root.glob("relations*.yaml")) for r in _read(p)]
    codings = [(p.name, c) for p in sorted(root.glob("codings*.yaml")) for c in _read(p)]
    exceptions_path = root / "check-exceptions.yaml"
    listed = _read(exceptions_path) if exceptions_path.exists() else []
    exceptions = {x["location"]: x.get("reason", "") for x in listed if x.get("location") and x.get("reason")}
    distinct = {frozenset(x["pair"]): x.get("reason", "") for x in listed
                if isinstance(x.get("pair"), list) and len(x["pair"]) == 2 and x.get("reason")}

    pending_path = root / "pending-locators.yaml"
    pending = {(x.get("kind"), x.get("item"), x.get("source")) for x in
               (_read(pending_path) if pending_path.exists() else []) if x.get("reason")}
    report.pending = len(pending)

    def ref_ok(ref, where: str, what: str, *, locator: bool = False, item: str = "",
               kind: str = "") -> dt.date | None:
        if not ref:
            report.flag("source", where, f"{what} cites no source")
            return None
        key, _, loc = str(ref).partition("#")
        if key not in sources:
            report.flag("source", where, f"{what} cites an unknown source {key!r}")
            return None
        if locator and not loc and (kind, item, ref) not in pending:
            report.flag("locator", where, f"{what} cites {key!r} with no locator (page, paragraph, row...; "
                                          "docs/data-format.md), and is not on pending-locators.yaml")
        elif loc and not LOCATOR.match(loc.strip()):
            report.flag("locator", where, f"{what}: locator {loc!r} is not one of the documented forms")
        return _issued(sources[key])

    def date_ok(value, where: str, what: str) -> None:
        try:
            parse_fuzzy_date(value)
        except FuzzyDateError as exc:
            report.flag("date", where, f"{what}: {exc}")

    data = divisions._data()
    data.tree()
    leaf_geoms = dict(zip(data.leaf_codes, data.tree().geometries, strict=True))
    with_outline = set(leaf_geoms)
    for code in list(leaf_geoms):  # a province or municipality is testable through its leaves
        unit = data.units.get(code)
        while unit and unit.parent_code:
            with_outline.add(unit.parent_code)
            unit = data.units.get(unit.parent_code)
    descendants: dict[str, list[str]] = {}
    for code in leaf_geoms:
        unit = data.units.get(code)
        chain = [code]
        while unit and unit.parent_code:
            chain.append(unit.parent_code)
            unit = data.units.get(unit.parent_code)
        for ancestor in chain:
            descendants.setdefault(ancestor, []).append(code)

    records: list[MatchRecord] = []
    space_total = space_founded = mainland_precise = closings = last_seen = 0
    for index, (file, e) in enumerate(entities):
        eid = e.get("id", "?")
        where = f"entities/{file} [{eid}]"
        if not e.get("sources"):
            report.flag("source", where, "the entity lists no source")
        for ref in e.get("sources") or []:
            ref_ok(ref, where, "the entity")
        for n in e.get("names") or []:
            ref_ok(n.get("source"), where, f"name {n.get('text')!r}")
        for label in ("founded", "closed"):
            if isinstance(e.get(label), dict):
                ref_ok(e[label].get("source"), where, label)
                date_ok(e[label].get("date"), where, label)
        for i, st in enumerate(e.get("statuses") or []):
            issued = ref_ok(st.get("source"), where, f"status {i}")
            date_ok(st.get("date"), where, f"status {i}")
            asserted = _date_of(st.get("date"))
            earliest = _date_of(str(st.get("date", "")).replace("circa", "").strip()[:4] + "-01-01") \
                if asserted else None
            if asserted and issued and earliest and earliest > issued:
                report.flag("status-date", where, f"status {i} ({st.get('value')}) is dated {st.get('date')}, "
                                                  f"after its source {st.get('source')!r} ({issued})")
        point = None
        precise_mainland = False
        for i, loc in enumerate(e.get("locations") or []):
            ref_ok(loc.get("source"), where, f"location {i}")
            if loc.get("lng") is None or loc.get("lat") is None:
                if loc.get("precision") in PRECISE and not loc.get("polygon"):
                    report.flag("precision", where, f"location {i} says precision {loc['precision']} but gives no "
                                                    "point: the loader places it at the centroid of its division and "
                                                    "lowers the precision to the division's; write that precision "
                                                    "(district, city, province) and keep the address")
                continue
            crs = loc.get("crs")
            if crs not in ("WGS-84", "GCJ-02", "BD-09"):
                report.flag("crs", where, f"location {i} has coordinates but no declared coordinate system")
                continue
            lng, lat = convert(float(loc["lng"]), float(loc["lat"]), crs, "WGS-84")
            point = point or (lng, lat)
            code = str(loc.get("division") or "")
            if loc.get("precision") in PRECISE and not code.startswith(("71", "81", "82")):
                precise_mainland = True
            if not code:
                continue
            target = _checkable(code, data.units, with_outline)
            if target is None:
                report.flag("division", where, f"location {i}: division {code} is not a known GB/T 2260 code")
                continue
            km = _km_outside(lng, lat, [leaf_geoms[c] for c in descendants.get(target, [])])
            if km > max_outside_km:
                finding = Finding("division", where, f"location {i} ({loc.get('precision')}) lies {km:.1f} km "
                                                     f"outside {target} (division {code}), more than "
                                                     f"{max_outside_km} km")
                reason = exceptions.get(f"{eid}#{i}")
                if reason:
                    report.accepted.append((finding, reason))
                else:
                    report.findings.append(finding)
        kind = e.get("kind", "")
        if kind in SPACE_KINDS:
            space_total += 1
            space_founded += bool(e.get("founded"))
            mainland_precise += precise_mainland
            last_seen += _has_last_seen(e, sources)
        dated_closing = (isinstance(e.get("closed"), dict) and e["closed"].get("date")) or any(
            st.get("value") in CLOSINGS and st.get("date") for st in e.get("statuses") or [])
        closings += bool(dated_closing)
        names = [n.get("text", "") for n in e.get("names") or []]
        records.append(MatchRecord(id=index, names=names, kind=kind, layer=kind_layer(kind) if kind else "",
                                   domain=website_domain(e.get("website") or ""),
                                   lng=point[0] if point else None, lat=point[1] if point else None,
                                   label=f"{file}:{eid}").prepare())

    ids = {e.get("id") for _, e in entities}
    for file, r in relations:
        where = f"{file} [{r.get('from')} {r.get('type')} {r.get('to')}]"
        for end in ("from", "to"):
            if r.get(end) not in ids:
                report.flag("source", where, f"unknown entity {r.get(end)!r}")
        ref_ok(r.get("source"), where, "the relation", locator=bool(r.get("evidence")), kind="relation",
               item=f"{r.get('from')} {r.get('type')} {r.get('to')}")

    with_locator = 0
    for file, c in codings:
        where = f"{file} [{c.get('entity')} {c.get('code')}]"
        ref_ok(c.get("source"), where, "the coding", locator=True, kind="coding",
               item=f"{c.get('entity')} {c.get('code')}")
        with_locator += "#" in str(c.get("source", ""))

    scored, _stats = resolve(records)
    for a, b, score in scored:
        if score.score < AUTO_MERGE:
            continue
        finding = Finding("duplicate", f"{records[a].label} ~ {records[b].label}",
                          f"entity resolution scores the pair {score.score:.2f} (auto-merge at {AUTO_MERGE}): one "
                          "actor twice, or write why not in check-exceptions.yaml")
        reason = distinct.get(frozenset((records[a].label.split(":")[1], records[b].label.split(":")[1])))
        if reason:
            report.accepted.append((finding, reason))
        else:
            report.findings.append(finding)

    share = (space_founded / space_total) if space_total else 0.0
    report.counts = {
        "entities": len(entities),
        "spaces": space_total,
        "mainland spaces at street precision or better": mainland_precise,
        "spaces with a founding date": f"{space_founded} ({share:.0%})",
        "spaces with a last-seen date (a dated alive status or citing source)": last_seen,
        "dated closings or revocations": closings,
        "relations": len(relations),
        "codings": len(codings),
        "codings with a locator": f"{with_locator} of {len(codings)}",
        "codings and relations pending a locator (pending-locators.yaml)": report.pending,
        "flags accepted with a reason": len(report.accepted),
    }
    return report

