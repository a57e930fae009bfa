"""Memory of a large file import: a synthetic CSV of about 200 MB (bench/synthetic_rows.py, about
1.75 million rows) read and imported on SQLite, each step in its own child process.

    .venv/bin/python bench/bench_large_import.py                     # 200 MB: reading, then imports of 10 and 200 MB
    .venv/bin/python bench/bench_large_import.py --megabytes 20 --import-megabytes 5,20

Steps, each measured by the child's peak resident size (``VmHWM``) and, for imports, the peak
of the child's process tree (the import's preparing workers; proportional set size, so that pages
they share with it are counted once), with wall and CPU seconds:

- **read, as the import reads it**: the pass that checks and counts every row
  (``runner._rows_read``), the rows read one by one and dropped;
- **read, held whole** (the baseline): the same rows kept in a list, which is what an import did
  before it read row by row (``list(...)`` of them, as ``runner._read_all`` did);
- **import**: ``source_import`` of the first N MB of the file (a prefix of whole rows) into a fresh
  SQLite database, one transaction, with the size limit lifted. With ``--import-seconds S`` an
  import still preparing after S seconds is stopped there (its progress callback raises; nothing
  is written) and the rows it had counted and prepared are given: on a loaded two-core machine a
  200 MB import takes hours, and its memory is what this measures.

The machine is shared: the load average is printed with each step.
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

from revision import commit  # bench/ is the script's folder, first on sys.path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


def _generate(path: Path, megabytes: float) -> tuple[Path, int]:
    """A CSV of about ``megabytes`` MB of synthetic rows; (its mapping, its rows)."""
    from synthetic_rows import write

    sample, mapping = write(10_000, path.with_name("sample.csv"))
    per_row = (sample.stat().st_size - len(sample.read_text(encoding="utf-8").split("\n", 1)[0])) / 10_000
    rows = int(megabytes * 1e6 / per_row)
    _csv, mapping = write(rows, path)
    mapping.rename(path.with_suffix(".yaml"))
    return path.with_suffix(".yaml"), rows


def _prefix(source: Path, target: Path, megabytes: float) -> int:
    """The first whole rows of ``source`` up to about ``megabytes`` MB; returns the rows written."""
    limit, rows = megabytes * 1e6, 0
    with source.open("rb") as reading, target.open("wb") as writing:
        written = writing.write(reading.readline())  # header
        for line in reading:
            if written + len(line) > limit:
                break
            written += writing.write(line)
            rows += 1
    return rows


def _high_water_mb() -> float:
    """This process's peak resident size (VmHWM). Not ``ru_maxrss``: Linux carries that across
    exec, so a child started from a large parent would report the parent's size."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class _TimeUp(Exception):
    pass


def _child(step: str, csv_path: Path, mapping: Path, folder: Path, seconds: float) -> dict:
    """Run in the child process: one step, measured."""
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-for-anything-else-0123456789")
    os.environ["OBSERVATORY_VAR_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "observatory.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from bench_import import _cpu, _TreeMemory

    from observatory.inventory.importers import importer_get, source_import
    from observatory.inventory.importers.runner import _rows_read

    importer = importer_get("spreadsheet", mapping=mapping)
    result: dict = {"load": os.getloadavg()[0]}
    if step == "import":
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from observatory.china.text import search_tokens

        search_tokens("柴火创客空间 Chaihuo")  # the lazily loaded tables, as in bench_import.py
    before = _high_water_mb()
    cpu, started = _cpu(), time.perf_counter()
    with _TreeMemory() as tree:
        if step == "read":
            result["rows"] = sum(1 for _raw in _rows_read(importer, csv_path))
        elif step == "read-whole":
            rows = list(_rows_read(importer, csv_path))
            result["rows"] = len(rows)
        else:
            done = {"total": 0, "rows": 0}

            def tick(n=1, total=None):
                if total is not None:
                    done["total"] = total
                done["rows"] += n
                if seconds and time.perf_counter() - started > seconds:
                    raise _TimeUp

            try:
                report = source_import(importer=importer, path=csv_path, max_bytes=0, progress=tick)
                result.update(rows=report.total, **report.summary())
            except _TimeUp:
                result.update(rows=done["total"], stopped=done["rows"])
    result.update(seconds=time.perf_counter() - started, cpu=_cpu() - cpu, start_mb=before,
                  peak_mb=_high_water_mb(), tree_pss=tree.peak_pss,
                  tree_rss=tree.peak_rss, load_after=os.getloadavg()[0])
    return result


def _run(step: str, csv_path: Path, mapping: Path, folder: Path, seconds: float = 0) -> dict:
    folder.mkdir(exist_ok=True)
    done = subprocess.run([sys.executable, __file__, "--child", step, "--csv", str(csv_path), "--mapping",
                           str(mapping), "--folder", str(folder), "--import-seconds", str(seconds)],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"{step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--megabytes", type=float, default=200, help="size of the generated CSV (default 200)")
    parser.add_argument("--import-megabytes", default="10,200",
                        help="comma-separated sizes of the prefixes imported (default 10,200; 0: none)")
    parser.add_argument("--import-seconds", type=float, default=0,
                        help="stop an import still running after this many seconds (default 0: never)")
    parser.add_argument("--skip-baseline", action="store_true", help="do not measure the rows held whole")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--mapping", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.csv, args.mapping, args.folder, args.import_seconds)))
        return
    sizes = [float(s) for s in args.import_megabytes.split(",") if float(s) > 0]
    with tempfile.TemporaryDirectory(prefix="observatory-bench-large-") as tmp:
        folder = Path(tmp)
        big = folder / "large.csv"
        started = time.perf_counter()
        mapping, rows = _generate(big, args.megabytes)
        generated = time.perf_counter() - started
        size = big.stat().st_size
        print("### Memory of a large CSV import\n")
        print(f"`.venv/bin/python bench/bench_large_import.py --megabytes {args.megabytes:g} --import-megabytes "
              f"{args.import_megabytes}{f' --import-seconds {args.import_seconds:g}' if args.import_seconds else ''}` (commit {commit()}; SQLite; a CSV of {size / 1e6:,.1f} MB, {rows:,} "
              f"synthetic rows of bench/synthetic_rows.py, generated in {generated:.0f} s; every step in a fresh "
              f"child process; the machine is shared with other jobs, load average as given)\n")
        print("| step | file (MB) | rows | wall (s) | CPU (s) | peak RSS, main process (MB) | peak of the process "
              "tree, Pss (Rss) (MB) | load average before → after |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")

        def line(step: str, megabytes: float, got: dict) -> None:
            tree = f"{got['tree_pss']:,.0f} ({got['tree_rss']:,.0f})" if got["tree_pss"] else "—"
            print(f"| {step} | {megabytes:,.1f} | {got['rows']:,} | {got['seconds']:.1f} | {got['cpu']:.1f} | "
                  f"{got['peak_mb']:,.0f} | {tree} | {got['load']:.1f} → {got['load_after']:.1f} |", flush=True)

        read = _run("read", big, mapping, folder / "read")
        line("read row by row (the import's checking pass)", size / 1e6, read)
        if not args.skip_baseline:
            whole = _run("read-whole", big, mapping, folder / "whole")
            line("baseline: the same rows held in a list (as before)", size / 1e6, whole)
        for megabytes in sizes:
            part = folder / f"part-{megabytes:g}.csv"
            if megabytes >= args.megabytes:
                part = big
            else:
                _prefix(big, part, megabytes)
            got = _run("import", part, mapping, folder / f"import-{megabytes:g}", args.import_seconds)
            if "stopped" in got:
                line(f"import, stopped after {args.import_seconds:g} s with {got['stopped']:,} rows prepared",
                     part.stat().st_size / 1e6, got)
            else:
                line(f"import (first import, one transaction; created {got['created']:,}, merged {got['merged']:,}, "
                     f"rejected {got['rejected']:,})", part.stat().st_size / 1e6, got)
        if not args.skip_baseline:
            print(f"\nReading, rows held whole / row by row, peak RSS of the main process: "
                  f"{whole['peak_mb'] / read['peak_mb']:.1f}×.")


if __name__ == "__main__":
    main()
