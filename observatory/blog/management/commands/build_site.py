from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from observatory.blog.static_site import site_build
from observatory.console import console, progress_bar


class Command(BaseCommand):
    help = "Write the public site (atlas and blog) as static files that work from any static host."

    def add_arguments(self, parser):
        parser.add_argument("out", help="output folder, e.g. site-out/")
        parser.add_argument("--base-url", default=settings.SITE_URL,
                            help="absolute URL the site will be served from, used in feeds and the sitemap "
                                 "(default SITE_URL)")
        parser.add_argument("--no-static", action="store_true", help="do not collect the static files")

    def handle(self, *args, out, base_url, no_static=False, **options):
        path = Path(out)
        if path.exists() and not path.is_dir():
            raise CommandError(f"{path}: exists and is not a folder")
        with progress_bar("Rendering pages", None) as tick:
            build = site_build(path, base_url=base_url, collect_static=not no_static, progress=tick)
        for url, status in build.failed:
            console.print(f"[yellow]{url}: HTTP {status}, not written[/yellow]")
        console.print(f"Wrote {len(build.pages)} pages to {path}" + ("" if no_static else f" and the static files "
                      f"to {path / 'static'}") + f"; feeds and sitemap use {base_url}.")
