from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from observatory.console import console, summary_table
from observatory.exports import FORMATS, export_run


class Command(BaseCommand):
    help = "Export the inventory: " + ", ".join(FORMATS) + " (public records only unless --include-restricted)"

    def add_arguments(self, parser):
        parser.add_argument("format", help="one of: " + ", ".join(f"{k} ({v.title})" for k, v in FORMATS.items()))
        parser.add_argument("out", help="output file; a folder for csv and datapackage (csv: a .zip works too)")
        parser.add_argument("--include-restricted", action="store_true",
                            help="private backup: also non-public entities, records from sources that forbid "
                                 "redistribution, curators' notes and raw source records (never publish it)")

    def handle(self, *args, format, out, include_restricted, **options):
        if format not in FORMATS:
            raise CommandError(f"unknown format {format!r}; accepted: {', '.join(FORMATS)}")
        out_path = Path(out)
        if FORMATS[format].folder and out_path.suffix.lower() != ".zip" and out_path.exists() and any(
                out_path.iterdir()):
            raise CommandError(f"{out_path} exists and is not empty; give a new or empty folder")
        if out_path.exists() and out_path.is_dir() and not FORMATS[format].folder:
            raise CommandError(f"{out_path} is a folder; {format} is written to a file, e.g. {out_path / FORMATS[format].filename}")
        try:
            report = export_run(format, out_path, include_restricted=include_restricted)
        except OSError as exc:
            raise CommandError(f"cannot write {out_path}: {exc}") from None
        console.print(summary_table(f"{FORMATS[format].title} → {out_path}",
                                    {name: {"written": n} for name, n in report.counts.items()}, ["written"]))
        if include_restricted:
            console.print("[bold]Private backup[/bold]: includes restricted records and raw source records; "
                          "do not publish it.")
        elif report.left_out:
            console.print("Left out (records whose sources forbid redistribution are never published; "
                          "use --include-restricted for a private backup):")
            for reason, count in report.left_out.items():
                console.print(f"  {count:>7}  {reason}")
        else:
            console.print("Nothing was left out.")
