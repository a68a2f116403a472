"""Trend analytics over the event store, free of Django.

Metrics are defined once as Ibis expressions (:mod:`.metrics`) and run on DuckDB, the embedded
default, or on Apache Spark (:mod:`.engines`). Pre-aggregated trend tables are refreshed
incrementally after each import (:mod:`.aggregates`). Django (the ``trends`` app) calls this
package; it never imports Django.
"""
