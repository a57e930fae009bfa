"""The ``observatory`` command: a thin entry over Django's management commands.

``observatory demo`` runs ``manage.py demo``; subcommand names use hyphens where the Django
command uses underscores (``observatory load-curated`` = ``manage.py load_curated``).
``observatory`` alone prints the project's commands.
"""

from __future__ import annotations

import os
import sys

# Names that differ from the Django command (``import`` is a Python keyword as a module name).
ALIASES = {"import": "import_source", "import-all": "import_all"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatory.settings")
    from django.core.management import execute_from_command_line

    if not os.environ.get("SECRET_KEY") and not os.environ.get("SECRET_KEY_FILE"):
        # A checkout with no production configuration (after `make demo`, say): every command, and the
        # list of commands, runs in development mode, as the demo does, instead of stopping for want
        # of a SECRET_KEY.
        os.environ.setdefault("DEBUG", "true")
    name = argv[0] if argv else "help"
    try:
        if not argv or argv[0] in {"-h", "--help", "help"} and len(argv) == 1:
            _print_help()
            return
        command = ALIASES.get(argv[0], argv[0].replace("-", "_"))
        execute_from_command_line(["observatory", command, *argv[1:]])
    except Exception as exc:  # configuration errors and a database never set up become one-line messages
        from django.core.exceptions import ImproperlyConfigured

        if isinstance(exc, ImproperlyConfigured):
            print(f"observatory {name}: {exc}\nSee docs/configuration.md.", file=sys.stderr)
            raise SystemExit(1) from None
        if not _is_missing_schema(exc):
            raise
        print(f"observatory {name}: the database is not set up ({str(exc).splitlines()[0]}).\n"
              "Create it with `observatory migrate` (or run `make demo`), then try again.", file=sys.stderr)
        raise SystemExit(1) from None


def _is_missing_schema(exc: BaseException) -> bool:
    """True when *exc* says the database was never created (no file, or no tables): never migrated."""
    from django.db.utils import OperationalError, ProgrammingError

    if not isinstance(exc, OperationalError | ProgrammingError):
        return False
    text = str(exc)
    return ("no such table" in text or "unable to open database file" in text
            or ("relation" in text and "does not exist" in text))


def _print_help() -> None:
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    print("usage: observatory COMMAND [options]   (observatory COMMAND --help for each)\n")
    print("Observatory commands:")
    reverse_alias = {v: k for k, v in ALIASES.items()}
    for name, app in sorted(get_commands().items()):
        if not app.startswith("observatory"):
            continue
        help_text = load_command_class(app, name).help.split("\n")[0]
        print(f"  {reverse_alias.get(name, name.replace('_', '-')):<16} {help_text}")
    print("\nEvery Django command (migrate, createsuperuser, ...) works too.")


if __name__ == "__main__":
    main()
