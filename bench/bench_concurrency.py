"""Concurrent writers and readers while an import runs (issue 18): gunicorn's sync workers on a
fresh database, ``--threads`` clients (half writers, half readers) for ``--seconds``, and
``observatory import`` of a synthetic spreadsheet running again and again meanwhile. Then every
acknowledged write is read back: lost (absent) or torn (present without all its parts) writes are
counted.

    .venv/bin/python bench/bench_concurrency.py                       # SQLite, 60 s, 32 clients
    .venv/bin/python bench/bench_concurrency.py --database-url postgres://postgres@127.0.0.1:5432/bench_concurrency
    .venv/bin/python bench/bench_concurrency.py --seconds 5 --rows 2000 # the compact form the tests run

A PostgreSQL database named in ``--database-url`` is dropped and created afresh. Prints a Markdown
row; exits 1 if any answer was a 5xx or any acknowledged write was lost or torn.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))

SETUP = """
from django.contrib.auth import get_user_model
from observatory.api.services import token_create
from observatory.inventory.services import source_upsert
user = get_user_model().objects.create_superuser("bench", password=None)
source_upsert(key="bench", csl={"type": "dataset", "title": "Concurrency benchmark"}, licence="CC0-1.0")
print(token_create(user=user, name="bench")[1])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_postgres(url: str, *, create: bool = True) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')


class Client:
    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, float, dict | None]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if method != "GET":
            request.add_header("Authorization", f"Bearer {self.token}")
        start = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=90) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        except OSError:
            return 0, time.monotonic() - start, None
        elapsed = time.monotonic() - start
        try:
            return status, elapsed, json.loads(payload) if payload[:1] in (b"{", b"[") else None
        except ValueError:
            return status, elapsed, None


def body(writer: int, n: int) -> dict:
    return {"kind": "makerspace", "sources": ["bench"], "founded": str(1990 + n % 30),
            "names": [{"text": f"Bench space {writer}-{n}", "lang": "en", "source": "bench"},
                      {"text": f"测试空间{writer}号{n}", "lang": "zh-Hans", "source": "bench"}],
            "locations": [{"lng": 113.9 + writer / 1000, "lat": 22.5 + n / 100000, "crs": "WGS-84",
                           "precision": "building", "source": "bench"}]}


def complete(entity: dict | None, writer: int, n: int) -> bool:
    """The entity as written: both names and the location, nothing half-saved."""
    if not entity:
        return False
    names = {name.get("text") for name in entity.get("names", [])}
    return ({f"Bench space {writer}-{n}", f"测试空间{writer}号{n}"} <= names and len(entity.get("locations", [])) == 1
            and str(entity.get("founded", "")).startswith(str(1990 + n % 30)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--rows", type=int, default=20_000, help="rows of the file imported again and again")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--drop", action="store_true", help="drop the PostgreSQL database at the end")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="observatory-concurrency-"))
    (folder / "var").mkdir()
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(40),
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "false", "SECURE_COOKIES": "false",
           "SECURE_HSTS_SECONDS": "0", "OBSERVATORY_VAR_DIR": str(folder / "var"),
           "OBSERVATORY_API_READ_RATE": "1000000/60", "OBSERVATORY_API_WRITE_RATE": "1000000/60",
           "OBSERVATORY_PAGE_CACHE_SECONDS": "0", "PYTHONWARNINGS": "ignore"}
    if args.database_url:
        fresh_postgres(args.database_url)
        env["DATABASE_URL"] = args.database_url
    else:
        env.pop("DATABASE_URL", None)
    database = "PostgreSQL" if args.database_url else "SQLite"
    manage = [str(BIN / "python"), str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    token = subprocess.run([*manage, "shell", "-c", SETUP], env=env, check=True, cwd=ROOT, capture_output=True,
                           text=True).stdout.strip().splitlines()[-1]
    from bench.synthetic_rows import write

    files = [write(args.rows, folder / f"rows-{seed}.csv", seed=seed) for seed in (1, 2)]
    port = free_port()
    gunicorn = subprocess.Popen([str(BIN / "gunicorn"), "observatory.wsgi:application", "--bind", f"127.0.0.1:{port}",
                                 "--workers", str(args.workers), "--timeout", "60"], env=env, cwd=ROOT,
                                stderr=open(folder / "gunicorn.log", "w"))
    client = Client(f"http://127.0.0.1:{port}", token)
    for _ in range(300):
        if client.call("GET", "/api/v1/")[0] == 200:
            break
        if gunicorn.poll() is not None:
            sys.exit("gunicorn stopped at start")
        time.sleep(0.2)

    stop = threading.Event()
    statuses: collections.Counter = collections.Counter()
    latencies: dict[str, list[float]] = {"write": [], "read": []}
    acknowledged: dict[str, tuple[int, int]] = {}
    imports: list[tuple[int, float]] = []
    lock = threading.Lock()

    def importer():
        n = 0
        while not stop.is_set():
            csv_path, mapping = files[n % 2]
            start = time.monotonic()
            done = subprocess.run([str(BIN / "observatory"), "import", "spreadsheet", str(csv_path), "--mapping",
                                   str(mapping)], env=env, cwd=ROOT, capture_output=True)
            imports.append((done.returncode, time.monotonic() - start))
            n += 1

    def writer(number: int):
        n = 0
        while not stop.is_set():
            slug = f"bench-{number}-{n % 25}"  # new entities, then updates of them
            status, elapsed, _ = client.call("PUT", f"/api/v1/entities/{slug}", body(number, n))
            with lock:
                statuses[("write", status)] += 1
                latencies["write"].append(elapsed)
                if 200 <= status < 300:
                    acknowledged[slug] = (number, n)
            n += 1

    def reader(number: int):
        rng = random.Random(number)
        while not stop.is_set():
            with lock:
                slugs = list(acknowledged)
            path = rng.choice(["/api/v1/entities?limit=50", "/entities/", "/api/v1/entities?q=bench"]
                              + ([f"/api/v1/entities/{rng.choice(slugs)}"] * 2 if slugs else []))
            status, elapsed, _ = client.call("GET", path)
            with lock:
                statuses[("read", status)] += 1
                latencies["read"].append(elapsed)

    threads = [threading.Thread(target=importer)]
    threads += [threading.Thread(target=writer if i % 2 == 0 else reader, args=(i,)) for i in range(args.threads)]
    try:
        threads[0].start()
        time.sleep(1)  # the import is under way
        for thread in threads[1:]:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join()
        lost = torn = 0
        for slug, (number, n) in acknowledged.items():
            status, _elapsed, entity = client.call("GET", f"/api/v1/entities/{slug}")
            if status == 404:
                lost += 1
            elif not complete(entity, number, n):
                torn += 1
    finally:
        gunicorn.terminate()
        gunicorn.wait(30)
        log = (folder / "gunicorn.log").read_text(encoding="utf-8", errors="replace")
        if "Traceback" in log:
            (Path(tempfile.gettempdir()) / "observatory-concurrency-gunicorn.log").write_text(log, encoding="utf-8")
            print(f"server errors logged: {Path(tempfile.gettempdir()) / 'observatory-concurrency-gunicorn.log'}")
        shutil.rmtree(folder, ignore_errors=True)
        if args.database_url and args.drop:
            fresh_postgres(args.database_url, create=False)

    errors = sum(count for (_kind, status), count in statuses.items() if status >= 500 or status == 0)
    by_status = ", ".join(f"{kind} {status or 'no answer'}: {count}"
                          for (kind, status), count in sorted(statuses.items()))

    def pct(values, q):
        return statistics.quantiles(values, n=100)[q - 1] if len(values) >= 2 else (values[0] if values else 0)

    print("| database | seconds | clients | imports (ok/all, s each) | writes | reads | 5xx or no answer | lost | torn | "
          "write p50 / p99 (s) | read p50 / p99 (s) |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    print(f"| {database} | {args.seconds:g} | {args.threads} | "
          f"{sum(1 for rc, _ in imports if rc == 0)}/{len(imports)} "
          f"({', '.join(f'{s:.0f}' for _, s in imports)}) | {len(latencies['write'])} | {len(latencies['read'])} | "
          f"{errors} | {lost} | {torn} | {pct(latencies['write'], 50):.2f} / {pct(latencies['write'], 99):.2f} | "
          f"{pct(latencies['read'], 50):.2f} / {pct(latencies['read'], 99):.2f} |")
    print(f"\nanswers: {by_status}; acknowledged entities: {len(acknowledged)}")
    return 1 if errors or lost or torn or any(rc != 0 for rc, _ in imports) else 0


if __name__ == "__main__":
    sys.exit(main())
