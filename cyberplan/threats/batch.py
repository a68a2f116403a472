"""Several imports as one batch: listeners of :data:`.signals.import_stored` hear of them once.

The trend tables, for one, are refreshed once after a batch instead of once after each file. Each
import of a batch is still its own record, committed on its own: if the process dies half-way, the
imports already committed stay, and the next refresh of the trend tables (the dashboard, the report,
the next import or the refresh job) aggregates them, since a refresh takes every committed import
it has not aggregated yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from .signals import import_stored

if TYPE_CHECKING:
    from .models import Import


class ImportBatch:
    """The imports stored during a batch, by organisation (the store they went to), in order."""

    def __init__(self) -> None:
        self.stored: dict[int, list[Import]] = {}
        self.to_index: list[Import] = []

    def add(self, record: Import) -> None:
        self.stored.setdefault(record.organisation_id, []).append(record)

    def announce(self) -> None:
        """Send :data:`import_stored` once per store that received imports, naming its last one."""
        for records in self.stored.values():
            import_stored.send(sender=type(records[-1]), record=records[-1], imports=list(records))
        self.stored.clear()
        # The address indexes come after the refresh: the dashboard does not wait for them, and until a
        # file has its index an address search reads it whole (the same answer, slower).
        for record in self.to_index:
            _write_index(record)
        self.to_index.clear()


_current: ContextVar[ImportBatch | None] = ContextVar("import_batch", default=None)


@contextmanager
def import_batch() -> Iterator[ImportBatch]:
    """Run the imports inside as one batch: :data:`import_stored` is sent when the batch ends
    normally, once per store. If the batch ends with an exception (an interrupted command), nothing
    is sent: what was committed is caught up by the next refresh. Batches do not nest: an inner one
    joins the outer one."""
    outer = _current.get()
    if outer is not None:
        yield outer
        return
    batch = ImportBatch()
    token = _current.set(batch)
    try:
        yield batch
    finally:
        _current.reset(token)
    batch.announce()


def index_when_stored(record: Import) -> None:
    """Write the address index of the files of ``record`` (a committed import): at once, or when the
    current batch ends, after its listeners have heard of it."""
    batch = _current.get()
    if batch is not None:
        batch.to_index.append(record)
        return
    _write_index(record)


def _write_index(record: Import) -> None:
    from .store import event_store  # pyarrow and the pipeline load where imports run, not where batch is imported

    event_store(record.organisation).index_import(str(record.pk))


def announce_stored(record: Import, *, more_follow: bool = False, queued: bool = False) -> None:
    """Tell the listeners that ``record`` was stored: at once, or when the current batch ends."""
    batch = _current.get()
    if batch is not None:
        batch.add(record)
        return
    import_stored.send(sender=type(record), record=record, imports=[record], more_follow=more_follow, queued=queued)
