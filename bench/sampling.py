"""A background sampler for the benchmarks: reads a figure every 0.2 s while a step runs."""

from __future__ import annotations

import os
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


class TreeMemory(PeriodicSampler):
    """Samples the memory of a process (``root``, this one by default) and its children (an import's
    or an analysis's workers): the peak of the summed proportional set size (Pss) and of the summed
    resident size (Rss), in MB."""

    def __init__(self, root: int | None = None):
        super().__init__()
        self.root = root or os.getpid()
        self.peak_pss = self.peak_rss = 0.0

    def _tree(self) -> list[int]:
        pids = [self.root]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as handle:
                        if int(handle.read().rsplit(")", 1)[1].split()[1]) == self.root:
                            pids.append(int(entry))
                except (OSError, ValueError, IndexError):
                    continue
        return pids

    @staticmethod
    def _sizes(pid: int) -> tuple[float, float]:
        pss = rss = 0.0
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        pss = int(line.split()[1]) / 1024
                    elif line.startswith("Rss:"):
                        rss = int(line.split()[1]) / 1024
        except OSError:
            pass
        return pss, rss

    def sample(self) -> None:
        sizes = [self._sizes(pid) for pid in self._tree()]
        self.peak_pss = max(self.peak_pss, sum(p for p, _r in sizes))
        self.peak_rss = max(self.peak_rss, sum(r for _p, r in sizes))
