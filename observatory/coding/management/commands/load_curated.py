from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from observatory.coding.dataset import DatasetError, dataset_fingerprint, dataset_load
from observatory.console import console, progress_bar, summary_table


class Command(BaseCommand):
    help = "Validate and load a curated dataset folder (docs/data-format.md); all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", default=None,
                            help="the dataset folder (default: the bundled data/china)")
        parser.add_argument("--check", action="store_true", help="validate only; write nothing")
        parser.add_argument("--force", action="store_true", help="load even if the folder is unchanged")

    def handle(self, *args, folder=None, check=False, force=False, **options):
        root = Path(folder) if folder else Path(settings.OBSERVATORY_DATASET_DIR)
        if not root.is_dir():
            raise CommandError(f"{root}: no such folder; give the path of a curated dataset (docs/data-format.md)")
        try:
            dataset_fingerprint(root)
            with progress_bar(f"{'Checking' if check else 'Loading'} {root.name}", None) as tick:
                report = dataset_load(root, check_only=check, force=force, progress=tick)
        except DatasetError as exc:
            for problem in exc.report.problems:
                console.print(f"[red]✗[/red] {problem}", markup=True, soft_wrap=True)
            raise CommandError(f"{len(exc.report.problems)} problem(s) in {root}; nothing was written.") from None
        if report.skipped:
            console.print(f"{root}: unchanged since the last load; nothing to do (use --force to reload).")
            return
        console.print(summary_table(f"{'Checked' if check else 'Loaded'} {root}",
                                    {k: dict(v) for k, v in report.counts.items()},
                                    ["created", "updated", "unchanged", "changed"]))
        if check:
            console.print("Valid; nothing was written (--check).")
