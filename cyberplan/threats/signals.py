"""Signals other apps listen to, so that the threat evidence app does not depend on them."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent after an import committed events to an organisation's store; ``record`` is the Import.
#: Also sent with:
#:
#: - ``imports``: every import of that store that this signal stands for. An import run inside an
#:   :func:`~cyberplan.threats.batch.import_batch` (several files on the command line) sends
#:   nothing itself: when the batch ends, one signal per store names its last stored import as
#:   ``record`` and all of them as ``imports``, so that listeners do their work once for the batch.
#: - ``more_follow``: true when more imports of the same store are waiting in the worker's queue
#:   (or running beside this one); a listener may then leave its work to after the last of them.
#: - ``queued``: true when the import ran as a queued job of the worker, not in the foreground.
import_stored = Signal()

#: Sent after an organisation's store was granted to another; ``grant`` is the StoreGrant.
store_granted = Signal()
