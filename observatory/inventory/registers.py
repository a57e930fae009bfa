"""Official registers: the Ministry of Science and Technology's lists as dated status assertions.

``observatory import register FILE --mapping m.yaml`` reads a list of national registered
mass-innovation spaces (国家备案众创空间, by year and batch), of national incubators, or a review
result that keeps or revokes an accreditation (复核结果, 取消资格), as published (an HTML table)
or as researchers transcribe it (CSV, XLSX with merged cells), through a column mapping::

    source:                      # the announcement: every status cites it
      key: most-2022-makerspaces-2021
      title: 科技部关于公布2021年度国家备案众创空间的通知
      publisher: 中华人民共和国科学技术部
      url: https://www.most.gov.cn/...
      issued: 2022-06-28
      licence: unknown
    programme: 国家备案众创空间
    kind: makerspace             # the kind of an actor the register creates
    status: accredited           # accredited or revoked; or status_column + statuses
    batch: 2021年度               # a fixed batch, or columns.batch
    date: 2022-06-28             # the status's date (default: source.issued)
    columns: {number: 序号, province: 省份, name: 众创空间名称, operator: 运营主体, batch: 批次}
    fill_down: [province]        # cells left empty under a merged cell take the value above
    table: 0                     # HTML: which table (default: the first with the name column)
    sheet: 0                     # XLSX sheet; encoding: for CSV

Each row becomes one ``StatusAssertion`` (origin ``register``, kind ``official_accreditation``,
its programme, batch and date, the announcement as source, the row as locator), attached to the
actor it names. The actor is found by the project's entity resolution: the name compared in any
script (pinyin forms, simplified/traditional), the province agreeing or not, and the operator
matched against the actor's names and those of the actors tied to it. A sure match (score at or
above ``AUTO_MERGE``) attaches the row to the existing actor; an uncertain one (at or above
``REVIEW``) creates the register's own actor and puts the pair in the review queue — never merged
silently; no match creates an actor. Re-importing the same file changes nothing: the row's record
remembers its actor and its status is updated in place.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from observatory.china.divisions import search_division

from .dates import FuzzyDateError, parse_fuzzy_date
from .importers.base import ImportFileError, RawRow
from .importers.cleaning import decode_bytes, text_repair
from .importers.common import name_lang
from .importers.runner import entity_slug_for
from .importers.tabular import xlsx_sheet
from .models import Entity, EntitySource, ImportRun, MergeDecision, Name, Relation, Source, StatusAssertion
from .services import entity_upsert, source_record_upsert, source_upsert
from .taxonomy import KINDS

__all__ = ["RegisterReport", "register_import", "register_mapping_load", "register_rows", "REGISTER_COLUMNS"]

REGISTER_COLUMNS = ("number", "province", "name", "operator", "batch", "status")
_TOP = {"source", "programme", "kind", "status", "status_column", "statuses", "batch", "date", "columns",
        "fill_down", "table", "sheet", "encoding"}
_DEFAULT_STATUSES = {"取消资格": "revoked", "取消国家备案资格": "revoked", "取消": "revoked", "撤销": "revoked",
                     "不合格": "revoked", "通过": "accredited", "合格": "accredited", "保留": "accredited",
                     "保留资格": "accredited", "备案": "accredited"}
# the Xinjiang Production and Construction Corps appears beside the provinces in these lists
#: names less alike than this are never proposed, whatever the province and operator say
NAME_FLOOR = 0.8
_PROVINCE_ALIASES = {"新疆生产建设兵团": "650000", "兵团": "650000"}


class RegisterMappingError(ImportFileError):
    pass


def register_mapping_load(path: Path | str) -> dict:
    """Read and check a register mapping; RegisterMappingError names the field and accepted forms."""
    path = Path(path)
    try:
        mapping = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RegisterMappingError(path, f"cannot be read ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RegisterMappingError(path, f"not valid YAML ({getattr(exc, 'problem', exc)})",
                                   line=mark.line + 1 if mark else None) from None
    if not isinstance(mapping, dict):
        raise RegisterMappingError(path, "a register mapping is a YAML object with source, programme, columns "
                                         "(docs/importers.md#official-registers)")
    unknown = set(mapping) - _TOP
    if unknown:
        raise RegisterMappingError(path, f"unknown field(s) {', '.join(sorted(unknown))}; accepted: "
                                         f"{', '.join(sorted(_TOP))}")
    source = mapping.get("source")
    if not isinstance(source, dict) or not source.get("key") or not source.get("title"):
        raise RegisterMappingError(path, "source needs key and title (the announcement), and url, issued, licence",
                                   field="source")
    if not mapping.get("programme"):
        raise RegisterMappingError(path, "programme is required (e.g. 国家备案众创空间, 国家级科技企业孵化器)",
                                   field="programme")
    if mapping.get("kind", "makerspace") not in KINDS:
        raise RegisterMappingError(path, f"{mapping['kind']!r} is not a kind; accepted: {', '.join(KINDS)}",
                                   field="kind")
    columns = mapping.get("columns")
    if not isinstance(columns, dict) or not columns.get("name"):
        raise RegisterMappingError(path, "columns.name (the column with the space's name) is required", field="columns")
    unknown = set(columns) - set(REGISTER_COLUMNS)
    if unknown:
        raise RegisterMappingError(path, f"unknown column field(s) {', '.join(sorted(unknown))}; accepted: "
                                         f"{', '.join(REGISTER_COLUMNS)}", field="columns")
    status = mapping.get("status")
    if not columns.get("status") and status not in ("accredited", "revoked"):
        raise RegisterMappingError(path, "give status: accredited or revoked (one for every row), or columns.status "
                                         "with statuses: {label: accredited|revoked}", field="status")
    statuses = {**_DEFAULT_STATUSES, **(mapping.get("statuses") or {})}
    bad = {label: value for label, value in statuses.items() if value not in ("accredited", "revoked")}
    if bad:
        raise RegisterMappingError(path, f"statuses must map to accredited or revoked, not {bad}", field="statuses")
    mapping["statuses"] = statuses
    when = mapping.get("date") or source.get("issued")
    try:
        date, precision = parse_fuzzy_date(when)
    except FuzzyDateError:
        date = None
    if date is None:
        raise RegisterMappingError(path, f"the status date is needed: date or source.issued as YYYY-MM-DD "
                                         f"(got {when!r})", field="date")
    mapping["_date"], mapping["_precision"] = date, precision
    for name in mapping.get("fill_down") or []:
        if name not in columns:
            raise RegisterMappingError(path, f"fill_down names {name!r}, which is not a field of columns",
                                       field="fill_down")
    return mapping


# ------------------------------------------------------------------------------------------------
# reading: every format becomes a grid of (line, cells), merged cells filled


def _grid_csv(path: Path, encoding: str) -> list[tuple[int, list]]:
    text, _used = decode_bytes(path.read_bytes(), encoding=encoding)
    if "\x00" in text:
        raise ImportFileError(path, "contains NUL bytes: not a text (CSV) file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise ImportFileError(path, f"malformed CSV ({exc})", line=reader.line_num) from None


def _grid_xlsx(path: Path, sheet) -> list[tuple[int, list]]:
    workbook, worksheet = xlsx_sheet(path, sheet, read_only=False)  # merged cells need the full workbook
    rows = [list(row) for row in worksheet.iter_rows(values_only=True)]
    for merged in worksheet.merged_cells.ranges:
        value = rows[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, merged.max_row):
            for c in range(merged.min_col - 1, merged.max_col):
                rows[r][c] = value
    workbook.close()
    return list(enumerate(rows, start=1))


def _grid_html(path: Path, table_index) -> tuple[list[tuple[int, list]], list]:
    import lxml.html

    try:
        document = lxml.html.document_fromstring(path.read_bytes())
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ImportFileError(path, f"not a readable HTML page ({exc})") from None
    tables = []
    for table in document.iter("table"):
        grid: dict[tuple[int, int], str] = {}
        lines = []
        for r, tr in enumerate(table.iter("tr")):
            c = 0
            lines.append(tr.sourceline)
            for cell in tr:
                if cell.tag not in ("td", "th"):
                    continue
                while (r, c) in grid:
                    c += 1
                text = " ".join(cell.text_content().split())
                span_r = _span(cell.get("rowspan"))
                span_c = _span(cell.get("colspan"))
                for dr in range(span_r):
                    for dc in range(span_c):
                        grid[(r + dr, c + dc)] = text
                c += span_c
        height = max((r for r, _ in grid), default=-1) + 1
        width = max((c for _, c in grid), default=-1) + 1
        rows = [[grid.get((r, c), "") for c in range(width)] for r in range(height)]
        tables.append([(lines[r] if r < len(lines) else None, row) for r, row in enumerate(rows)])
    return tables, table_index


def _span(value) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def register_rows(path: Path | str, mapping: dict) -> list[RawRow]:
    """The data rows of a register file, keyed by the mapping's fields (number, province, name, ...)."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(path, "no such file")
    columns = mapping["columns"]
    suffix = path.suffix.casefold()
    if suffix in (".html", ".htm"):
        tables, wanted = _grid_html(path, mapping.get("table"))
        if not tables:
            raise ImportFileError(path, "holds no <table>: save the announcement's page with its list")
        if wanted is not None:
            if not isinstance(wanted, int) or not 0 <= wanted < len(tables):
                raise ImportFileError(path, f"no table {wanted!r}; the page has {len(tables)} (0 to {len(tables) - 1})",
                                      field="table")
            grids = [tables[wanted]]
        else:
            grids = tables
    elif suffix == ".xlsx":
        grids = [_grid_xlsx(path, mapping.get("sheet", 0))]
    elif suffix in (".csv", ".txt"):
        grids = [_grid_csv(path, mapping.get("encoding", "utf-8"))]
    else:
        raise ImportFileError(path, f"a register is read from .csv, .xlsx or .html, not {suffix or 'no suffix'}")
    for grid in grids:
        header_at = _header_row(grid, columns["name"])
        if header_at is not None:
            break
    else:
        raise ImportFileError(path, f"no header row holds the name column {columns['name']!r} (in the first 15 rows)",
                              field="columns.name")
    _line, header = grid[header_at]
    header = [_cell(h) for h in header]
    index = {}
    for field_name, column in columns.items():
        if column not in header:
            raise ImportFileError(path, f"column {column!r} (columns.{field_name}) is not in the header "
                                        f"({', '.join(h for h in header if h)})", line=grid[header_at][0],
                                  field=f"columns.{field_name}")
        index[field_name] = header.index(column)
    rows, previous = [], {}
    fill = set(mapping.get("fill_down") or [])
    for number, (line, cells) in enumerate(grid[header_at + 1:]):
        values = {f: _cell(cells[i]) if i < len(cells) else "" for f, i in index.items()}
        if not any(values.values()):
            continue
        if values == {f: _cell(header[i]) for f, i in index.items()}:
            continue  # a header repeated on every page of a printed list
        for f in fill:
            if not values.get(f):
                values[f] = previous.get(f, "")
        previous = values
        rows.append(RawRow(locator=f"row:{number}", line=line, data=values))
    return rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def _header_row(grid, name_column: str):
    for at, (_line, cells) in enumerate(grid[:15]):
        if name_column in [_cell(c) for c in cells]:
            return at
    return None


# ------------------------------------------------------------------------------------------------
# resolution


def province_code(value: str) -> str | None:
    """The GB/T 2260 province of a register's 省份/地区 cell (a province, or a city with
    independent planning status such as 深圳, 大连, or the Xinjiang Corps); None when unknown."""
    value = (value or "").strip()
    if value in _PROVINCE_ALIASES:
        return _PROVINCE_ALIASES[value]
    for level in ("province", "prefecture"):
        found = search_division(value, level=level)
        if found:
            return found[0].code[:2] + "0000"
    return None


@dataclass
class _Candidates:
    """The existing actors, indexed by the blocking keys of their names."""

    records: dict[int, object]
    provinces: dict[int, str]
    related: dict[int, list]
    index: dict[str, set[int]]


def _candidates() -> _Candidates:
    from .resolution import match_records

    records = {r.id: r for r in match_records()}
    provinces = dict(Entity.objects.filter(pk__in=list(records)).values_list("pk", "province_code"))
    names_of: dict[int, list[str]] = defaultdict(list)
    for entity_id, text in Name.objects.filter(entity_id__in=list(records)).values_list("entity_id", "text"):
        names_of[entity_id].append(text)
    related: dict[int, list] = defaultdict(list)
    for a, b in Relation.objects.values_list("source_entity_id", "target_entity_id"):
        related[a] += names_of.get(b, [])
        related[b] += names_of.get(a, [])
    index: dict[str, set[int]] = defaultdict(set)
    for record in records.values():
        for key in record.keys:
            index[key].add(record.id)
    return _Candidates(records, provinces, related, index)


def _register_score(name_similarity: float, province_row: str | None, province_entity: str,
                    operator_match: bool) -> float:
    """0.75 × name + 0.15 if the provinces agree (− 0.3 if they differ) + 0.1 if the operator is
    one of the actor's names or of those tied to it: an exact name in the same province (0.9) or
    with its operator (0.85) attaches; an exact name with nothing else (0.75) goes to review."""
    score = 0.75 * name_similarity
    if province_row and province_entity:
        score += 0.15 if province_row == province_entity else -0.3
    if operator_match:
        score += 0.1
    return max(0.0, min(1.0, score))


def _best_match(name: str, operator: str, province: str | None, kind: str, pool: _Candidates):
    from .resolution.records import MatchRecord
    from .resolution.scoring import pair_score

    row = MatchRecord(id=-1, names=[name], kind=kind, layer=KINDS[kind][2]).prepare()
    candidates = set().union(*(pool.index.get(key, set()) for key in row.keys)) if row.keys else set()
    operator_record = MatchRecord(id=-2, names=[operator]).prepare() if operator else None
    best = None
    for entity_id in candidates:
        record = pool.records[entity_id]
        similarity = pair_score(row, record).name
        if similarity < NAME_FLOOR:
            continue
        operator_match = False
        if operator_record is not None:
            others = MatchRecord(id=-3, names=list(record.names) + pool.related.get(entity_id, [])).prepare()
            operator_match = pair_score(operator_record, others).name >= 0.9
        score = _register_score(similarity, province, pool.provinces.get(entity_id, ""), operator_match)
        features = {"name": round(similarity, 4), "province": province or "",
                    "entity_province": pool.provinces.get(entity_id, ""), "operator": operator_match}
        if best is None or score > best[0]:
            best = (score, entity_id, features)
    return best


# ------------------------------------------------------------------------------------------------
# the import


@dataclass
class RegisterReport:
    path: str
    source_key: str
    dry_run: bool = False
    total: int = 0
    counts: Counter = field(default_factory=Counter)
    rejects: list[dict] = field(default_factory=list)
    run_id: int | None = None

    COLUMNS = ("statuses created", "statuses updated", "unchanged", "attached", "created", "queued", "rejected")

    def summary(self) -> dict[str, int]:
        return {column: self.counts.get(column, 0) for column in self.COLUMNS}


class _Rollback(Exception):
    pass


def register_import(*, path: Path | str, mapping_path: Path | str, dry_run: bool = False, user=None,
                    progress=None) -> RegisterReport:
    """Import one register file (module docstring); a bad file raises ImportFileError, nothing written."""
    from .resolution.matching import AUTO_MERGE, REVIEW

    path = Path(path)
    mapping = register_mapping_load(mapping_path)
    rows = register_rows(path, mapping)
    info = mapping["source"]
    report = RegisterReport(path=str(path), source_key=str(info["key"]), dry_run=dry_run, total=len(rows))
    tick = progress or (lambda n=1, total=None: None)
    tick(0, total=len(rows))
    csl = {"type": "webpage" if info.get("url") else "document", "title": str(info["title"])}
    for key, csl_key in (("url", "URL"), ("publisher", "publisher"), ("number", "number")):
        if info.get(key):
            csl[csl_key] = str(info[key])
    issued, _ = parse_fuzzy_date(info.get("issued")) if info.get("issued") else (None, "")
    if issued:
        csl["issued"] = {"date-parts": [[issued.year, issued.month, issued.day]]}
    kind = mapping.get("kind", "makerspace")
    columns = mapping["columns"]
    try:
        with transaction.atomic():
            source, _ = source_upsert(key=str(info["key"]), csl=csl, licence=str(info.get("licence", "unknown")))
            pool = _candidates()
            seen_numbers: dict[str, int | None] = {}
            for raw in rows:
                tick()
                try:
                    _import_row(raw, mapping, source, pool, kind, columns, seen_numbers, report,
                                auto=AUTO_MERGE, review=REVIEW)
                except _Rejected as rejected:
                    report.counts["rejected"] += 1
                    report.rejects.append({"locator": raw.locator, "line": raw.line, "field": rejected.field,
                                           "value": str(rejected.value)[:300], "reason": rejected.reason})
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    run = ImportRun.objects.create(
        importer="register", source=Source.objects.filter(key=report.source_key).first(), filename=path.name,
        file_checksum=hashlib.sha256(path.read_bytes()).hexdigest(), dry_run=dry_run,
        status="dry-run" if dry_run else "done", counts=report.summary(), rejects=report.rejects,
        user=user if getattr(user, "pk", None) else None, finished=timezone.now())
    report.run_id = run.pk
    return report


class _Rejected(Exception):
    def __init__(self, field: str, value, reason: str):
        super().__init__(reason)
        self.field, self.value, self.reason = field, value, reason


def _import_row(raw: RawRow, mapping: dict, source: Source, pool: _Candidates, kind: str, columns: dict,
                seen_numbers: dict, report: RegisterReport, *, auto: float, review: float) -> None:
    data = raw.data
    name = text_repair(data.get("name", ""))[0].strip()
    if not name:
        raise _Rejected(columns["name"], "", "the row has no name")
    number = data.get("number", "")
    external_id = f"{number}" if number else raw.locator
    if external_id in seen_numbers:
        raise _Rejected(columns.get("number", "number"), number,
                        f"the same 序号 appears on line {seen_numbers[external_id]}; give each row its own number, "
                        "or leave columns.number out to cite rows by position")
    seen_numbers[external_id] = raw.line
    province = None
    if data.get("province"):
        province = province_code(data["province"])
        if province is None:
            raise _Rejected(columns["province"], data["province"],
                            "not a province, autonomous region, municipality or city with independent planning "
                            "status (e.g. 广东, 广东省, 深圳, 新疆生产建设兵团)")
    if columns.get("status"):
        label = data.get("status", "")
        value = mapping["statuses"].get(label) or (mapping.get("status") if not label else None)
        if value is None:
            raise _Rejected(columns["status"], label, f"not a known result; accepted: "
                                                      f"{', '.join(sorted(mapping['statuses']))} (statuses: in the mapping)")
    else:
        value = mapping["status"]
    batch = data.get("batch") or str(mapping.get("batch") or "")
    operator = data.get("operator", "")
    ref_locator = f"{external_id}"
    record, _ = source_record_upsert(source=source, external_id=external_id,
                                     payload={"data": data, "locator": raw.locator, "line": raw.line})
    entity = (Entity.objects.filter(records=record).order_by("pk").first())
    while entity is not None and entity.merged_into_id:
        entity = entity.merged_into
    if entity is None:
        match = _best_match(name, operator, province, kind, pool)
        if match and match[0] >= auto:
            entity = Entity.objects.get(pk=match[1])
            report.counts["attached"] += 1
        else:
            ref = f"{source.key}#{ref_locator}"
            entity, _ = entity_upsert(
                slug=entity_slug_for(source.key, external_id), kind=kind, sources=[ref],
                names=[{"text": name[:300], "lang": name_lang(name), "type": "official", "source": ref}],
                locations=[{"division": province, "precision": "province", "source": ref}] if province else None,
                field_sources={"name": ref, "kind": ref})
            report.counts["created"] += 1
            if match and match[0] >= review:
                MergeDecision.objects.get_or_create(
                    kept_id=match[1], merged=entity,
                    defaults={"score": round(match[0], 4), "features": {**match[2], "register": source.key}})
                report.counts["queued"] += 1
        entity.records.add(record)
        EntitySource.objects.get_or_create(entity=entity, source=source, locator=ref_locator)
    note = "; ".join(part for part in (
        f"{mapping['programme']} {batch}".strip(), f"运营主体: {operator}" if operator else "",
        f"省份: {data['province']}" if data.get("province") else "", f"名称: {name}") if part)
    fields = {"entity": entity, "value": value, "kind": "official_accreditation", "date": mapping["_date"],
              "date_precision": mapping["_precision"], "programme": str(mapping["programme"])[:200],
              "batch": batch[:100], "revoked_on": mapping["_date"] if value == "revoked" else None,
              "note": note, "origin": "register", "confidence": None, "rule": ""}
    status = StatusAssertion.objects.filter(origin="register", source=source, source_locator=ref_locator).first()
    if status is None:
        StatusAssertion.objects.create(source=source, source_locator=ref_locator, record=record, **fields)
        report.counts["statuses created"] += 1
    elif any(getattr(status, k) != (v if k != "entity" else v) for k, v in fields.items()):
        for k, v in fields.items():
            setattr(status, k, v)
        status.save()
        report.counts["statuses updated"] += 1
    else:
        report.counts["unchanged"] += 1

