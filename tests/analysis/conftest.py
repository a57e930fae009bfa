"""Reference vectors for the analysis tests: ../shared when present, else the copies in fixtures/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.shared import SHARED

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPO_ROOT = Path(__file__).resolve().parents[2]


def load_reference(name: str) -> dict:
    """A reference JSON file by name, from ../shared/data/reference if available, else fixtures/."""
    shared = SHARED / "data" / "reference" / name
    path = shared if shared.exists() else FIXTURES / name
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def reference():
    return load_reference
