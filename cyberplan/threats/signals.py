"""Signals other apps listen to, so that the threat evidence app does not depend on them."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent after an import committed events to an organisation's store; ``record`` is the Import.
import_stored = Signal()

#: Sent after an organisation's store was granted to another; ``grant`` is the StoreGrant.
store_granted = Signal()
