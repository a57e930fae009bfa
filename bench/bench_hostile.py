"""The full hostile-input fuzz (issue 18): the corpus of tests/hostile.py through every GET parameter
of the public pages and the API (one parameter at a time), every field of the API's writes and
every text field of every admin form (one field at a time), under the production settings
(DEBUG off, the manifest static storage, HTTPS behind a proxy), on SQLite and on PostgreSQL.
Counts requests, answers by class, 5xx and unescaped payloads; prints a Markdown section.

    .venv/bin/python bench/bench_hostile.py                       # SQLite, and PostgreSQL if reachable
    .venv/bin/python bench/bench_hostile.py --quick               # the compact corpus
    BENCH_PG=postgres://postgres@127.0.0.1:5432/bench_hostile .venv/bin/python bench/bench_hostile.py

The PostgreSQL database is dropped and created again (default: bench_hostile on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/bench_hostile"


def _run_one(quick: bool, per_field: bool) -> dict:
    """Inside a child process whose environment holds the production settings."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from observatory.api.services import token_create
    from observatory.coding.dataset import dataset_load
    from tests import hostile

    setup_test_environment()  # the test client's response.context; nothing else changes
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    mini = ROOT / "tests" / "fixtures" / "curated-mini"
    dataset_load(mini, codebook_path=mini / "codebook.yaml")
    user_model = get_user_model()
    admin_user = user_model.objects.create_superuser("bench-admin", email="", password="bench-password-1")
    token = token_create(user=admin_user)[1]

    corpus = hostile.COMPACT if quick else hostile.FULL
    admin_corpus = hostile.ADMIN_COMPACT if quick else hostile.ADMIN_COMPACT + hostile.FULL[len(hostile.COMPACT):]
    figures = {}
    for name, probe in (
        ("GET parameters (public pages and API)", lambda c, f: hostile.probe_get_parameters(
            c, corpus, f, one_at_a_time=not quick, api_params=hostile.api_read_parameters())),
        ("API write fields", lambda c, f: hostile.probe_api_writes(c, token, corpus, f)),
        ("admin forms and changelists", lambda c, f: hostile.probe_admin_forms(
            c, admin_corpus, f, one_field_at_a_time=per_field, search_corpus=corpus)),
        ("public pages after the writes", lambda c, f: hostile.probe_get_parameters(c, corpus[:10], f)),
    ):
        client = Client(raise_request_exception=False, HTTP_X_FORWARDED_PROTO="https")
        client.force_login(admin_user)
        findings = hostile.Findings()
        started = time.perf_counter()
        probe(client, findings)
        figures[name] = {"requests": findings.requests, "seconds": round(time.perf_counter() - started, 1),
                         "by_class": {str(k): v for k, v in sorted(findings.by_status.items())},
                         "server_errors": findings.server_errors[:20], "n_5xx": len(findings.server_errors),
                         "unescaped": findings.unescaped[:20], "n_unescaped": len(findings.unescaped)}
    return {"corpus": len(corpus), "admin_corpus": len(admin_corpus), "figures": figures}


def _child(database_url: str | None, quick: bool, per_field: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as var:
        env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "bench-hostile-not-secret",
               "ALLOWED_HOSTS": "testserver", "USE_X_FORWARDED_PROTO": "true", "OBSERVATORY_VAR_DIR": var,
               "DJANGO_SETTINGS_MODULE": "observatory.settings",
               "OBSERVATORY_API_READ_RATE": "1000000000/60", "OBSERVATORY_API_WRITE_RATE": "1000000000/60",
               "OBSERVATORY_COMMENT_RATE": "1000000000/60"}
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        flags = [*(["--quick"] if quick else []), *(["--admin-per-field"] if per_field else [])]
        result = subprocess.run([sys.executable, __file__, "--child", *flags], cwd=ROOT,
                                env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"bench_hostile child failed:\n{result.stderr[-3000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])


def _recreate_pg(url: str) -> bool:
    name = url.rsplit("/", 1)[1]
    base = url.rsplit("/", 1)[0]
    host = base.split("@")[1].split(":")[0]
    for command in (["dropdb", "--if-exists", "-h", host, "-U", "postgres", name],
                    ["createdb", "-h", host, "-U", "postgres", name]):
        if subprocess.run(command, capture_output=True).returncode != 0:
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the compact corpus, every parameter at once")
    parser.add_argument("--admin-per-field", action="store_true",
                        help="each admin form once per text field and value (about 20 times longer)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_run_one(args.quick, args.admin_per_field)))
        return
    runs = {"SQLite": _child(None, args.quick, args.admin_per_field)}
    pg = os.environ.get("BENCH_PG", PG_DEFAULT)
    if _recreate_pg(pg):
        runs["PostgreSQL"] = _child(pg, args.quick, args.admin_per_field)
    first = next(iter(runs.values()))
    print(f"Corpus: {first['corpus']} hostile values (tests/hostile.py: NUL, lone surrogates, bidi, SQL and "
          f"template injection, XSS, NaN/Infinity/1e309, 100,000 characters, 5,000-deep nesting); "
          f"{first['admin_corpus']} for admin form fields. Production settings (DEBUG off, manifest static "
          f"files, HTTPS behind a proxy); "
          + ("compact: every parameter of a page, or text field of a form, at once" if args.quick else
             "each GET parameter and API write field alone; the admin forms with "
             + ("each text field alone" if args.admin_per_field else "every text field at once")) + ".\n")
    print("| database | probe | requests | 2xx | 3xx | 4xx | 5xx | unescaped payloads | time (s) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for database, run in runs.items():
        for name, fig in run["figures"].items():
            classes = fig["by_class"]
            print(f"| {database} | {name} | {fig['requests']:,} | {classes.get('200', 0):,} | {classes.get('300', 0):,} "
                  f"| {classes.get('400', 0):,} | {fig['n_5xx']} | {fig['n_unescaped']} | {fig['seconds']} |")
    failures = [(d, n, e) for d, r in runs.items() for n, f in r["figures"].items()
                for e in f["server_errors"] + f["unescaped"]]
    if failures:
        print("\nFirst failures:\n")
        for database, name, error in failures[:20]:
            print(f"- {database}, {name}: `{error}`")


if __name__ == "__main__":
    main()
