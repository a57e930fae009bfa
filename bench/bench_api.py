"""The entity list endpoint under load: requests per second and latency percentiles at
concurrency 16, gunicorn on loopback, the load from a second process.

    .venv/bin/python bench/bench_api.py                 # 10,000 entities, 3,000 requests
    .venv/bin/python bench/bench_api.py --full          # 100,000 entities, 20,000 requests
    .venv/bin/python bench/bench_api.py --entities 50000 --requests 10000 --workers 4

A synthetic SQLite database is filled (as in bench_export.py), gunicorn serves the production
settings (DEBUG off) with the API's rate limits lifted (they would answer 429 to a benchmark), and
a separate process runs 16 threads, each on its own keep-alive connection, through a fixed mix of
requests: the first page, pages further on (by cursor), a kind filter, a bounding box and a text
search, all with limit=50. Prints a Markdown section.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

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


def _get(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    connection.request("GET", path, headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    return response.status, response.read()


def _paths(port: int) -> list[str]:
    """The request mix: cursors found by walking the list once."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    cursors, path = [], "/api/v1/entities?limit=500"
    for _ in range(20):
        status, body = _get(connection, path)
        if status != 200:
            raise RuntimeError(f"{path}: {status} {body[:200]!r}")
        cursor = json.loads(body)["next_cursor"]
        if not cursor:
            break
        cursors.append(cursor)
        path = f"/api/v1/entities?limit=500&cursor={cursor}"
    mix = ["/api/v1/entities?limit=50"]
    mix += [f"/api/v1/entities?limit=50&cursor={c}" for c in cursors[::4][:4]]
    mix += ["/api/v1/entities?limit=50&kind=makerspace", "/api/v1/entities?limit=50&bbox=113.8,22.4,114.0,22.6",
            "/api/v1/entities?limit=50&q=space"]
    return mix


def _load(port: int, paths: list[str], total: int, queue) -> None:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        for n in counter:
            path = paths[n % len(paths)]
            started = time.perf_counter()
            try:
                status, _body = _get(connection, path)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=3_000)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--full", action="store_true", help="100,000 entities, 20,000 requests")
    parser.add_argument("--conn-max-age", type=int, default=0,
                        help="DATABASE_CONN_MAX_AGE for the server (0, the default setting: a connection per request)")
    args = parser.parse_args()
    if args.full:
        args.entities, args.requests = 100_000, 20_000
    with tempfile.TemporaryDirectory(prefix="bench-api-") as folder:
        database = Path(folder) / "bench.sqlite3"
        context = mp.get_context("spawn")
        filler = context.Process(target=populate, args=(database, args.entities, args.entities * 2))
        filler.start()
        filler.join()
        (Path(folder) / "bench_settings.py").write_text(SETTINGS)
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "bench_settings",
               "PYTHONPATH": os.pathsep.join([folder, str(ROOT)]), "DEBUG": "false", "SECRET_KEY": "bench-only",
               "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "SECURE_COOKIES": "false",
               "OBSERVATORY_VAR_DIR": folder, "DATABASE_CONN_MAX_AGE": str(args.conn_max_age)}
        server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "observatory.wsgi:application",
                                   "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                                   "--log-level", "warning"], cwd=folder, env=env, start_new_session=True)
        try:
            deadline = time.time() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.time() > deadline or server.poll() is not None:
                        raise RuntimeError("gunicorn did not start") from None
                    time.sleep(0.2)
            paths = _paths(port)
            queue = context.Queue()
            warmup = context.Process(target=_load, args=(port, paths, CONCURRENCY * 10, queue))
            warmup.start()
            queue.get()
            warmup.join()
            loader = context.Process(target=_load, args=(port, paths, args.requests, queue))
            loader.start()
            elapsed, latencies, errors = queue.get()
            loader.join()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    print(f"### Entity list endpoint, {args.entities:,} entities, concurrency {CONCURRENCY}\n")
    print(f"gunicorn ({args.workers} sync workers) on loopback, SQLite, production settings "
          f"(DATABASE_CONN_MAX_AGE={args.conn_max_age}); {args.requests:,} "
          f"requests from a separate process over keep-alive connections, mixing the first page, later pages by "
          f"cursor, a kind filter, a bounding box and a text search (limit=50).\n")
    print("| requests/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | non-200 |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {len(latencies) / elapsed:.0f} | {statistics.median(latencies) * 1000:.1f} | "
          f"{_percentile(latencies, 90) * 1000:.1f} | {_percentile(latencies, 99) * 1000:.1f} | "
          f"{max(latencies) * 1000:.1f} | {errors} |")


if __name__ == "__main__":
    main()
