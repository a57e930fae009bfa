"""Export of N synthetic entities and M relations in every format: time and peak memory.

    .venv/bin/python bench/bench_export.py                  # 2,000 entities, 20,000 relations
    .venv/bin/python bench/bench_export.py --full           # 100,000 entities, 1,000,000 relations
    .venv/bin/python bench/bench_export.py --entities 10000 --relations 100000 --repeat 3

A fresh SQLite database in a temporary folder is filled with bulk inserts (one redistributable
source; every entity with two names and one location, every tenth an outline; relations
deterministic), then each format is exported in its own child process, so that the peak
resident memory (``ru_maxrss``) is that export's alone; the table also gives the resident memory
of the child after Django has started, before the export. Prints a Markdown section.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ["csv", "datapackage", "geojson", "gpkg", "gexf", "graphml", "csl-json", "bibtex", "qdc"]
KINDS = ["makerspace", "fab_lab", "hackerspace", "company", "online_forum", "incubator", "electronics_market"]


def _django(database: Path) -> None:
    # bench_site.py --postgres fills a PostgreSQL database instead of the SQLite file
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{database}"
    os.environ.setdefault("DEBUG", "true")
    os.environ["OBSERVATORY_VAR_DIR"] = str(database.parent)
    os.environ["DJANGO_SETTINGS_MODULE"] = "observatory.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def populate(database: Path, entities: int, relations: int) -> float:
    _django(database)
    import datetime as dt

    from django.core.management import call_command
    from django.db import transaction

    from observatory.coding.models import Code, Codebook, Coding
    from observatory.inventory.models import Entity, EntitySource, Location, Name, Relation, Source
    from observatory.inventory.taxonomy import KINDS as TAXONOMY
    from observatory.inventory.taxonomy import RELATION_TYPES

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    types = list(RELATION_TYPES)
    with transaction.atomic():
        source = Source.objects.create(key="synthetic", csl={"type": "dataset", "title": "Synthetic spaces"},
                                       licence="CC0-1.0", redistributable=True)
        codebook = Codebook.objects.create(key="bench", version="1", title_en="Bench", is_default=True)
        dimension = Code.objects.create(codebook=codebook, path="practice", key="practice", label_en="Practice",
                                        definition="d", order=0)
        code = Code.objects.create(codebook=codebook, parent=dimension, path="practice.open", key="open",
                                   label_en="Open", definition="d", order=1)
        batch = 5000
        for start in range(0, entities, batch):
            stop = min(start + batch, entities)
            Entity.objects.bulk_create([Entity(
                id=i + 1, slug=f"space-{i}", kind=KINDS[i % len(KINDS)], layer=TAXONOMY[KINDS[i % len(KINDS)]][2],
                name=f"Space {i}", name_zh=f"空间{i}", name_en=f"Space {i}",
                founded=dt.date(2000 + i % 20, 1, 1), founded_precision="year",
                search_text=f"space {i} kongjian") for i in range(start, stop)])
            EntitySource.objects.bulk_create([EntitySource(entity_id=i + 1, source=source, locator=f"row:{i}")
                                              for i in range(start, stop)])
            Name.objects.bulk_create([Name(entity_id=i + 1, text=t, lang=lang, source=source)
                                      for i in range(start, stop)
                                      for t, lang in ((f"空间{i}", "zh-Hans"), (f"Space {i}", "en"))])
            locations = []
            for i in range(start, stop):
                lng, lat = 113.8 + (i % 1000) / 2000, 22.4 + (i // 1000 % 1000) / 2000
                polygon = None
                if i % 10 == 0:
                    polygon = [[[lng, lat], [lng + 0.001, lat], [lng + 0.001, lat + 0.001], [lng, lat + 0.001],
                                [lng, lat]]]
                locations.append(Location(entity_id=i + 1, original_lng=lng, original_lat=lat, crs="WGS-84",
                                          lng=lng, lat=lat, precision="building", polygon=polygon,
                                          polygon_wgs84=polygon, province_code="440000",
                                          prefecture_code="440300", source=source))
            Location.objects.bulk_create(locations)
            Coding.objects.bulk_create([Coding(entity_id=i + 1, code=code, source=source, confidence=1.0)
                                        for i in range(start, stop, 5)])
        for start in range(0, relations, batch):
            rows = []
            for k in range(start, min(start + batch, relations)):
                s = k % entities
                t = (s + 1 + k // entities) % entities
                rows.append(Relation(source_entity_id=s + 1, target_entity_id=t + 1, type=types[k % len(types)],
                                     weight=1.0 + k % 3, confidence=1.0, source=source,
                                     from_date=dt.date(2010 + k % 10, 1, 1) if k % 2 else None,
                                     from_precision="year" if k % 2 else ""))
            Relation.objects.bulk_create(rows)
    return time.perf_counter() - started


def _export_child(database: str, fmt: str, out: str, queue) -> None:
    import resource

    _django(Path(database))
    from observatory.exports import FORMATS as SPECS
    from observatory.exports import export_run

    baseline = _rss_kb()
    started = time.perf_counter()
    target = Path(out) / ("package" if SPECS[fmt].folder else SPECS[fmt].filename)
    report = export_run(fmt, target)
    elapsed = time.perf_counter() - started
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file()) if target.is_dir() else target.stat().st_size
    queue.put((elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, baseline, size, report.counts))


def measure(database: Path, fmt: str, folder: Path) -> tuple[float, int, int, int, dict]:
    context = mp.get_context("spawn")
    queue = context.Queue()
    out = tempfile.mkdtemp(dir=folder)
    process = context.Process(target=_export_child, args=(str(database), fmt, out, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--relations", type=int, default=20000)
    parser.add_argument("--full", action="store_true", help="100,000 entities and 1,000,000 relations")
    parser.add_argument("--repeat", type=int, default=None, help="runs per format (median); default 3, 1 with --full")
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args()
    if args.full:
        args.entities, args.relations = 100_000, 1_000_000
    repeat = args.repeat or (1 if args.full else 3)
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        database = Path(folder) / "bench.sqlite3"
        context = mp.get_context("spawn")
        filler = context.Process(target=populate, args=(database, args.entities, args.relations))
        started = time.perf_counter()
        filler.start()
        filler.join()
        fill_time = time.perf_counter() - started
        rows = []
        for fmt in args.formats.split(","):
            runs = [measure(database, fmt, Path(folder)) for _ in range(repeat)]
            elapsed = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            baseline = min(r[2] for r in runs)
            size, counts = runs[-1][3], runs[-1][4]
            rows.append((fmt, elapsed, peak, baseline, size, counts))
            print(f"{fmt}: {elapsed:.2f} s", file=sys.stderr, flush=True)
    print(f"### Exports of {args.entities:,} entities and {args.relations:,} relations\n")
    print(f"Synthetic SQLite database (filled in {fill_time:.0f} s); each export in a fresh process; "
          f"median of {repeat} run(s). Peak RSS includes the Python + Django process "
          f"(RSS after start-up in the next column).\n")
    print("| format | time (s) | peak RSS (MB) | RSS at start (MB) | output (MB) | written |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for fmt, elapsed, peak, baseline, size, counts in rows:
        written = ", ".join(f"{k} {v:,}" for k, v in counts.items() if v)
        if len(written) > 80:
            written = f"{sum(counts.values()):,} rows in {len(counts)} tables"
        print(f"| {fmt} | {elapsed:.2f} | {peak / 1024:.0f} | {baseline / 1024:.0f} | {size / 1e6:.1f} | {written} |")


if __name__ == "__main__":
    main()
