"""``cyberplan report assessment``: the subcommand's arguments and what it does."""

from __future__ import annotations

import argparse
from typing import Any

from cyberplan.reports.command import add_file_arguments, output_path, pick_record, write
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
    found: Assessment = pick_record(
        Assessment.objects.select_related("organisation", "framework"), which, slug, kind="assessment"
    )
    return found


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
