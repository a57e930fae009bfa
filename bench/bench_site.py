"""The public site under load, with Datasette as the peer: requests per second and latency
percentiles at concurrency 16, gunicorn on loopback, the load from a second process.

    .venv/bin/python bench/bench_site.py                  # 10,000 entities, 1,000 requests per page
    .venv/bin/python bench/bench_site.py --full           # 100,000 entities, 3,000 requests per page
    .venv/bin/python bench/bench_site.py --entities 50000 --requests 2000 --workers 4
    .venv/bin/python bench/bench_site.py --full --redis redis://127.0.0.1:6379/15   # shared page cache
    .venv/bin/python bench/bench_site.py --entities 100000 --rounds 3 --redis redis://127.0.0.1:6379/15  # medians
    .venv/bin/python bench/bench_site.py --postgres postgres://postgres@127.0.0.1:5432/bench_site   # PostgreSQL

A synthetic SQLite database is filled with the seeded generator of bench/bench_export.py (points
then spread over China with a fixed formula, and the real 柴火创客空间 added through the
services), gunicorn serves the production settings (DEBUG off), and a separate process runs 16
threads, each on its own keep-alive connection, page after page: the home page, entity pages
(rotating over entities), the map data for all of China at national zoom, a search for "chaihuo"
(rare token) and for "空间" (in every name: the worst case), and the entity JSON of the API. In the
same run Datasette (``--immutable``, one process, as it is deployed) serves the entity table exported
to its own SQLite file: its row page (HTML) and row JSON are the peers of our entity page and entity
JSON. Prints a Markdown section, with the size of the national map payload.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import multiprocessing as mp
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_export import populate  # noqa: E402

CONCURRENCY = 16
SETTINGS = """from observatory.settings import *  # noqa: F403
OBSERVATORY_API_RATE_LIMITS = {"read": (10**9, 60), "write": (10**9, 60)}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fill(database: Path, entities: int, postgres: str = "") -> None:
    """bench_export's synthetic inventory, points spread over China, and 柴火创客空间 itself."""
    if postgres:
        os.environ["BENCH_DATABASE_URL"] = postgres
    populate(database, entities, entities * 2)
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    if connection.vendor == "postgresql":
        # the generator gives explicit ids: move the sequences past them
        models = [m for app in ("inventory", "coding") for m in apps.get_app_config(app).get_models()]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        # as the importer does after a bulk write (observatory/dbstats.py)
        from observatory.dbstats import statistics_refresh

        statistics_refresh(models)

    from observatory.inventory.services import entity_upsert

    with connection.cursor() as cursor:
        # a deterministic scatter over mainland China's bounding box (WGS-84), one point per entity
        cursor.execute("UPDATE inventory_location SET lng = 75.0 + ((id * 7919) % 59000) / 1000.0, "
                       "lat = 20.0 + ((id * 104729) % 33000) / 1000.0, "
                       "original_lng = 75.0 + ((id * 7919) % 59000) / 1000.0, "
                       "original_lat = 20.0 + ((id * 104729) % 33000) / 1000.0")
        cursor.execute("UPDATE inventory_entity SET search_text = search_text || ' 空间'")
    entity_upsert(slug="chaihuo-makerspace", kind="makerspace",
                  names=[{"text": "柴火创客空间", "lang": "zh-Hans"}, {"text": "Chaihuo Makerspace", "lang": "en"}],
                  locations=[{"lng": 113.993, "lat": 22.543, "crs": "WGS-84", "precision": "building",
                              "address_zh": "深圳市南山区华侨城创意园北区"}])


_PEER_TABLE = ("CREATE TABLE {schema}entity (id INTEGER PRIMARY KEY, slug TEXT UNIQUE, kind TEXT, layer TEXT, "
               "name TEXT, name_zh TEXT, name_en TEXT, website TEXT, founded TEXT, closed TEXT, "
               "province_code TEXT, lng REAL, lat REAL, precision TEXT, address_zh TEXT, updated TEXT)")
_PEER_ROWS = ("SELECT e.id, e.slug, e.kind, e.layer, e.name, e.name_zh, e.name_en, "
              "e.website, e.founded, e.closed, e.province_code, l.lng, l.lat, l.precision, l.address_zh, "
              "e.updated FROM inventory_entity e LEFT JOIN inventory_location l ON l.id = "
              "(SELECT MIN(id) FROM inventory_location WHERE entity_id = e.id) WHERE e.is_public")


def _export_peer(database: Path, peer: Path, postgres: str = "") -> None:
    """The entity table (with its first location) in a SQLite file of its own, for Datasette."""
    if postgres:
        import psycopg

        with psycopg.connect(postgres) as source:
            # dates and date-times as the SQLite copy stores them
            rows = [tuple(v.isoformat(sep=" ") if isinstance(v, dt.datetime) else
                          v.isoformat() if isinstance(v, dt.date) else v for v in row)
                    for row in source.execute(_PEER_ROWS)]
        connection = sqlite3.connect(peer)
        connection.execute(_PEER_TABLE.format(schema=""))
        connection.executemany(f"INSERT INTO entity VALUES ({', '.join('?' * 16)})", rows)
    else:
        connection = sqlite3.connect(database)
        connection.execute(f"ATTACH DATABASE '{peer}' AS peer")
        connection.execute(_PEER_TABLE.format(schema="peer."))
        connection.execute("INSERT INTO peer.entity " + _PEER_ROWS)
    connection.commit()
    connection.close()


def _postgres_fresh(url: str) -> None:
    """Drop and create the database of ``url`` (connecting to the server's ``postgres`` database)."""
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise SystemExit(f"--postgres {url}: name a database, e.g. postgres://postgres@127.0.0.1:5432/bench_site")
    with psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True) as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _get(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    connection.request("GET", path, headers={"Host": "127.0.0.1", "Accept-Encoding": "identity"})
    response = connection.getresponse()
    return response.status, response.read()


def _load(port: int, paths: list[str], total: int, queue) -> None:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine = []
        for n in counter:
            path = paths[n % len(paths)]
            started = time.perf_counter()
            try:
                status, _body = _get(connection, path)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                status = 0
            mine.append(time.perf_counter() - started)
            if status != 200:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((time.perf_counter() - started, latencies, errors[0]))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def _wait(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.time() + 120
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.time() > deadline or process.poll() is not None:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.2)


def _measure(context, port: int, paths: list[str], requests: int, warmup_paths: list[str] | None = None) -> dict:
    queue = context.Queue()
    # warm-up: 64 requests, or 5 per distinct page (about one per worker process) for the rotating pages
    count = CONCURRENCY * 4 if warmup_paths else max(CONCURRENCY * 4, 5 * len(set(paths)))
    warmup = context.Process(target=_load, args=(port, warmup_paths or paths, count, queue))
    warmup.start()
    queue.get()
    warmup.join()
    loader = context.Process(target=_load, args=(port, paths, requests, queue))
    loader.start()
    elapsed, latencies, errors = queue.get()
    loader.join()
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies) * 1000,
            "p99": _percentile(latencies, 99) * 1000, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=1_000, help="requests per page measured")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--full", action="store_true", help="100,000 entities, 3,000 requests per page")
    parser.add_argument("--postgres", metavar="URL", default="",
                        help="serve Observatory from this PostgreSQL database instead of SQLite (it is dropped and "
                             "created afresh), e.g. postgres://postgres@127.0.0.1:5432/bench_site; Datasette serves "
                             "its SQLite copy of the same rows")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure every page this many times, interleaved, and give medians (the load of "
                             "a shared machine drifts; Datasette is measured in each round, and the ratio to it "
                             "is taken round by round)")
    parser.add_argument("--redis", metavar="URL", default="",
                        help="share the page cache between the workers through this Redis database, as a "
                             "deployment with several processes does (it is emptied first), e.g. "
                             "redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    if args.full:
        args.entities, args.requests = 100_000, 3_000
    context = mp.get_context("spawn")
    rows: dict[tuple[str, str], list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-site-") as folder:
        database = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        if args.postgres:
            _postgres_fresh(args.postgres)
        filler = context.Process(target=_fill, args=(database, args.entities, args.postgres))
        filler.start()
        filler.join()
        if filler.exitcode:
            raise SystemExit("filling the database failed")
        peer = Path(folder) / "peer.sqlite3"
        _export_peer(database, peer, args.postgres)
        fill_s = time.perf_counter() - started
        (Path(folder) / "bench_settings.py").write_text(SETTINGS)
        port, peer_port = _free_port(), _free_port()
        env = {**os.environ, "DATABASE_URL": args.postgres or f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "bench_settings",
               "PYTHONPATH": os.pathsep.join([folder, str(ROOT)]), "DEBUG": "false", "SECRET_KEY": "bench-only",
               "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "SECURE_COOKIES": "false",
               "OBSERVATORY_VAR_DIR": folder, "DATABASE_CONN_MAX_AGE": "60"}
        if args.redis:
            import redis

            redis.Redis.from_url(args.redis).flushdb()
            env["REDIS_URL"] = args.redis
        subprocess.run([str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "manage.py"), "collectstatic", "--noinput",
                        "-v", "0"], cwd=folder, env={**env, "STATIC_ROOT": str(Path(folder) / "static")}, check=True)
        env["STATIC_ROOT"] = str(Path(folder) / "static")
        server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "observatory.wsgi:application",
                                   "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                                   "--log-level", "warning", "--timeout", "300"], cwd=folder, env=env,
                                  start_new_session=True)
        datasette = subprocess.Popen([str(ROOT / ".venv" / "bin" / "datasette"), "serve", "-i", str(peer),
                                      "-h", "127.0.0.1", "-p", str(peer_port), "--setting", "num_sql_threads", "8"],
                                     cwd=folder, start_new_session=True, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        try:
            _wait(port, server, "gunicorn")
            _wait(peer_port, datasette, "datasette")
            ids = [1 + (i * 7919) % args.entities for i in range(200)]
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            status, body = _get(connection, "/map/data.json?zoom=4&bbox=73,18,135,54")
            national_kb = len(body) / 1024
            if status != 200:
                raise SystemExit(f"map data answered {status}")
            pages = [
                ("home page", "/", ["/"]),
                ("entity page", "/entities/space-N/", [f"/entities/space-{i - 1}/" for i in ids]),
                ("entity JSON (API)", "/api/v1/entities/space-N", [f"/api/v1/entities/space-{i - 1}" for i in ids]),
                ("map data, all of China, national zoom", "/map/data.json?zoom=4&bbox=73,18,135,54",
                 ["/map/data.json?zoom=4&bbox=73,18,135,54"]),
                ("search: chaihuo", "/search/?q=chaihuo", ["/search/?q=chaihuo"]),
                ("search: 空间 (every entity matches)", "/search/?q=空间", [f"/search/?q={quote('空间')}"]),
            ]
            peer_pages = [
                ("row page (HTML)", "/peer/entity/N", [f"/peer/entity/{i}" for i in ids]),
                ("row JSON", "/peer/entity/N.json", [f"/peer/entity/{i}.json" for i in ids]),
            ]
            cold_each = args.requests * 2
            cold = args.entities >= CONCURRENCY * 4 + cold_each * args.rounds
            for round_ in range(args.rounds):
                if args.rounds > 1:
                    print(f"round {round_ + 1} of {args.rounds}", file=sys.stderr, flush=True)
                for label, shown, paths in pages:
                    rows.setdefault(("Observatory", f"{label} `{shown}`"), []).append(
                        _measure(context, port, paths, args.requests))
                if cold:
                    # a different entity every request, none seen before in any round (the pages and
                    # the JSON take different ranges, so neither warms the other's rows in SQLite's cache)
                    offset = CONCURRENCY * 4 + round_ * cold_each
                    for label, shown, template, first in (
                            ("entity page", "/entities/space-N/", "/entities/space-{}/", offset),
                            ("entity JSON (API)", "/api/v1/entities/space-N", "/api/v1/entities/space-{}",
                             offset + args.requests)):
                        paths = [template.format(i) for i in range(first, first + args.requests)]
                        warmup = [template.format(i) for i in range(CONCURRENCY * 4)]
                        rows.setdefault(("Observatory", f"{label}, a different entity each request (cache cold) "
                                                        f"`{shown}`"), []).append(
                            _measure(context, port, paths, args.requests, warmup))
                for label, shown, paths in peer_pages:
                    rows.setdefault(("Datasette", f"{label} `{shown}`"), []).append(
                        _measure(context, peer_port, paths, args.requests))
        finally:
            for process in (server, datasette):
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
    cache_text = ("the page cache shared by the workers in Redis (`REDIS_URL`)" if args.redis else
                  "the page cache of each worker in local memory, as without `REDIS_URL`")
    print(f"### Public site and Datasette, {args.entities:,} entities, concurrency {CONCURRENCY}\n")
    print(f"gunicorn ({args.workers} sync workers) on loopback, {'PostgreSQL' if args.postgres else 'SQLite'}, production settings "
          f"(DATABASE_CONN_MAX_AGE=60; {cache_text}); Datasette {_datasette_version()} (`--immutable`, one process) on the entity "
          f"table exported to its own file. {args.requests:,} requests per page after a warm-up, from a separate "
          f"process over 16 keep-alive connections. Map data for all of China at national zoom: "
          f"{national_kb:.0f} KB (uncompressed). Database filled in {fill_s:.0f} s.\n")
    print("Entity pages and JSON rotate over 200 entities; "
          + ("the workers share one cached copy of each" if args.redis else
             "the page cache keeps a copy per worker process, so each worker renders each page once")
          + "; the warm-up asks for each five times. The cold rows ask for a different entity every time.\n")
    peers = {"entity page": "row page (HTML)", "entity JSON (API)": "row JSON"}
    peer_rows = {label.split(" `")[0]: measured for (server_name, label), measured in rows.items()
                 if server_name == "Datasette"}
    rounds_text = f", median of {args.rounds} rounds" if args.rounds > 1 else ""
    print(f"| server | page | requests/s{rounds_text} | p50 (ms) | p99 (ms) | non-200 | × Datasette's equivalent |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for (server_name, label), measured in rows.items():
        ratio = ""
        peer = next((peer_rows[p] for ours, p in peers.items() if server_name == "Observatory"
                     and label.startswith(ours) and p in peer_rows), None)
        if peer is not None:
            # the same round's peer figure: both were measured under the same load
            ratios = [m["rps"] / q["rps"] for m, q in zip(measured, peer, strict=True)]
            ratio = f"{statistics.median(ratios):.2f}" + (f" ({min(ratios):.2f}–{max(ratios):.2f})"
                                                         if len(ratios) > 1 else "")
        rps = [m["rps"] for m in measured]
        spread = f" ({min(rps):.0f}–{max(rps):.0f})" if len(rps) > 1 else ""
        print(f"| {server_name} | {label} | {statistics.median(rps):.0f}{spread} | "
              f"{statistics.median(m['p50'] for m in measured):.1f} | {statistics.median(m['p99'] for m in measured):.1f} | "
              f"{sum(m['errors'] for m in measured)} | {ratio} |")


def _datasette_version() -> str:
    try:
        from importlib.metadata import version

        return version("datasette")
    except Exception:  # noqa: BLE001
        return "(version unknown)"


if __name__ == "__main__":
    main()
