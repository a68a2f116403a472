"""``cyberplan report strategy`` and ``cyberplan report monitoring``: the subcommands' arguments and what they do."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import CommandError

from cyberplan.reports.command import PERIOD_HELP, add_file_arguments, organisation_by_slug, output_path, write
from cyberplan.reports.registry import ReportKind

from ..models import Strategy
from .content import MONITORING, STRATEGY, ReportError
from .service import produce, read_period


def add_strategy_arguments(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument(
        "--version",
        dest="strategy_version",
        metavar="V",
        help="The version number (default: the latest published version, else the working copy as a draft).",
    )
    parser.add_argument("--period", help=argparse.SUPPRESS)


def add_monitoring_arguments(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument("--period", required=True, help=PERIOD_HELP)
    parser.add_argument("--version", dest="strategy_version", metavar="V", help=argparse.SUPPRESS)
    parser.add_argument(
        "--currency",
        default="",
        help="Show the budget amounts in this currency (ISO 4217, e.g. USD) at the rates stated for the strategy "
        "(default: the plan currency).",
    )


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("strategy", nargs="?", default=None, help="The strategy's number, or 'latest' (the default).")
    parser.add_argument("--strategy", dest="strategy_option", metavar="ID", help="The same as the positional argument.")
    add_file_arguments(parser)
    parser.add_argument(
        "--organisation", help="Short name (slug) of the organisation that owns the strategy (for 'latest')."
    )


def _number(text: str, what: str) -> int:
    if not (text.isdigit() and len(text) <= 9):
        raise CommandError(f"Give {what}, not {text!r}.")
    return int(text)


def find_strategy(which: str, slug: str | None) -> Strategy:
    strategies = Strategy.objects.select_related("organisation")
    if slug:
        organisation_by_slug(slug)
        strategies = strategies.filter(organisation__slug=slug)
    if which == "latest":
        found = strategies.order_by("-start_year", "-created_at", "-id").first()
        if found is None:
            raise CommandError("There is no strategy yet." if not slug else f"{slug} has no strategy yet.")
        return found
    number = _number(which, "a strategy number or 'latest'")
    try:
        return strategies.get(pk=number)
    except Strategy.DoesNotExist:
        raise CommandError(f"There is no strategy number {number}" + (f" of {slug}." if slug else ".")) from None


def run(options: dict[str, Any]) -> str:
    """Write the document; return the line the command prints."""
    kind = options["report"]
    positional, option = options.get("strategy"), options.get("strategy_option")
    if positional and option and positional != option:
        raise CommandError(f"Name the strategy once: {positional!r} or --strategy {option!r}.")
    strategy = find_strategy(str(positional or option or "latest"), options.get("organisation"))
    version_text = options.get("strategy_version")
    period_text = options.get("period")
    if kind == STRATEGY and period_text:
        raise CommandError("--period is for the monitoring report; the strategy document takes --version.")
    if kind == MONITORING and version_text:
        raise CommandError("--version is for the strategy document; the monitoring report takes --period.")
    version = _number(str(version_text), "a version number") if version_text else None
    try:
        period = read_period(period_text) if kind == MONITORING else None
    except ReportError as error:
        raise CommandError(str(error)) from None
    output = output_path(options)
    try:
        produced = produce(
            strategy,
            kind,
            options["lang"],
            options["format"],
            version=version,
            period=period,
            currency=str(options.get("currency") or ""),
        )
    except ReportError as error:
        raise CommandError(str(error)) from None
    write(output, produced)
    document = produced.document
    what = (
        f"the strategy document of strategy {strategy.pk} ({document.status})"
        if kind == STRATEGY
        else f"the monitoring report of strategy {strategy.pk} for {period.label if period else ''}"
    )
    notices = "".join(f", {notice}" for notice in document.notices)
    return f"Wrote {what} ({options['format']}, {options['lang']}, {document.marking}{notices}) to {output}."


KINDS = (
    ReportKind(
        STRATEGY,
        "The strategy document: a version, or the latest published one, else the working copy.",
        add_strategy_arguments,
        run,
    ),
    ReportKind(
        MONITORING, "The monitoring and evaluation report of a strategy for a period.", add_monitoring_arguments, run
    ),
)
