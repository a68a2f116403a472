"""``cyberplan trends``: refresh the trend tables, and print the metric set of a period.

``cyberplan trends refresh [--organisation SLUG] [--rebuild]`` aggregates the imports committed
since the last refresh (or, with ``--rebuild``, all of them again) for one organisation or all.
``cyberplan trends metrics --organisation SLUG --period 2026-Q3 [--engine duckdb|spark]
[--format json|table]`` computes every metric of the trends report over the raw events (or the
trend tables with ``--trend-tables``) and prints it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cyberplan.analytics import service
from cyberplan.analytics.engines import Engine, SparkEngine
from cyberplan.analytics.metrics import ResultSet, Scope
from cyberplan.analytics.periods import PeriodError, parse_period
from cyberplan.core.models import Organisation
from cyberplan.threats.store import event_store
from cyberplan.trends.store import analytics_engine, refresh_trend_tables


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def format_table(results: ResultSet) -> str:
    """Every metric as a plain text table under its title and identifier."""
    lines: list[str] = []
    for metric_id, result in results.results.items():
        lines.append(f"== {_(result.metric.title)} ({metric_id})")
        if not result.rows:
            lines.append(_("(no rows)"))
            lines.append("")
            continue
        columns = list(result.rows[0])
        cells = [[_cell(row.get(column)) for column in columns] for row in result.rows]
        widths = [max(len(column), *(len(row[i]) for row in cells)) for i, column in enumerate(columns)]
        lines.append("  ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True)).rstrip())
        for row in cells:
            lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        lines.append("")
    return "\n".join(lines)


class Command(BaseCommand):
    # Lazy: the class is defined before any language is active; Django prints it as text.
    help = cast(str, gettext_lazy("Threat trends: refresh the trend tables, or print the metric set of a period."))

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser(
            "refresh",
            help=_("Aggregate the imports committed since the last refresh into the trend tables."),
        )
        refresh.add_argument(
            "--organisation", help=_("Short name (slug) of the organisation; every organisation if omitted.")
        )
        refresh.add_argument(
            "--rebuild",
            action="store_true",
            help=_("Aggregate every committed import again instead of only the new ones."),
        )
        metrics = sub.add_parser("metrics", help=_("Print every metric of the trends report for a period."))
        metrics.add_argument("--organisation", required=True, help=_("Short name (slug) of the organisation."))
        metrics.add_argument(
            "--period",
            required=True,
            help=_(
                "A year (2026), a quarter (2026-Q3), a month (2026-11) or a range of days (2026-01-01..2026-03-31)."
            ),
        )
        metrics.add_argument(
            "--engine",
            choices=["duckdb", "spark"],
            default="duckdb",
            help=_("Where the metrics run: DuckDB in this process, or Spark (CYBERPLAN_SPARK_MASTER)."),
        )
        metrics.add_argument("--format", choices=["json", "table"], default="table")
        metrics.add_argument(
            "--trend-tables",
            action="store_true",
            help=_("Read the pre-aggregated trend tables (refreshed first) instead of the raw events."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "refresh":
            self.refresh(options.get("organisation"), rebuild=bool(options.get("rebuild")))
        else:
            self.metrics(options)

    def organisation(self, slug: str) -> Organisation:
        try:
            return Organisation.objects.get(slug=slug)
        except Organisation.DoesNotExist:
            raise CommandError(
                _("There is no organisation with the short name %(slug)s.") % {"slug": repr(slug)}
            ) from None

    def refresh(self, slug: str | None, *, rebuild: bool) -> None:
        organisations = [self.organisation(slug)] if slug else list(Organisation.objects.order_by("slug"))
        if not organisations:
            self.stdout.write(_("There are no organisations."))
            return
        for organisation in organisations:
            summary = refresh_trend_tables(organisation, rebuild=rebuild)
            if rebuild:
                message = _("%(organisation)s: rebuilt from %(imports)d imports, %(parts)d parts.")
            elif summary.imports:
                message = _("%(organisation)s: %(imports)d new imports aggregated, %(parts)d parts.")
            else:
                message = _("%(organisation)s: up to date, %(parts)d parts.")
            values = {"organisation": organisation.slug, "imports": summary.imports, "parts": summary.parts}
            line = message % values
            if summary.compacted:
                line += " " + _("The parts were merged into one.")
            self.stdout.write(line)

    def engine(self, name: str) -> Engine:
        if name == "duckdb":
            return analytics_engine()
        try:
            return SparkEngine()
        except ImportError:
            raise CommandError(
                _("Spark is not installed: install cyberplan with the spark extra (pip install 'cyberplan[spark]').")
            ) from None
        except Exception as error:  # PySpark raises several kinds of error when Java or the cluster is missing
            raise CommandError(
                _("Spark could not start: %(error)s (it needs Java 17, and CYBERPLAN_SPARK_MASTER if not local).")
                % {"error": error}
            ) from None

    def metrics(self, options: dict[str, Any]) -> None:
        try:
            period = parse_period(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        organisation = self.organisation(options["organisation"])
        store = event_store(organisation)
        scope = Scope(period)
        engine = self.engine(options["engine"])
        try:
            results = service.compute(store, scope, engine, trend_tables=bool(options.get("trend_tables")))
        finally:
            engine.close()
            session = getattr(engine, "session", None)
            if session is not None:
                session.stop()
        if options["format"] == "json":
            document = {
                "organisation": organisation.slug,
                "scope": scope.describe(),
                "engine": results.engine,
                "metrics": {metric_id: result.rows for metric_id, result in results.results.items()},
            }
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=_json_value))
            return
        events = int(results.one("totals").get("events") or 0)
        self.stdout.write(
            _("Metrics of %(organisation)s for %(period)s (%(start)s to %(end)s), on %(engine)s: %(events)s events.")
            % {
                "organisation": organisation.slug,
                "period": period.label,
                "start": period.start.isoformat(),
                "end": period.last_day.isoformat(),
                "engine": results.engine,
                "events": f"{events:,}",
            }
        )
        self.stdout.write("")
        self.stdout.write(format_table(results))
