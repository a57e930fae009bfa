from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from observatory.blog import services


class Command(BaseCommand):
    help = "Import BibTeX entries as sources (CSL-JSON) that blog posts can cite as [@key]."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="BibTeX files (.bib)")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, files, dry_run=False, **options):
        for name in files:
            path = Path(name)
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"{path}: cannot read it as UTF-8 BibTeX ({error})") from None
            report = services.sources_import_bibtex(text, dry_run=dry_run)
            if not report["imported"] and not report["skipped"]:
                raise CommandError(f"{path}: no BibTeX entry found (expected entries such as "
                                   "@book{castells1989, author = {...}, title = {...}, year = {1989}})")
            for problem in report["skipped"]:
                self.stderr.write(f"{path}: {problem}")
            verb = "would import" if dry_run else "imported"
            self.stdout.write(f"{path}: {verb} {len(report['imported'])} source(s): {', '.join(report['imported'])}")
