"""``cyberplan report legal``: the subcommand's arguments and what it does."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import CommandError

from cyberplan.reports.command import add_file_arguments, organisation_by_slug, output_path, write
from cyberplan.reports.registry import ReportKind

from ..choices import ReviewState
from ..models import Review
from .service import produce


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "review", nargs="?", default="latest", help="The review's number, or 'latest' (the latest approved review)."
    )
    add_file_arguments(parser)
    parser.add_argument(
        "--organisation", help="Short name (slug) of the organisation that owns the review (for 'latest')."
    )


def find_review(which: str, slug: str | None) -> Review:
    reviews = Review.objects.select_related("organisation")
    if slug:
        organisation_by_slug(slug)
        reviews = reviews.filter(organisation__slug=slug)
    if which == "latest":
        found = reviews.filter(state=ReviewState.APPROVED).order_by("-date", "-id").first()
        if found is None:
            raise CommandError(
                "There is no approved alignment review yet."
                if not slug
                else f"{slug} has no approved alignment review yet."
            )
        return found
    if not (which.isdigit() and len(which) <= 18):
        raise CommandError(f"Give a review number or 'latest', not {which!r}.")
    try:
        return reviews.get(pk=int(which))
    except Review.DoesNotExist:
        raise CommandError(f"There is no alignment review number {which}" + (f" of {slug}." if slug else ".")) from None


def run(options: dict[str, Any]) -> str:
    """Write the report; return the line the command prints."""
    review = find_review(str(options.get("review") or "latest"), options.get("organisation"))
    output = output_path(options)
    write(output, produce(review, language=options["lang"], fmt=options["format"]))
    return (
        f"Wrote the legal alignment report of review {review.pk} ({review.country}, {review.date.isoformat()}) "
        f"({options['format']}, {options['lang']}, TLP:{review.tlp.upper()}) to {output}."
    )


KIND = ReportKind("legal", "The legal alignment report of a review.", add_arguments, run)
