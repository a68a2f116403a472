"""``cyberplan report legal``: the subcommand's arguments and what it does."""

from __future__ import annotations

import argparse
from typing import Any

from cyberplan.reports.command import add_file_arguments, output_path, pick_record, write
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
    found: Review = pick_record(
        reviews,
        which,
        slug,
        kind="alignment review",
        latest=reviews.filter(state=ReviewState.APPROVED),
        latest_kind="approved alignment review",
    )
    return found


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
