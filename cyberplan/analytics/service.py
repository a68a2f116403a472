"""One call for the Django layer and the command line: the metric set over one organisation's store."""

from __future__ import annotations

from collections.abc import Iterable

from ..pipeline.store import EventStore
from .engines import DuckDBEngine, Engine, event_schema
from .frames import Frames, raw_frames
from .metrics import ResultSet, Scope, run
from .trend_tables import TrendTables


def store_frames(store: EventStore, engine: Engine) -> Frames:
    """The frames over every committed raw event of ``store``."""
    return raw_frames(engine.read_parquet(store.files(), event_schema()))


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
        if trend_tables:
            tables = TrendTables(store)
            if tables.pending_imports():
                tables.refresh(engine if isinstance(engine, DuckDBEngine) else None)
            frames = tables.frames(engine)
        else:
            frames = store_frames(store, engine)
        return run(engine, frames, scope, only=only, with_sql=with_sql)
    finally:
        if own:
            engine.close()
