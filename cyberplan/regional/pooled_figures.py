"""The pooled-events figures of the regional dashboard and report: the regional metric set over the pooled
TLP:CLEAR and TLP:GREEN events, kept per pool version.

Where members share raw events (:mod:`.pooled`), the dashboard and the report show, beside the figures summed
from the members' statistics packages and never added to them, the regional metric set
(:mod:`.pooled_metrics`) computed on the pooled events: events and distinct sources by month and class, by
country, and the change against the previous period with the national report's test.

Computing it reads the whole pool, so it is never done while a page waits: the worker does it (a job the
dashboard queues, or the report's own job) on the engine ``CYBERPLAN_REGIONAL_POOL_ENGINE`` names (DuckDB by
default, Spark for a pool larger than one machine), and keeps the figures in a small JSON file per period,
stamped with the **pool version** (a digest of the names and sizes of the pool files of the members that share
events today; a file's name is its export's hash). The page reads that file: when the pool changed since, the
figures are shown as computed, saying so, until they are computed again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cyberplan.analytics.engines import engine as make_engine
from cyberplan.analytics.periods import Period
from cyberplan.core.access import tlp_visible
from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, User

from . import pooled_metrics
from .pooled import pool_store, sharing_members
from .pooled_store import pool_labels

#: The figures kept of the metric set (every one of it).
FORMAT = 1


@dataclass
class PoolState:
    """What the pool holds today for the figures: the members sharing events that have pooled some, their files
    and the version those files make."""

    members: list[str]
    files: list[Path]
    version: str


@dataclass
class PooledFigures:
    """The regional metric set of one period over the pooled events, as computed and kept."""

    period: str
    previous: str
    year_earlier: str
    #: the member states whose pooled events the figures include
    members: list[str]
    #: events each of them has in the pool (every period)
    pooled: dict[str, int]
    #: the TLP labels of the pooled events read (a subset of clear, green)
    labels: list[str]
    engine: str
    version: str
    computed_at: str
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: set when read: the pool changed since the figures were computed
    stale: bool = False

    @property
    def tlp(self) -> str:
        """The label of the figures: GREEN when any pooled event read is GREEN, else CLEAR."""
        return TLP.GREEN if TLP.GREEN in self.labels else TLP.CLEAR

    def events_in_period(self) -> int:
        return sum(int(row["events"]) for row in self.rows.get("events_by_country", []))

    def by_class(self) -> list[dict[str, Any]]:
        """Events per month and class over the pooled members (events add up; distinct sources do not, so they
        stay per member in ``sources_by_month``)."""
        sums: dict[tuple[str, str], int] = {}
        for row in self.rows.get("events_by_month", []):
            key = (str(row["month"])[:7], str(row["taxonomy"]))
            sums[key] = sums.get(key, 0) + int(row["events"])
        return [{"month": m, "taxonomy": t, "events": n} for (m, t), n in sorted(sums.items())]

    def monthly(self) -> list[dict[str, Any]]:
        """Events and distinct sources per member, month and class (the metric set's two monthly tables)."""
        sources = {
            (str(r["month"])[:7], str(r["taxonomy"]), str(r["country"])): int(r["sources"])
            for r in self.rows.get("sources_by_month", [])
        }
        return [
            {
                "country": str(r["country"]),
                "month": str(r["month"])[:7],
                "taxonomy": str(r["taxonomy"]),
                "events": int(r["events"]),
                "sources": sources.get((str(r["month"])[:7], str(r["taxonomy"]), str(r["country"])), 0),
            }
            for r in self.rows.get("events_by_month", [])
        ]

    def by_country(self) -> list[dict[str, Any]]:
        """Events, distinct sources and sources per 1,000 announced addresses per member."""
        exposure = {str(r["country"]): r for r in self.rows.get("exposure", [])}
        return [
            {
                "country": str(r["country"]),
                "events": int(r["events"]),
                "sources": int(exposure.get(str(r["country"]), {}).get("sources", 0)),
                "announced_ipv4": exposure.get(str(r["country"]), {}).get("announced_ipv4"),
                "per_1000": exposure.get(str(r["country"]), {}).get("per_1000"),
            }
            for r in sorted(self.rows.get("events_by_country", []), key=lambda r: str(r["country"]))
        ]

    def changes(self) -> list[dict[str, Any]]:
        """The series compared with the previous period, tested (by type, then by member)."""
        return list(self.rows.get("change_previous", []))

    def flagged(self) -> list[dict[str, Any]]:
        return [r for r in self.changes() if r.get("flag")]


def _figures_dir(programme: Organisation) -> Path:
    return pool_store(programme).root.parent / "pool-figures"


def _figures_path(programme: Organisation, period: Period) -> Path:
    return _figures_dir(programme) / f"{period.label}.json"


def pool_state(programme: Organisation) -> PoolState:
    """The pool as the figures read it today: the sharing members' files and their version."""
    countries = [m.country for m in sharing_members(programme)]
    files = pool_store(programme).files(countries) if countries else []
    members = sorted({path.parent.name.split("=", 1)[1] for path in files})
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.parent.name}/{path.name}:{path.stat().st_size}\n".encode())
    return PoolState(members=members, files=files, version=digest.hexdigest()[:32])


def engine_name() -> str:
    return str(settings.CYBERPLAN_REGIONAL_POOL_ENGINE)


def compute(programme: Organisation, period: Period, engine: str | None = None) -> PooledFigures:
    """Run the regional metric set of ``period`` over the pool (on ``engine``, by default the configured one)
    and keep the figures for the pages. ``ValidationError`` when no member has pooled events."""
    from .figures import announced_ipv4

    state = pool_state(programme)
    if not state.files:
        raise ValidationError({"pool": _("No member that shares raw events has pooled any yet.")})
    name = engine or engine_name()
    runner = make_engine(name, **({"threads": 2} if name == "duckdb" else {}))
    try:
        scope = pooled_metrics.regional_scope(period, state.members)
        addresses = {country: announced_ipv4(country) for country in state.members}
        result = pooled_metrics.run(runner, pooled_metrics.pool_table(runner, state.files), scope, addresses)
    finally:
        runner.close()
    counts = pool_store(programme).counts()
    figures = PooledFigures(
        period=period.label,
        previous=period.previous().label,
        year_earlier=period.year_earlier().label,
        members=state.members,
        pooled={country: int(counts.get(country, 0)) for country in state.members},
        labels=pool_labels(state.files),
        engine=result.engine,
        version=state.version,
        computed_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        rows=json.loads(json.dumps(result.rows, default=str)),
    )
    _keep(programme, period, figures)
    return figures


def _keep(programme: Organisation, period: Period, figures: PooledFigures) -> None:
    path = _figures_path(programme, period)
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = {key: value for key, value in asdict(figures).items() if key != "stale"}
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps({"format": FORMAT, **kept}, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)


def kept(programme: Organisation, period: Period) -> PooledFigures | None:
    """The figures last computed for ``period`` (``stale`` when the pool changed since), or None."""
    path = _figures_path(programme, period)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.pop("format", None) != FORMAT:
        return None
    try:
        figures = PooledFigures(**data)
    except TypeError:
        return None
    state = pool_state(programme)
    figures.stale = figures.version != state.version
    return figures


def current(programme: Organisation, period: Period) -> PooledFigures | None:
    """The figures of ``period`` for the pool as it is now: kept ones when still current, else computed (for
    the worker and the command line only: it reads the whole pool). None when nothing is pooled."""
    found = kept(programme, period)
    if found is not None and not found.stale:
        return found
    if not pool_state(programme).files:
        return None
    return compute(programme, period)


def readable(figures: PooledFigures | None, reader: User | None, programme: Organisation) -> PooledFigures | None:
    """``figures`` when ``reader`` may read their label in the programme (everyone from the command line)."""
    if figures is None or reader is None:
        return figures
    return figures if tlp_visible(reader, programme.pk, figures.tlp) else None
