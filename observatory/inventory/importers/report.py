"""Writing an import's rejects and cleaning notes as CSV (for the command and the admin)."""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

from .runner import ImportReport

__all__ = ["notes_csv", "rejects_csv"]

REJECT_COLUMNS = ["file", "locator", "line", "field", "value", "reason"]
NOTE_COLUMNS = ["file", "locator", "line", "field", "value", "action"]


def _write(rows, columns: list[str], file: str, path: Path | None) -> str:
    """The CSV text; with ``path``, the lines are written to that file as they are made (a large
    import's notes are not held as one text) and the text returned is empty."""
    buffer = io.StringIO() if path is None else Path(path).open("w", encoding="utf-8", newline="")
    with buffer if path is not None else contextlib.nullcontext(buffer):
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({"file": file, **{k: ("" if v is None else v) for k, v in row.items()}})
        return buffer.getvalue() if path is None else ""


def rejects_csv(report: ImportReport, path: Path | None = None) -> str:
    """One line per rejected row: file, locator (row:17 / feature:5 / id), line, field, value, reason."""
    return _write(report.rejects, REJECT_COLUMNS, Path(report.path).name, path)


def notes_csv(report: ImportReport, path: Path | None = None) -> str:
    """One line per cleaning note: what was repaired in which row and field, and how."""
    return _write(report.notes, NOTE_COLUMNS, Path(report.path).name, path)
