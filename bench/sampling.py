"""A background sampler for the benchmarks: reads a figure every 0.2 s while a step runs."""

from __future__ import annotations

import threading


class PeriodicSampler:
    """Use as ``with Sampler() as s: ...``; ``sample()`` runs every ``interval`` seconds on a thread
    from entry to exit, and once more on exit, so a step shorter than the interval is still seen."""

    interval = 0.2

    def __init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.sample()
