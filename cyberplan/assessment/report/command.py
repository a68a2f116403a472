"""``cyberplan report assessment``: the subcommand's arguments and what it does."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import CommandError

from cyberplan.reports.command import add_file_arguments, organisation_by_slug, output_path, write
from cyberplan.reports.registry import ReportKind

from ..models import Assessment
from .service import produce


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "assessment", nargs="?", default="latest", help="The assessment's number, or 'latest' (the default)."
    )
    add_file_arguments(parser)
    parser.add_argument(
        "--organisation", help="Short name (slug) of the organisation that owns the assessment (for 'latest')."
    )


def find_assessment(which: str, slug: str | None) -> Assessment:
    assessments = Assessment.objects.select_related("organisation", "framework")
    if slug:
        organisation_by_slug(slug)
        assessments = assessments.filter(organisation__slug=slug)
    if which == "latest":
        found = assessments.order_by("-date", "-id").first()
        if found is None:
            raise CommandError("There is no assessment yet." if not slug else f"{slug} has no assessment yet.")
        return found
    if not (which.isdigit() and len(which) <= 18):
        raise CommandError(f"Give an assessment number or 'latest', not {which!r}.")
    try:
        return assessments.get(pk=int(which))
    except Assessment.DoesNotExist:
        raise CommandError(f"There is no assessment number {which}" + (f" of {slug}." if slug else ".")) from None


def run(options: dict[str, Any]) -> str:
    """Write the report; return the line the command prints."""
    assessment = find_assessment(str(options.get("assessment") or "latest"), options.get("organisation"))
    output = output_path(options)
    write(output, produce(assessment, language=options["lang"], fmt=options["format"]))
    return (
        f"Wrote the report of assessment {assessment.pk} ({assessment.country}, {assessment.date.isoformat()}) "
        f"({options['format']}, {options['lang']}, TLP:{assessment.tlp.upper()}) to {output}."
    )


KIND = ReportKind("assessment", "The report of a capacity assessment.", add_arguments, run)
