"""``cyberplan report strategy`` and ``cyberplan report monitoring``: the subcommands' arguments and what they do.

The ``report`` command lives in the trends app; it delegates these two subcommands here.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from cyberplan.core.models import Organisation

from ..models import Strategy
from .content import MONITORING, STRATEGY, ReportError
from .render import FORMATS
from .service import languages, produce, read_period

SUBCOMMANDS = (STRATEGY, MONITORING)
PERIOD_HELP = "A year (2026), a quarter (2026-Q3), a month (2026-11) or a range of days (2026-01-01..2026-03-31)."


def add_parsers(sub: Any) -> None:
    """Add the ``strategy`` and ``monitoring`` subcommands to the ``report`` command's subparsers."""
    strategy: argparse.ArgumentParser = sub.add_parser(
        STRATEGY, help="The strategy document: a version, or the latest published one, else the working copy."
    )
    _common(strategy)
    strategy.add_argument(
        "--version",
        dest="strategy_version",
        metavar="V",
        help="The version number (default: the latest published version, else the working copy as a draft).",
    )
    strategy.add_argument("--period", help=argparse.SUPPRESS)
    monitoring: argparse.ArgumentParser = sub.add_parser(
        MONITORING, help="The monitoring and evaluation report of a strategy for a period."
    )
    _common(monitoring)
    monitoring.add_argument("--period", required=True, help=PERIOD_HELP)
    monitoring.add_argument("--version", dest="strategy_version", metavar="V", help=argparse.SUPPRESS)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("strategy", nargs="?", default=None, help="The strategy's number, or 'latest' (the default).")
    parser.add_argument("--strategy", dest="strategy_option", metavar="ID", help="The same as the positional argument.")
    parser.add_argument("--lang", choices=languages(), default=settings.LANGUAGE_CODE, help="Language.")
    parser.add_argument("--format", choices=FORMATS, default="pdf")
    parser.add_argument("--output", required=True, type=Path, help="The file to write.")
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
        if not Organisation.objects.filter(slug=slug).exists():
            raise CommandError(f"There is no organisation with the short name {slug!r}.")
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
    output = Path(options["output"])
    if not output.parent.exists():
        raise CommandError(f"The folder {output.parent} does not exist.")
    try:
        produced = produce(strategy, kind, options["lang"], options["format"], version=version, period=period)
    except ReportError as error:
        raise CommandError(str(error)) from None
    output.write_bytes(produced.content)
    document = produced.document
    what = (
        f"the strategy document of strategy {strategy.pk} ({document.status})"
        if kind == STRATEGY
        else f"the monitoring report of strategy {strategy.pk} for {period.label if period else ''}"
    )
    notices = "".join(f", {notice}" for notice in document.notices)
    return f"Wrote {what} ({options['format']}, {options['lang']}, {document.marking}{notices}) to {output}."
