"""Time from a fresh clone to a served site, first and second run of `make demo`, and the demo's
peak memory (resident set size of the whole process tree, sampled every 0.2 s).

    .venv/bin/python bench/bench_demo.py [--repo PATH] [--port 8765]

The first run creates .venv and installs the locked dependencies; uv's download cache in the
user's home is NOT cleared, so a machine that has never seen the packages pays the download on
top of the figure measured here (stated in docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path


def _tree_rss_kb(root_pid: int) -> int:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def serve_once(checkout: Path, port: int, timeout: float = 900) -> tuple[float, int]:
    """Run `make demo` until the home page answers 200; return (seconds, peak RSS in kB)."""
    started = time.perf_counter()
    process = subprocess.Popen(["make", "demo", f"DEMO_ADDR=127.0.0.1:{port}"], cwd=checkout,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    peak, elapsed = 0, None
    try:
        while time.perf_counter() - started < timeout:
            peak = max(peak, _tree_rss_kb(process.pid))
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        elapsed = time.perf_counter() - started
                        break
            except OSError:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"make demo exited with {process.returncode} before serving")
            time.sleep(0.2)
        # Keep sampling briefly while the first pages are served.
        for path in ("/entities/", "/entities/chaihuo-makerspace/"):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10).read()  # noqa: S310
            except OSError:
                pass
            peak = max(peak, _tree_rss_kb(process.pid))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    if elapsed is None:
        raise RuntimeError("the demo did not serve within the timeout")
    return elapsed, peak


def main() -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="observatory-demo-bench-"))
    try:
        checkout = workdir / "observatory"
        subprocess.run(["git", "clone", "--quiet", args.repo, str(checkout)], check=True)
        first, first_peak = serve_once(checkout, args.port)
        second, second_peak = serve_once(checkout, args.port)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    rows = [
        {"what": "make demo, fresh clone → site served", "seconds": round(first, 1), "peak_rss_mb": round(first_peak / 1024)},
        {"what": "make demo, second run → site served", "seconds": round(second, 1),
         "peak_rss_mb": round(second_peak / 1024)},
    ]
    print("| run | time to served site | peak memory (process tree RSS) |")
    print("| --- | --- | --- |")
    for row in rows:
        print(f"| {row['what']} | {row['seconds']} s | {row['peak_rss_mb']} MB |")
    return rows


if __name__ == "__main__":
    main()
