"""One call for the Django layer and the command line: the metric set over one organisation's store, or
over several stores read together (each at its own readable labels)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..pipeline.store import EventStore
from .engines import DuckDBEngine, Engine, event_schema
from .frames import Frames, combined_frames, raw_frames
from .metrics import ResultSet, Scope, run
from .trend_tables import TrendTables


def store_frames(store: EventStore, engine: Engine) -> Frames:
    """The frames over every committed raw event of ``store``."""
    return raw_frames(engine.read_parquet(store.files(), event_schema()))


def _fresh_trend_frames(store: EventStore, engine: Engine) -> Frames:
    tables = TrendTables(store)
    if tables.pending_imports():
        tables.refresh(engine if isinstance(engine, DuckDBEngine) else None)
    return tables.frames(engine)


def compute(
    store: EventStore,
    scope: Scope,
    engine: Engine | None = None,
    *,
    trend_tables: bool = True,
    only: Iterable[str] | None = None,
    with_sql: bool = False,
) -> ResultSet:
    """Run the metrics on the pre-aggregated trend tables (refreshed first when an import is pending),
    or with ``trend_tables=False`` on the raw events (the reference path: the same rows, slower)."""
    own = engine is None
    engine = engine or DuckDBEngine(threads=2)
    try:
        frames = _fresh_trend_frames(store, engine) if trend_tables else store_frames(store, engine)
        return run(engine, frames, scope, only=only, with_sql=with_sql)
    finally:
        if own:
            engine.close()


def stores_frames(
    stores: Sequence[tuple[EventStore, Iterable[str]]], engine: Engine, *, trend_tables: bool = True
) -> Frames:
    """The frames of several stores together, each store at its own readable TLP labels
    (:func:`.frames.combined_frames`): its trend tables (refreshed first when an import is pending), or
    with ``trend_tables=False`` its raw events."""
    parts = [
        (_fresh_trend_frames(store, engine) if trend_tables else store_frames(store, engine), tuple(sorted(labels)))
        for store, labels in stores
    ]
    return combined_frames(parts)


def compute_together(
    stores: Sequence[tuple[EventStore, Iterable[str]]],
    scope: Scope,
    engine: Engine | None = None,
    *,
    trend_tables: bool = True,
    only: Iterable[str] | None = None,
) -> ResultSet:
    """The metric set over several stores read together, each restricted to its own labels before the
    union. Events add up across stores; distinct sources are counted over the union of the addresses
    (never summed per store), so an address reported by two stores counts once."""
    own = engine is None
    engine = engine or DuckDBEngine(threads=2)
    try:
        return run(engine, stores_frames(stores, engine, trend_tables=trend_tables), scope, only=only)
    finally:
        if own:
            engine.close()
