"""The liveness census over N addresses served by a local server that answers after 200 ms.

    .venv/bin/python bench/bench_census.py               # 10,000 addresses
    .venv/bin/python bench/bench_census.py --urls 1000

A child process serves HTTP/1.1 on 50 loopback addresses (127.0.0.1 to 127.0.0.50, so the
per-host limit applies as on the real web), answering every request — robots.txt included —
after 200 ms. The census runs as `observatory census` does (its service, writing every
observation to a fresh SQLite database and inferring the statuses) with its default settings
of 32 requests in flight overall and 2 per host. Memory: the process's resident set sampled
every second (peak, and at a tenth and at the end of the run, to show it does not grow with N).
Prints a Markdown section.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOSTS = [f"127.0.0.{i}" for i in range(1, 51)]
LATENCY = 0.2


def _serve(port: int, ready) -> None:
    body = b"<html><head><title>A makerspace</title></head><body>open</body></html>"

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    break
                await asyncio.sleep(LATENCY)
                status = b"404 Not Found" if head.startswith(b"GET /robots.txt") else b"200 OK"
                writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: text/html; charset=utf-8\r\n"
                             b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main():
        server = await asyncio.start_server(handle, host=HOSTS, port=port, backlog=1024)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--urls", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--per-host", type=int, default=2)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    os.environ.update(DEBUG="true", DJANGO_SETTINGS_MODULE="observatory.settings",
                      DATABASE_URL=f"sqlite:///{tmp.name}/census.sqlite3")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from observatory.census.fetch import FetchSettings
    from observatory.census.models import Observation
    from observatory.census.services import census_run, user_agent
    from observatory.inventory.models import Entity, StatusAssertion

    call_command("migrate", verbosity=0)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(port, ready), daemon=True)
    server.start()
    ready.wait(30)
    Entity.objects.bulk_create(
        [Entity(slug=f"space-{i}", kind="makerspace", layer="physical", name=f"Space {i}",
                website=f"http://{HOSTS[i % len(HOSTS)]}:{port}/space/{i}") for i in range(args.urls)],
        batch_size=2000)
    samples: list[tuple[int, float]] = []
    done = [0]
    stop = threading.Event()

    def sample():
        while not stop.wait(1.0):
            samples.append((done[0], _rss_mb()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    load_before = os.getloadavg()
    started = time.perf_counter()
    settings = FetchSettings(user_agent=user_agent(), concurrency=args.concurrency, per_host=args.per_host)
    outcome = census_run(fetch_settings=settings, on_result=lambda _r: done.__setitem__(0, done[0] + 1))
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()
    stop.set()
    server.terminate()
    alive = Observation.objects.filter(outcome="alive").count()
    inferred = StatusAssertion.objects.filter(origin="census").count()
    tenth = next((rss for n, rss in samples if n >= args.urls // 10), None)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    floor = args.urls * LATENCY / min(args.concurrency, args.per_host * len(HOSTS))
    print(f"{args.urls:,} addresses on {len(HOSTS)} hosts answering after {LATENCY * 1000:.0f} ms; "
          f"{args.concurrency} in flight overall, {args.per_host} per host; SQLite.\n")
    print("| addresses | observed alive | statuses inferred | wall time (s) | addresses/s | lower bound (s) "
          "| RSS at 10% (MB) | RSS at end (MB) | peak RSS (MB) | load average before → after (1 min) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    print(f"| {args.urls:,} | {alive:,} | {inferred:,} | {elapsed:.1f} | {args.urls / elapsed:.0f} | {floor:.1f} | "
          f"{tenth or 0:.0f} | {_rss_mb():.0f} | {peak:.0f} | {load_before[0]:.2f} → {load_after[0]:.2f} |")
    print(f"\nThe lower bound is N × 200 ms / requests in flight. Run {outcome.run.pk}: {outcome.counts}.")
    tmp.cleanup()


if __name__ == "__main__":
    main()
