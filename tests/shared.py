"""Access to ``../shared`` (the team's raw data and reference values) from tests.

Users who cloned the repository alone have no ``../shared``: tests that read it skip with a
message that says what is missing, and everything the rest of the suite needs is in the repo.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("OBSERVATORY_SHARED_DIR", REPO.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """Path of a file under ../shared, or skip the calling test with a clear message."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"{path} is absent: this test reads the team's shared data; set OBSERVATORY_SHARED_DIR "
            "to a copy of shared/ to run it"
        )
    return path
