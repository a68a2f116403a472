"""``cyberplan strategy``: operator commands of the strategy builder.

``cyberplan strategy measure [--strategy ID] [--as-of YYYY-MM-DD]`` computes every automatic KPI
(threat trend figure, assessment stage, gaps closed, actions completed) as of a date and records
the values, as the "Compute now" button does. A KPI that cannot be computed (no assessment yet,
no gap linked, a wrong figure) is reported on its row and the others go on.

Each subcommand is a ``_<name>`` method and a ``_add_<name>`` parser method, so another one
(e.g. ``import``) is added beside ``measure`` without touching it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cyberplan.strategy import actions
from cyberplan.strategy.choices import KPISource
from cyberplan.strategy.models import KPI, Strategy


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date; write it as YYYY-MM-DD.") from None


def _number(value: Any) -> str:
    if value == value.to_integral_value():
        return str(value.quantize(1))
    return format(value.normalize(), "f")


class Command(BaseCommand):
    help = "The national strategy: compute the automatic KPIs (measure)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="subcommand")
        self._add_measure(sub.add_parser("measure", help="Compute every automatic KPI as of a date and record it."))

    def handle(self, *args: Any, **options: Any) -> None:
        handlers: dict[str, Callable[..., None]] = {"measure": self._measure}
        handlers[options["subcommand"]](**options)

    # ----------------------------------------------------------------------- measure

    def _add_measure(self, parser: CommandParser) -> None:
        parser.add_argument("--strategy", type=int, help="Id of the strategy (default: every strategy).")
        parser.add_argument("--as-of", dest="as_of", help="Date of the measurement, YYYY-MM-DD (default: today).")

    def _measure(self, **options: Any) -> None:
        as_of = _date(options["as_of"]) if options.get("as_of") else timezone.localdate()
        strategies = Strategy.objects.select_related("organisation").order_by("pk")
        if options.get("strategy") is not None:
            strategies = strategies.filter(pk=options["strategy"])
            if not strategies.exists():
                raise CommandError(f"There is no strategy {options['strategy']}.")
        rows: list[tuple[str, ...]] = []
        computed = failed = unexpected = 0
        for strategy in strategies:
            automatic = (
                KPI.objects.of_strategies(strategy)
                .exclude(source=KPISource.MANUAL)
                .with_holder()
                .order_by("action__order", "action__code", "element__code", "pk")
            )
            for kpi in automatic:
                row = (str(strategy.pk), kpi.holder.code, kpi.name, kpi.source)
                try:
                    measurement = actions.do_compute_kpi(None, kpi, as_of)
                except ValidationError as exc:
                    failed += 1
                    rows.append((*row, "", "error: " + " ".join(exc.messages)))
                except Exception as exc:
                    failed += 1
                    unexpected += 1
                    rows.append((*row, "", f"failed: {type(exc).__name__}: {exc}"))
                else:
                    computed += 1
                    rows.append((*row, _number(measurement.value), "ok"))
        self._table(("strategy", "action", "KPI", "source", "value", "result"), rows)
        self.stdout.write(f"As of {as_of.isoformat()}: {computed} computed, {failed} could not be computed.")
        if unexpected:
            # Data problems (no assessment yet, no gap linked) are expected; a crash is not.
            raise CommandError(f"{unexpected} KPIs failed unexpectedly; see the rows marked 'failed'.")

    def _table(self, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        widths = [len(h) for h in header]
        for row in rows:
            for index, cell in enumerate(row[:-1]):
                widths[index] = min(max(widths[index], len(cell)), 48)

        def line(cells: tuple[str, ...]) -> str:
            padded = [
                (cell if len(cell) <= widths[i] else cell[: widths[i] - 1] + "…").ljust(widths[i])
                for i, cell in enumerate(cells[:-1])
            ]
            return "  ".join([*padded, cells[-1]]).rstrip()

        self.stdout.write(line(header))
        for row in rows:
            self.stdout.write(line(row))
