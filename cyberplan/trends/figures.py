"""The threat trends dashboard's figures and charts, read from the trend tables through the cache.

Pages read only the pre-aggregated trend tables (:mod:`cyberplan.analytics.trend_tables`), never
the raw events. What a page computes is kept in Django's cache under a key made of the store,
its trend-table watermark, the scope (period, filters, TLP labels) and, for the charts, the
language: a new import changes the watermark, so cached figures are never stale.

Several stores read together (:class:`StoresState`) are cached the same way, under a key made of
every store's watermark and the labels the reader reads in each: a new import in any of them, or a
grant that changes what crosses, changes the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.utils import translation
from django.utils.translation import get_language

from cyberplan.analytics.engines import Engine
from cyberplan.analytics.frames import Frames, combined_frames
from cyberplan.analytics.metrics import BY_ID, Result, ResultSet, Scope, context, run
from cyberplan.analytics.periods import Period, parse_period
from cyberplan.analytics.trend_tables import TrendTables
from cyberplan.core.models import Organisation
from cyberplan.reports.svg import page_svg
from cyberplan.threats.access import combined_readings, reader_label_sets

from . import charts
from .exposure import with_exposure
from .forms import scope_of
from .store import analytics_engine, refresh_trend_tables, trend_tables

CACHE_SECONDS = 7 * 24 * 3600


# -- reading the trend tables, through the cache --------------------------------------------------


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class StoreState:
    """One organisation's trend tables as they are now, and a version that changes with every import."""

    organisation: Organisation
    tables: TrendTables
    version: str

    @property
    def has_imports(self) -> bool:
        return bool(self.tables.store.committed_imports())

    def frames(self, engine: Engine) -> Frames:
        return self.tables.frames(engine)


@dataclass(frozen=True)
class StoresState:
    """Several stores' trend tables read together, each at the labels the reader reads in it.

    The figures over it count every store's events at that store's own labels
    (:func:`cyberplan.analytics.frames.combined_frames`); distinct sources are counted over the union.
    """

    parts: tuple[tuple[StoreState, tuple[str, ...]], ...]
    version: str

    @property
    def has_imports(self) -> bool:
        return any(state.has_imports for state, _ in self.parts)

    def frames(self, engine: Engine) -> Frames:
        return combined_frames([(state.frames(engine), labels) for state, labels in self.parts])


def stores_state(stores: Iterable[tuple[Organisation, Iterable[str]]]) -> StoresState:
    """Several stores read together, each at its labels, each brought up to date first."""
    parts = tuple((store_state(owner), tuple(sorted(labels))) for owner, labels in stores)
    version = _digest("together", [(state.version, labels) for state, labels in parts])
    return StoresState(parts, version)


def store_state(organisation: Organisation) -> StoreState:
    """The trend tables, brought up to date first if an import finished without refreshing them."""
    tables = trend_tables(organisation)
    if tables.pending_imports():
        refresh_trend_tables(organisation)
    return StoreState(organisation, tables, _digest(str(tables.root), tables.watermark()))


def latest_period(state: StoreState | StoresState, labels: Iterable[str]) -> Period | None:
    """The latest month with events the user may read, or None when there are none."""
    allowed = sorted(labels)
    key = "trends:latest:" + _digest(state.version, allowed)
    cached: dict[str, str | None] | None = cache.get(key)
    if cached is None:
        last: dt.date | None = None
        if allowed:
            engine = analytics_engine()
            try:
                events = state.frames(engine).events
                visible = events.filter(events.tlp.isin(allowed))
                rows = engine.rows(visible.aggregate(last=visible.day.max()))
            finally:
                engine.close()
            last = rows[0]["last"] if rows else None
        cached = {"last": last.isoformat() if last else None}
        cache.set(key, cached, CACHE_SECONDS)
    if cached["last"] is None:
        return None
    day = dt.date.fromisoformat(cached["last"])
    return parse_period(f"{day.year}-{day.month:02d}")


@dataclass
class Figures:
    """The metric set's rows for one scope, and the TLP labels of the events behind them."""

    scope: Scope
    rows: dict[str, list[dict[str, Any]]]
    labels_present: list[str] = field(default_factory=list)

    def results(self) -> ResultSet:
        result = ResultSet(scope=self.scope, engine="duckdb")
        for metric_id, rows in self.rows.items():
            result.results[metric_id] = Result(BY_ID[metric_id], rows)
        return result

    def one(self, metric_id: str) -> dict[str, Any]:
        rows = self.rows.get(metric_id) or []
        return rows[0] if rows else {}

    @property
    def events(self) -> int:
        return int(self.one("totals").get("events") or 0)


def figures(state: StoreState | StoresState, scope: Scope) -> Figures:
    """Every metric over the trend tables for ``scope``, computed once per watermark and scope."""
    key = "trends:rows:" + _digest(state.version, scope.describe())
    cached: dict[str, Any] | None = cache.get(key)
    if cached is None:
        engine = analytics_engine()
        try:
            frames = state.frames(engine)  # the state brought the trend tables up to date
            results = run(engine, frames, scope)
            current = context(frames, scope).current.events
            present = engine.rows(current.select("tlp").distinct())
        finally:
            engine.close()
        cached = {
            "rows": with_exposure({metric_id: result.rows for metric_id, result in results.results.items()}),
            "labels_present": sorted(str(row["tlp"]) for row in present),
        }
        cache.set(key, cached, CACHE_SECONDS)
    return Figures(scope, cached["rows"], cached["labels_present"])


#: Changes when the page's drawing of the charts changes, so older drawings are not served.
PAGE_DRAWING = "page-3"


def chart_svgs(state: StoreState | StoresState, data: Figures) -> dict[str, str | None]:
    """Each chart drawn for the dashboard, in the active language (None when it has no data)."""
    key = "trends:svg:" + _digest(state.version, data.scope.describe(), get_language(), PAGE_DRAWING)
    cached: dict[str, str | None] | None = cache.get(key)
    if cached is None:
        cached = {
            name: page_svg(spec, charts.SPANS[name]) if spec else None
            for name, spec in charts.specs(data.results()).items()
        }
        cache.set(key, cached, CACHE_SECONDS)
    return cached


def warm(organisation: Organisation) -> int:
    """Compute the default page (the latest month, no filter) for every TLP reading level in both
    languages, so the first visit after an import is answered from the cache. Returns the pages warmed.

    The reading levels are those of the store's members by role and of the readers it is granted to
    (through the release rule), so a national coordinator reading a CSIRT's store is served warm too.
    Meant to run right after the trend tables are refreshed.
    """
    state = store_state(organisation)
    warmed = 0
    for labels in sorted(reader_label_sets(organisation)):
        warmed += _warm_page(state, labels)
    # The "all stores" view of the readers whose stores read together include this one (as the dashboard
    # builds it: the stores in their order, the labels every one of them reads).
    for stores in combined_readings(organisation):
        together = stores_state((store.owner, store.labels) for store in stores)
        warmed += _warm_page(together, sorted({label for store in stores for label in store.labels}))
    return warmed


def _warm_page(state: StoreState | StoresState, labels: Iterable[str]) -> int:
    """The default page (latest month, no filter) at ``labels`` in both languages; 1 when warmed, else 0."""
    period = latest_period(state, labels)
    if period is None:
        return 0
    data = figures(state, scope_of(period, labels))
    for language in ("en", "es"):
        with translation.override(language):
            chart_svgs(state, data)
    return 1
