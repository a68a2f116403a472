"""``cyberplan report assessment``: the subcommand's arguments and what it does.

The ``report`` command lives in the trends app; it delegates its ``assessment`` subcommand here.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from cyberplan.core.models import Organisation

from ..models import Assessment
from .render import FORMATS
from .service import languages, produce


def add_parser(sub: Any) -> None:
    """Add the ``assessment`` subcommand to the ``report`` command's subparsers."""
    parser: argparse.ArgumentParser = sub.add_parser("assessment", help="The report of a capacity assessment.")
    parser.add_argument(
        "assessment", nargs="?", default="latest", help="The assessment's number, or 'latest' (the default)."
    )
    parser.add_argument("--lang", choices=languages(), default=settings.LANGUAGE_CODE, help="Language.")
    parser.add_argument("--format", choices=FORMATS, default="pdf")
    parser.add_argument("--output", required=True, type=Path, help="The file to write.")
    parser.add_argument(
        "--organisation", help="Short name (slug) of the organisation that owns the assessment (for 'latest')."
    )


def find_assessment(which: str, slug: str | None) -> Assessment:
    assessments = Assessment.objects.select_related("organisation", "framework")
    if slug:
        if not Organisation.objects.filter(slug=slug).exists():
            raise CommandError(f"There is no organisation with the short name {slug!r}.")
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
    output = Path(options["output"])
    if not output.parent.exists():
        raise CommandError(f"The folder {output.parent} does not exist.")
    produced = produce(assessment, language=options["lang"], fmt=options["format"])
    output.write_bytes(produced.content)
    return (
        f"Wrote the report of assessment {assessment.pk} ({assessment.country}, {assessment.date.isoformat()}) "
        f"({options['format']}, {options['lang']}, TLP:{assessment.tlp.upper()}) to {output}."
    )
