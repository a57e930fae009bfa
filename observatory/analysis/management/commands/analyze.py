import datetime as dt
import os

from django.core.management.base import BaseCommand, CommandError

from observatory.analysis.models import AnalysisRun
from observatory.analysis.services import analysis_runs, dataset_fingerprint
from observatory.console import console, progress_bar

#: The analyses of ``analyze all``, the network (the longest) first: with several jobs, the first ones start first.
ALL = ["network", "spatial", "typology", "timeline"]


def _date(value: str | None, option: str) -> str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise CommandError(f"{option} {value!r} is not a date; write YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Run analyses on the inventory and store them as reproducible runs (network, spatial, typology, timeline)."

    def add_arguments(self, parser):
        parser.add_argument("which", nargs="?", default="all", choices=[*ALL, "all"],
                            help="which analysis (default: all)")
        parser.add_argument("--since", help="network window start, YYYY-MM-DD")
        parser.add_argument("--until", help="network window end, YYYY-MM-DD")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0): same data + seed = same numbers")
        parser.add_argument("--partition", default="online_physical", choices=["online_physical", "layer"],
                            help="brokerage groups: online_physical (two sides, the default) or layer (three layers)")
        parser.add_argument("--organisations", default="majority", choices=["majority", "exclude"],
                            help="online_physical: an organisation joins the side of most of its partners "
                                 "(majority, the default) or is left out (exclude)")
        parser.add_argument("--relation-classes", default="interaction,knowledge_flow",
                            help="relation classes of the network, comma-separated (default interaction,knowledge_flow; "
                                 "also affiliation; listing never enters by default)")
        parser.add_argument("--permutations", type=int, default=999,
                            help="permutations of the group labels for brokerage p-values (default 999; 0 skips)")
        parser.add_argument("--eps-km", type=float, default=2.0, help="DBSCAN radius in km for hotspots (default 2: a neighbourhood)")
        parser.add_argument("--min-samples", type=int, default=4, help="DBSCAN min_samples, the point included")
        parser.add_argument("--jobs", type=int, default=0,
                            help="analyses run at once in worker processes (default 0: one per core, at most 2, "
                                 "since two analyses of a large inventory hold about 3 GB together; 1: one after "
                                 "another in this process)")

    def handle(self, *args, which="all", since=None, until=None, seed=0, partition="online_physical", eps_km=2.0,
               min_samples=4, organisations="majority", relation_classes="interaction,knowledge_flow",
               permutations=999, jobs=0, **options):
        kinds = ALL if which == "all" else [which]
        parameters = {
            "network": {"since": _date(since, "--since"), "until": _date(until, "--until"), "partition": partition,
                        "organisations": organisations, "relation_classes": relation_classes,
                        "permutations": permutations},
            "spatial": {"eps_km": eps_km, "min_samples": min_samples},
            "typology": {},
            "timeline": {},
        }
        if jobs < 0:
            raise CommandError(f"--jobs {jobs}: use 1 or more, or 0 for one per core")
        failures = 0

        def report(outcome) -> None:
            nonlocal failures
            if outcome.failure == "input":
                failures += 1
                console.print(f"[yellow]{outcome.kind}[/yellow]: not run — {outcome.message}")
            elif outcome.failure:
                failures += 1
                console.print(f"[red]{outcome.kind}[/red]: failed with an internal error ({outcome.message}); "
                              "the failed run is stored with the error — please report it")
            else:
                # not the result: at 100k entities a network run's is about 120 MB of JSON to decode
                run = AnalysisRun.objects.only("pk", "duration_s", "summary", "notes").get(pk=outcome.run_id)
                console.print(f"[bold]{outcome.kind}[/bold] run #{run.pk} ({run.duration_s:.1f} s): {run.summary}")
                for note in run.notes[:5]:
                    console.print(f"   note: {note}", soft_wrap=True)
                if len(run.notes) > 5:
                    console.print(f"   … and {len(run.notes) - 5} more notes (see the run in the admin)")
            tick()

        # one fingerprint for every run of this command: the data are read once for it, not once per analysis
        fingerprint = dataset_fingerprint()
        with progress_bar("Analysing", len(kinds)) as tick:
            analysis_runs(kinds, parameters=parameters, seed=seed, fingerprint=fingerprint,
                          jobs=jobs or min(2, os.cpu_count() or 1), on_done=report)
        if failures == len(kinds):
            raise CommandError("no analysis could run on this data (see the messages above)")
