"""`make bench`: run every benchmark and write docs/benchmarks.md.

Each benchmark is a script in bench/ that prints a Markdown section (tables of medians and, where
there is one, the ratio against a baseline measured in the same run). This runner adds the
machine, the commit and the date, runs the scripts one after another (never concurrently: they
would disturb each other's timings on 2 cores) and writes the page.

    .venv/bin/python -m bench            # everything, at the sizes the issues name
    .venv/bin/python -m bench demo site  # only some
    BENCH_QUICK=1 .venv/bin/python -m bench   # small sizes, a smoke run
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "benchmarks.md"

# name -> (script, arguments, quick arguments, what it measures, targets)
BENCHES: dict[str, tuple[str, list[str], list[str], str, str]] = {
    "demo": ("bench_demo.py", [], [], "Fresh clone to served site (`make demo`), first and second run; peak memory",
             "none named; the issue asks for the figures"),
    "import": ("bench_import.py", ["--rows", "100000"], ["--rows", "2000", "--skip-raw"],
               "Import of synthetic spreadsheet rows through a YAML mapping, and import-all of the raw samples",
               "100k rows in under 60 s and under 2 GB"),
    "large-import": ("bench_large_import.py", ["--megabytes", "20", "--import-megabytes", "20",
                                               "--kill-dry-run", "50"],
                     ["--megabytes", "2", "--import-megabytes", "2", "--skip-baseline", "--kill-dry-run", "3"],
                     "Memory and SQLite write-ahead log of a large CSV import (20 MB here; `--megabytes 200` for the "
                     "issue's size): its rows read one by one against held in a list, the whole file imported to "
                     "its commit, and a dry run killed mid-way",
                     "memory bounded whatever the file's size; the log emptied after an import (issue 18)"),
    "dedupe": ("bench_dedupe.py", ["--records", "100000"], ["--records", "2000"],
               "De-duplication of synthetic records: time, peak memory, candidate pairs per record",
               "100k records in under 60 s and under 2 GB"),
    "analysis": ("bench_analysis.py", ["--sizes", "1000,10000,100000"], ["--sizes", "1000", "--repeats", "1"],
                 "`analyze all` stage by stage on synthetic ecosystems; brokerage against the networkx baseline",
                 "100k entities / 1M relations under 60 s and 4 GB; brokerage ≥ 20× the baseline"),
    "exports": ("bench_export.py", ["--full"], ["--entities", "2000", "--relations", "20000", "--repeat", "1"],
                "Export of synthetic entities and relations in every format: time and peak memory",
                "none named; the issue asks for the figures at 100k entities / 1M relations"),
    "api": ("bench_api.py", ["--full"], ["--entities", "2000", "--requests", "400"],
            "The API's entity list under load at concurrency 16", "none named; requests per second and p99"),
    "census": ("bench_census.py", ["--urls", "10000"], ["--urls", "500"],
               "The liveness census against a local server answering after 200 ms on 50 loopback hosts",
               "10,000 addresses in under 5 minutes with bounded memory"),
    "hostile": ("bench_hostile.py", [], ["--quick"],
                "Hostile input through every GET parameter, API write field and admin form, DEBUG off, "
                "SQLite and PostgreSQL", "0 answers of 5xx and 0 unescaped payloads (issue 18)"),
    "site": ("bench_site.py", ["--full"], ["--entities", "2000", "--requests", "200"],
             "The public site under gunicorn at concurrency 16, Datasette as the peer",
             "p99 under 50 ms, throughput at least Datasette's, national map data under 200 KB"),
}


def _section(name: str, script: str, args: list[str], title: str, targets: str) -> str:
    path = ROOT / "bench" / script
    if not path.exists():
        return f"## {name}\n\n{title}\n\n_Not measured: {script} is missing._\n"
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(path), *args], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    body = result.stdout.strip() if result.returncode == 0 else (
        f"_Failed (exit {result.returncode}):_\n\n```\n{(result.stderr or result.stdout)[-3000:]}\n```")
    command = f"`.venv/bin/python bench/{script}{' ' + ' '.join(args) if args else ''}`"
    return (f"## {name}\n\n{title}. Targets: {targets}.\n\nCommand: {command} (took {elapsed:.0f} s)\n\n{body}\n")


def main(argv: list[str]) -> int:
    quick = os.environ.get("BENCH_QUICK") == "1"
    wanted = argv or list(BENCHES)
    unknown = [n for n in wanted if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "?")
    header = (
        "# Benchmarks\n\nWritten by `make bench` (`.venv/bin/python -m bench`); do not edit by hand — edit the "
        "scripts in `bench/`. Figures are medians of repeated runs unless a table says otherwise; ratios compare "
        "with a baseline measured in the same run on the same machine. Tests never assert on time.\n\n"
        f"Machine: {os.cpu_count()} cores, {int(memory) // 1024 // 1024 if memory.isdigit() else '?'} GB, "
        f"Python {platform.python_version()}, {platform.platform()}. Commit {commit}, "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC{', quick sizes' if quick else ''}.\n")
    sections = []
    for name in wanted:
        script, args, quick_args, title, targets = BENCHES[name]
        print(f"bench: {name} …", file=sys.stderr, flush=True)
        sections.append(_section(name, script, quick_args if quick else args, title, targets))
    existing = OUT.read_text(encoding="utf-8") if OUT.exists() and argv else ""
    if existing:
        # Replace only the sections that were re-run.
        parts = existing.split("\n## ")
        kept = [p for p in parts[1:] if p.split("\n", 1)[0].strip() not in wanted]
        sections = [f"## {p}" for p in kept] + sections
    OUT.write_text(header + "\n" + "\n".join(sections), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
