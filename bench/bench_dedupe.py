"""De-duplication of N records: time, peak memory and candidate pairs per record.

    .venv/bin/python bench/bench_dedupe.py                 # 100,000 records
    .venv/bin/python bench/bench_dedupe.py --records 20000

Records come from the synthetic spreadsheet rows of bench/synthetic_rows.py (Chinese and English
names, points near twenty city centres, websites; one row in twenty a variant of an earlier
space), cleaned by the spreadsheet importer's parser and turned into match records as
``observatory dedupe`` builds them from the database, without the database, so that the figure
is the resolution itself: preparing the name forms (pinyin of every Chinese name), blocking, and
scoring the candidate pairs; name forms of 20,000 distinct names or more are computed in one
worker process per core. Memory: ru_maxrss of the process before resolution (Django, the parsed
rows) and at the end, and of the largest worker. Prints a Markdown section.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "true")
    os.environ["DJANGO_SETTINGS_MODULE"] = "observatory.settings"
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    from synthetic_rows import write

    from observatory.china.coords import convert
    from observatory.inventory.importers import RowRejected, importer_get
    from observatory.inventory.importers.cleaning import website_domain
    from observatory.inventory.resolution.matching import AUTO_MERGE, REVIEW, resolve
    from observatory.inventory.resolution.records import MatchRecord, records_prepare

    with tempfile.TemporaryDirectory() as tmp:
        csv_path, mapping = write(args.records, Path(tmp) / "rows.csv", seed=args.seed)
        importer = importer_get("spreadsheet", mapping=mapping)
        records = []
        for raw in importer.rows(csv_path):
            try:
                document = importer.parse(raw).document
            except RowRejected:
                continue
            lng = lat = None
            for location in document.get("locations") or []:
                if location.get("lng") is not None:
                    lng, lat = (float(v) for v in convert(location["lng"], location["lat"], location["crs"], "WGS-84"))
            records.append(MatchRecord(id=len(records), names=[n["text"] for n in document["names"]],
                                       kind=document["kind"], layer="physical",
                                       domain=website_domain(document.get("website", "")), lng=lng, lat=lat,
                                       label=raw.external_id))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    records_prepare(records)
    prepared = time.perf_counter() - started
    scored, stats = resolve(records)
    elapsed = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("### De-duplication of synthetic records\n")
    print(f"`.venv/bin/python bench/bench_dedupe.py --records {args.records}` (blocking and scoring, no database; "
          f"load average {os.getloadavg()[0]:.1f})\n")
    print("| records | total (s) | of which name forms (s) | candidate pairs | pairs per record | ≥ review "
          f"({REVIEW}) | ≥ merge ({AUTO_MERGE}) | RSS before (MB) | peak RSS (MB) | peak RSS of a worker (MB) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {len(records):,} | {elapsed:.1f} | {prepared:.1f} | {stats['candidate_pairs']:,} | "
          f"{stats['pairs_per_record']:.2f} | {stats['above_review']:,} | {stats['above_auto_merge']:,} | "
          f"{before:,.0f} | {rss:,.0f} | {children:,.0f} |")


if __name__ == "__main__":
    main()
