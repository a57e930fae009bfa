"""Import throughput: N synthetic spreadsheet rows (bench/synthetic_rows.py) through the YAML-mapped
importer into a fresh SQLite database, and every known file of ../shared/data/raw (import-all).

    .venv/bin/python bench/bench_import.py                 # 100,000 rows, then import-all
    .venv/bin/python bench/bench_import.py --rows 20000 --skip-raw

Prints a Markdown section: wall time, rows per second, peak resident memory (ru_maxrss of this
process, which also holds Django, the division boundaries and the parsed file), and the
summary counts. Each import runs in one transaction; files of 500 rows or more take the bulk
path (observatory/inventory/importers/bulk.py).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _django(folder: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["DEBUG"] = "false"  # no query log
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-for-anything-else-0123456789")
    os.environ["OBSERVATORY_VAR_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "observatory.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


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
    parser.add_argument("--serial", action="store_true", help="build the entities in this process only (no workers)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sys.path.insert(0, str(ROOT / "bench"))
        from synthetic_rows import write

        csv_path, mapping = write(args.rows, folder / "rows.csv", seed=args.seed)
        _django(folder)
        # Warm the lazily loaded tables (divisions, pinyin, jieba) so that they are not timed as import.
        from observatory.china.text import search_tokens
        from observatory.inventory.importers import importer_get, source_import

        search_tokens("柴火创客空间")
        if args.serial:
            from observatory.inventory.importers import bulk

            bulk.PARALLEL_FROM = 10**12
        cpu_before = _cpu()
        started = time.perf_counter()
        report = source_import(importer=importer_get("spreadsheet", mapping=mapping), path=csv_path)
        elapsed = time.perf_counter() - started
        cpu = _cpu() - cpu_before
        peak = _peak_mb()
        started = time.perf_counter()
        again = source_import(importer=importer_get("spreadsheet", mapping=mapping), path=csv_path)
        second = time.perf_counter() - started
        print("### Import of synthetic spreadsheet rows\n")
        flags = " --serial" if args.serial else ""
        print(f"`.venv/bin/python bench/bench_import.py --rows {args.rows}{flags}` (SQLite, one transaction, bulk path, "
              f"{'one process' if args.serial else f'{os.cpu_count()} build workers'}; load average "
              f"{os.getloadavg()[0]:.1f})\n")
        print("| rows | first import (s) | CPU (s) | rows/s | re-import, unchanged (s) | peak RSS (MB) | created | rejected |"
              " merged (in-file duplicates) |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        summary = report.summary()
        print(f"| {args.rows:,} | {elapsed:.1f} | {cpu:.1f} | {args.rows / elapsed:,.0f} | {second:.1f} | {peak:,.0f} | "
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
