"""``cyberplan report regional``: the subcommand's arguments and what it does."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import CommandError

from cyberplan.core.choices import OrganisationType
from cyberplan.core.models import Organisation
from cyberplan.reports.command import add_file_arguments, output_path, write
from cyberplan.reports.registry import ReportKind

from .periods import report_period
from .service import produce


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", required=True, help="The year (2026) or quarter (2026-Q2) the report covers.")
    add_file_arguments(parser)
    parser.add_argument(
        "--programme",
        help="Short name (slug) of the regional programme; optional when the instance has only one.",
    )


def find_programme(slug: str | None) -> Organisation:
    """The regional programme named, or the only one; ``CommandError`` listing them otherwise."""
    programmes = Organisation.objects.filter(type=OrganisationType.REGIONAL_BODY).order_by("slug")
    if slug:
        found = programmes.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"There is no regional programme with the short name {slug!r}.")
        return found
    known = list(programmes[:21])
    if len(known) == 1:
        return known[0]
    if not known:
        raise CommandError("No regional programme organisation exists on this instance.")
    listed = ", ".join(p.slug for p in known[:20]) + (", ..." if len(known) > 20 else "")
    raise CommandError(f"Say which regional programme with --programme: {listed}.")


def run(options: dict[str, Any]) -> str:
    """Write the report from every package the programme accepted; return the line the command prints."""
    try:
        period = report_period(str(options["period"]))
    except ValueError as exc:
        raise CommandError(f"--period: {exc}.") from None
    programme = find_programme(options.get("programme"))
    output = output_path(options)
    produced = produce(programme, period.label, language=options["lang"], fmt=options["format"])
    write(output, produced)
    return (
        f"Wrote the regional report of {programme.slug} for {period.label} "
        f"({options['format']}, {options['lang']}, TLP:{str(produced.details['tlp']).upper()}, "
        f"{produced.details['members']} member states) to {output}."
    )


KIND = ReportKind("regional", "The regional programme's report of a period (Cybersecurity Trends).", add_arguments, run)
