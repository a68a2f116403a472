"""The kinds of report the ``report`` command writes: each domain registers its own.

A domain app registers its kind in its ``AppConfig.ready()`` by name and the dotted path of its
:class:`ReportKind` (:func:`register_path`), so that the content builder behind it, with the
statistics and renderers it imports, is loaded only when the ``report`` command runs, not by every
process that starts Django. The command ``cyberplan report KIND ...`` then offers it as a
subcommand with the arguments the kind adds, and prints the line its ``run`` returns. This module
knows no domain: a kind is a name, a help line and two functions.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


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


# name -> the kind, or the dotted path of the module attribute that holds it
_KINDS: dict[str, ReportKind | str] = {}
# name -> the kind registered by path, once imported
_LOADED: dict[str, ReportKind] = {}


def register(kind: ReportKind) -> ReportKind:
    """Add ``kind`` to the ``report`` command (once: the same name twice is a programming error)."""
    known = _KINDS.get(kind.name)
    if known is not None and known != kind:
        raise ImproperlyConfigured(f"Two report kinds are named {kind.name!r}.")
    _KINDS[kind.name] = kind
    return kind


def register_path(name: str, path: str) -> None:
    """Add the kind ``name``, held at ``path`` (``package.module.ATTRIBUTE``), imported on first use.

    The attribute is a :class:`ReportKind`, or a sequence of them of which the one named ``name``
    is taken (a module that writes two kinds of report). The same name twice is a programming error.
    """
    known = _KINDS.get(name)
    if known is not None and known != path:
        raise ImproperlyConfigured(f"Two report kinds are named {name!r}.")
    _KINDS[name] = path


def _load(name: str, path: str) -> ReportKind:
    found: object = import_string(path)
    candidates = found if isinstance(found, (list, tuple)) else (found,)
    for kind in candidates:
        if isinstance(kind, ReportKind) and kind.name == name:
            return kind
    raise ImproperlyConfigured(f"The report kind {name!r} is registered at {path!r}, which holds no kind of that name.")


def report_kinds() -> Iterator[ReportKind]:
    """The registered kinds, in the order their apps registered them (their modules are imported now)."""
    return iter([report_kind(name) for name in list(_KINDS)])


def report_kind(name: str) -> ReportKind:
    try:
        known = _KINDS[name]
    except KeyError:
        raise LookupError(f"unknown report {name!r}: use one of {', '.join(_KINDS) or '(none registered)'}") from None
    if isinstance(known, ReportKind):
        return known
    if name not in _LOADED:
        _LOADED[name] = _load(name, known)
    return _LOADED[name]
