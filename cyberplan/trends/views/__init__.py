"""The threat trends dashboard: figures, charts and tables from the trend tables, with drill-down.

Pages read only the pre-aggregated trend tables (:mod:`cyberplan.analytics.trend_tables`), never
the raw events. What a page computes is kept in Django's cache under a key made of the store,
its trend-table watermark, the scope (period, filters, TLP labels) and, for the charts, the
language: a new import changes the watermark, so cached figures are never stale.

The pages are in :mod:`.dashboard` and :mod:`.gaps`, the tables in :mod:`.tables`; the figures
and charts they show, and the cache warm-up, are in :mod:`cyberplan.trends.figures`.
"""
