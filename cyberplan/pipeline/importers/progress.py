"""How far an importer has read a file, for whoever runs it (a job's progress bar).

The caller wraps the import in :func:`reporting` with a function of ``(done, total)``; an importer
that knows how many objects the file holds makes a :class:`Counter` and advances it per object.
Reports are spaced (at most one every ``interval`` seconds, and the last one always), so a
counter costs next to nothing when nobody listens. The function may raise to stop the import
(a cancelled job): the exception goes through the importer like any other.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Report = Callable[[int, int], None]

_REPORT: ContextVar[Report | None] = ContextVar("import_progress", default=None)


@contextmanager
def reporting(report: Report) -> Iterator[None]:
    token = _REPORT.set(report)
    try:
        yield
    finally:
        _REPORT.reset(token)


class Counter:
    def __init__(self, total: int, interval: float = 0.5) -> None:
        self.total = total
        self.done = 0
        self.interval = interval
        self.report = _REPORT.get()
        self._at = time.monotonic()
        if self.report is not None:
            self.report(0, total)

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.report is None:
            return
        now = time.monotonic()
        if now - self._at >= self.interval or self.done >= self.total:
            self._at = now
            self.report(min(self.done, self.total), self.total)
