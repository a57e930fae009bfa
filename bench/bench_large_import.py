"""Memory and SQLite write-ahead log of a large file import: a synthetic CSV (bench/synthetic_rows.py,
about 8,600 rows a MB; 20 MB by default, ``--megabytes 200`` for the 200 MB of issue 18) read and
imported on SQLite, each step in its own child process.

    .venv/bin/python bench/bench_large_import.py          # 20 MB: reading, the import to its commit
    .venv/bin/python bench/bench_large_import.py --megabytes 200 --import-megabytes 5,200 --kill-dry-run 500
    .venv/bin/python bench/bench_large_import.py --csv /tmp/large.csv --import-megabytes 50 --skip-read

Steps, each measured by the child's peak resident size (``VmHWM``) and, for imports, the peak
of the child's process tree (the import's preparing workers; proportional set size, so that pages
they share with it are counted once), with wall and CPU seconds:

- **read, as the import reads it**: the pass that checks and counts every row
  (``runner._rows_read``), the rows read one by one and dropped;
- **read, held whole** (the baseline): the same rows kept in a list, which is what an import did
  before it read row by row (``list(...)`` of them, as ``runner._read_all`` did);
- **import**: ``source_import`` of the first N MB of the file (a prefix of whole rows) into a fresh
  SQLite database, one transaction, with the size limit lifted, to its commit. The size of the
  write-ahead log (``bench.sqlite3-wal``) is sampled throughout (its peak), then read right after
  the import returns while its connection is still open (as a server's workers keep theirs), and
  after the connection closed. With ``--import-seconds S`` an import still preparing after S
  seconds is stopped there (its progress callback raises; nothing is written) and the rows it had
  counted and prepared are given: on a loaded two-core machine a 200 MB import takes hours.
- **killed dry run** (``--kill-dry-run MB``): ``--dry-run`` of the whole file, killed with SIGKILL
  once its log reaches MB, then the next start: a fresh process opens the database, reads and
  closes it; the log's size at each point.

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
from sampling import PeriodicSampler

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


def _wal_mb(database: Path) -> float:
    wal = database.with_name(database.name + "-wal")
    return wal.stat().st_size / 1e6 if wal.exists() else 0.0


class _WalPeak(PeriodicSampler):
    """Samples the size of the SQLite write-ahead log; its peak."""

    def __init__(self, database: Path):
        super().__init__()
        self.database, self.peak = database, 0.0

    def sample(self) -> None:
        self.peak = max(self.peak, _wal_mb(self.database))


def _child(step: str, csv_path: Path, mapping: Path, folder: Path, seconds: float) -> dict:
    """Run in the child process: one step, measured."""
    database = folder / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-for-anything-else-0123456789")
    os.environ["OBSERVATORY_VAR_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "observatory.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from bench_import import _cpu
    from sampling import TreeMemory

    from observatory.inventory.importers import importer_get, source_import
    from observatory.inventory.importers.runner import _rows_read

    importer = importer_get("spreadsheet", mapping=mapping)
    result: dict = {"load": os.getloadavg()[0]}
    if step == "reopen":  # the next start after a killed import: open the database, read, close
        from django.db import connection

        from observatory.inventory.models import Entity

        result.update(wal_before=_wal_mb(database), rows=Entity.objects.count(), wal_open=_wal_mb(database))
        connection.close()
        result["wal_closed"] = _wal_mb(database)
        return result
    if step in ("import", "dry-run"):
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from observatory.china.text import search_tokens

        search_tokens("柴火创客空间 Chaihuo")  # the lazily loaded tables, as in bench_import.py
        from django.db import connection

        connection.close()  # the last connection: SQLite checkpoints and removes the log of the migrations
    before = _high_water_mb()
    cpu, started = _cpu(), time.perf_counter()
    with TreeMemory() as tree, _WalPeak(database) as wal:
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
                report = source_import(importer=importer, path=csv_path, max_bytes=0, progress=tick,
                                       dry_run=step == "dry-run")
                result.update(rows=report.total, **report.summary())
            except _TimeUp:
                result.update(rows=done["total"], stopped=done["rows"])
    result.update(seconds=time.perf_counter() - started, cpu=_cpu() - cpu, start_mb=before,
                  peak_mb=_high_water_mb(), tree_pss=tree.peak_pss,
                  tree_rss=tree.peak_rss, wal_peak=wal.peak, load_after=os.getloadavg()[0])
    # the log as the import left it, its connection still open (as a server's workers keep theirs)
    result["wal_after"] = _wal_mb(database)
    from django.db import connection

    connection.close()
    result["wal_closed"] = _wal_mb(database)
    return result


def _run(step: str, csv_path: Path, mapping: Path, folder: Path, seconds: float = 0) -> dict:
    folder.mkdir(exist_ok=True)
    done = subprocess.run([sys.executable, __file__, "--child", step, "--csv", str(csv_path), "--mapping",
                           str(mapping), "--folder", str(folder), "--import-seconds", str(seconds)],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"{step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _killed_dry_run(csv_path: Path, mapping: Path, folder: Path, wal_mb: float, seconds: float) -> dict:
    """A dry run of ``csv_path`` killed (SIGKILL) once its write-ahead log reaches ``wal_mb`` MB or
    after ``seconds``; then a fresh process opens the database, reads and closes it (the next
    start). The log's size at the kill, and before, during and after that next start."""
    folder.mkdir(exist_ok=True)
    database = folder / "bench.sqlite3"
    child = subprocess.Popen([sys.executable, __file__, "--child", "dry-run", "--csv", str(csv_path), "--mapping",
                              str(mapping), "--folder", str(folder)], cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    started, load = time.perf_counter(), os.getloadavg()[0]
    while child.poll() is None and _wal_mb(database) < wal_mb and time.perf_counter() - started < seconds:
        time.sleep(0.2)
    finished = child.poll() is not None
    child.kill()
    child.wait()
    got = {"killed_after": time.perf_counter() - started, "wal_killed": _wal_mb(database), "finished": finished,
           "load": load}
    got.update(_run("reopen", csv_path, mapping, folder))
    return got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--megabytes", type=float, default=20, help="size of the generated CSV (default 20)")
    parser.add_argument("--import-megabytes", default="20",
                        help="comma-separated sizes of the prefixes imported (default 20; 0: none)")
    parser.add_argument("--import-seconds", type=float, default=0,
                        help="stop an import still running after this many seconds (default 0: never)")
    parser.add_argument("--skip-baseline", action="store_true", help="do not measure the rows held whole")
    parser.add_argument("--skip-read", action="store_true", help="do not measure the reading alone")
    parser.add_argument("--kill-dry-run", type=float, default=0, metavar="MB",
                        help="also kill (SIGKILL) a dry run of the whole file once its SQLite write-ahead log "
                             "reaches MB (or after --import-seconds, else 3600 s), then open the database "
                             "again (default 0: not done)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help="a CSV generated by an earlier run (its mapping beside it, .yaml) "
                                                 "instead of generating one; --megabytes is then its size")
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
        if args.csv:
            big, mapping = args.csv.resolve(), args.csv.resolve().with_suffix(".yaml")
            with big.open("rb") as counting:
                rows = sum(1 for _line in counting) - 1
            args.megabytes = big.stat().st_size / 1e6
        else:
            mapping, rows = _generate(big, args.megabytes)
        generated = time.perf_counter() - started
        size = big.stat().st_size
        print("### Memory of a large CSV import\n")
        options = "".join(f" {flag}" for flag, on in (("--skip-baseline", args.skip_baseline),
                                                      ("--skip-read", args.skip_read)) if on)
        options += f" --import-seconds {args.import_seconds:g}" if args.import_seconds else ""
        options += f" --kill-dry-run {args.kill_dry_run:g}" if args.kill_dry_run else ""
        options += f" --csv {args.csv}" if args.csv else ""
        size_option = "" if args.csv else f" --megabytes {args.megabytes:g}"
        print(f"`.venv/bin/python bench/bench_large_import.py{size_option} --import-megabytes "
              f"{args.import_megabytes}{options}` (commit {commit()}; SQLite; a CSV of {size / 1e6:,.1f} MB, {rows:,} "
              f"synthetic rows of bench/synthetic_rows.py, "
              f"{'generated by an earlier run' if args.csv else f'generated in {generated:.0f} s'}; every step in a fresh "
              f"child process; the machine is shared with other jobs, load average as given)\n")
        print("| step | file (MB) | rows | wall (s) | CPU (s) | peak RSS, main process (MB) | peak of the process "
              "tree, Pss (Rss) (MB) | SQLite WAL: peak; after, connection open; after it closed (MB) | "
              "load average before → after |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")

        def line(step: str, megabytes: float, got: dict) -> None:
            tree = f"{got['tree_pss']:,.0f} ({got['tree_rss']:,.0f})" if got["tree_pss"] else "—"
            wal = (f"{got['wal_peak']:,.1f}; {got['wal_after']:,.1f}; {got['wal_closed']:,.1f}"
                   if got["wal_peak"] else "—")
            print(f"| {step} | {megabytes:,.1f} | {got['rows']:,} | {got['seconds']:.1f} | {got['cpu']:.1f} | "
                  f"{got['peak_mb']:,.0f} | {tree} | {wal} | {got['load']:.1f} → {got['load_after']:.1f} |",
                  flush=True)

        killed = ""
        if args.kill_dry_run:  # first: bounded in time, unlike the imports
            got = _killed_dry_run(big, mapping, folder / "killed", args.kill_dry_run, args.import_seconds or 3600)
            how = "finished before" if got["finished"] else f"killed (SIGKILL) after {got['killed_after']:.0f} s"
            killed = (f"\nA dry run of the whole file, {how}, its write-ahead log at {got['wal_killed']:,.1f} MB "
                      f"(load average {got['load']:.1f}); the next start (a fresh process opens the database, reads "
                      f"{got['rows']:,} entities, closes it): the log at {got['wal_before']:,.1f} MB before, "
                      f"{got['wal_open']:,.1f} MB while open, {got['wal_closed']:,.1f} MB after.")
            print(killed, file=sys.stderr, flush=True)
        if not args.skip_read:
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
        if args.kill_dry_run:
            print(killed, flush=True)
        if not args.skip_baseline and not args.skip_read:
            print(f"\nReading, rows held whole / row by row, peak RSS of the main process: "
                  f"{whole['peak_mb'] / read['peak_mb']:.1f}×.")


if __name__ == "__main__":
    main()
