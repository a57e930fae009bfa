import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from observatory.console import console

PASSWORD_FILE = "demo-admin-password.txt"


class Command(BaseCommand):
    help = "Set up the demo (migrate, load the bundled dataset, admin account) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="set up only; do not start the server")
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="where to serve (default 127.0.0.1:8000)")

    def handle(self, *args, no_serve=False, addrport="127.0.0.1:8000", **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        console.print("[bold]Observatory demo[/bold]: preparing the database …")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_curated")
        self._analyses()
        self._posts()
        username, password = self._admin_account()
        console.print(f"\nAdmin: http://{addrport}/admin/  user [bold]{username}[/bold]  password "
                      f"[bold]{password}[/bold]  (kept in {settings.VAR_DIR / PASSWORD_FILE})")
        if no_serve:
            return
        console.print(f"Serving http://{addrport}/ — press Ctrl+C to stop.\n")
        call_command("runserver", addrport, use_reloader=False)

    def _analyses(self) -> None:
        """Run the analyses the site shows, unless runs on exactly this data already exist."""
        from observatory.analysis.models import AnalysisRun
        from observatory.analysis.services import dataset_fingerprint

        fingerprint = dataset_fingerprint()
        done = set(AnalysisRun.objects.filter(status="done", dataset_fingerprint=fingerprint)
                   .values_list("kind", flat=True))
        missing = [kind for kind in ("network", "spatial", "typology", "timeline") if kind not in done]
        if not missing:
            console.print("Analyses: up to date with the data; nothing to run.")
            return
        for kind in missing:
            try:
                call_command("analyze", kind)
            except CommandError as exc:
                console.print(f"[yellow]analysis {kind} not run:[/yellow] {exc}")

    def _posts(self) -> None:
        from django.core.management import get_commands

        if "import_posts" in get_commands():
            call_command("import_posts")

    def _admin_account(self) -> tuple[str, str]:
        user_model = get_user_model()
        path = settings.VAR_DIR / PASSWORD_FILE
        username = "admin"
        if user_model.objects.filter(username=username).exists():
            if path.exists():
                return username, path.read_text(encoding="utf-8").strip()
            return username, "(set before this demo; unchanged)"
        password = secrets.token_urlsafe(12)
        try:
            path.write_text(password + "\n", encoding="utf-8")
            path.chmod(0o600)
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc}") from None
        user_model.objects.create_superuser(username=username, email="", password=password)
        return username, password
