"""WSGI entry point (gunicorn observatory.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatory.settings")
application = get_wsgi_application()


def _server_process_ready() -> None:
    """Load what the first search would load, then take everything loaded so far out of the
    garbage collector's full collections (``gc.freeze``). In a warm worker a full collection walked
    some hundreds of thousands of long-lived objects (the segmenter's dictionary, pinyin tables,
    Django's own), and every request that worker held waited for it: the random p99 tails of the
    site benchmark (docs/benchmarks.md). Frozen objects are never collected; they live as long as the process anyway."""
    from observatory.china.text import warm_up

    warm_up()
    gc.collect()
    gc.freeze()


_server_process_ready()
