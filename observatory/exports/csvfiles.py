"""CSV: one UTF-8 file per table (RFC 4180, header row), into a folder or a .zip.

The ``csv`` export is opened in spreadsheets, which run a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula (OWASP "CSV injection"): such text cells
get a leading ``'``. The data package writes the same tables without it, since it is the backup
that ``import-package`` restores byte for byte (docs/exports.md).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.db import models

from .tables import TABLES, Selection, Table, table_cells, table_columns, table_rows

__all__ = ["csv_table_lines", "csv_tables", "formula_neutralise", "write_csv"]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TEXT_FIELDS = (models.CharField, models.TextField)  # SlugField, URLField, EmailField are CharFields


def formula_neutralise(text: str) -> str:
    """``text`` with a ``'`` before it when a spreadsheet would take it for a formula; a number
    (``-12.5``, ``+86``) is left as it is.

    >>> [formula_neutralise(text) for text in ("=SUM(A1:A9)", "@cmd", "-12.5", "深圳")]
    ["'=SUM(A1:A9)", "'@cmd", '-12.5', '深圳']
    """
    if not text.startswith(_FORMULA_STARTS):
        return text
    try:
        float(text)
    except ValueError:
        return "'" + text
    return text


def _text_columns(table: Table, columns: list[str]) -> list[int]:
    """Positions of the columns holding free text (not numbers, dates, booleans, keys or JSON)."""
    fields = {f.attname: f for f in table.model._meta.concrete_fields}
    return [index for index, column in enumerate(columns)
            if column not in fields or (isinstance(fields[column], _TEXT_FIELDS) and not fields[column].is_relation)]


def csv_table_lines(table: Table, selection: Selection, counts: dict[str, int] | None = None, *,
                    spreadsheet_safe: bool = True) -> Iterator[str]:
    """The text of one table's CSV file in chunks (header first); counts its rows into ``counts``.
    ``spreadsheet_safe``: text cells that would run as formulas get a leading ``'``."""
    columns = table_columns(table, selection)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    cells = table_cells(table, columns)
    if spreadsheet_safe:
        plain_cells, text_columns = cells, _text_columns(table, columns)

        def cells(row: dict) -> list[str]:
            values = plain_cells(row)
            for index in text_columns:
                if values[index]:
                    values[index] = formula_neutralise(values[index])
            return values
    rows = 0
    for row in table_rows(table, selection):
        writer.writerow(cells(row))
        rows += 1
        if buffer.tell() > 1 << 16:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
    if counts is not None:
        counts[table.name] = rows


def csv_tables(selection: Selection) -> list[Table]:
    return [t for t in TABLES if selection.include_restricted or not t.restricted_only]


def write_csv(out: Path, selection: Selection, *, spreadsheet_safe: bool = True) -> dict[str, int]:
    """CSV tables into the folder ``out``, or zipped when ``out`` ends with .zip; returns row counts.
    ``spreadsheet_safe=False`` writes text exactly as stored (the data package, a backup)."""
    counts: dict[str, int] = {}
    if out.suffix.lower() == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in csv_tables(selection):
                with archive.open(f"{table.name}.csv", "w") as handle:
                    for chunk in csv_table_lines(table, selection, counts, spreadsheet_safe=spreadsheet_safe):
                        handle.write(chunk.encode("utf-8"))
        return counts
    out.mkdir(parents=True, exist_ok=True)
    for table in csv_tables(selection):
        with (out / f"{table.name}.csv").open("w", encoding="utf-8", newline="") as handle:
            for chunk in csv_table_lines(table, selection, counts, spreadsheet_safe=spreadsheet_safe):
                handle.write(chunk)
    return counts
