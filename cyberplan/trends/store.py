"""The bridge between Django records and the analytics package."""

from __future__ import annotations

import logging
import time

from django.conf import settings

from cyberplan.analytics.engines import DuckDBEngine
from cyberplan.analytics.trend_tables import RefreshSummary, TrendTables
from cyberplan.core.models import Organisation
from cyberplan.threats.store import event_store

logger = logging.getLogger(__name__)


def trend_tables(organisation: Organisation) -> TrendTables:
    return TrendTables(event_store(organisation))


def analytics_engine() -> DuckDBEngine:
    """DuckDB with the same memory limit as imports."""
    return DuckDBEngine(memory_limit=settings.CYBERPLAN_DUCKDB_MEMORY, threads=2)


def refresh_trend_tables(organisation: Organisation, *, rebuild: bool = False) -> RefreshSummary:
    started = time.perf_counter()
    engine = analytics_engine()
    try:
        tables = trend_tables(organisation)
        summary = tables.rebuild(engine) if rebuild else tables.refresh(engine)
    finally:
        engine.close()
    logger.info(
        "trend tables of %s %s: %d imports aggregated, %d parts (%.1f s)",
        organisation.slug,
        "rebuilt" if rebuild else "refreshed",
        summary.imports,
        summary.parts,
        time.perf_counter() - started,
    )
    return summary
