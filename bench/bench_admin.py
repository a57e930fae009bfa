"""The admin's changelists and their search at N synthetic entities (bench_export's generator,
filled as bench_site.py does), in this process through Django's test client as a signed-in
superuser (the search segmenter loaded first, as a server process does): the median of
``--rounds`` answers per page, and its query count.

    .venv/bin/python bench/bench_admin.py --entities 100000
    .venv/bin/python bench/bench_admin.py --entities 100000 --postgres postgres://postgres@127.0.0.1:5432/bench_admin
    .venv/bin/python bench/bench_admin.py --entities 100000 --keep var/bench-admin.sqlite3

``--keep FILE`` fills the SQLite file on the first run and, on later runs, only migrates it and
measures again (the fill takes minutes at 100,000 entities): a before/after pair on the same data.
``--postgres URL --reuse`` does the same with the PostgreSQL database an earlier run filled.

Target (issue 18): every changelist and search under 1 s at 100,000 entities on both databases.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

PAGES = ["/admin/inventory/entity/", "/admin/inventory/entity/?q=柴火", "/admin/inventory/entity/?q=chaihuo",
         "/admin/inventory/entity/?q=Chaihuo+Makerspace", "/admin/inventory/entity/?q=space-4242",
         "/admin/inventory/entity/?kind__exact=makerspace", "/admin/inventory/entity/?q=kongjian&layer__exact=physical",
         "/admin/inventory/relation/", "/admin/inventory/name/?q=4242", "/admin/inventory/location/"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", metavar="URL", default="")
    parser.add_argument("--keep", metavar="FILE", type=Path, default=None,
                        help="a SQLite file filled once and reused (migrated) by later runs")
    parser.add_argument("--reuse", action="store_true",
                        help="with --postgres: measure the database as an earlier run left it (migrated, not refilled)")
    args = parser.parse_args()
    if args.keep and args.postgres:
        parser.error("--keep is for SQLite; with --postgres, --reuse measures the database an earlier run filled")
    if args.reuse and not args.postgres:
        parser.error("--reuse goes with --postgres; for SQLite, --keep FILE")
    from bench_site import _fill, _postgres_fresh

    with tempfile.TemporaryDirectory(prefix="bench-admin-") as folder:
        if args.postgres and not args.reuse:
            _postgres_fresh(args.postgres)
        started = time.perf_counter()
        if args.reuse:
            os.environ["BENCH_DATABASE_URL"] = args.postgres
            _reuse(Path(folder) / "unused.sqlite3")
        elif args.keep and args.keep.exists():
            _reuse(args.keep.resolve())
        else:
            _fill(args.keep.resolve() if args.keep else Path(folder) / "bench.sqlite3", args.entities, args.postgres)
        fill_s = time.perf_counter() - started
        from django.contrib.auth import get_user_model
        from django.db import connection, reset_queries
        from django.test import Client

        from observatory.china.text import warm_up

        warm_up()  # the segmenter's dictionary, loaded as observatory/wsgi.py loads it before serving
        client = Client(HTTP_HOST="127.0.0.1")
        user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True,
                                                                                     "is_superuser": True})
        client.force_login(user)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM inventory_entity")
            entities = cursor.fetchone()[0]
        print(f"{entities:,} entities on {connection.vendor} (filled or migrated in {fill_s:.0f} s), "
              f"median of {args.rounds} answers:\n")
        print("| page | status | median (s) | slowest (s) | queries |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for path in PAGES:
            times, status, queries = [], 0, 0
            for _ in range(args.rounds):
                reset_queries()
                start = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - start)
                status, queries = response.status_code, len(connection.queries)
            print(f"| `{path}` | {status} | {statistics.median(times):.3f} | {max(times):.3f} | {queries} |")


def _reuse(database: Path) -> None:
    """Django on a kept SQLite file, migrated to this checkout's schema."""
    from bench_export import _django

    _django(database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


if __name__ == "__main__":
    main()
