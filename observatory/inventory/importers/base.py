"""What every importer is made of: the source it declares, the rows it reads, the row it parses.

An importer reads a file into :class:`RawRow` objects (each with its locator, ``row:17`` or
``feature:5`` or the source's own identifier, and the file's line number where there is one) and
turns each into a :class:`ParsedRow`: the payload to keep as a SourceRecord (personal fields
dropped) and the entity document for :func:`observatory.inventory.services.entity_upsert`, with
the cleaning notes. A row that cannot be imported raises :class:`RowRejected` naming the field,
the value and the reason; a file that cannot be read at all raises :class:`ImportFileError`
naming the line and field. :mod:`.runner` does the writing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cleaning import CleaningError, Note

__all__ = ["ImportFileError", "ImportFileTooLarge", "Importer", "ParsedRow", "RawRow", "RowRejected", "SourceInfo"]


class ImportFileError(Exception):
    """A file that cannot be read as the declared format; nothing is written."""

    def __init__(self, path: Path | str, message: str, *, line: int | None = None, field: str = ""):
        self.path, self.line, self.field = str(path), line, field
        where = f"{path}" + (f", line {line}" if line else "") + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {message}")

    def shown_as(self, name: str) -> str:
        """The message naming the file ``name`` (what the user uploaded) instead of the path it was
        saved under on the server, which is nobody's business."""
        folder = str(Path(self.path).parent)
        text = str(self).replace(self.path, name)
        return text.replace(folder + "/", "").replace(folder, "") if folder not in ("", ".", "/") else text


class ImportFileTooLarge(ImportFileError):
    """A file over the import size limit, refused unread (``size`` and ``limit`` in bytes)."""

    def __init__(self, path: Path | str, *, size: int, limit: int):
        self.size, self.limit = size, limit
        super().__init__(path, f"is {size:,} bytes ({size / 1e6:,.1f} MB), more than the import limit of {limit:,} "
                               f"bytes ({limit / 1e6:,.1f} MB, OBSERVATORY_IMPORT_MAX_BYTES; 0 means no limit); "
                               "raise the limit, or split the file")


class RowRejected(Exception):
    """One row that cannot be imported: the others go on."""

    def __init__(self, field: str, value: Any, reason: str):
        self.field, self.value, self.reason = field, value, reason
        super().__init__(f"{field}: {reason}")


@dataclass(frozen=True)
class SourceInfo:
    """The Source row an importer declares: its key, CSL-JSON item, licence and coordinate system."""

    key: str
    title: str
    licence: str
    crs: str = "WGS-84"
    redistributable: bool = False
    url: str = ""
    publisher: str = ""
    issued: str = ""
    medium: str = ""
    note: str = ""

    def csl(self) -> dict:
        item: dict[str, Any] = {"type": "dataset", "title": self.title}
        if self.url:
            item["URL"] = self.url
        if self.publisher:
            item["publisher"] = self.publisher
        if self.medium:
            item["medium"] = self.medium
        if self.issued:
            item["issued"] = {"date-parts": [[int(part) for part in self.issued.split("-")]]}
        return item


@dataclass
class RawRow:
    locator: str  # row:17, feature:5 (0-based), or the source's own identifier
    data: Any
    line: int | None = None
    external_id: str = ""

    def __post_init__(self):
        if not self.external_id:
            self.external_id = self.locator


@dataclass
class ParsedRow:
    external_id: str
    locator: str
    line: int | None
    payload: dict
    document: dict  # keyword arguments of entity_upsert, without slug
    notes: list[Note] = field(default_factory=list)
    duplicate_key: str = ""


# Field names that hold personal contact data, in the spellings of the real directories. Their
# values are dropped from the stored payload (the record keeps the list of dropped field names).
PERSONAL_FIELD_PATTERN = re.compile(
    r"(e-?mail|phone|tel(ephone)?$|fax|contact|submitter|first ?name|surname|wechat|weixin|qq$|mobile|jabber|"
    r"founders?$|^who founded|popupcontent)",
    re.IGNORECASE,
)


def personal_fields_drop(data: dict, _prefix: str = "") -> tuple[dict, list[str]]:
    """The row without personal contact fields (at any depth), and the dotted names of the fields dropped."""
    kept, dropped = {}, []
    for key, value in data.items():
        if PERSONAL_FIELD_PATTERN.search(str(key)):
            if value not in (None, "", [], {}):
                dropped.append(f"{_prefix}{key}")
            continue
        if isinstance(value, dict):
            value, inner = personal_fields_drop(value, f"{_prefix}{key}.")
            dropped += inner
        kept[key] = value
    return kept, dropped


class Importer:
    """Base class: subclasses set ``name``, ``source``, ``suffixes`` and implement rows/parse."""

    name: str = ""
    description: str = ""
    source: SourceInfo
    suffixes: tuple[str, ...] = ()
    #: file names (in ../shared/data/raw/<folder>/) that import-all loads with this importer
    raw_files: tuple[str, ...] = ()

    def rows(self, path: Path) -> Iterator[RawRow]:
        raise NotImplementedError

    def parse(self, raw: RawRow) -> ParsedRow:
        raise NotImplementedError

    # helpers -------------------------------------------------------------------------------
    def ref(self, raw: RawRow) -> str:
        return f"{self.source.key}#{raw.external_id}"

    @staticmethod
    def cleaned(function, *args, notes: list[Note], field: str, **kwargs):
        """Run a cleaning function; a CleaningError rejects the row naming the field and value."""
        try:
            result = function(*args, field=field, **kwargs)
        except CleaningError as exc:
            raise RowRejected(field, args[0] if args else "", str(exc)) from None
        if isinstance(result, tuple) and result and isinstance(result[-1], Note | type(None)):
            if result[-1] is not None:
                notes.append(result[-1])
            result = result[:-1] if len(result) > 2 else result[0]
        return result
