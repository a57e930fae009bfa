"""The WSGI entry point readies a server process: segmenter loaded, start-up objects frozen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_server_process_loads_the_segmenter_and_freezes_what_it_loaded():
    code = ("import gc\n"
            "import observatory.wsgi\n"
            "from observatory.china import text\n"
            "print(gc.get_freeze_count(), text._tokenizer.cache_info().currsize, len(gc.get_objects()))\n")
    env = {**os.environ, "DEBUG": "true"}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the entry point sets it, as under gunicorn
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    frozen, tokenizers, tracked = result.stdout.split()
    # the dictionary is loaded before the first search, and a full collection no longer walks it:
    # what the collector still tracks is a small fraction of what was frozen
    assert int(frozen) > 100_000 and tokenizers == "1"
    assert int(tracked) < int(frozen) // 20, (tracked, frozen)
