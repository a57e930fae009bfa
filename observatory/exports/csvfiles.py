"""CSV: one UTF-8 file per table (RFC 4180, header row), into a folder or a .zip."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from .tables import TABLES, Selection, Table, table_cells, table_columns, table_rows

__all__ = ["csv_table_lines", "csv_tables", "write_csv"]


def csv_table_lines(table: Table, selection: Selection, counts: dict[str, int] | None = None) -> Iterator[str]:
    """The text of one table's CSV file in chunks (header first); counts its rows into ``counts``."""
    columns = table_columns(table, selection)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    cells = table_cells(table, columns)
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


def write_csv(out: Path, selection: Selection) -> dict[str, int]:
    """CSV tables into the folder ``out``, or zipped when ``out`` ends with .zip; returns row counts."""
    counts: dict[str, int] = {}
    if out.suffix.lower() == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in csv_tables(selection):
                with archive.open(f"{table.name}.csv", "w") as handle:
                    for chunk in csv_table_lines(table, selection, counts):
                        handle.write(chunk.encode("utf-8"))
        return counts
    out.mkdir(parents=True, exist_ok=True)
    for table in csv_tables(selection):
        with (out / f"{table.name}.csv").open("w", encoding="utf-8", newline="") as handle:
            for chunk in csv_table_lines(table, selection, counts):
                handle.write(chunk)
    return counts
