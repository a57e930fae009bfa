"""Import throughput: N synthetic spreadsheet rows (bench/synthetic_rows.py) through the YAML-mapped
importer into a fresh SQLite database (or an empty PostgreSQL one), and every known file of
../shared/data/raw (import-all).

    .venv/bin/python bench/bench_import.py                 # 100,000 rows, then import-all
    .venv/bin/python bench/bench_import.py --rows 20000 --skip-raw [--serial]
    .venv/bin/python bench/bench_import.py --rows 100000 --skip-raw \
        --database-url postgres://postgres@127.0.0.1:5432/observatory_bench   # flushed first

Prints a Markdown section: wall time, CPU seconds (this process and its worker processes), rows
per second, peak resident memory (ru_maxrss of this process, which also holds Django, the
division boundaries and the parsed file) and the peak of the whole process tree (this process
and its workers, summed; proportional set size, so that pages the forked workers share with it
are counted once), the load average, and the summary counts. Each import runs in one
transaction; files of 500 rows or more take the bulk path, prepared in worker processes from
4,000 rows (observatory/inventory/importers/bulk/).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from revision import commit  # bench/ is the script's folder, first on sys.path
from sampling import TreeMemory

ROOT = Path(__file__).resolve().parents[1]



def _django(folder: Path, database_url: str | None = None) -> None:
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["DEBUG"] = "false"  # no query log
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-for-anything-else-0123456789")
    os.environ["OBSERVATORY_VAR_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "observatory.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if database_url:
        call_command("flush", "--noinput", verbosity=0)




def _cpu() -> float:
    """CPU seconds of this process and its finished children (the build workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-raw", action="store_true", help="do not time import-all of ../shared/data/raw")
    parser.add_argument("--serial", action="store_true", help="prepare the rows in this process only (no workers)")
    parser.add_argument("--database-url", help="an empty PostgreSQL database whose name contains 'bench' (it is "
                                               "flushed); default: a fresh SQLite file")
    args = parser.parse_args()
    if args.database_url and "bench" not in args.database_url.rsplit("/", 1)[-1]:
        parser.error("--database-url: the database is flushed; give one whose name contains 'bench'")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sys.path.insert(0, str(ROOT / "bench"))
        from synthetic_rows import write

        csv_path, mapping = write(args.rows, folder / "rows.csv", seed=args.seed)
        _django(folder, args.database_url)
        # Warm the lazily loaded tables (divisions, pinyin, jieba) so that they are not timed as import.
        from observatory.china.text import search_tokens
        from observatory.inventory.importers import importer_get, source_import

        search_tokens("柴火创客空间 Chaihuo")
        if args.serial:
            from observatory.inventory.importers.bulk import preparation

            preparation.PARALLEL_FROM = 10**12
        from django.db import connection

        load_before = os.getloadavg()[0]
        cpu_before = _cpu()
        with TreeMemory() as tree:
            started = time.perf_counter()
            report = source_import(importer=importer_get("spreadsheet", mapping=mapping), path=csv_path)
            elapsed = time.perf_counter() - started
            cpu = _cpu() - cpu_before
            peak = _peak_mb()
            cpu_before = _cpu()
            started = time.perf_counter()
            again = source_import(importer=importer_get("spreadsheet", mapping=mapping), path=csv_path)
            second = time.perf_counter() - started
            second_cpu = _cpu() - cpu_before
        load_after = os.getloadavg()[0]
        print("### Import of synthetic spreadsheet rows\n")
        flags = " --serial" if args.serial else ""
        database = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
        print(f"`.venv/bin/python bench/bench_import.py --rows {args.rows}{flags}` ({database}, one transaction, bulk "
              f"path, {'one process' if args.serial else f'{os.cpu_count()} preparing workers'}; commit {commit()}; "
              f"load average {load_before:.1f} before, {load_after:.1f} after)\n")
        print("| rows | database | first import (s) | CPU (s) | rows/s | re-import, unchanged (s) | re-import CPU (s) "
              "| peak RSS, this process (MB) | peak of the process tree, Pss (Rss) (MB) | created | rejected "
              "| merged (in-file duplicates) |")
        print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        summary = report.summary()
        print(f"| {args.rows:,} | {database} | {elapsed:.1f} | {cpu:.1f} | {args.rows / elapsed:,.0f} | {second:.1f} | "
              f"{second_cpu:.1f} | {peak:,.0f} | {tree.peak_pss:,.0f} ({tree.peak_rss:,.0f}) | "
              f"{summary['created']:,} | {summary['rejected']:,} | {summary['merged']:,} |")
        assert again.summary()["unchanged"] == summary["created"], again.summary()
        if args.skip_raw:
            return
        raw = ROOT.parent / "shared" / "data" / "raw"
        if not raw.is_dir():
            print(f"\n_import-all not measured: {raw} is absent._")
            return
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("import_all", "--raw-dir", str(raw), stdout=open(os.devnull, "w"))
        elapsed = time.perf_counter() - started
        print(f"\n### import-all of ../shared/data/raw\n\n`observatory import-all`: {elapsed:.1f} s for every "
              f"known file (ananse CSV and XLSX, szmakermap, hackerspaces.org GeoJSON, SpaceAPI directory, Nesta); "
              f"peak RSS {_peak_mb():,.0f} MB.")


if __name__ == "__main__":
    main()
