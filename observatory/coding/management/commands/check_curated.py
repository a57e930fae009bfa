from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.markup import escape

from observatory.coding.curated_check import MAX_OUTSIDE_KM, check_folder
from observatory.coding.dataset import DatasetError, dataset_load
from observatory.console import console


class Command(BaseCommand):
    help = ("Check that a curated dataset folder stays true: the loader's own validation (as load-curated --check), "
            "sources, locators, coordinate systems, points in their divisions, status dates, duplicate actors; "
            "--counts prints what it holds. Writes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", default=None,
                            help="the dataset folder (default: the bundled data/china)")
        parser.add_argument("--counts", action="store_true",
                            help="print the counts a researcher cites (entities, located spaces, founding dates, "
                                 "closings, codings with locators)")
        parser.add_argument("--max-outside-km", type=float, default=MAX_OUTSIDE_KM,
                            help=f"flag a point further than this outside its division (default {MAX_OUTSIDE_KM})")

    def handle(self, *args, folder=None, counts=False, max_outside_km=MAX_OUTSIDE_KM, **options):
        root = Path(folder) if folder else Path(settings.OBSERVATORY_DATASET_DIR)
        if not (root / "entities").is_dir():
            raise CommandError(f"{root}: not a curated dataset folder (no entities/); see docs/data-format.md")
        try:
            dataset_load(root, check_only=True)
        except DatasetError as exc:
            # what the loader refuses would never reach the database: report it first, and alone
            for problem in exc.report.problems:
                console.print(f"[red]✗[/red] {escape(str(problem))}", markup=True, soft_wrap=True, highlight=False)
            raise CommandError(f"{len(exc.report.problems)} problem(s) in {root} that load-curated refuses") from None
        try:
            report = check_folder(root, max_outside_km=max_outside_km)
        except (OSError, ValueError) as exc:
            raise CommandError(f"{root}: {exc}") from None
        for finding in report.findings:
            console.print(f"[red]✗[/red] {escape(str(finding))}", markup=True, soft_wrap=True, highlight=False)
        for finding, reason in report.accepted:
            console.print(f"[yellow]~[/yellow] {escape(str(finding))} — accepted: {escape(reason)}", markup=True, soft_wrap=True,
                          highlight=False)
        if counts:
            width = max(len(k) for k in report.counts)
            for key, value in report.counts.items():
                console.print(f"{key:<{width}}  {value}", highlight=False)
        if report.findings:
            raise CommandError(f"{len(report.findings)} problem(s) in {root}")
        console.print(f"{root}: every check passed ({len(report.accepted)} flag(s) accepted with a reason).",
                      highlight=False)
