"""The admin's changelists and their search at N synthetic entities (bench_export's generator,
filled as bench_site.py does), in this process through Django's test client as a signed-in
superuser: the median of ``--rounds`` answers per page, and its query count.

    .venv/bin/python bench/bench_admin.py --entities 100000
    .venv/bin/python bench/bench_admin.py --entities 100000 --postgres postgres://postgres@127.0.0.1:5432/bench_admin

Target (issue 18): every changelist and search under 1 s at 100,000 entities on both databases.
"""

from __future__ import annotations

import argparse
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
    args = parser.parse_args()
    from bench_site import _fill, _postgres_fresh

    with tempfile.TemporaryDirectory(prefix="bench-admin-") as folder:
        if args.postgres:
            _postgres_fresh(args.postgres)
        started = time.perf_counter()
        _fill(Path(folder) / "bench.sqlite3", args.entities, args.postgres)
        fill_s = time.perf_counter() - started
        from django.contrib.auth import get_user_model
        from django.db import connection, reset_queries
        from django.test import Client

        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(get_user_model().objects.create_superuser("bench", password=None))
        print(f"{args.entities:,} entities on {connection.vendor} (filled in {fill_s:.0f} s), "
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


if __name__ == "__main__":
    main()
