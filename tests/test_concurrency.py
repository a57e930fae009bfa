"""The concurrency test of issue 18 in its compact form: 32 writers and readers against gunicorn
for a few seconds while ``observatory import`` runs, on the database the suite runs on; no 5xx,
no lost or torn write. The 60-second form is ``bench/bench_concurrency.py`` (docs/benchmarks.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_writers_and_readers_beside_an_import_get_no_5xx_and_lose_nothing():
    command = [sys.executable, str(ROOT / "bench" / "bench_concurrency.py"), "--seconds", "5", "--threads", "32",
               "--rows", "600", "--workers", "2"]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        command += ["--database-url", f"{url.rsplit('/', 1)[0]}/concurrency_{os.getpid()}", "--drop"]
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "OBSERVATORY_CACHE_PATH",
                                                                           "OBSERVATORY_VAR_DIR")}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "| 0 | 0 | 0 |" in done.stdout  # 5xx, lost, torn
