import tempfile
import zipfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from observatory.console import console, summary_table
from observatory.exports.restore import PackageError, package_restore


class Command(BaseCommand):
    help = "Restore a data package (observatory export datapackage DIR --include-restricted) into an empty database"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="the folder holding datapackage.json and the CSV tables, or a .zip of it "
                                           "(as /api/v1/exports/datapackage gives)")

    def handle(self, *args, folder, **options):
        root = Path(folder)
        if root.is_file() and zipfile.is_zipfile(root):
            with tempfile.TemporaryDirectory(prefix="observatory-package-") as unpacked:
                with zipfile.ZipFile(root) as archive:
                    archive.extractall(unpacked)  # zipfile drops absolute and '..' parts of names
                return self._restore(Path(unpacked), label=str(root))
        return self._restore(root, label=str(root))

    def _restore(self, root: Path, *, label: str):
        if not root.is_dir():
            raise CommandError(f"{root}: no such folder; give the folder written by "
                               "'observatory export datapackage DIR --include-restricted'")
        try:
            report = package_restore(root)
        except PackageError as exc:
            raise CommandError("nothing was imported: " + "\n  ".join(exc.problems)) from None
        console.print(summary_table(f"Restored from {label}", {k: {"rows": v} for k, v in report.counts.items()},
                                    ["rows"]))
        if report.lossy:
            console.print("[bold]Note[/bold]: this was a public export, not a backup: records left out of it "
                          "(non-public, non-redistributable, private notes) are not in the database.")
