"""A pytest plugin loaded first (``-p tests.environment`` in pyproject.toml), before pytest-django
reads the settings: tests run the development configuration (plain static storage, no HTTPS
redirect); the production configuration is checked by tests/test_configuration.py."""

import os
from pathlib import Path

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("OBSERVATORY_VAR_DIR", str(Path(__file__).resolve().parents[1] / "var" / "test"))
# The shared cache (rate limits, login attempts) is a SQLite file: one per test process, so
# parallel workers and successive runs never see each other's counts. An xdist worker inherits the
# controller's environment, so it sets its own path (else every worker shared the controller's
# file, and one worker's clearing of the cache at each test start wiped another's counts).
if os.environ.get("PYTEST_XDIST_WORKER") or "OBSERVATORY_CACHE_PATH" not in os.environ:
    os.environ["OBSERVATORY_CACHE_PATH"] = str(Path(os.environ["OBSERVATORY_VAR_DIR"]) / f"cache-{os.getpid()}.sqlite3")


def pytest_unconfigure(config):
    for suffix in ("", "-wal", "-shm"):
        Path(os.environ["OBSERVATORY_CACHE_PATH"] + suffix).unlink(missing_ok=True)
