from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from observatory.census.fetch import FetchSettings
from observatory.census.models import TARGET_KINDS, CensusRun
from observatory.census.services import census_run, census_targets, user_agent
from observatory.console import console, summary_table
from observatory.inventory.taxonomy import KINDS

OUTCOMES = ["alive", "moved", "parked", "gone", "failed", "skipped"]


def _csv(value: str | None) -> list[str] | None:
    return [part.strip() for part in value.split(",") if part.strip()] if value else None


class Command(BaseCommand):
    help = ("Liveness census: fetch every entity's website, SpaceAPI endpoint, feed and repository politely, "
            "keep each dated observation and infer 'seen alive' / 'probably closed' statuses (docs/census.md).")

    def add_arguments(self, parser):
        parser.add_argument("--kind", help="only entities of these kinds (comma-separated, e.g. makerspace,fab_lab)")
        parser.add_argument("--source", help="only entities cited by these source keys (comma-separated)")
        parser.add_argument("--entity", help="only these entities, by slug (comma-separated)")
        parser.add_argument("--only", help="only these addresses: website, spaceapi, feed, repository (comma-separated)")
        parser.add_argument("--resume", nargs="?", const="last", metavar="RUN",
                            help="finish an interrupted run (its id, or the latest unfinished one): only what it "
                                 "has not observed is fetched, with the run's own selection")
        parser.add_argument("--dry-run", action="store_true", help="list what would be fetched; fetch and write nothing")
        parser.add_argument("--concurrency", type=int, default=32, help="requests in flight overall (default 32)")
        parser.add_argument("--per-host", type=int, default=2, help="requests in flight per host (default 2)")
        parser.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for an answer (default 15)")
        parser.add_argument("--retries", type=int, default=2,
                            help="retries after a timeout, a refused connection or a 429/502/503/504 (default 2)")

    def handle(self, *args, kind=None, source=None, entity=None, only=None, resume=None, dry_run=False,
               concurrency=32, per_host=2, timeout=15.0, retries=2, **options):
        kinds, only_kinds = _csv(kind), _csv(only)
        for value in kinds or []:
            if value not in KINDS:
                raise CommandError(f"--kind {value!r} is not an entity kind; accepted: {', '.join(sorted(KINDS))}")
        accepted = [k for k, _ in TARGET_KINDS]
        for value in only_kinds or []:
            if value not in accepted:
                raise CommandError(f"--only {value!r} is not an address kind; accepted: {', '.join(accepted)}")
        if min(concurrency, per_host) < 1 or timeout <= 0 or retries < 0:
            raise CommandError("--concurrency and --per-host must be at least 1, --timeout above 0, --retries 0 or more")
        run = None
        if resume:
            unfinished = CensusRun.objects.exclude(status="done")
            run = unfinished.first() if resume == "last" else unfinished.filter(pk=resume if resume.isdigit() else 0).first()
            if run is None:
                raise CommandError(f"no unfinished census run {'' if resume == 'last' else resume + ' '}to resume "
                                   "(`observatory census` starts a new one)")
            if kind or source or entity or only:
                raise CommandError("--resume keeps the run's own selection: leave out --kind, --source, --entity, --only")
        if dry_run:
            options_ = run.options if run else {"kinds": kinds, "sources": _csv(source), "entities": _csv(entity),
                                                "only": only_kinds}
            targets = census_targets(**options_)
            done = set(run.observations.values_list("entity_id", "kind", "url")) if run else set()
            pending = Counter(t.kind for t in targets if (t.entity_id, t.kind, t.url) not in done)
            console.print(summary_table("Dry run: census targets", {"to fetch": pending},
                                        [k for k, _ in TARGET_KINDS]))
            console.print(f"{sum(pending.values())} addresses of {len({t.entity_id for t in targets})} entities; "
                          "nothing was fetched or written.")
            return
        fetch_settings = FetchSettings(
            user_agent=user_agent(), concurrency=concurrency, per_host=per_host, timeout=timeout,
            connect_timeout=min(timeout, 10.0), retries=retries,
            github_api=settings.OBSERVATORY_CENSUS_GITHUB_API, gitee_api=settings.OBSERVATORY_CENSUS_GITEE_API)
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[tally]}"),
                      TimeRemainingColumn(), console=console, transient=True,
                      disable=not console.is_terminal) as progress:
            task = progress.add_task("Census", total=None, tally="")
            tally: Counter = Counter()

            def on_start(run_, pending):
                progress.update(task, total=run_.total, completed=run_.done,
                                description=f"Census run {run_.pk}")

            def on_result(result):
                tally[result.outcome] += 1
                progress.update(task, advance=1, tally=" ".join(f"{k} {v}" for k, v in sorted(tally.items())))

            outcome = census_run(fetch_settings=fetch_settings, kinds=kinds, sources=_csv(source),
                                 entities=_csv(entity), only=only_kinds, resume=run, on_start=on_start,
                                 on_result=on_result)
        run = outcome.run
        console.print(summary_table(f"Census run {run.pk}: {run.done} of {run.total} addresses observed",
                                    {"observations": outcome.counts}, OUTCOMES))
        if outcome.interrupted:
            console.print(f"Interrupted: `observatory census --resume {run.pk}` fetches the {run.total - run.done} "
                          "addresses left.")
        else:
            console.print(summary_table("Statuses inferred (counts: confidence at or above LIFECYCLE_CONFIDENCE)",
                                        {"entities": outcome.inferred}, sorted(outcome.inferred)))
