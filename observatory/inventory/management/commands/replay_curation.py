from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from observatory.console import console
from observatory.inventory.curation import CurationError, curation_read, curation_replay, entities_yaml


class Command(BaseCommand):
    help = ("Replay a curation file (docs/data-format.md, 'Curation files') over the raw directories through the "
            "importers, and write the curated entities file it gives.")

    def add_arguments(self, parser):
        parser.add_argument("curation", help="the curation file, e.g. data/china/curation/directories.yaml")
        parser.add_argument("--out", help="the entities file to write (default: print it)")
        parser.add_argument("--raw-dir", help="folder of raw sources (default: ../shared/data/raw next to the checkout)")
        parser.add_argument("--check", action="store_true",
                            help="write nothing; fail if --out differs from what the replay gives")

    def handle(self, *args, curation, out=None, raw_dir=None, check=False, **options):
        root = Path(raw_dir) if raw_dir else Path(settings.BASE_DIR).parent / "shared" / "data" / "raw"
        if not root.is_dir():
            raise CommandError(f"{root}: no such folder; give --raw-dir, the folder holding the raw sources "
                               "(one sub-folder per source, e.g. szmakermap/list.json)")
        if check and not out:
            raise CommandError("--check compares with the file given by --out")
        try:
            replay = curation_replay(curation_read(curation), root)
        except (OSError, CurationError) as exc:
            raise CommandError(str(exc)) from None
        text = entities_yaml(replay)
        for line in replay.report:
            console.print(line, markup=False, soft_wrap=True)
        if not out:
            self.stdout.write(text, ending="")
            return
        target = Path(out)
        if check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                raise CommandError(f"{target} is not what {curation} gives; replay it without --check")
            console.print(f"{target} is what {curation} gives.")
            return
        target.write_text(text, encoding="utf-8")
        console.print(f"Wrote {len(replay.entities)} entities to {target}.")
