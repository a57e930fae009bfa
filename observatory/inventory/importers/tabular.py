"""Reading tabular files: CSV in any of the encodings directories use, and XLSX sheets.

Rows come back as dictionaries keyed by the header, with the 0-based data row index (header not
counted: ``row:0`` is the first data row) and the file line where the row starts (CSV; for XLSX
the sheet row number, header = 1).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

from . import cleaning  # noqa: F401 (registers the ftfy_latin1_fallback error handler)
from .base import ImportFileError, RawRow

__all__ = ["XLSX_MAX_RATIO", "XLSX_MAX_UNPACKED", "csv_rows", "xlsx_check", "xlsx_rows"]

csv.field_size_limit(10_000_000)

#: An XLSX file is a zip archive; openpyxl unpacks its parts as it reads. A workbook that unpacks to
#: more than this, or a part packed more than XLSX_MAX_RATIO times (real sheets: 5-15 times, a
#: sheet of one repeated value 14; a zip bomb: hundreds to a thousand), is refused unread.
XLSX_MAX_UNPACKED = 200 * 1024 * 1024
XLSX_MAX_RATIO = 100
_RATIO_FLOOR = 1024 * 1024  # parts smaller than this may pack as tightly as they like


def _unique_header(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for index, name in enumerate(header):
        name = (name or "").strip() or f"column_{index + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        result.append(name)
    return result


#: Bytes read at a time while a CSV file's encoding is checked.
_BLOCK = 1 << 18


def _csv_encoding(path: Path, encoding: str) -> tuple[str, str]:
    """The encoding a CSV file is read with, and the error handler: the declared one if the whole
    file decodes in it, else UTF-8, else cp1252 (the rules of :func:`~.cleaning.decode_bytes`),
    found by decoding the file block by block without keeping it. A byte-order mark means UTF-8.
    Raises ImportFileError for NUL bytes or a file of blanks."""
    with Path(path).open("rb") as handle:
        head = handle.read(3)
    if head == b"\xef\xbb\xbf":
        candidates = ["utf-8-sig"]
    else:
        candidates = list(dict.fromkeys([encoding, "utf-8"]))
    for candidate in [*candidates, "cp1252"]:
        fallback = candidate == "cp1252"
        errors = "ftfy_latin1_fallback" if fallback else "strict"
        try:
            decoder = codecs.getincrementaldecoder(candidate)(errors=errors)
        except LookupError:
            continue
        blank = True
        try:
            with Path(path).open("rb") as handle:
                while block := handle.read(_BLOCK):
                    if b"\x00" in block:
                        raise ImportFileError(path, "contains NUL bytes: not a text (CSV) file")
                    text = decoder.decode(block)
                    blank = blank and not text.strip()
                rest = decoder.decode(b"", final=True)  # a file cut inside a character fails here
                blank = blank and not rest.strip()
        except UnicodeDecodeError:
            continue
        if blank:
            raise ImportFileError(path, "is empty: a CSV file needs a header line")
        return candidate, errors
    raise AssertionError("cp1252 with the latin-1 fallback decodes every byte")  # pragma: no cover


def csv_rows(path: Path, *, encoding: str = "utf-8", delimiter: str | None = None) -> Iterator[RawRow]:
    """Rows of a CSV file, read as they are needed (the file is never held whole); raises
    ImportFileError naming the line for a malformed file."""
    used, errors = _csv_encoding(path, encoding)
    with Path(path).open(encoding=used, errors=errors, newline="") as handle:
        if delimiter is None:
            try:
                delimiter = csv.Sniffer().sniff(handle.read(20000), delimiters=",;\t").delimiter
            except csv.Error:
                delimiter = ","
            handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        try:
            header = _unique_header(next(reader))
            index = 0
            line = reader.line_num + 1
            for values in reader:
                if not any(v.strip() for v in values):
                    line = reader.line_num + 1
                    continue
                if len(values) > len(header) and any(v.strip() for v in values[len(header):]):
                    raise ImportFileError(path, f"{len(values)} fields where the header has {len(header)}", line=line,
                                          field=f"column {len(header) + 1}")
                yield RawRow(locator=f"row:{index}", line=line, data=dict(zip(header, values, strict=False)))
                index += 1
                line = reader.line_num + 1
        except csv.Error as exc:
            raise ImportFileError(path, f"malformed CSV ({exc})", line=reader.line_num) from None


def xlsx_check(path: Path) -> None:
    """Refuse a workbook that would unpack to too much (:data:`XLSX_MAX_UNPACKED`,
    :data:`XLSX_MAX_RATIO`) before anything reads it.

    The sizes are the ones the archive declares; they bound what is read, because Python's
    zipfile stops a part at its declared size."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportFileError(path, f"not a readable XLSX workbook ({exc}); expected an .xlsx file saved by a "
                                    "spreadsheet program") from None
    unpacked = sum(part.file_size for part in parts)
    if unpacked > XLSX_MAX_UNPACKED:
        raise ImportFileError(path, f"unpacks to {unpacked:,} bytes, more than the limit of {XLSX_MAX_UNPACKED:,} "
                                    "for an XLSX workbook; split it, or save it as CSV")
    for part in parts:
        if part.file_size > _RATIO_FLOOR and part.file_size > XLSX_MAX_RATIO * max(part.compress_size, 1):
            ratio = part.file_size // max(part.compress_size, 1)
            raise ImportFileError(path, f"its part {part.filename[:80]!r} unpacks {ratio:,} times its packed size "
                                        f"(the limit is {XLSX_MAX_RATIO}): not a workbook a spreadsheet program "
                                        "writes; save it again, or as CSV")


def xlsx_sheet(path: Path, sheet: str | int = 0, *, read_only: bool = True):
    """``(workbook, worksheet)`` of an XLSX file after :func:`xlsx_check`, or an :class:`ImportFileError`
    naming the file and its sheets. ``read_only=False`` where merged cells are needed."""
    import zipfile

    from openpyxl import load_workbook

    xlsx_check(path)
    try:
        workbook = load_workbook(path, read_only=read_only, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(path, f"not a readable XLSX workbook ({exc})") from None
    try:
        worksheet = workbook.worksheets[sheet] if isinstance(sheet, int) else workbook[sheet]
    except (IndexError, KeyError):
        raise ImportFileError(path, f"no sheet {sheet!r}; sheets: {', '.join(workbook.sheetnames)}") from None
    return workbook, worksheet


def xlsx_rows(path: Path, *, sheet: str | int = 0) -> Iterator[RawRow]:
    """Rows of one sheet of an XLSX workbook (values as openpyxl reads them), after :func:`xlsx_check`."""
    workbook, worksheet = xlsx_sheet(path, sheet)
    rows = worksheet.iter_rows(values_only=True)
    try:
        header = _unique_header([str(v) if v is not None else "" for v in next(rows)])
    except StopIteration:
        raise ImportFileError(path, "the sheet is empty: it needs a header row") from None
    index = 0
    for number, values in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in values):
            continue
        data = {name: value for name, value in zip(header, values, strict=False) if not name.startswith("column_")
                or value not in (None, "")}
        yield RawRow(locator=f"row:{index}", line=number, data=data)
        index += 1
    workbook.close()
