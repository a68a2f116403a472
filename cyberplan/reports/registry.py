"""The kinds of report the ``report`` command writes: each domain registers its own.

A domain app registers a :class:`ReportKind` in its ``AppConfig.ready()``; the command
``cyberplan report KIND ...`` then offers it as a subcommand with the arguments the kind adds,
and prints the line its ``run`` returns. This module knows no domain: a kind is a name, a help
line and two functions.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class ReportKind:
    #: the subcommand (``trends`` in ``cyberplan report trends``)
    name: str
    #: one line for ``cyberplan report --help``
    help: str
    #: adds the kind's arguments to its subcommand's parser (see :mod:`cyberplan.reports.command`)
    add_arguments: Callable[[argparse.ArgumentParser], None]
    #: writes the report the options ask for and returns the line the command prints;
    #: raises ``CommandError`` with a sentence naming what is wrong
    run: Callable[[dict[str, Any]], str]


_KINDS: dict[str, ReportKind] = {}


def register(kind: ReportKind) -> ReportKind:
    """Add ``kind`` to the ``report`` command (once: the same name twice is a programming error)."""
    known = _KINDS.get(kind.name)
    if known is not None and known != kind:
        raise ImproperlyConfigured(f"Two report kinds are named {kind.name!r}.")
    _KINDS[kind.name] = kind
    return kind


def report_kinds() -> Iterator[ReportKind]:
    """The registered kinds, in the order their apps registered them."""
    return iter(list(_KINDS.values()))


def report_kind(name: str) -> ReportKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"unknown report {name!r}: use one of {', '.join(_KINDS) or '(none registered)'}") from None
