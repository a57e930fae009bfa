"""Entity resolution over the database: dedupe runs, merge and exact un-merge.

A merge never deletes: the merged entity keeps its names, locations, statuses, records and
citations and gets ``merged_into``; the kept entity receives copies of the names it lacked, the
merged entity's records and citations, the relations that can move without creating a self-tie or
a duplicate, and the website / founding / closing date it lacked. Everything added is written in
the :class:`MergeDecision`'s ``undo``, and :func:`entity_unmerge` takes exactly that away again.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import reversion
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from observatory.inventory.importers.cleaning import website_domain
from observatory.inventory.models import Entity, EntitySource, Location, MergeDecision, Name, Relation
from observatory.inventory.services import entity_refresh_derived

from .blocking import MAX_BLOCK
from .matching import AUTO_MERGE, REVIEW, resolve
from .normalisation import places_of_divisions
from .records import MatchRecord
from .scoring import PairScore

__all__ = [
    "DedupeReport",
    "dedupe_judge",
    "dedupe_run",
    "entity_merge",
    "entity_unmerge",
    "judged_pairs_read",
    "match_records",
    "merge_carried_document",
    "merge_decision_accept",
    "merge_decision_reject",
]

_FIELDS = ("website", "founded", "founded_precision", "closed", "closed_precision")


def match_records(entities=None) -> list[MatchRecord]:
    """One MatchRecord per entity not merged into another (all of them, or those of ``entities``)."""
    queryset = Entity.objects.filter(merged_into__isnull=True) if entities is None else entities
    rows = list(queryset.values_list("id", "kind", "layer", "website", "slug"))
    ids = [row[0] for row in rows]
    names: dict[int, list[str]] = defaultdict(list)
    points: dict[int, tuple[float, float]] = {}
    cities: dict[int, str] = {}
    divisions: dict[int, list[str]] = defaultdict(list)
    labels: dict[int, list[str]] = defaultdict(list)
    cited: dict[int, list[str]] = {}
    for chunk_start in range(0, len(ids), 20000):
        chunk = ids[chunk_start:chunk_start + 20000]
        for entity_id, text in Name.objects.filter(entity_id__in=chunk).values_list("entity_id", "text"):
            names[entity_id].append(text)
        for entity_id, lng, lat, centroid, prefecture, division in (
                Location.objects.filter(entity_id__in=chunk).order_by("id")
                .values_list("entity_id", "lng", "lat", "placed_at_centroid", "prefecture_code", "division_code")):
            if lng is not None and not centroid:
                points.setdefault(entity_id, (lng, lat))
            if division and division not in divisions[entity_id]:
                divisions[entity_id].append(division)
            if prefecture:
                cities.setdefault(entity_id, prefecture)
        through = Entity.records.through
        for entity_id, key, external_id in (through.objects.filter(entity_id__in=chunk).order_by("sourcerecord_id")
                                            .values_list("entity_id", "sourcerecord__source__key",
                                                         "sourcerecord__external_id")):
            labels[entity_id].append(f"{key}#{external_id}")
        for entity_id, key, locator in (EntitySource.objects.filter(entity_id__in=chunk).order_by("id")
                                        .values_list("entity_id", "source__key", "locator")):
            if entity_id not in labels or not any(label.startswith(f"{key}#") for label in labels[entity_id]):
                cited.setdefault(entity_id, []).append(f"{key}#{locator}" if locator else key)
    records = []
    for entity_id, kind, layer, website, slug in rows:
        point = points.get(entity_id)
        records.append(MatchRecord(
            id=entity_id, names=names.get(entity_id, []), kind=kind, layer=layer, domain=website_domain(website),
            lng=point[0] if point else None, lat=point[1] if point else None, city=cities.get(entity_id, ""),
            places=places_of_divisions(divisions.get(entity_id, ())),
            label="; ".join(labels.get(entity_id, []) or cited.get(entity_id, [])) or slug).prepare())
    return records


# --------------------------------------------------------------------------------------------
# Merge and un-merge


def _name_key(name: Name) -> list:
    return [name.text, name.lang, name.type]


def _ref(source, locator: str) -> str:
    if source is None:
        return ""
    return f"{source.key}#{locator}" if locator else source.key


@transaction.atomic
def entity_merge(*, kept: Entity, merged: Entity, score: float = 1.0, features: dict | None = None, user=None,
                 automatic: bool = False) -> MergeDecision:
    """Merge ``merged`` into ``kept`` (see the module docstring); returns the decision with its undo data."""
    kept = Entity.objects.select_for_update().get(pk=kept.pk)
    merged = Entity.objects.select_for_update().get(pk=merged.pk)
    if kept.pk == merged.pk:
        raise ValidationError({"merged": "an entity cannot be merged into itself"})
    if kept.merged_into_id or merged.merged_into_id:
        raise ValidationError({"merged": f"{kept.slug if kept.merged_into_id else merged.slug!r} is already merged "
                                         "into another entity; merge into that one"})
    undo: dict = {"names": [], "records": [], "citations": [], "relations": [], "fields": {}}
    have = {tuple(_name_key(n)) for n in kept.names.all()}
    for name in merged.names.select_related("source"):
        if tuple(_name_key(name)) in have:
            continue
        have.add(tuple(_name_key(name)))
        Name.objects.create(entity=kept, text=name.text, lang=name.lang, type=name.type, pinyin=name.pinyin,
                            normalized=name.normalized, valid_from=name.valid_from, valid_to=name.valid_to,
                            source=name.source, source_locator=name.source_locator, record=name.record)
        undo["names"].append({"text": name.text, "lang": name.lang, "type": name.type,
                              "source": _ref(name.source, name.source_locator)})
    kept_records = set(kept.records.values_list("id", flat=True))
    for record_id in merged.records.values_list("id", flat=True):
        if record_id not in kept_records:
            kept.records.add(record_id)
            undo["records"].append(record_id)
    kept_citations = set(kept.citations.values_list("source_id", "locator"))
    for citation in merged.citations.select_related("source"):
        if (citation.source_id, citation.locator) not in kept_citations:
            created = EntitySource.objects.create(entity=kept, source=citation.source, locator=citation.locator)
            undo["citations"].append({"id": created.pk, "ref": _ref(citation.source, citation.locator)})
    for end, other_end in (("source_entity", "target_entity"), ("target_entity", "source_entity")):
        for relation in Relation.objects.filter(**{end: merged}):
            other = getattr(relation, f"{other_end}_id")
            if other == kept.pk:
                continue  # would tie the kept entity to itself: it stays on the merged entity
            clash = {end: kept, other_end + "_id": other, "type": relation.type, "source_id": relation.source_id}
            if Relation.objects.filter(**clash).exists():
                continue
            setattr(relation, end, kept)
            relation.save(update_fields=[end, "updated"])
            undo["relations"].append({"id": relation.pk, "end": end})
    field_sources = dict(kept.field_sources or {})
    for name in ("website", "founded", "closed"):
        if not getattr(kept, name) and getattr(merged, name):
            undo["fields"][name] = {"value": None if name != "website" else "",
                                    "precision": getattr(kept, f"{name}_precision", None),
                                    "field_source": field_sources.get(name)}
            setattr(kept, name, getattr(merged, name))
            if name != "website":
                setattr(kept, f"{name}_precision", getattr(merged, f"{name}_precision"))
            if (merged.field_sources or {}).get(name):
                field_sources[name] = merged.field_sources[name]
    if undo["fields"]:
        kept.field_sources = field_sources
        if kept.founded and kept.closed and kept.closed < kept.founded:
            for name in ("founded", "closed"):
                if name in undo["fields"]:
                    setattr(kept, name, None)
                    setattr(kept, f"{name}_precision", "")
        kept.save(update_fields=[*_FIELDS, "field_sources", "updated"])
    with reversion.create_revision():
        merged.merged_into = kept
        merged.save(update_fields=["merged_into", "updated"])
        entity_refresh_derived(kept)
        reversion.add_to_revision(kept)
        if user is not None and getattr(user, "pk", None):
            reversion.set_user(user)
        reversion.set_comment(f"Merged {merged.slug} into {kept.slug} (score {score:.2f})")
    decision = MergeDecision.objects.filter(kept=kept, merged=merged).first() or \
        MergeDecision.objects.filter(kept=merged, merged=kept).first() or MergeDecision(kept=kept, merged=merged)
    decision.kept, decision.merged = kept, merged
    decision.score, decision.features = round(float(score), 4), features or decision.features or {}
    decision.status, decision.automatic, decision.undo = "merged", automatic, undo
    decision.decided_by = user if getattr(user, "pk", None) else None
    decision.decided_at = timezone.now()
    decision.save()
    return decision


@transaction.atomic
def entity_unmerge(*, decision: MergeDecision, user=None) -> MergeDecision:
    """Undo a merge exactly: take from the kept entity what the merge added and free the merged one."""
    decision = MergeDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.status != "merged":
        raise ValidationError({"status": f"only a merged pair can be un-merged (this one is {decision.status})"})
    kept, merged = decision.kept, decision.merged
    undo = decision.undo or {}
    for item in undo.get("names", []):
        kept.names.filter(text=item["text"], lang=item["lang"], type=item["type"]).delete()
    if undo.get("records"):
        kept.records.remove(*undo["records"])
    EntitySource.objects.filter(pk__in=[c["id"] for c in undo.get("citations", [])], entity=kept).delete()
    for item in undo.get("relations", []):
        Relation.objects.filter(pk=item["id"], **{item["end"]: kept}).update(**{item["end"]: merged})
    if undo.get("fields"):
        kept.refresh_from_db()
        field_sources = dict(kept.field_sources or {})
        for name, old in undo["fields"].items():
            setattr(kept, name, old["value"])
            if name != "website":
                setattr(kept, f"{name}_precision", old["precision"] or "")
            if old.get("field_source"):
                field_sources[name] = old["field_source"]
            else:
                field_sources.pop(name, None)
        kept.field_sources = field_sources
        kept.save(update_fields=[*_FIELDS, "field_sources", "updated"])
    with reversion.create_revision():
        merged.merged_into = None
        merged.save(update_fields=["merged_into", "updated"])
        entity_refresh_derived(kept)
        entity_refresh_derived(merged)
        reversion.add_to_revision(kept)
        if user is not None and getattr(user, "pk", None):
            reversion.set_user(user)
        reversion.set_comment(f"Un-merged {merged.slug} from {kept.slug}")
    decision.status = "unmerged"
    decision.decided_by = user if getattr(user, "pk", None) else None
    decision.decided_at = timezone.now()
    decision.save(update_fields=["status", "decided_by", "decided_at"])
    return decision


def merge_decision_accept(*, decision: MergeDecision, user=None) -> MergeDecision:
    """A curator accepts a queued pair: merge it."""
    if decision.status != "queued":
        raise ValidationError({"status": f"only a queued pair can be accepted (this one is {decision.status})"})
    return entity_merge(kept=decision.kept, merged=decision.merged, score=decision.score,
                        features=decision.features, user=user)


def merge_decision_reject(*, decision: MergeDecision, user=None) -> MergeDecision:
    """A curator rejects a queued pair: not the same actor; never proposed again."""
    if decision.status != "queued":
        raise ValidationError({"status": f"only a queued pair can be rejected (this one is {decision.status})"})
    decision.status, decision.decided_at = "rejected", timezone.now()
    decision.decided_by = user if getattr(user, "pk", None) else None
    decision.save(update_fields=["status", "decided_by", "decided_at"])
    return decision


def merge_carried_document(entity: Entity, document: dict) -> dict:
    """An import document for ``entity`` extended with what active merges added to it, so that
    re-importing a kept entity neither drops the merged names nor reports a change."""
    decisions = list(MergeDecision.objects.filter(kept=entity, status="merged").values_list("undo", flat=True))
    if not decisions:
        return document
    document = dict(document)
    names = list(document.get("names") or [])
    have = {(n.get("text"), n.get("lang"), n.get("type")) for n in names}
    sources = list(document.get("sources") or [])
    for undo in decisions:
        for item in undo.get("names", []):
            if (item["text"], item["lang"], item["type"]) not in have:
                names.append({k: v for k, v in item.items() if v})
                have.add((item["text"], item["lang"], item["type"]))
        for citation in undo.get("citations", []):
            if citation["ref"] not in sources:
                sources.append(citation["ref"])
        for name in undo.get("fields", {}):
            if not document.get(name) and getattr(entity, name):
                value = getattr(entity, name)
                if name == "website":
                    document[name] = value
                else:
                    from observatory.inventory.dates import format_fuzzy_date

                    document[name] = format_fuzzy_date(value, getattr(entity, f"{name}_precision"))
                document.setdefault("field_sources", {})
                document["field_sources"] = {**document["field_sources"],
                                             name: (entity.field_sources or {}).get(name, "")}
    document["names"], document["sources"] = names, sources
    return document


# --------------------------------------------------------------------------------------------
# Dedupe runs


@dataclass
class DedupeReport:
    dry_run: bool = False
    stats: dict = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)
    counts: dict = field(default_factory=lambda: {"merged": 0, "queued": 0, "skipped": 0})


class _Rollback(Exception):
    pass


def _find(parent: dict[int, int], item: int) -> int:
    while parent.get(item, item) != item:
        parent[item] = parent.get(parent[item], parent[item])
        item = parent[item]
    return item


def _row(decision: str, score: PairScore, kept: MatchRecord, merged: MatchRecord, names: dict[int, str]) -> dict:
    return {"decision": decision, "score": round(score.score, 4), "kept_id": kept.id, "kept_name": names[kept.id],
            "kept_source": kept.label, "merged_id": merged.id, "merged_name": names[merged.id],
            "merged_source": merged.label, "name_similarity": round(score.name, 3),
            "distance_km": "" if score.distance_km is None else round(score.distance_km, 3),
            "domain": score.domain, "kind": score.kind}


def dedupe_run(*, dry_run: bool = False, auto_merge: float = AUTO_MERGE, review: float = REVIEW, user=None,
               max_block: int = MAX_BLOCK) -> DedupeReport:
    """Find candidate pairs among the entities, merge those at or above ``auto_merge`` and queue
    those between ``review`` and ``auto_merge`` for a curator; pairs already decided (rejected or
    un-merged) are skipped. ``dry_run`` reports what would happen and writes nothing."""
    report = DedupeReport(dry_run=dry_run)
    records = match_records()
    scored, report.stats = resolve(records, auto_merge=auto_merge, review=review, max_block=max_block)
    ids = {r.id for r in records}
    names = dict(Entity.objects.filter(pk__in=ids).values_list("id", "name")) if len(ids) < 50000 else \
        dict(Entity.objects.values_list("id", "name"))
    weight = defaultdict(int)
    for record in records:
        weight[record.id] = len(record.label.split("; ")) + len(record.names)
    decided = {}
    for kept_id, merged_id, status in MergeDecision.objects.values_list("kept_id", "merged_id", "status"):
        decided[frozenset((kept_id, merged_id))] = status
    parent: dict[int, int] = {}
    queued: set[frozenset[int]] = set()
    by_id = {r.id: r for r in records}
    try:
        with transaction.atomic():
            for i, j, score in scored:
                a, b = records[i], records[j]
                status = decided.get(frozenset((a.id, b.id)))
                if status in ("rejected", "unmerged", "merged"):
                    report.counts["skipped"] += 1
                    continue
                kept, merged = sorted((a, b), key=lambda r: (-weight[r.id], r.id))
                if score.score >= auto_merge:
                    root_kept, root_merged = _find(parent, kept.id), _find(parent, merged.id)
                    if root_kept == root_merged:
                        continue
                    kept_r, merged_r = sorted((by_id[root_kept], by_id[root_merged]), key=lambda r: (-weight[r.id], r.id))
                    entity_merge(kept=Entity(pk=kept_r.id), merged=Entity(pk=merged_r.id), score=score.score,
                                 features=score.as_dict(), user=user, automatic=True)
                    parent[merged_r.id] = kept_r.id
                    report.counts["merged"] += 1
                    report.rows.append(_row("merged", score, kept, merged, names))
                else:
                    root_a, root_b = _find(parent, kept.id), _find(parent, merged.id)
                    if root_a == root_b:
                        continue
                    kept_q, merged_q = sorted((by_id[root_a], by_id[root_b]), key=lambda r: (-weight[r.id], r.id))
                    if frozenset((kept_q.id, merged_q.id)) in queued or decided.get(
                            frozenset((kept_q.id, merged_q.id))) in ("rejected", "unmerged", "merged"):
                        continue
                    queued.add(frozenset((kept_q.id, merged_q.id)))
                    if status != "queued":
                        MergeDecision.objects.update_or_create(
                            kept_id=kept_q.id, merged_id=merged_q.id,
                            defaults={"score": round(score.score, 4), "features": score.as_dict(), "status": "queued"})
                    report.counts["queued"] += 1
                    report.rows.append(_row("queued", score, kept, merged, names))
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return report


REPORT_COLUMNS = ["decision", "score", "kept_id", "kept_name", "kept_source", "merged_id", "merged_name",
                  "merged_source", "name_similarity", "distance_km", "domain", "kind"]


def dedupe_report_write(report: DedupeReport, path: Path) -> None:
    """Every pair merged or queued, with each side's source and external id and the score."""
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(report.rows)


# --------------------------------------------------------------------------------------------
# Judged pairs: the precision of a run against pairs a curator judged


def judged_pairs_read(path: Path) -> dict[frozenset[str], bool]:
    """Pairs judged by hand, from a CSV with columns a, b (entity slugs), same (yes or no) and an
    optional note: {frozenset((a, b)): same}."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise ValidationError(f"{path}: cannot be read ({exc.strerror})") from None
    judged: dict[frozenset[str], bool] = {}
    with handle:
        reader = csv.DictReader(handle)
        missing = {"a", "b", "same"} - set(reader.fieldnames or ())
        if missing:
            raise ValidationError(f"{path}: line 1: the header lacks the column(s) {', '.join(sorted(missing))} "
                                  "(a, b: entity slugs; same: yes or no)")
        for row in reader:
            where = f"{path}: line {reader.line_num}"
            a, b, same = (row.get("a") or "").strip(), (row.get("b") or "").strip(), (row.get("same") or "").strip()
            if not a or not b or a == b:
                raise ValidationError(f"{where}: a and b must be two entity slugs (got {a!r}, {b!r})")
            if same.casefold() not in ("yes", "no"):
                raise ValidationError(f"{where}: field same: {same!r} is neither yes nor no")
            judged[frozenset((a, b))] = same.casefold() == "yes"
    return judged


def dedupe_judge(report: DedupeReport, judged: dict[frozenset[str], bool]) -> dict[str, dict]:
    """For the pairs merged and the pairs queued by ``report``: how many a curator judged the same
    actor, how many different, how many were not judged, and the precision over those judged
    ("—" when none was); and, for the pairs judged the same, how many the run found (recall)."""
    ids = {row[key] for row in report.rows for key in ("kept_id", "merged_id")}
    slugs = dict(Entity.objects.filter(pk__in=ids).values_list("id", "slug"))
    results: dict[str, dict] = {}
    found: set[frozenset[str]] = set()
    for decision in ("merged", "queued"):
        counts = {"pairs": 0, "judged same": 0, "judged different": 0, "not judged": 0}
        for row in report.rows:
            if row["decision"] != decision:
                continue
            pair = frozenset((slugs[row["kept_id"]], slugs[row["merged_id"]]))
            counts["pairs"] += 1
            same = judged.get(pair)
            counts["not judged" if same is None else "judged same" if same else "judged different"] += 1
            if same:
                found.add(pair)
        judged_count = counts["judged same"] + counts["judged different"]
        counts["precision"] = f"{counts['judged same'] / judged_count:.2f}" if judged_count else "—"
        results[decision] = counts
    true_pairs = {pair for pair, same in judged.items() if same}
    results["recall"] = {"same pairs judged": len(true_pairs), "found": len(found & true_pairs)}
    return results
