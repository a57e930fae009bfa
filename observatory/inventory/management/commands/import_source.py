from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from observatory.console import console, progress_bar, summary_table
from observatory.inventory.importers import IMPORTERS, ImportFileError, importer_get, source_import
from observatory.inventory.importers.base import ImportFileTooLarge
from observatory.inventory.importers.report import notes_csv, rejects_csv
from observatory.inventory.importers.runner import SUMMARY_COLUMNS


class Command(BaseCommand):
    help = "Import a directory or spreadsheet file: observatory import SOURCE FILE [--mapping m.yaml] [--dry-run]."

    def add_arguments(self, parser):
        parser.add_argument("source", help=f"the importer: {', '.join(sorted(IMPORTERS))}, or register "
                                           "(an official register: CSV, XLSX or HTML through --mapping)")
        parser.add_argument("file", help="the file to import")
        parser.add_argument("--mapping", help="YAML column mapping (the 'spreadsheet' and 'register' importers; "
                                              "docs/importers.md)")
        parser.add_argument("--dry-run", action="store_true", help="do everything, report, then roll back")
        parser.add_argument("--rejects", help="write the rejected rows (locator, line, field, value, reason) to this CSV")
        parser.add_argument("--notes", help="write the cleaning notes of every row to this CSV")
        parser.add_argument("--max-bytes", type=int, metavar="N",
                            help="refuse a file larger than N bytes (default: OBSERVATORY_IMPORT_MAX_BYTES, 100 MB; "
                                 "0: no limit)")

    def handle(self, *args, source, file, mapping=None, dry_run=False, rejects=None, notes=None, max_bytes=None,
               **options):
        if source == "register":
            report = import_register(Path(file), mapping, dry_run=dry_run)
            if rejects:
                rejects_csv(report, Path(rejects))
                console.print(f"Rejected rows written to {rejects}.")
            return
        try:
            importer = importer_get(source, mapping=mapping)
        except KeyError as exc:
            raise CommandError(exc.args[0]) from None
        except ImportFileError as exc:
            raise CommandError(f"mapping: {exc}") from None
        for option, value in (("--rejects", rejects), ("--notes", notes)):
            if value and (Path(value).is_dir() or not Path(value).parent.is_dir()):
                raise CommandError(f"{option} {value}: give the path of a file in an existing folder")
        if max_bytes is not None and max_bytes < 0:
            raise CommandError(f"--max-bytes {max_bytes}: give a number of bytes, or 0 for no limit")
        report = import_one(importer, Path(file), dry_run=dry_run, max_bytes=max_bytes)
        try:
            if rejects:
                rejects_csv(report, Path(rejects))
                console.print(f"Rejected rows written to {rejects}.")
            if notes:
                notes_csv(report, Path(notes))
                console.print(f"Cleaning notes written to {notes}.")
        except OSError as exc:
            raise CommandError(f"the import is done, but its report cannot be written: {exc.strerror or exc} "
                               f"({exc.filename})") from None


def import_one(importer, path: Path, *, dry_run: bool = False, max_bytes: int | None = None):
    """Run one import with a progress bar (rows done of the file's rows) and print its summary;
    CommandError on a bad file."""
    try:
        with progress_bar(f"Importing {path.name}", None) as tick:
            report = source_import(importer=importer, path=path, dry_run=dry_run, progress=tick, max_bytes=max_bytes)
    except ImportFileTooLarge as exc:
        raise CommandError(f"{exc}. For this import only: observatory import ... --max-bytes {exc.size}. "
                           "Nothing was written.") from None
    except ImportFileError as exc:
        raise CommandError(f"{exc}. Nothing was written.") from None
    title = f"{'Dry run of' if dry_run else 'Imported'} {path.name} ({importer.name} → source {importer.source.key})"
    console.print(summary_table(title, {"rows": report.summary()}, SUMMARY_COLUMNS))
    cleaning = report.note_counts()
    if cleaning:
        console.print(summary_table("Cleaning", {kind: {"rows": n} for kind, n in sorted(cleaning.items())}, ["rows"]))
    for reject in report.rejects[:10]:
        where = reject["locator"] + (f" (line {reject['line']})" if reject.get("line") else "")
        console.print(f"[red]✗[/red] {where}: {reject['field']}: {reject['reason']}", markup=True, soft_wrap=True)
    if len(report.rejects) > 10:
        console.print(f"… and {len(report.rejects) - 10} more rejected rows (--rejects FILE lists them all).")
    if dry_run:
        console.print("Dry run: nothing was written.")
    return report


def import_register(path: Path, mapping: str | None, *, dry_run: bool = False):
    """Import an official register (observatory.inventory.registers) and print its summary."""
    from observatory.inventory.registers import register_import

    if not mapping:
        raise CommandError("the register importer needs --mapping FILE.yaml (docs/importers.md#official-registers)")
    try:
        with progress_bar(f"Importing {path.name}", None) as tick:
            report = register_import(path=path, mapping_path=mapping, dry_run=dry_run, progress=tick)
    except ImportFileError as exc:
        raise CommandError(f"{exc}. Nothing was written.") from None
    title = f"{'Dry run of' if dry_run else 'Imported'} register {path.name} (source {report.source_key})"
    console.print(summary_table(title, {"rows": report.summary()}, list(report.COLUMNS)))
    for reject in report.rejects[:10]:
        where = reject["locator"] + (f" (line {reject['line']})" if reject.get("line") else "")
        console.print(f"[red]✗[/red] {where}: {reject['field']}: {reject['reason']}", markup=True, soft_wrap=True)
    if len(report.rejects) > 10:
        console.print(f"… and {len(report.rejects) - 10} more rejected rows (--rejects FILE lists them all).")
    if report.counts.get("queued"):
        console.print(f"{report.counts['queued']} uncertain matches wait in the review queue (admin: merge decisions).")
    if dry_run:
        console.print("Dry run: nothing was written.")
    return report
