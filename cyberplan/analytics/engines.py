"""Where the metrics run: DuckDB in the process (the default) or Apache Spark (local or a cluster).

Both engines take the same Ibis expressions and give rows as plain Python values. The Spark
engine needs the optional ``spark`` extra (``pip install cyberplan[spark]``) and a Java runtime;
it connects to ``CYBERPLAN_SPARK_MASTER`` (``local[2]`` by default) or is given a session.
"""

from __future__ import annotations

import abc
import datetime as dt
import logging
import math
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ..pipeline.schema import FIELDS

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
}


def event_schema() -> pa.Schema:
    """The event store's schema as Arrow, for an empty store."""
    return pa.schema([(f.name, _ARROW_TYPES[f.sql_type]) for f in FIELDS])


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) and value.tzinfo is None else value
    return value


class Engine(abc.ABC):
    name = "engine"

    @property
    @abc.abstractmethod
    def backend(self) -> Any:
        """The Ibis backend the expressions run on."""

    def read_parquet(self, paths: Sequence[Path], empty: pa.Schema, *, exact: bool = False) -> ir.Table:
        """A table over Parquet files; over an empty table with ``empty``'s columns when there are none.

        ``exact``: the files have exactly ``empty``'s columns and types (files cyberplan wrote), so an
        engine need not read their schema.
        """
        if not paths:
            return ibis.memtable(empty.empty_table())
        return self._read(list(paths))

    @abc.abstractmethod
    def _read(self, paths: list[Path]) -> ir.Table:
        """A table over the Parquet files ``paths`` (at least one)."""

    def rows(self, expression: ir.Table) -> list[dict[str, Any]]:
        table = self.backend.to_pyarrow(expression)
        return _pylist(table)

    def cached_rows(self, key: Hashable, build: Callable[[], ir.Table]) -> list[dict[str, Any]]:
        """The rows of the expression ``build`` gives; an engine may keep its compiled query under ``key``.

        ``key`` must say everything the query depends on. By default nothing is kept.
        """
        return self.rows(build())

    def materialise(self, expression: ir.Table, name: str | None = None) -> ir.Table:
        """The expression's rows kept by the engine, so that many metrics read them without recomputing.

        ``name``: the name to keep them under, when the engine names tables per connection. The
        default keeps nothing: the expression is returned as it is.
        """
        return expression

    def stage(self, name: str, key: Hashable, build: Callable[[], ir.Table]) -> ir.Table:
        """:meth:`materialise` the expression ``build`` gives; an engine may keep the compiled query
        that fills the table under ``key`` (and then not call ``build``)."""
        return self.materialise(build(), name=name)

    def alias(self, table: ir.Table, name: str) -> ir.Table:
        """``table`` under a name of the engine's choosing, so that queries over it do not depend on
        where it comes from (DuckDB: a temporary view ``name``). By default, ``table`` itself."""
        return table

    def release(self, table: ir.Table) -> None:  # noqa: B027 (by default there is nothing to forget)
        """Forget a table :meth:`materialise` kept."""

    def sql(self, expression: ir.Table) -> str:
        return str(ibis.to_sql(expression, dialect=self.dialect))

    dialect = "duckdb"

    def close(self) -> None:
        self.backend.disconnect()


def _pylist(table: pa.Table) -> list[dict[str, Any]]:
    return [{key: _plain(value) for key, value in row.items()} for row in table.to_pylist()]


_PYTHON_TYPES: dict[str, Callable[[Any], Any]] = {
    "Int8": int,
    "Int16": int,
    "Int32": int,
    "Int64": int,
    "Float32": float,
    "Float64": float,
}

#: Compiled metric queries of every DuckDB connection in this process: key -> (SQL, result schema).
_COMPILED: dict[Hashable, tuple[str, Any]] = {}
_COMPILED_MAX = 4096


def forget_compiled() -> None:
    """Empty the compiled queries (the benchmark measures a page as a new process would)."""
    _COMPILED.clear()


class DuckDBEngine(Engine):
    """DuckDB in this process, with the memory and thread limits of the pipeline."""

    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, memory_limit: str | None = None, threads: int | None = None) -> None:
        # Spill to a folder of its own in the system's temporary folder (removed on close), not to
        # ".tmp" in whatever the working directory is.
        self._spill = tempfile.mkdtemp(prefix="cyberplan-duckdb-")
        options: dict[str, Any] = {"temp_directory": self._spill}
        if memory_limit:
            options["memory_limit"] = memory_limit
        if threads:
            options["threads"] = threads
        self._con = ibis.duckdb.connect(**options)
        self._con.raw_sql("SET TimeZone = 'UTC'")
        # No progress bar: a long query would draw one on standard output (a command's output, a worker's log).
        self._con.raw_sql("SET enable_progress_bar = false")

    @property
    def backend(self) -> Any:
        return self._con

    def close(self) -> None:
        super().close()
        shutil.rmtree(self._spill, ignore_errors=True)

    def materialise(self, expression: ir.Table, name: str | None = None) -> ir.Table:
        """A temporary table: the frames are read and derived once, then every metric reads the table.

        Temporary tables belong to the connection: a fixed ``name`` is safe, and lets the metric
        queries over it be compiled once for every connection (:meth:`cached_rows`).
        """
        name = name or f"frame_{uuid.uuid4().hex}"
        self._con.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {self._con.compile(expression)}')
        # The table's schema is the expression's: no need to ask DuckDB for it. Bound to this
        # connection so that it runs through Ibis too (engine.rows), not only as compiled SQL.
        return self._bound(name, expression.schema())

    def _bound(self, name: str, schema: Any) -> ir.Table:
        """The connection's table ``name``, whose schema is known, as an Ibis table (no DESCRIBE)."""
        from ibis.expr import operations as ops

        table: ir.Table = ops.DatabaseTable(
            name, schema=schema, source=self._con, namespace=ops.Namespace(catalog=None, database=None)
        ).to_expr()
        return table

    def stage(self, name: str, key: Hashable, build: Callable[[], ir.Table]) -> ir.Table:
        """A temporary table ``name`` filled by ``build()``'s query, compiled once per process for ``key``."""
        sql, schema = self._compiled(("stage", key), build)
        self._con.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')
        return self._bound(name, schema)

    def cached_rows(self, key: Hashable, build: Callable[[], ir.Table]) -> list[dict[str, Any]]:
        """The rows of ``build()``'s query, compiled once per process for ``key`` and run as SQL.

        Metric results are small: they are fetched as Python values (quicker than through Arrow for a
        few rows), each column converted to the type Ibis gives it (DuckDB sums integers into 128-bit
        ones, which may come back as decimals).
        """
        sql, schema = self._compiled(key, build)
        cursor = self._con.con.execute(sql)
        convert = [_PYTHON_TYPES.get(type(dtype).__name__) for dtype in schema.types]
        names = list(schema.names)
        return [
            {
                name: _plain(value if value is None or to is None else to(value))
                for name, value, to in zip(names, row, convert, strict=True)
            }
            for row in cursor.fetchall()
        ]

    def _compiled(self, key: Hashable, build: Callable[[], ir.Table]) -> tuple[str, Any]:
        compiled = _COMPILED.get(key)
        if compiled is None:
            expression = build().as_table()
            compiled = (str(self._con.compile(expression)), expression.schema())
            if len(_COMPILED) >= _COMPILED_MAX:
                _COMPILED.clear()
            _COMPILED[key] = compiled
        return compiled

    def alias(self, table: ir.Table, name: str) -> ir.Table:
        """A temporary view ``name`` over ``table`` (a name of the connection: the queries staged from
        it compile the same whatever files or derivation it stands for)."""
        from ibis.expr import operations as ops

        operation = table.op()
        if isinstance(operation, ops.DatabaseTable) and operation.source is self._con:
            source = f'SELECT * FROM "{operation.name}"'  # a table or view of this connection, as it is
        else:
            source = str(self._con.compile(table))
        self._con.con.execute(f'CREATE OR REPLACE TEMP VIEW "{name}" AS {source}')
        return self._bound(name, table.schema())

    def release(self, table: ir.Table) -> None:
        # Ibis 12's drop_table writes SQL DuckDB 2.0 does not parse; the name is ours (frame_<hex>).
        self._con.raw_sql(f'DROP TABLE IF EXISTS "{table.get_name().split(".")[-1]}"')

    def read_parquet(self, paths: Sequence[Path], empty: pa.Schema, *, exact: bool = False) -> ir.Table:
        if paths:
            return self._read(list(paths), ibis.Schema.from_pyarrow(empty) if exact else None)
        # A named view in the connection (not an Ibis memtable), so SQL compiled from it also
        # runs through raw statements such as the trend tables' COPY.
        name = f"empty_{uuid.uuid4().hex}"
        self._con.con.register(name, empty.empty_table())
        return self._con.table(name)

    def _read(self, paths: list[Path], schema: Any = None) -> ir.Table:
        name = f"parquet_{uuid.uuid4().hex}"
        self._con.raw_sql(
            f"CREATE TEMP VIEW {name} AS SELECT * FROM read_parquet("
            + "["
            + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
            + "], union_by_name = true)"
        )
        return self._con.table(name) if schema is None else self._bound(name, schema)


class SparkEngine(Engine):
    """Apache Spark through PySpark: local mode for tests and small regions, a cluster for large ones."""

    name = "spark"
    dialect = "pyspark"

    def __init__(self, session: Any | None = None, master: str | None = None) -> None:
        if session is None:
            session = spark_session(master)
        self.session = session
        self._con = ibis.pyspark.connect(session)

    @property
    def backend(self) -> Any:
        return self._con

    def _read(self, paths: list[Path]) -> ir.Table:
        name = f"parquet_{uuid.uuid4().hex}"
        frame = self.session.read.option("mergeSchema", "true").parquet(*[str(p) for p in paths])
        frame = frame.drop("month") if "month" in frame.columns else frame
        frame.createOrReplaceTempView(name)
        return self._con.table(name)

    def materialise(self, expression: ir.Table, name: str | None = None) -> ir.Table:
        """A cached temporary view: Spark derives the frames once, and every metric reads the cache.

        Temporary views belong to the session, which several runs may share: ``name`` is not used.
        """
        name = f"frame_{uuid.uuid4().hex}"
        self._con.create_view(name, expression, overwrite=True)
        self.session.catalog.cacheTable(name)
        return self._con.table(name)

    def release(self, table: ir.Table) -> None:
        name = table.get_name().split(".")[-1]
        self.session.catalog.uncacheTable(name)
        self.session.catalog.dropTempView(name)

    def close(self) -> None:
        """Spark sessions are shared in a process; stopping is the caller's decision."""


def spark_session(master: str | None = None) -> Any:
    """A Spark session in UTC; ``master`` or ``CYBERPLAN_SPARK_MASTER`` or ``local[2]``."""
    from pyspark.sql import SparkSession

    # py4j logs every connection it closes at INFO, even from its exit handler once logging's
    # streams are closed; its warnings are enough.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    master = master or os.environ.get("CYBERPLAN_SPARK_MASTER") or "local[2]"
    builder = (
        SparkSession.builder.master(master)
        .appName("cyberplan-trends")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
    )
    if master.startswith("local"):
        builder = builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    return builder.getOrCreate()


def engine(name: str = "duckdb", **options: Any) -> Engine:
    if name == "duckdb":
        return DuckDBEngine(**options)
    if name == "spark":
        return SparkEngine(**options)
    raise ValueError(f"unknown engine {name!r}: use duckdb or spark")
