"""``cyberplan report training``: the subcommand's arguments and what it does."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import CommandError

from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation
from cyberplan.reports.command import add_file_arguments, organisation_by_slug, output_path, write
from cyberplan.reports.registry import ReportKind

from .service import produce

YEARS = range(1990, 2101)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", required=True, help="The year the report is made for (2026).")
    add_file_arguments(parser)
    parser.add_argument(
        "--organisation",
        help="Short name (slug) of the organisation whose programmes are counted; optional when only one has any.",
    )
    parser.add_argument(
        "--tlp",
        choices=TLP.values,
        default=TLP.GREEN,
        help="The report's TLP marking: only programmes at this label or a less restricted one are counted.",
    )


def parse_year(text: str) -> int:
    if not (text.isdigit() and int(text) in YEARS):
        raise CommandError(f"Give the period as a year between 1990 and 2100, not {text!r}.")
    return int(text)


def find_organisation(slug: str | None) -> Organisation:
    """The organisation named, or the only one with programmes; ``CommandError`` listing them otherwise."""
    if slug:
        return organisation_by_slug(slug)
    owners = list(Organisation.objects.filter(training_programmes__isnull=False).distinct().order_by("slug")[:21])
    if len(owners) == 1:
        return owners[0]
    if not owners:
        raise CommandError("No organisation has a training programme yet.")
    listed = ", ".join(o.slug for o in owners[:20]) + (", ..." if len(owners) > 20 else "")
    raise CommandError(f"Say which organisation with --organisation: {listed}.")


def run(options: dict[str, Any]) -> str:
    """Write the report; return the line the command prints."""
    year = parse_year(str(options["period"]))
    organisation = find_organisation(options.get("organisation"))
    output = output_path(options)
    produced = produce(organisation, year, tlp=options["tlp"], language=options["lang"], fmt=options["format"])
    write(output, produced)
    return (
        f"Wrote the capacity-building report of {organisation.slug} for {year} "
        f"({options['format']}, {options['lang']}, TLP:{options['tlp'].upper()}, "
        f"{produced.details['sessions']} sessions, {produced.details['people']} people) to {output}."
    )


KIND = ReportKind("training", "The capacity-building report of a year.", add_arguments, run)
