from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from observatory.console import console, progress_bar, summary_table
from observatory.inventory.importers import IMPORTERS, ImportFileError, importer_get, source_import
from observatory.inventory.importers.report import notes_csv, rejects_csv
from observatory.inventory.importers.runner import SUMMARY_COLUMNS


class Command(BaseCommand):
    help = "Import a directory or spreadsheet file: observatory import SOURCE FILE [--mapping m.yaml] [--dry-run]."

    def add_arguments(self, parser):
        parser.add_argument("source", help=f"the importer: {', '.join(sorted(IMPORTERS))}")
        parser.add_argument("file", help="the file to import")
        parser.add_argument("--mapping", help="YAML column mapping (the 'spreadsheet' importer; docs/importers.md)")
        parser.add_argument("--dry-run", action="store_true", help="do everything, report, then roll back")
        parser.add_argument("--rejects", help="write the rejected rows (locator, line, field, value, reason) to this CSV")
        parser.add_argument("--notes", help="write the cleaning notes of every row to this CSV")

    def handle(self, *args, source, file, mapping=None, dry_run=False, rejects=None, notes=None, **options):
        try:
            importer = importer_get(source, mapping=mapping)
        except KeyError as exc:
            raise CommandError(exc.args[0]) from None
        except ImportFileError as exc:
            raise CommandError(f"mapping: {exc}") from None
        for option, value in (("--rejects", rejects), ("--notes", notes)):
            if value and (Path(value).is_dir() or not Path(value).parent.is_dir()):
                raise CommandError(f"{option} {value}: give the path of a file in an existing folder")
        report = import_one(importer, Path(file), dry_run=dry_run)
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


def import_one(importer, path: Path, *, dry_run: bool = False):
    """Run one import with a progress bar and print its summary; CommandError on a bad file."""
    try:
        with progress_bar(f"Importing {path.name}", None) as tick:
            report = source_import(importer=importer, path=path, dry_run=dry_run, progress=tick)
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
