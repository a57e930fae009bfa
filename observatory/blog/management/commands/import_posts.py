from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from observatory.blog import services
from observatory.console import console, summary_table


class Command(BaseCommand):
    help = "Import the blog's Markdown posts (front matter + body) from a folder; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(settings.BASE_DIR / "content" / "posts"),
                            help="folder of *.md posts (default content/posts)")
        parser.add_argument("--dry-run", action="store_true", help="read and check the files, write nothing")

    def handle(self, *args, directory, dry_run=False, **options):
        path = Path(directory)
        if not path.is_dir():
            raise CommandError(f"{path}: not a folder of Markdown posts (expected e.g. content/posts)")
        report = services.posts_import(path, dry_run=dry_run)
        for error in report.errors:
            console.print(f"[yellow]{error}[/yellow]")
        changed = bool(report.created or report.updated or report.errors)
        if changed or options.get("verbosity", 1) > 1:
            console.print(summary_table(f"Posts from {path}", {"posts": {
                "created": len(report.created), "updated": len(report.updated),
                "unchanged": len(report.unchanged), "errors": len(report.errors)}},
                ["created", "updated", "unchanged", "errors"]))
        if report.errors and not (report.created or report.updated or report.unchanged):
            raise CommandError(f"no post could be imported from {path}: {len(report.errors)} error(s) above")
