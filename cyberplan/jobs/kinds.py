"""The table of job kinds: each kind's name, label, handler, time limit and hidden parameters.

It knows nothing of the ``Job`` model, so the model can name its kind's label and hide its
private parameters without importing the code that runs jobs (:mod:`cyberplan.jobs.registry`,
which holds ``Progress``, declares kinds with ``job_kind`` and hands these names on).

An app declares its kinds in its ``AppConfig.ready()`` with :func:`declare`, naming the handler
(and the ``on_stop`` function) by dotted path: the module that runs a job, with what it imports
(the statistics, the event store, the document renderers), is loaded only when a job of the kind
first runs or stops, not by every process that starts Django.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.module_loading import import_string

DEFAULT_TIME_LIMIT_MINUTES = 30.0


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str | Promise
    # The function that runs a job, or its dotted path (``package.module.function``), imported on
    # first use. Typed in full where kinds are declared (``registry.Handler`` and
    # ``registry.StopHook``): this table cannot name the Job model, which reads it.
    run: Callable[..., dict[str, Any]] | str
    time_limit_minutes: float = DEFAULT_TIME_LIMIT_MINUTES
    # Called with the job and the reason when a job of the kind ends without success; or its dotted path.
    stop: Callable[..., None] | str | None = None
    # Parameters only the worker reads (a server path, for one): never shown on a page or in the API.
    private_parameters: frozenset[str] = frozenset()
    # How the job's public parameters read on its page: (label, words) pairs in the active language.
    # A kind without one shows its parameters by name. The function, or its dotted path.
    describe: Callable[[dict[str, Any]], list[tuple[str, str]]] | str | None = None

    @property
    def handler(self) -> Callable[..., dict[str, Any]]:
        """The function that runs a job of the kind (its module is imported now, if not yet)."""
        return _load(self.run)

    @property
    def on_stop(self) -> Callable[..., None] | None:
        """The function that tidies up after a job of the kind that failed, if the kind has one."""
        return None if self.stop is None else _load(self.stop)

    @property
    def time_limit(self) -> int:
        """The time limit in seconds, as configured."""
        minutes = settings.CYBERPLAN_JOB_TIME_LIMITS.get(self.name, self.time_limit_minutes)
        return max(1, round(minutes * 60))


_KINDS: dict[str, JobKind] = {}


def _load(function: Callable[..., Any] | str) -> Callable[..., Any]:
    if isinstance(function, str):
        loaded: Callable[..., Any] = import_string(function)
        return loaded
    return function


def register(kind: JobKind) -> None:
    """Add a kind to the table (``cyberplan.jobs.registry.job_kind`` does it for a handler)."""
    _KINDS[kind.name] = kind


def declare(
    name: str,
    label: str | Promise,
    handler: Callable[..., dict[str, Any]] | str,
    *,
    time_limit_minutes: float = DEFAULT_TIME_LIMIT_MINUTES,
    on_stop: Callable[..., None] | str | None = None,
    private_parameters: Iterable[str] = (),
    describe: Callable[[dict[str, Any]], list[tuple[str, str]]] | str | None = None,
) -> None:
    """Add a kind whose handler (and ``on_stop`` and ``describe`` functions) are named by dotted path,
    imported on first use.

    For an app's ``AppConfig.ready()``: the kind's name, label and limits are known at once (the
    job pages and the API list them), its code is loaded only by the worker that runs a job of it.
    The functions themselves may be given instead of their paths (``registry.job_kind`` does).
    """
    register(
        JobKind(
            name=name,
            label=label,
            run=handler,
            time_limit_minutes=time_limit_minutes,
            stop=on_stop,
            private_parameters=frozenset(private_parameters),
            describe=describe,
        )
    )


def get_kind(name: str) -> JobKind:
    return _KINDS[name]


def all_kinds() -> list[JobKind]:
    return list(_KINDS.values())


def public_parameters(kind: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """The job's parameters as users may see them: without those its kind keeps to the worker."""
    hidden = _KINDS[kind].private_parameters if kind in _KINDS else frozenset()
    return {key: value for key, value in parameters.items() if key not in hidden}


def describe(kind: str, parameters: dict[str, Any]) -> list[tuple[str, str]]:
    """What a job of ``kind`` was asked to do, as (label, words) pairs in the active language.

    ``parameters`` are the public ones (:func:`public_parameters`). A kind that declares no
    ``describe`` function, or whose function cannot read the parameters, shows them by name.
    """
    known = _KINDS.get(kind)
    if known is not None and known.describe is not None:
        # A describe function that cannot read these parameters (a job of an older version): by name.
        with contextlib.suppress(KeyError, TypeError, ValueError):
            described: list[tuple[str, str]] = _load(known.describe)(parameters)
            return described
    return [(str(name), str(value)) for name, value in sorted(parameters.items())]


def kind_choices() -> list[tuple[str, str]]:
    return [(k.name, str(k.label)) for k in _KINDS.values()]


def kind_label(name: str) -> str:
    kind = _KINDS.get(name)
    return str(kind.label) if kind else name
