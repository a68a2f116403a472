"""Which channel (web, api, admin, cli, worker) the current write comes through, for the audit log.

Kept free of model imports so the command line can set it before Django is set up.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

_channel: contextvars.ContextVar[str] = contextvars.ContextVar("audit_channel", default="system")


def current_channel() -> str:
    return _channel.get()


@contextmanager
def channel(name: str) -> Iterator[None]:
    token = _channel.set(name)
    try:
        yield
    finally:
        _channel.reset(token)


def set_channel(name: str) -> None:
    """Set the channel for the rest of this context (used by the command line entry point)."""
    _channel.set(name)
