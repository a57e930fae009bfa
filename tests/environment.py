"""A pytest plugin loaded first (``-p tests.environment`` in pyproject.toml), before pytest-django
reads the settings: tests run the development configuration (plain static storage, no HTTPS
redirect); the production configuration is checked by tests/test_configuration.py."""

import os
from pathlib import Path

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("OBSERVATORY_VAR_DIR", str(Path(__file__).resolve().parents[1] / "var" / "test"))
