"""Precision and recall of entity resolution on labelled pairs (docs/entity-resolution.md).

Two labelled sets:

1. **The Ananse alias sheet** (``aliases_derived.csv``): each of its 221 rows names a space and
   the names it has in other directories (``fablab alias``, ``other alias``, ``hackerspace
   alias``). Each name becomes one record (the row's name with its coordinates, as in
   the merged list; each alias with the row's city but no point, as a directory that only gives
   a name and a city; both with the row's city, region and country as their place names); the true pairs are the names of the same row, every other pair is false.
2. **Cross-source pairs** labelled by hand (``tests/fixtures/importers/cross_source_pairs.csv``):
   China rows of ananse, szmakermap and the hackerspaces.org extract that are the same space,
   and the universe of records they are drawn from (every pair inside it that is not listed is
   a different space).

A predicted pair is one scored at or above the threshold; precision = true predicted / predicted,
recall = true predicted / true pairs.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from pathlib import Path

from .matching import AUTO_MERGE, REVIEW, resolve
from .normalisation import places_of_divisions, places_of_text
from .records import MatchRecord

__all__ = ["PrecisionRecall", "alias_records", "evaluate_pairs", "precision_recall"]


@dataclass
class PrecisionRecall:
    threshold: float
    true_pairs: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.true_pairs if self.true_pairs else 1.0

    def as_row(self) -> dict:
        return {"threshold": self.threshold, "true pairs": self.true_pairs, "predicted": self.predicted,
                "correct": self.correct, "precision": round(self.precision, 3), "recall": round(self.recall, 3)}


def _float(value: str) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number


def alias_records(path: Path) -> tuple[list[MatchRecord], set[frozenset[int]]]:
    """Records and true pairs from the alias sheet (see the module docstring)."""
    from observatory.inventory.importers.ananse import ananse_kind
    from observatory.inventory.importers.cleaning import text_repair

    records: list[MatchRecord] = []
    truth: set[frozenset[int]] = set()
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for index, row in enumerate(csv.DictReader(handle)):
            kind = ananse_kind(row.get("Simple Category", ""), row.get("Source", ""))
            city = (row.get("City and Region") or "").split(",")[0].strip().casefold()
            places = places_of_text(*(text_repair(part)[0].strip(" .") for part in
                                      [*(row.get("City and Region") or "").split(","), row.get("Country") or ""]))
            lat, lng = _float(row.get("Lat")), _float(row.get("Long"))
            group = []
            name = text_repair(row.get("Name", ""))[0]
            if name:
                records.append(MatchRecord(id=len(records), names=[name], kind=kind, layer="physical", lat=lat,
                                           lng=lng if lat is not None else None, city=city, places=places,
                                           label=f"row:{index}"))
                group.append(records[-1].id)
            for column in ("fablab alias", "other alias", "hackerspace alias"):
                alias = text_repair(row.get(column, ""))[0]
                if alias:
                    records.append(MatchRecord(id=len(records), names=[alias], kind=kind, layer="physical", city=city,
                                               places=places, label=f"row:{index} {column}"))
                    group.append(records[-1].id)
            truth.update(frozenset(pair) for pair in itertools.combinations(group, 2))
    return [r.prepare() for r in records], truth


def precision_recall(scored, truth: set[frozenset], thresholds=(AUTO_MERGE, REVIEW), *,
                     universe: set | None = None, key=lambda record: record.id, records=None) -> list[PrecisionRecall]:
    """Precision and recall at each threshold; pairs outside ``universe`` (when given) are not judged."""
    results = []
    for threshold in thresholds:
        predicted = set()
        for i, j, score in scored:
            if score.score < threshold:
                continue
            a, b = key(records[i]), key(records[j])
            if universe is not None and (a not in universe or b not in universe):
                continue
            predicted.add(frozenset((a, b)))
        correct = len(predicted & truth)
        results.append(PrecisionRecall(threshold, len(truth), len(predicted), correct))
    return results


def evaluate_pairs(records: list[MatchRecord], truth: set[frozenset], *, universe: set | None = None,
                   key=lambda record: record.id, thresholds=(AUTO_MERGE, REVIEW)) -> tuple[list[PrecisionRecall], dict]:
    """Resolve ``records`` and measure against ``truth`` (pairs of ``key`` values)."""
    scored, stats = resolve(records, review=min(thresholds))
    return precision_recall(scored, truth, thresholds, universe=universe, key=key, records=records), stats


def labelled_refs(path: Path) -> tuple[dict[str, str], set[frozenset[str]]]:
    """(ref → labelled entity, true pairs of refs) from a labels CSV with columns ref, name, entity."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        entity_of = {row["ref"]: row["entity"] for row in csv.DictReader(handle)}
    groups: dict[str, list[str]] = {}
    for ref, entity in entity_of.items():
        groups.setdefault(entity, []).append(ref)
    truth = {frozenset(pair) for refs in groups.values() for pair in itertools.combinations(sorted(refs), 2)}
    return entity_of, truth


def records_from_files(files: list[tuple[str, Path]], refs: set[str]) -> list[MatchRecord]:
    """Match records of the rows of ``files`` ((importer name, path) pairs) whose ``key#external_id``
    is in ``refs``, parsed and cleaned by the importers without touching the database."""
    from observatory.china.coords import convert
    from observatory.inventory.importers import RowRejected, importer_get
    from observatory.inventory.importers.cleaning import website_domain
    from observatory.inventory.taxonomy import kind_layer

    records = []
    for name, path in files:
        importer = importer_get(name)
        for raw in importer.rows(Path(path)):
            ref = importer.ref(raw)
            if ref not in refs:
                continue
            try:
                document = importer.parse(raw).document
            except RowRejected:
                continue
            lng = lat = None
            city = ""
            divisions = []
            for location in document.get("locations") or []:
                if location.get("lng") is not None:
                    lng, lat = (float(v) for v in convert(location["lng"], location["lat"], location["crs"], "WGS-84"))
                division = str(location.get("division") or "")
                divisions.append(division)
                city = division[:4] + "00" if division else city
                if city.endswith("0000") is False and division[:2] in ("11", "12", "31", "50"):
                    city = division[:2] + "0000"
            records.append(MatchRecord(
                id=len(records), names=[n["text"] for n in document["names"]], kind=document["kind"],
                layer=kind_layer(document["kind"]), domain=website_domain(document.get("website", "")), lng=lng,
                lat=lat, city=city, places=places_of_divisions(divisions), label=ref).prepare())
    return records


def cross_source_evaluate(labels: Path, files: list[tuple[str, Path]], *,
                          thresholds=(AUTO_MERGE, REVIEW)) -> tuple[list[PrecisionRecall], dict]:
    """Precision and recall on the labelled rows of ``files`` (see :func:`records_from_files`)."""
    entity_of, truth = labelled_refs(labels)
    records = records_from_files(files, set(entity_of))
    found = {r.label for r in records}
    truth = {pair for pair in truth if pair <= found}
    results, stats = evaluate_pairs(records, truth, universe=found, key=lambda r: r.label, thresholds=thresholds)
    stats["labelled_refs"], stats["found_refs"] = len(entity_of), len(found)
    return results, stats
