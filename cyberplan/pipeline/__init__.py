"""The threat evidence pipeline, free of Django: parse, normalise, enrich, deduplicate and store events.

Django (the ``threats`` app) calls it; it never imports Django. Events are Parquet files
partitioned by month, read and written with DuckDB.
"""
