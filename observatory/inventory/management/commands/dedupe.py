from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from observatory.console import console, summary_table
from observatory.inventory.resolution import (
    AUTO_MERGE,
    REVIEW,
    dedupe_judge,
    dedupe_report_write,
    dedupe_run,
    judged_pairs_read,
)

LABELS = Path(settings.BASE_DIR) / "tests" / "fixtures" / "importers" / "cross_source_labels.csv"


class Command(BaseCommand):
    help = "Find the same actor across sources and scripts: merge sure pairs, queue likely ones for review."

    def add_arguments(self, parser):
        parser.add_argument("--report", help="write every pair merged or queued (sources, external ids, score) to this CSV")
        parser.add_argument("--dry-run", action="store_true", help="report what would be merged and queued; write nothing")
        parser.add_argument("--auto-merge", type=float, default=AUTO_MERGE,
                            help=f"score at or above which a pair is merged (default {AUTO_MERGE})")
        parser.add_argument("--review", type=float, default=REVIEW,
                            help=f"score at or above which a pair is queued for review (default {REVIEW})")
        parser.add_argument("--evaluate", action="store_true",
                            help="measure precision and recall on the labelled pairs (no database; needs --raw-dir)")
        parser.add_argument("--raw-dir", help="folder of the raw sources for --evaluate (default ../shared/data/raw)")
        parser.add_argument("--judged", metavar="FILE.csv",
                            help="measure the pairs merged and queued against pairs judged by hand (CSV: a, b = entity "
                                 "slugs, same = yes or no, note); e.g. tests/fixtures/resolution/china_judged_pairs.csv")

    def handle(self, *args, report=None, dry_run=False, auto_merge=AUTO_MERGE, review=REVIEW, evaluate=False,
               raw_dir=None, judged=None, **options):
        judgements = None
        if judged:
            try:
                judgements = judged_pairs_read(Path(judged))
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
        if evaluate:
            self.evaluate(Path(raw_dir) if raw_dir else Path(settings.BASE_DIR).parent / "shared" / "data" / "raw",
                          (auto_merge, review))
            return
        with console.status("Comparing entities…"):
            result = dedupe_run(dry_run=dry_run, auto_merge=auto_merge, review=review)
        stats = result.stats
        console.print(summary_table(f"{'Dry run: ' if dry_run else ''}de-duplication",
                                    {"pairs": result.counts}, ["merged", "queued", "skipped"]))
        console.print(f"{stats.get('records', 0)} entities, {stats.get('candidate_pairs', 0)} candidate pairs "
                      f"({stats.get('pairs_per_record', 0):.2f} per entity), thresholds: merge ≥ {auto_merge}, "
                      f"review ≥ {review}.")
        if judgements is not None:
            self.judge(result, judgements, Path(judged))
        if report:
            dedupe_report_write(result, Path(report))
            console.print(f"Report written to {report}.")
        if dry_run:
            console.print("Dry run: nothing was written.")

    def judge(self, result, judgements, path: Path) -> None:
        figures = dedupe_judge(result, judgements)
        recall = figures.pop("recall")
        console.print(summary_table(f"Against the pairs judged in {path}", figures,
                                    ["pairs", "judged same", "judged different", "not judged", "precision"]))
        for row in result.rows:
            console.print(f"  {row['decision']} {row['score']:.2f}  {row['kept_name']}  ~  {row['merged_name']}")
        console.print(f"Pairs judged the same actor: {recall['same pairs judged']}, found (merged or queued): "
                      f"{recall['found']}.")

    def evaluate(self, raw: Path, thresholds) -> None:
        from observatory.inventory.resolution.evaluation import (
            alias_records,
            cross_source_evaluate,
            evaluate_pairs,
        )

        aliases = raw / "ananse-atlas-innovation-spaces" / "aliases_derived.csv"
        if not aliases.is_file():
            raise CommandError(f"{aliases} is absent: give --raw-dir, the folder of the raw sources")
        records, truth = alias_records(aliases)
        results, _stats = evaluate_pairs(records, truth, thresholds=thresholds)
        columns = ["true pairs", "predicted", "correct", "precision", "recall"]
        console.print(summary_table("Ananse alias sheet (aliases_derived.csv)",
                                    {f"score ≥ {r.threshold}": r.as_row() for r in results}, columns))
        files = [("ananse-csv", raw / "ananse-atlas-innovation-spaces" / "new_spaces.csv"),
                 ("szmakermap", raw / "szmakermap" / "list.json"),
                 ("hackerspaces-geojson", raw / "hackerspaces-wiki-chgrp" / "hackerspaces_exchanges_residencies.geojson")]
        results, _stats = cross_source_evaluate(LABELS, files, thresholds=thresholds)
        console.print(summary_table("Cross-source China pairs (tests/fixtures/importers/cross_source_labels.csv)",
                                    {f"score ≥ {r.threshold}": r.as_row() for r in results}, columns))
