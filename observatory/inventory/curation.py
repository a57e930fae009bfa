"""Replay a curation file: hand-made decisions over raw directory rows, read through the importers.

A curation file (docs/data-format.md, "Curation files") lists the entities a curator built from
rows of raw directories: which rows are kept, merged or rejected, the kind, the names (taken from
a row or written by the curator), the coordinate system and precision of each location, the
founding date, statuses, sources and notes. The values a row gives (names, coordinates,
addresses, outlines, founding dates) are not written in the file: :func:`curation_replay` reads
each cited row with the project's importer for its source and takes them from the entity document
the importer's cleaning builds, so that what the dataset says is what the source says. Everything
else is the curator's and is copied as written.

The result is a curated entities file (``data/china/entities/directories.yaml``) that
``observatory load-curated`` loads like any other; ``observatory replay-curation --check`` says
whether the file in the repository is still what the curation and the raw files give.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from observatory.china.names import is_cjk

from .importers import IMPORTERS
from .importers.base import RowRejected
from .importers.cleaning import contact_strip, text_repair

__all__ = ["CurationError", "Replay", "curation_read", "curation_replay", "entities_yaml"]


class CurationError(ValueError):
    """A curation file that cannot be replayed; the message names the entity and the field."""


@dataclass
class Replay:
    entities: list[dict]
    header: str
    used: dict[str, set[int]] = field(default_factory=dict)  # source key -> row / feature numbers cited
    report: list[str] = field(default_factory=list)


_FILE_KEYS = ("header", "scope", "rejected", "phrases", "cleaning", "entities")
_ENTITY_KEYS = ("id", "kind", "names", "sources", "website", "founded", "locations", "statuses", "note")
# Keys of a location taken from a row that steer the replay; any other key is copied after them.
_LOCATION_CONTROL = ("row", "crs", "precision", "division", "coords", "address", "address_fields")


def curation_read(path: Path | str) -> dict:
    with Path(path).open(encoding="utf-8") as handle:
        curation = yaml.safe_load(handle)
    if not isinstance(curation, dict) or not isinstance(curation.get("entities"), list):
        raise CurationError(f"{path}: a curation file is a mapping with an 'entities' list")
    unknown = set(curation) - set(_FILE_KEYS)
    if unknown:
        raise CurationError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(_FILE_KEYS)}")
    return curation


class _Rows:
    """The rows of the raw files, read and parsed by the importer of each source (once)."""

    def __init__(self, raw_dir: Path):
        self.raw_dir = raw_dir
        self.importers = {cls.source.key: cls for cls in IMPORTERS.values() if cls.raw_files}
        self.rows: dict[str, dict] = {}
        self.parsed: dict[str, Any] = {}
        self.used: dict[str, set[int]] = {}

    def source_rows(self, key: str) -> tuple[Any, dict]:
        if key not in self.importers:
            raise CurationError(f"{key!r} is no source an importer reads from the raw files; known: "
                                + ", ".join(sorted(self.importers)))
        if key not in self.rows:
            importer = self.importers[key]()
            path = self.raw_dir / importer.raw_files[0]
            if not path.is_file():
                raise CurationError(f"{path}: the raw file of {key} is absent")
            self.rows[key] = (importer, {raw.locator: raw for raw in importer.rows(path)})
        return self.rows[key]

    def cited(self, ref: str) -> bool:
        return ref.partition("#")[0] in self.importers

    def row(self, ref: str):
        """(raw row, parsed row) of a reference ``key#row:N`` / ``key#feature:N``."""
        key, _, locator = ref.partition("#")
        importer, rows = self.source_rows(key)
        if locator not in rows:
            raise CurationError(f"{ref}: no such row in {importer.raw_files[0]}")
        if ref not in self.parsed:
            try:
                self.parsed[ref] = importer.parse(rows[locator])
            except RowRejected as exc:
                raise CurationError(f"{ref}: the importer rejects the row ({exc})") from None
        self.used.setdefault(key, set()).add(int(locator.split(":")[1]))
        return rows[locator], self.parsed[ref]

    def note_use(self, ref: str) -> None:
        ref = ref.split(" ")[0]
        key, _, locator = ref.partition("#")
        if key in self.importers and re.fullmatch(r"(row|feature):\d+", locator):
            self.row(ref)


def _field(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _field_text(rows: _Rows, ref: str, dotted: str, *, address: bool = False) -> str:
    raw, _parsed = rows.row(ref)
    text, _note = text_repair(_field(raw.data, dotted), field=dotted)
    if address:
        text, _note = contact_strip(text, field=dotted)
    if not text:
        raise CurationError(f"{ref}: field {dotted!r} is empty")
    return text


def _name(rows: _Rows, spec: dict, where: str) -> dict:
    if "row" in spec:
        ref = spec["row"]
        if "field" in spec:
            text = _field_text(rows, ref, spec["field"])
        else:
            text = rows.row(ref)[1].document["names"][0]["text"]
        name = {"text": text, "lang": spec["lang"], "type": spec["type"], "source": ref}
    else:
        name = {"text": spec["text"], "lang": spec["lang"], "type": spec["type"], "source": spec["source"]}
        rows.note_use(spec["source"])
    if spec.get("valid_to"):
        name["valid_to"] = spec["valid_to"]
    return name


def _founded(rows: _Rows, spec: dict, where: str) -> dict:
    if "row" not in spec:
        rows.note_use(spec["source"])
        return {"date": spec["date"], "source": spec["source"]}
    ref = spec["row"]
    date = rows.row(ref)[1].document.get("founded")
    if not date:
        raise CurationError(f"{where} founded: {ref} gives no founding date the importer can read")
    if spec.get("precision") == "month":
        # An Excel serial that falls on the first of a month is what a spreadsheet makes of a
        # month-only date: the curator keeps the month.
        if not re.fullmatch(r"\d{4}-\d{2}-01", date):
            raise CurationError(f"{where} founded: precision month needs the first of a month, {ref} gives {date}")
        date = date[:7]
    return {"date": date, "source": ref}


def _coordinate(value: float, notes, axis: str) -> float:
    """A coordinate as the importer read it; one read from degrees-minutes-seconds is written to 6
    decimals (0.1 m, finer than the whole seconds the directories give)."""
    if any(n.field == axis and "degrees-minutes-seconds" in n.action for n in notes):
        return round(value, 6)
    return value


def _location(rows: _Rows, spec: dict, where: str) -> dict:
    if "row" not in spec:
        rows.note_use(spec.get("source", ""))
        return dict(spec)
    ref = spec["row"]
    _raw, parsed = rows.row(ref)
    found = (parsed.document.get("locations") or [None])[0] or {}
    location: dict[str, Any] = {}
    coords = spec.get("coords", True)
    point = coords and "lat" in found
    outline = coords and "polygon" in found
    if point:
        location["lng"] = _coordinate(found["lng"], parsed.notes, "lng")
        location["lat"] = _coordinate(found["lat"], parsed.notes, "lat")
    if (point or outline) != ("crs" in spec):
        raise CurationError(f"{where} location {ref}: " + ("declare the coordinate system (crs) of its point"
                                                            if point or outline else "no point, so no crs"))
    if "crs" in spec:
        location["crs"] = spec["crs"]
    if outline:
        location["polygon"] = [[list(p) for p in ring] for ring in found["polygon"]]
    location["precision"] = spec["precision"]
    if spec.get("division"):
        location["division"] = spec["division"]
    address = spec.get("address", True)
    if isinstance(address, str):  # the curator's reading of the row's address (its note says why)
        location["address_zh" if is_cjk(address) else "address_en"] = address
    elif address and "address_fields" in spec:
        for key, dotted in spec["address_fields"].items():
            location[key] = _field_text(rows, ref, dotted, address=True)
    elif address:
        for key in ("address_zh", "address_en"):
            if found.get(key):
                location[key] = found[key]
    location["source"] = ref
    location.update({k: v for k, v in spec.items() if k not in _LOCATION_CONTROL})
    return location


def _note(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(part for part in value if part)
    return value


def _entity(rows: _Rows, spec: dict) -> dict:
    where = f"entity {spec.get('id', '?')!r}:"
    unknown = set(spec) - set(_ENTITY_KEYS)
    if unknown:
        raise CurationError(f"{where} unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(_ENTITY_KEYS)}")
    for ref in spec.get("sources", []):
        rows.note_use(ref)
    entity: dict[str, Any] = {
        "id": spec["id"], "kind": spec["kind"],
        "names": [_name(rows, n, where) for n in spec["names"]],
        "sources": list(spec["sources"]),
    }
    if spec.get("website"):
        entity["website"] = spec["website"]
    if spec.get("founded"):
        entity["founded"] = _founded(rows, spec["founded"], where)
    if spec.get("locations"):
        entity["locations"] = [_location(rows, loc, where) for loc in spec["locations"]]
    if spec.get("statuses"):
        entity["statuses"] = [dict(s) for s in spec["statuses"]]
        for status in spec["statuses"]:
            rows.note_use(status.get("source", ""))
    if spec.get("note"):
        entity["note"] = _note(spec["note"])
    return entity


def curation_replay(curation: dict, raw_dir: Path | str) -> Replay:
    """The entities of a curation, their row values read from ``raw_dir`` through the importers;
    raises :class:`CurationError` naming the entity and field of the first problem, or the rows of a
    declared scope that no entity cites and no rejection accounts for."""
    rows = _Rows(Path(raw_dir))
    entities = []
    for spec in curation["entities"]:
        try:
            entities.append(_entity(rows, spec))
        except (KeyError, TypeError, AttributeError) as exc:
            name = spec.get("id", "?") if isinstance(spec, dict) else "?"
            raise CurationError(f"entity {name!r}: a field is missing or malformed ({exc!r}); see "
                                "docs/data-format.md, 'Curation files'") from None
    duplicates = sorted(i for i, n in Counter(e["id"] for e in entities).items() if n > 1)
    if duplicates:
        raise CurationError(f"ids used twice: {', '.join(duplicates)}")
    replay = Replay(entities=entities, header=curation.get("header", ""), used=rows.used)
    rejected = {}
    for item in curation.get("rejected") or []:
        rows.source_rows(item["row"].partition("#")[0])
        rejected[item["row"]] = item["reason"]
    for scope in curation.get("scope") or []:
        key = scope["source"]
        _importer, source_rows = rows.source_rows(key)
        values = {v.casefold() for v in scope["values"]}
        in_scope = [locator for locator, raw in source_rows.items()
                    if str(_field(raw.data, scope["field"]) or "").strip().casefold() in values]
        cited = {f"row:{n}" for n in rows.used.get(key, set())}
        missing = [loc for loc in in_scope if loc not in cited and f"{key}#{loc}" not in rejected]
        replay.report.append(f"{key}: {len(in_scope)} rows with {scope['field']} in {sorted(values)}; cited "
                             f"{len(cited & set(in_scope))}, rejected {sum(1 for r in rejected if r.startswith(key + '#'))}")
        if missing and scope.get("complete", True):
            raise CurationError(f"{key}: rows in scope that no entity cites and no rejection accounts for: "
                                + ", ".join(missing))
    by_kind = Counter(e["kind"] for e in entities)
    cites = Counter(k for e in entities for k in sorted({s.split("#")[0] for s in e["sources"]}))
    merged = [e["id"] for e in entities
              if len({s for s in e["sources"] if not s.startswith("ananse2016-aliases")}) > 1]
    replay.report += [
        f"entities {len(entities)}",
        f"by kind {dict(sorted(by_kind.items()))}",
        f"entities citing each source {dict(cites)}",
        *(f"{key} used {sorted(numbers)}" for key, numbers in sorted(rows.used.items())),
        f"merged entities {len(merged)} {merged}",
        "cleaning", *(f"  {line}" for line in curation.get("cleaning") or []),
    ]
    return replay


class _Dumper(yaml.SafeDumper):
    pass


def _list(dumper, data):
    flow = len(data) == 2 and all(isinstance(x, int | float) for x in data)  # [lng, lat] on one line
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _list)
_Dumper.ignore_aliases = lambda self, data: True


def entities_yaml(replay: Replay) -> str:
    """The entities file: the header, a comment line per id (id, kind, first two names), the entities."""
    ids = [e["id"] for e in replay.entities]
    width = max(len(i) for i in ids)
    lines = [replay.header]
    for entity in replay.entities:
        names = " / ".join(n["text"] for n in entity["names"][:2])
        lines.append(f"#   {entity['id']:<{width}}  {entity['kind']:<17} {names}\n")
    lines.append("\n")
    body = yaml.dump(replay.entities, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)
    body = re.sub(r"^- id:", "\n- id:", body, flags=re.M).lstrip("\n")
    return "".join(lines) + body
