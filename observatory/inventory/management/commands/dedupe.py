from pathlib import Path

from django.core.management.base import BaseCommand

from observatory.console import console, summary_table
from observatory.inventory.resolution import AUTO_MERGE, REVIEW, dedupe_report_write, dedupe_run


class Command(BaseCommand):
    help = "Find the same actor across sources and scripts: merge sure pairs, queue likely ones for review."

    def add_arguments(self, parser):
        parser.add_argument("--report", help="write every pair merged or queued (sources, external ids, score) to this CSV")
        parser.add_argument("--dry-run", action="store_true", help="report what would be merged and queued; write nothing")
        parser.add_argument("--auto-merge", type=float, default=AUTO_MERGE,
                            help=f"score at or above which a pair is merged (default {AUTO_MERGE})")
        parser.add_argument("--review", type=float, default=REVIEW,
                            help=f"score at or above which a pair is queued for review (default {REVIEW})")

    def handle(self, *args, report=None, dry_run=False, auto_merge=AUTO_MERGE, review=REVIEW, **options):
        with console.status("Comparing entities…"):
            result = dedupe_run(dry_run=dry_run, auto_merge=auto_merge, review=review)
        stats = result.stats
        console.print(summary_table(f"{'Dry run: ' if dry_run else ''}de-duplication",
                                    {"pairs": result.counts}, ["merged", "queued", "skipped"]))
        console.print(f"{stats.get('records', 0)} entities, {stats.get('candidate_pairs', 0)} candidate pairs "
                      f"({stats.get('pairs_per_record', 0):.2f} per entity), thresholds: merge ≥ {auto_merge}, "
                      f"review ≥ {review}.")
        if report:
            dedupe_report_write(result, Path(report))
            console.print(f"Report written to {report}.")
        if dry_run:
            console.print("Dry run: nothing was written.")
