from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from observatory.console import console, summary_table
from observatory.inventory.importers import IMPORTERS
from observatory.inventory.importers.runner import SUMMARY_COLUMNS

from .import_source import import_one


class Command(BaseCommand):
    help = "Import every file of ../shared/data/raw that an importer knows (observatory import-all [--raw-dir DIR])."

    def add_arguments(self, parser):
        parser.add_argument("--raw-dir", help="folder of raw sources (default: ../shared/data/raw next to the checkout)")
        parser.add_argument("--dry-run", action="store_true", help="import each file, report, then roll back")

    def handle(self, *args, raw_dir=None, dry_run=False, **options):
        root = Path(raw_dir) if raw_dir else Path(settings.BASE_DIR).parent / "shared" / "data" / "raw"
        if not root.is_dir():
            raise CommandError(f"{root}: no such folder; give --raw-dir, the folder holding the raw sources "
                               "(one sub-folder per source, e.g. szmakermap/list.json)")
        totals = {}
        for name, cls in IMPORTERS.items():
            for relative in cls.raw_files:
                path = root / relative
                if not path.is_file():
                    console.print(f"[yellow]–[/yellow] {relative}: absent in {root}; skipped ({name}).", markup=True)
                    continue
                report = import_one(cls(), path, dry_run=dry_run)
                totals[relative] = report.summary()
        if not totals:
            raise CommandError(f"no known source file in {root}; known: "
                               + ", ".join(f for cls in IMPORTERS.values() for f in cls.raw_files))
        console.print(summary_table(f"{'Dry run of' if dry_run else 'Imported'} {len(totals)} file(s) from {root}",
                                    totals, SUMMARY_COLUMNS))
