import os
import secrets
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from lxml import etree

from observatory.console import console, summary_table
from observatory.exports import FORMATS, export_run

# What a writer raises when the disk is full or the path is wrong: OSError (ENOSPC, EACCES, a
# file where a folder is needed) and lxml's serialisation errors (its own I/O).
_WRITE_ERRORS = (OSError, etree.LxmlError, ValueError)


class Command(BaseCommand):
    help = "Export the inventory: " + ", ".join(FORMATS) + " (public records only unless --include-restricted)"

    def add_arguments(self, parser):
        parser.add_argument("format", help="one of: " + ", ".join(f"{k} ({v.title})" for k, v in FORMATS.items()))
        parser.add_argument("out", help="output file; a folder for csv and datapackage (csv: a .zip works too)")
        parser.add_argument("--include-restricted", action="store_true",
                            help="private backup: also non-public entities, records from sources that forbid "
                                 "redistribution, curators' notes and raw source records (never publish it)")
        parser.add_argument("--force", action="store_true",
                            help="replace an existing output file (or write into a non-empty folder, replacing "
                                 "the files of the same name); without it an existing output is never touched")

    def handle(self, *args, format, out, include_restricted, force=False, **options):
        if format not in FORMATS:
            raise CommandError(f"unknown format {format!r}; accepted: {', '.join(FORMATS)}")
        out_path = Path(out)
        to_folder = FORMATS[format].folder and out_path.suffix.lower() != ".zip"
        _check_target(format, out_path, to_folder=to_folder, force=force)
        try:
            if to_folder and out_path.exists():
                report = export_run(format, out_path, include_restricted=include_restricted)
            else:
                report = _export_file(format, out_path, include_restricted=include_restricted)
        except _WRITE_ERRORS as exc:
            raise CommandError(f"cannot write {out_path}: {_reason(exc)}") from None
        except Exception as exc:
            # GeoPackage: sqlite3 and GDAL (pyogrio) report a full disk or a bad path their own way
            if not type(exc).__module__.startswith(("sqlite3", "pyogrio")):
                raise
            raise CommandError(f"cannot write {out_path}: {_reason(exc)}") from None
        console.print(summary_table(f"{FORMATS[format].title} → {out_path}",
                                    {name: {"written": n} for name, n in report.counts.items()}, ["written"]))
        if include_restricted:
            console.print("[bold]Private backup[/bold]: includes restricted records and raw source records; "
                          "do not publish it.")
        elif report.left_out:
            console.print("Left out (records whose sources forbid redistribution are never published; "
                          "use --include-restricted for a private backup):")
            for reason, count in report.left_out.items():
                console.print(f"  {count:>7}  {reason}")
        else:
            console.print("Nothing was left out.")


def _check_target(format: str, out: Path, *, to_folder: bool, force: bool) -> None:
    """Refuse an output that would lose data or cannot be written, before anything is exported."""
    spec = FORMATS[format]
    if not (out.exists() or out.is_symlink()):
        if out.parent.exists() and not out.parent.is_dir():
            raise CommandError(f"{out.parent} is a file, not a folder; give a path inside a folder")
        return
    if to_folder:
        if not out.is_dir():
            raise CommandError(f"{out} is not a folder; {format} is written to a folder (or to a name ending in "
                               ".zip): give a new or empty folder")
        if any(out.iterdir()) and not force:
            raise CommandError(f"{out} exists and is not empty; give a new or empty folder, or --force to write "
                               "into it (files of the same name are replaced)")
        return
    if out.is_dir():
        raise CommandError(f"{out} is a folder; {format} is written to a file, e.g. {out / spec.filename}")
    if not out.is_file():
        raise CommandError(f"{out} is not a regular file (a device, a pipe or a broken link); give the path of a "
                           "new file")
    if not force:
        raise CommandError(f"{out} exists; give a new file name, or --force to replace it")


def _export_file(format: str, out: Path, *, include_restricted: bool):
    """Write to a partial file (or new folder) beside ``out``, then rename it: ``out`` is replaced
    whole or not at all (a full disk leaves the old file as it was and nothing partial)."""
    partial = out.with_name(f".{out.stem}.partial-{secrets.token_hex(4)}{out.suffix}")
    try:
        report = export_run(format, partial, include_restricted=include_restricted)
        os.replace(partial, out)
    finally:
        if partial.is_dir():
            shutil.rmtree(partial, ignore_errors=True)
        else:
            partial.unlink(missing_ok=True)
    report.path = out
    return report


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = " ".join(str(exc).split())
    if len(text) > 300 and "failed:" in text:  # GDAL quotes the whole failed SQL before the reason
        text = text.rsplit("failed:", 1)[1].strip()
    return text[:300] or type(exc).__name__
