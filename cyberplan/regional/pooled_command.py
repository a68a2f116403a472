"""The pooled-events subcommands of ``cyberplan regional``: export (member side), pool and metrics (regional side).

``cyberplan regional export-events --output events.parquet``
    a member writes its own TLP:CLEAR and TLP:GREEN events to an export file;
``cyberplan regional pool-events events.parquet``
    the regional programme pools a member's export, or refuses it with the reason (both recorded and audited);
``cyberplan regional metrics --period 2026 [--engine duckdb|spark] [--country PY ...] [--format text|json]``
    the regional metric set over the pooled events.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser, OutputWrapper

from cyberplan.core.models import Organisation, User

from . import pooled, pooled_metrics

ACTIONS = ("export-events", "pool-events", "metrics")


def add_parsers(sub: Any) -> None:
    """Add the subcommands to ``cyberplan regional``'s subparsers."""
    export: CommandParser = sub.add_parser(
        "export-events", help="Export this instance's TLP:CLEAR and TLP:GREEN events for the regional pool."
    )
    export.add_argument("--output", required=True, help="Where to write the export (Parquet).")
    export.add_argument("--organisation", help="The member organisation's short name (default: the only one).")
    pool: CommandParser = sub.add_parser("pool-events", help="Pool a member's event export (regional side).")
    pool.add_argument("file", help="The export file (Parquet) a member sent.")
    pool.add_argument("--programme", help="The regional programme's short name (default: the only one).")
    pool.add_argument("--by", help="User name recorded in the audit log (default: system).")
    metrics: CommandParser = sub.add_parser("metrics", help="The regional metric set over the pooled events.")
    metrics.add_argument("--period", required=True, help="A year (2026), a quarter (2026-Q2) or a month (2026-06).")
    metrics.add_argument("--engine", default="duckdb", choices=("duckdb", "spark"), help="Where the metrics run.")
    metrics.add_argument("--country", action="append", default=[], help="Only these members (repeatable).")
    metrics.add_argument("--format", default="text", choices=("text", "json"))
    metrics.add_argument("--programme", help="The regional programme's short name (default: the only one).")


def handle(
    options: dict[str, Any],
    out: OutputWrapper,
    organisation: Callable[[str | None], Organisation],
    programme: Callable[[str | None], Organisation],
    actor: Callable[[str | None], User | None],
) -> None:
    action = options["action"]
    try:
        if action == "export-events":
            member = organisation(options.get("organisation"))
            count = pooled.export_events(member, Path(options["output"]))
            out.write(f"exported {count} TLP:CLEAR and TLP:GREEN events of {member.name} to {options['output']}")
        elif action == "pool-events":
            _pool(options, out, programme(options.get("programme")), actor(options.get("by")))
        else:
            result = pooled.compute(
                programme(options.get("programme")), options["period"], options["engine"], options["country"]
            )
            _print(result, options["format"], out)
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from None


def _pool(options: dict[str, Any], out: OutputWrapper, programme: Organisation, actor: User | None) -> None:
    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(f"file: {path} does not exist.")
    batch = pooled.do_pool(actor, programme, path)
    if not batch.accepted:
        raise CommandError(f"refused ({batch.code}): {batch.reason}")
    out.write(
        f"pooled: {batch.claimed_country}, {batch.rows} events in the file, {batch.added} new in the pool, "
        f"sha256 {batch.content_hash}"
    )


def _print(result: pooled_metrics.RegionalResult, form: str, out: OutputWrapper) -> None:
    if form == "json":
        out.write(
            json.dumps(
                {"scope": result.scope.describe(), "engine": result.engine, "metrics": result.rows},
                indent=2,
                default=str,
            )
        )
        return
    countries = ", ".join(result.scope.countries) or "none"
    out.write(f"Regional metric set, {result.scope.period.label}, on {result.engine}; members: {countries}")
    for metric in pooled_metrics.METRICS:
        rows = result.rows.get(metric.id, [])
        out.write(f"\n== {metric.title} ({len(rows)} rows)")
        for row in rows:
            out.write("  " + ", ".join(f"{key}={value}" for key, value in row.items()))
