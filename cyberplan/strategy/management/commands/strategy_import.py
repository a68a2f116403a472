"""``cyberplan strategy_import PATH``: load a strategy structure (axes to KPIs) from a CSV or YAML file.

Into an existing strategy::

    cyberplan strategy_import plan.csv --strategy 3 [--rejects rejected.csv] [--check]

or creating the strategy::

    cyberplan strategy_import plan.yaml --create --organisation mitic --country PY \\
        --title "National Cybersecurity Strategy" --years 2025-2028

The whole file is checked first; if anything is wrong nothing is written, every problem is
printed, and with ``--rejects`` written to a CSV of the rejected rows with their reasons.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cyberplan.core.models import Organisation, User
from cyberplan.strategy.importing.importer import import_structure
from cyberplan.strategy.importing.rows import ImportResult, max_bytes, write_rejects
from cyberplan.strategy.models import Strategy

_YEARS = re.compile(r"^(\d{4})\s*[-/]\s*(\d{4})$")


class Command(BaseCommand):
    help = "Load a strategy structure (principles, axes, objectives, action lines, actions, KPIs) from CSV or YAML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The structure file (.csv, .yaml or .yml).")
        parser.add_argument("--strategy", type=int, help="Number (id) of the strategy to import into.")
        parser.add_argument("--create", action="store_true", help="Create a new strategy from the file.")
        parser.add_argument("--organisation", default="", help="With --create: short name of the owner organisation.")
        parser.add_argument("--country", default="", help="With --create: ISO country code, e.g. PY.")
        parser.add_argument("--title", default="", help="With --create: the title (English).")
        parser.add_argument("--title-es", default="", help="With --create: the title in Spanish.")
        parser.add_argument("--years", default="", help="With --create: first and last year, e.g. 2025-2028.")
        parser.add_argument("--user", default="", help="User name the writes are recorded under in the audit log.")
        parser.add_argument("--rejects", type=Path, help="Write the problems, with the rejected rows, to this CSV.")
        parser.add_argument("--check", action="store_true", help="Only check the file; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        if path.stat().st_size > max_bytes():
            raise CommandError(f"{path.name} is larger than the limit of {max_bytes() // (1024 * 1024)} MB.")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"There is no user named {options['user']!r}.")
        data = path.read_bytes()
        if options["create"] == (options["strategy"] is not None):
            raise CommandError(
                "Give either --strategy ID or --create (with --organisation, --country, --title, --years)."
            )
        if options["strategy"] is not None:
            strategy = Strategy.objects.filter(pk=options["strategy"]).select_related("organisation").first()
            if strategy is None:
                raise CommandError(f"There is no strategy number {options['strategy']}.")
            result = import_structure(actor, data, path.name, strategy=strategy, dry_run=options["check"])
        else:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"There is no organisation with the short name {options['organisation']!r}.")
            create: dict[str, Any] = {
                "country": options["country"].upper(),
                "title_en": options["title"],
                "title_es": options["title_es"],
            }
            if options["years"]:
                match = _YEARS.match(options["years"])
                if match is None:
                    raise CommandError("Give the years as FIRST-LAST, e.g. 2025-2028.")
                create["start_year"], create["end_year"] = int(match.group(1)), int(match.group(2))
            result = import_structure(
                actor, data, path.name, organisation=organisation, create=create, dry_run=options["check"]
            )
        self._report(result, options["rejects"], options["check"])

    def _report(self, result: ImportResult, rejects: Path | None, check: bool) -> None:
        for note in result.notes:
            self.stdout.write(f"note: {note}")
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            if rejects is not None:
                with rejects.open("w", encoding="utf-8", newline="") as out:
                    count = write_rejects(result.problems, out)
                self.stderr.write(f"{count} rejected rows with their reasons written to {rejects}.")
            raise CommandError(f"{len(result.problems)} problems in {result.file}; nothing was written.")
        if check:
            self.stdout.write(
                self.style.SUCCESS(f"{result.file}: {result.rows} rows, no problem found (nothing written).")
            )
            return
        assert result.strategy is not None  # noqa: S101 -- set when the import was written
        self.stdout.write(
            self.style.SUCCESS(f"Imported {result.file} into strategy {result.strategy.pk} ({result.strategy}): ")
            + result.summary()
        )
