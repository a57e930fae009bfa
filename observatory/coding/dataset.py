"""Load a curated dataset folder (docs/data-format.md) into the database.

It lives in the coding app because a dataset holds both inventory records and codings, and only
this app may see both. Everything is loaded in one transaction: if any entry of any file is
invalid, nothing is written and every problem is reported with its file, line, entry and field.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from observatory.inventory import services as inventory
from observatory.inventory.models import CuratedLoad, Entity, Source
from observatory.inventory.resolution import merge_carried_document

from . import services as coding
from .services import DEFAULT_CODEBOOK

__all__ = ["DatasetError", "Problem", "LoadReport", "dataset_load", "dataset_fingerprint"]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f" [{self.entry}]" if self.entry else ""
        fld = f" {self.field}:" if self.field else ""
        return f"{where}{what}{fld} {self.message}"


@dataclass
class LoadReport:
    counts: dict[str, Counter] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    skipped: bool = False
    fingerprint: str = ""

    def count(self, kind: str, status: str) -> None:
        self.counts.setdefault(kind, Counter())[status] += 1

    def as_dict(self) -> dict:
        return {"counts": {k: dict(v) for k, v in self.counts.items()}, "skipped": self.skipped,
                "problems": [str(p) for p in self.problems], "fingerprint": self.fingerprint}


class DatasetError(Exception):
    def __init__(self, report: LoadReport):
        self.report = report
        super().__init__(f"{len(report.problems)} problem(s) in the dataset")


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping, for error messages."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _files(root: Path) -> dict[str, list[Path]]:
    return {
        "sources": sorted(root.glob("sources*.yaml")),
        "entities": sorted((root / "entities").glob("*.yaml")),
        "relations": sorted(root.glob("relations*.yaml")),
        "codings": sorted(root.glob("codings*.yaml")),
    }


def dataset_fingerprint(root: Path, codebook_path: Path = DEFAULT_CODEBOOK) -> str:
    digest = hashlib.sha256()
    for path in [codebook_path, *(p for group in _files(root).values() for p in group)]:
        digest.update(str(path.relative_to(path.parent.parent)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _read_list(path: Path, root: Path, report: LoadReport) -> list[dict]:
    rel = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 (SafeLoader subclass)
    except UnicodeDecodeError as exc:
        report.problems.append(Problem(rel, None, "", "", f"not UTF-8 ({exc}); save the file as UTF-8"))
        return []
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        report.problems.append(Problem(rel, line + 1 if line is not None else None, "", "",
                                       f"not valid YAML: {getattr(exc, 'problem', exc)}"))
        return []
    if document is None:
        return []
    if not isinstance(document, list):
        report.problems.append(Problem(rel, 1, "", "", "the file must be a YAML list of entries"))
        return []
    for item in document:
        if isinstance(item, dict):
            item["__file__"] = rel
    return document


def _problem(item: dict, entry: str, exc: Exception) -> list[Problem]:
    file, line = item.get("__file__", "?"), item.get("__line__")
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [Problem(file, line, entry, fld, " ".join(msgs)) for fld, msgs in exc.message_dict.items()]
    if isinstance(exc, ValidationError):
        return [Problem(file, line, entry, "", " ".join(exc.messages))]
    return [Problem(file, line, entry, "", str(exc))]


def _ref(item: dict, key: str = "source") -> str:
    value = item.get(key)
    if not value:
        raise ValidationError({key: "a source reference is required (key or key#locator)"})
    return value


def dataset_load(root: Path, *, check_only: bool = False, force: bool = False,
                 codebook_path: Path = DEFAULT_CODEBOOK, progress=None) -> LoadReport:
    """Validate and load a curated folder; raise :class:`DatasetError` (nothing written) on problems."""
    root = Path(root).resolve()
    report = LoadReport()
    if not root.is_dir():
        report.problems.append(Problem(str(root), None, "", "", "no such folder"))
        raise DatasetError(report)
    if not any(_files(root).values()):
        report.problems.append(Problem(str(root), None, "", "", "not a curated dataset folder: it has none of "
                                       "sources*.yaml, entities/*.yaml, relations*.yaml, codings*.yaml "
                                       "(docs/data-format.md)"))
        raise DatasetError(report)
    report.fingerprint = dataset_fingerprint(root, codebook_path)
    previous = CuratedLoad.objects.filter(path=str(root)).first()
    if previous and previous.fingerprint == report.fingerprint and not force and not check_only:
        report.skipped = True
        return report
    files = _files(root)
    groups = {kind: [item for path in paths for item in _read_list(path, root, report)] for kind, paths in files.items()}
    if report.problems:
        raise DatasetError(report)
    tick = progress or (lambda n=1: None)

    class _Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            codebook, status = coding.codebook_load(codebook_path)
            report.count("codebook", status)
            sources: dict[str, Source] = {}
            for item in groups["sources"]:
                clean = _strip_lines(item)
                try:
                    key = clean.get("key") or ""
                    if key in sources:
                        raise ValidationError({"key": f"source key {key!r} is defined twice"})
                    source, changed = inventory.source_upsert(
                        key=key, csl=clean.get("csl") or {}, licence=clean.get("licence", ""),
                        redistributable=clean.get("redistributable"), retrieved=clean.get("retrieved"),
                        note=clean.get("note", ""))
                    sources[key] = source
                    report.count("sources", "changed" if changed else "unchanged")
                except (ValidationError, KeyError, TypeError) as exc:
                    report.problems.extend(_problem(item, str(clean.get("key", "")), exc))
                tick()
            seen_ids: set[str] = set()
            for item in groups["entities"]:
                clean = _strip_lines(item)
                slug = str(clean.get("id", ""))
                try:
                    if not slug:
                        raise ValidationError({"id": "every entity needs an id (lowercase slug)"})
                    if slug in seen_ids:
                        raise ValidationError({"id": f"entity id {slug!r} is defined twice"})
                    seen_ids.add(slug)
                    unknown = set(clean) - {"id", "kind", "names", "sources", "website", "founded", "closed",
                                            "locations", "statuses", "public", "note", "__file__"}
                    if unknown:
                        raise ValidationError({"entity": f"unknown field(s) {', '.join(sorted(unknown))}; see "
                                                         "docs/data-format.md"})
                    if not clean.get("sources"):
                        raise ValidationError({"sources": "every entity cites at least one source"})
                    field_sources = {}
                    founded, closed = clean.get("founded"), clean.get("closed")
                    for label in ("founded", "closed"):
                        value = clean.get(label)
                        if isinstance(value, dict):
                            field_sources[label] = _ref(value)
                            if label == "founded":
                                founded = value.get("date")
                            else:
                                closed = value.get("date")
                        elif value not in (None, ""):
                            raise ValidationError({label: "write {date: ..., source: ...} so the date cites a source"})
                    document = {"names": clean.get("names") or [], "sources": clean.get("sources"),
                                "website": clean.get("website", ""), "founded": founded, "closed": closed,
                                "field_sources": field_sources}
                    existing = Entity.objects.filter(slug=slug).first()
                    if existing is not None:
                        # what merges gave a curated entity (names, citations, fields) survives a reload
                        document = merge_carried_document(existing, document)
                    entity, status = inventory.entity_upsert(
                        slug=slug, kind=clean.get("kind", ""), names=document["names"],
                        sources=document["sources"], website=document["website"], founded=document["founded"],
                        closed=document["closed"], locations=clean.get("locations") or [],
                        statuses=clean.get("statuses") or [], is_public=clean.get("public", True),
                        note=clean.get("note", ""), field_sources=document["field_sources"],
                        source_index=sources, comment=f"Loaded from {clean['__file__']}")
                    report.count("entities", status)
                except (ValidationError, KeyError, TypeError, ValueError) as exc:
                    report.problems.extend(_problem(item, slug, exc))
                tick()
            entities = {e.slug: e for e in Entity.objects.filter(slug__in=seen_ids)}
            for index, item in enumerate(groups["relations"]):
                clean = _strip_lines(item)
                label = f"{clean.get('from')} {clean.get('type')} {clean.get('to')}"
                try:
                    for end in ("from", "to"):
                        if clean.get(end) not in entities:
                            raise ValidationError({end: f"unknown entity id {clean.get(end)!r}"})
                    source, locator = inventory.source_ref_parse(_ref(clean), sources)
                    relation, status = inventory.relation_upsert(
                        source_entity=entities[clean["from"]], type=clean.get("type", ""),
                        target_entity=entities[clean["to"]], source=source, source_locator=locator,
                        from_date=clean.get("from_date"), to_date=clean.get("to_date"),
                        weight=clean.get("weight", 1.0), confidence=clean.get("confidence", 1.0),
                        evidence=clean.get("evidence", ""))
                    report.count("relations", status)
                except (ValidationError, KeyError, TypeError, ValueError) as exc:
                    report.problems.extend(_problem(item, label or f"#{index}", exc))
                tick()
            for item in groups["codings"]:
                clean = _strip_lines(item)
                label = f"{clean.get('entity')} {clean.get('code')}"
                try:
                    if clean.get("entity") not in entities:
                        raise ValidationError({"entity": f"unknown entity id {clean.get('entity')!r}"})
                    code = coding.code_resolve(str(clean.get("code", "")), codebook)
                    source, locator = inventory.source_ref_parse(_ref(clean), sources)
                    _coding, status = coding.coding_upsert(
                        entity=entities[clean["entity"]], code=code, source=source, source_locator=locator,
                        quote=clean.get("excerpt", ""), confidence=clean.get("confidence", 1.0),
                        coder_name=clean.get("coder", "curated dataset"), note=clean.get("note", ""))
                    report.count("codings", status)
                except (ValidationError, KeyError, TypeError, ValueError) as exc:
                    report.problems.extend(_problem(item, label, exc))
                tick()
            if report.problems:
                raise _Rollback
            if check_only:
                raise _Rollback
            CuratedLoad.objects.update_or_create(
                path=str(root), defaults={"fingerprint": report.fingerprint, "summary": report.as_dict()})
    except _Rollback:
        pass
    if report.problems:
        raise DatasetError(report)
    return report
