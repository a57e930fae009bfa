"""SQLite's write-ahead log after an import: emptied when the import ends, committed or a dry run,
and, after an import killed mid-way, by the next one (observatory/dbstats.py).

Runs the real command in child processes on their own SQLite file (the test database of this
process is in memory) while this process keeps a connection to that file open, as a running site's
workers do: SQLite removes the log when the last connection closes, so with none open the log
would vanish whatever the importer did."""

import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from tests.conftest import REPO

from .test_bulk import FIXTURES, _spreadsheet

# A transaction larger than the page cache spills its pages into the log; then the process dies.
KILLED = """
import os, signal
from django.db import connection, transaction
from observatory.inventory.models import Source
connection.cursor().execute("PRAGMA cache_size=-256")
transaction.atomic().__enter__()
Source.objects.bulk_create([Source(key=f"killed-{i}", title="x" * 500) for i in range(20000)])
os.kill(os.getpid(), signal.SIGKILL)
"""


def _observatory(tmp_path, *args):
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, "-m", "observatory.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


def _log_bytes(tmp_path) -> int:
    return (tmp_path / "db.sqlite3-wal").stat().st_size


@pytest.fixture
def site(tmp_path):
    """The migrated database and an open connection to it (a running site)."""
    assert _observatory(tmp_path, "migrate", "-v0").returncode == 0
    connection = sqlite3.connect(tmp_path / "db.sqlite3")
    connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    yield connection
    connection.close()


def test_it_empties_the_log_a_killed_import_left_and_its_own(tmp_path, site):
    killed = _observatory(tmp_path, "shell", "-c", KILLED)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert _log_bytes(tmp_path) > 5_000_000  # the killed transaction's pages, left in the log

    sheet = _spreadsheet(tmp_path / "sheet.csv", 600)  # the bulk path (from 500 rows)
    mapping = str(FIXTURES / "survey.yaml")
    dry = _observatory(tmp_path, "import", "spreadsheet", str(sheet), "--mapping", mapping, "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert _log_bytes(tmp_path) == 0
    assert site.execute("SELECT count(*) FROM inventory_source WHERE key LIKE 'killed-%'").fetchone() == (0,)

    done = _observatory(tmp_path, "import", "spreadsheet", str(sheet), "--mapping", mapping)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _log_bytes(tmp_path) == 0
    assert site.execute("SELECT count(*) FROM inventory_entity").fetchone()[0] > 500
