"""``cyberplan report trends``: the subcommand's arguments and what it does."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import CommandError

from cyberplan.analytics.periods import PeriodError, parse_period
from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation
from cyberplan.reports.command import PERIOD_HELP, add_file_arguments, organisation_by_slug, output_path, write
from cyberplan.reports.registry import ReportKind

from .service import produce


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", required=True, help=PERIOD_HELP)
    add_file_arguments(parser)
    parser.add_argument(
        "--organisation",
        help="Short name (slug) of the organisation whose events are counted; optional when there is only one.",
    )
    parser.add_argument(
        "--tlp",
        choices=TLP.values,
        default=TLP.AMBER,
        help="The report's TLP marking: only events at this label or a less restricted one are counted.",
    )


def find_organisation(slug: str | None) -> Organisation:
    """The organisation named, or the only one there is; ``CommandError`` listing them otherwise."""
    if slug:
        return organisation_by_slug(slug)
    slugs = list(Organisation.objects.order_by("slug").values_list("slug", flat=True)[:21])
    if len(slugs) == 1:
        return Organisation.objects.get(slug=slugs[0])
    if not slugs:
        raise CommandError("There is no organisation yet.")
    listed = ", ".join(slugs[:20]) + (", ..." if len(slugs) > 20 else "")
    raise CommandError(f"Say which organisation with --organisation: {listed}.")


def run(options: dict[str, Any]) -> str:
    """Write the report; return the line the command prints."""
    try:
        period = parse_period(options["period"])
    except PeriodError as error:
        raise CommandError(str(error)) from None
    organisation = find_organisation(options.get("organisation"))
    output = output_path(options)
    produced = produce(organisation, period, language=options["lang"], fmt=options["format"], audience=options["tlp"])
    write(output, produced)
    return (
        f"Wrote the trends report of {organisation.slug} for {period.label} "
        f"({options['format']}, {options['lang']}, TLP:{options['tlp'].upper()}, "
        f"{produced.details['events']:,} events) to {output}."
    )


KIND = ReportKind("trends", "The threat trends report of a period.", add_arguments, run)
