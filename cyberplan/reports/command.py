"""The arguments every report kind of the ``report`` command shares, and the checks they need."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db.models import QuerySet

from cyberplan.core.models import Organisation

from .service import FORMATS, Produced, languages

PERIOD_HELP = "A year (2026), a quarter (2026-Q3), a month (2026-11) or a range of days (2026-01-01..2026-03-31)."


def add_file_arguments(parser: argparse.ArgumentParser) -> None:
    """``--lang``, ``--format`` and ``--output``: the language, the format and the file to write."""
    parser.add_argument("--lang", choices=languages(), default=settings.LANGUAGE_CODE, help="Language.")
    parser.add_argument("--format", choices=FORMATS, default="pdf")
    parser.add_argument("--output", required=True, type=Path, help="The file to write.")


def output_path(options: dict[str, Any]) -> Path:
    """The file to write; ``CommandError`` when its folder does not exist (checked before any work)."""
    output = Path(options["output"])
    if not output.parent.exists():
        raise CommandError(f"The folder {output.parent} does not exist.")
    return output


def write(output: Path, produced: Produced) -> None:
    output.write_bytes(produced.content)


def organisation_by_slug(slug: str) -> Organisation:
    """The organisation with the short name ``slug``; ``CommandError`` naming it when there is none."""
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        raise CommandError(f"There is no organisation with the short name {slug!r}.") from None


def pick_record(
    records: QuerySet[Any],
    which: str,
    slug: str | None,
    *,
    kind: str,
    latest: QuerySet[Any] | None = None,
    latest_kind: str | None = None,
) -> Any:
    """The record a report is made of: ``which`` is its number or ``latest`` (the newest, by date then id,
    of ``latest`` if given, else of ``records``), among the organisation ``slug``'s when one is named.

    ``kind`` names the record in the refusals ("assessment"), ``latest_kind`` the ones ``latest`` is
    chosen from ("approved alignment review").
    """
    if slug:
        organisation_by_slug(slug)
        records = records.filter(organisation__slug=slug)
        latest = latest.filter(organisation__slug=slug) if latest is not None else None
    if which == "latest":
        found = (latest if latest is not None else records).order_by("-date", "-id").first()
        if found is None:
            noun = latest_kind or kind
            raise CommandError(f"There is no {noun} yet." if not slug else f"{slug} has no {noun} yet.")
        return found
    if not (which.isdigit() and len(which) <= 18):
        raise CommandError(f"Give the {kind}'s number or 'latest', not {which!r}.")
    found = records.filter(pk=int(which)).first()
    if found is None:
        raise CommandError(f"There is no {kind} number {which}" + (f" of {slug}." if slug else "."))
    return found
