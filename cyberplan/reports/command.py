"""The arguments every report kind of the ``report`` command shares, and the checks they need."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

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
