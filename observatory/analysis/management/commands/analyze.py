import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from observatory.analysis.services import AnalysisInputError, analysis_run, dataset_fingerprint
from observatory.console import console, progress_bar

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

    def handle(self, *args, which="all", since=None, until=None, seed=0, partition="online_physical", eps_km=2.0,
               min_samples=4, organisations="majority", relation_classes="interaction,knowledge_flow",
               permutations=999, **options):
        kinds = ALL if which == "all" else [which]
        parameters = {
            "network": {"since": _date(since, "--since"), "until": _date(until, "--until"), "partition": partition,
                        "organisations": organisations, "relation_classes": relation_classes,
                        "permutations": permutations},
            "spatial": {"eps_km": eps_km, "min_samples": min_samples},
            "typology": {},
            "timeline": {},
        }
        failures = 0
        # one fingerprint for every run of this command: the data are read once for it, not once per analysis
        fingerprint = dataset_fingerprint()
        with progress_bar("Analysing", len(kinds)) as tick:
            for kind in kinds:
                try:
                    run = analysis_run(kind, parameters=parameters[kind], seed=seed, fingerprint=fingerprint)
                except AnalysisInputError as exc:
                    failures += 1
                    console.print(f"[yellow]{kind}[/yellow]: not run — {exc}")
                except Exception as exc:  # noqa: BLE001 — a defect: say so plainly, keep going with the others
                    failures += 1
                    console.print(f"[red]{kind}[/red]: failed with an internal error ({type(exc).__name__}: {exc}); "
                                  "the failed run is stored with the error — please report it")
                else:
                    console.print(f"[bold]{kind}[/bold] run #{run.pk} ({run.duration_s:.1f} s): {run.summary}")
                    for note in run.notes[:5]:
                        console.print(f"   note: {note}", soft_wrap=True)
                    if len(run.notes) > 5:
                        console.print(f"   … and {len(run.notes) - 5} more notes (see the run in the admin)")
                tick()
        if failures == len(kinds):
            raise CommandError("no analysis could run on this data (see the messages above)")
