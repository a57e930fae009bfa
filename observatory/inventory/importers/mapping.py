"""Any CSV or XLSX spreadsheet, through a column mapping written in YAML (docs/importers.md).

The mapping names the source (key, title, licence, coordinate system) and says which column
holds what::

    source:
      key: sz-survey-2024
      title: Survey of Shenzhen makerspaces (2024)
      licence: CC-BY-4.0
      redistributable: true
      crs: GCJ-02              # WGS-84 (default), GCJ-02 or BD-09
    id: 编号                    # optional: a column with a stable identifier (else row:N)
    kind: makerspace           # a fixed kind, or kind_column + kinds below
    kind_column: 类型
    kinds: {创客空间: makerspace, 孵化器: incubator}
    country: China             # default when no country column
    columns:
      name: 名称                # required
      name_en: English name
      aliases: [别名, Alias]
      website: 网站
      founded: 成立时间
      closed: 关闭时间
      lat: 纬度
      lng: 经度
      address: 地址
      city: 城市
      country: 国家
    encoding: utf-8            # CSV: the file's encoding (cp1252, gb18030, ...)
    sheet: 0                   # XLSX: sheet index or name
    day_first: true            # 01/02/2015 is 1 February (false: 2 January)
"""

from __future__ import annotations

from pathlib import Path

import yaml

from observatory.inventory.taxonomy import CRS_CHOICES, KINDS

from .base import Importer, ImportFileError, ParsedRow, RawRow, RowRejected, SourceInfo
from .common import document_build
from .tabular import csv_rows, xlsx_rows

__all__ = ["MappedSpreadsheetImporter", "mapping_load"]

_COLUMN_FIELDS = {"name", "name_en", "name_zh", "aliases", "website", "founded", "closed", "lat", "lng", "address",
                  "city", "country"}
_TOP_FIELDS = {"source", "id", "kind", "kind_column", "kinds", "country", "columns", "encoding", "sheet", "day_first"}


class MappingError(ImportFileError):
    pass


def mapping_load(path: Path) -> dict:
    """Read and check a mapping file; raises MappingError naming the field and the accepted values."""
    try:
        mapping = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(path, f"cannot be read ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise MappingError(path, f"not valid YAML ({getattr(exc, 'problem', exc)})",
                           line=mark.line + 1 if mark else None) from None
    if not isinstance(mapping, dict):
        raise MappingError(path, "a mapping is a YAML object with source, kind and columns (docs/importers.md)")
    unknown = set(mapping) - _TOP_FIELDS
    if unknown:
        raise MappingError(path, f"unknown field(s) {', '.join(sorted(unknown))}; accepted: {', '.join(sorted(_TOP_FIELDS))}")
    source = mapping.get("source")
    if not isinstance(source, dict) or not source.get("key") or not source.get("title"):
        raise MappingError(path, "source needs at least key and title (and licence, crs)", field="source")
    if "licence" not in source:
        raise MappingError(path, "source.licence is required (an SPDX identifier, or 'unknown')", field="source.licence")
    crs = source.get("crs", "WGS-84")
    if crs not in [c for c, _ in CRS_CHOICES]:
        raise MappingError(path, f"{crs!r} is not a coordinate system; use WGS-84, GCJ-02 or BD-09", field="source.crs")
    columns = mapping.get("columns")
    if not isinstance(columns, dict) or not columns.get("name"):
        raise MappingError(path, "columns.name (the column holding the name) is required", field="columns")
    unknown = set(columns) - _COLUMN_FIELDS
    if unknown:
        raise MappingError(path, f"unknown column field(s) {', '.join(sorted(unknown))}; accepted: "
                                 f"{', '.join(sorted(_COLUMN_FIELDS))}", field="columns")
    kinds = [mapping.get("kind")] if mapping.get("kind") else []
    kinds += list((mapping.get("kinds") or {}).values())
    if not kinds:
        raise MappingError(path, "give kind (one kind for every row) or kind_column with kinds", field="kind")
    for kind in kinds:
        if kind not in KINDS:
            raise MappingError(path, f"{kind!r} is not a kind; accepted: {', '.join(KINDS)}", field="kind")
    return mapping


class MappedSpreadsheetImporter(Importer):
    name = "spreadsheet"
    description = "any CSV or XLSX spreadsheet, through a YAML column mapping (--mapping)"
    suffixes = (".csv", ".xlsx")
    needs_mapping = True

    def __init__(self, *, mapping: Path):
        self.mapping_path = Path(mapping)
        self.mapping = mapping_load(self.mapping_path)
        source = self.mapping["source"]
        self.source = SourceInfo(
            key=str(source["key"]), title=str(source["title"]), licence=str(source.get("licence") or "unknown"),
            crs=source.get("crs", "WGS-84"), redistributable=bool(source.get("redistributable", False)),
            url=str(source.get("url", "")), medium="spreadsheet", note=str(source.get("note", "")))

    def rows(self, path: Path):
        """The rows of the file as they are read (the header is checked against the mapping at the
        first row)."""
        path = Path(path)
        if path.suffix.casefold() == ".xlsx":
            rows = xlsx_rows(path, sheet=self.mapping.get("sheet", 0))
        else:
            rows = csv_rows(path, encoding=self.mapping.get("encoding", "utf-8"))
        id_column = self.mapping.get("id")
        for index, raw in enumerate(rows):
            if index == 0:
                self._header_check(path, raw)
            if id_column:
                value = raw.data.get(id_column)
                if value not in (None, ""):
                    raw.external_id = str(value).strip()[:300]
            yield raw

    def _header_check(self, path: Path, first: RawRow) -> None:
        header = set(first.data)
        columns = self.mapping["columns"]
        wanted = [c for field, c in columns.items() if field != "aliases"] + list(columns.get("aliases") or [])
        wanted += [self.mapping[k] for k in ("id", "kind_column") if self.mapping.get(k)]
        missing = [c for c in wanted if c not in header]
        if missing:
            raise ImportFileError(path, f"column(s) {', '.join(map(repr, missing))} named in the mapping are not in "
                                        f"the header ({', '.join(sorted(map(str, header)))[:300]})", line=1)

    def parse(self, raw: RawRow) -> ParsedRow:
        row, columns, mapping = raw.data, self.mapping["columns"], self.mapping

        def value(field):
            column = columns.get(field)
            return row.get(column) if column else None

        def text(field) -> str:
            got = value(field)
            return "" if got is None else str(got).strip()

        names = [(text("name"), None, "official")]
        if text("name_zh"):
            names.append((text("name_zh"), None, "official"))
        if text("name_en"):
            names.append((text("name_en"), "en", "official"))
        for column in columns.get("aliases") or []:
            alias = row.get(column)
            if alias not in (None, ""):
                names.append((str(alias).strip(), None, "common"))
        kind = mapping.get("kind")
        if mapping.get("kind_column"):
            label = str(row.get(mapping["kind_column"]) or "").strip()
            kind = (mapping.get("kinds") or {}).get(label, kind)
            if kind is None:
                raise RowRejected(mapping["kind_column"], label,
                                  f"not in the mapping's kinds ({', '.join(map(str, mapping.get('kinds') or {}))})")
        notes: list = []
        document = document_build(
            self, raw, names=names, kind=kind, notes=notes, website=text("website"), founded=value("founded"),
            closed=value("closed"), lat=value("lat"), lng=value("lng"), country=text("country") or mapping.get("country", ""),
            city=text("city"), address=text("address"), day_first=bool(mapping.get("day_first", True)))
        return ParsedRow(raw.external_id, raw.locator, raw.line, row, document, notes,
                         duplicate_key=document["names"][0]["text"].casefold() + "|" + text("address").casefold()
                         + "|" + text("lat") + "|" + text("lng"))
