"""kill -9 in the middle of a census loses at most the observations in flight; --resume finishes it.

Runs the real command in a child process on its own SQLite file (the test database of this
process is not visible to a child), kills it with SIGKILL once a few observations are written,
then resumes it."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO

from .servers import Server, slow

SETUP = """
from observatory.inventory.models import Entity
Entity.objects.bulk_create([Entity(slug=f"space-{i}", kind="makerspace", layer="physical", name=f"Space {i}",
                                   website=f"{BASE}/space/{i}") for i in range(12)])
"""


@pytest.fixture
def slow_site():
    server = Server({f"/space/{i}": slow(0.4) for i in range(12)})
    yield server
    server.close()


def _child(tmp_path, *args, **kwargs):
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'census.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen([sys.executable, "-m", "observatory.cli", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


def _rows(tmp_path, sql):
    with sqlite3.connect(tmp_path / "census.sqlite3") as connection:
        return connection.execute(sql).fetchall()


def test_it_survives_kill_9_and_resumes_without_fetching_twice(tmp_path, slow_site):
    assert _child(tmp_path, "migrate", "-v0").wait(timeout=300) == 0
    setup = _child(tmp_path, "shell", "-c", SETUP.replace("{BASE}", slow_site.url("")))
    assert setup.wait(timeout=120) == 0, setup.stdout.read()
    census = _child(tmp_path, "census", "--concurrency", "2", "--per-host", "2", "--retries", "0")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            if _rows(tmp_path, "SELECT count(*) FROM census_observation")[0][0] >= 4:
                break
        except sqlite3.OperationalError:
            continue
    census.send_signal(signal.SIGKILL)
    census.wait(timeout=30)
    [(status, total)] = _rows(tmp_path, "SELECT status, total FROM census_censusrun")
    kept = {url for (url,) in _rows(tmp_path, "SELECT url FROM census_observation")}
    assert status == "running" and total == 12 and 4 <= len(kept) < 12
    hits_before = len(slow_site.handler.hits)

    resumed = _child(tmp_path, "census", "--resume")
    out, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, out
    [(status, done)] = _rows(tmp_path, "SELECT status, done FROM census_censusrun")
    assert (status, done) == ("done", 12)
    urls = [url for (url,) in _rows(tmp_path, "SELECT url FROM census_observation")]
    assert len(urls) == len(set(urls)) == 12
    fetched_again = {slow_site.url(p) for p in slow_site.handler.hits[hits_before:] if p != "/robots.txt"}
    assert not fetched_again & kept  # what was written before the kill is not fetched again
    assert _rows(tmp_path, "SELECT count(*) FROM inventory_statusassertion WHERE origin = 'census'") == [(12,)]
