"""``cyberplan assessment``: load frameworks, export and import assessments as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cyberplan.assessment import framework as fw
from cyberplan.assessment.exchange import ExchangeError, export_assessment, import_assessment
from cyberplan.assessment.loading import FrameworkConflictError, load_framework_file
from cyberplan.assessment.models import Assessment
from cyberplan.core.models import Organisation


class Command(BaseCommand):
    help = "Capacity assessments: load a framework file, export or import an assessment as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load-framework", help="Load a framework file into the database (idempotent).")
        load.add_argument("path", nargs="?", type=Path, default=fw.DEFAULT_FRAMEWORK)
        exp = sub.add_parser("export", help="Write an assessment to a JSON file.")
        exp.add_argument("id", type=int)
        exp.add_argument("--output", required=True, type=Path)
        imp = sub.add_parser("import", help="Create an assessment from a JSON file.")
        imp.add_argument("path", type=Path)
        imp.add_argument("--organisation", required=True, help="Short name (slug) of the owner organisation.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "load-framework":
            try:
                record, created = load_framework_file(options["path"])
            except (fw.FrameworkError, FrameworkConflictError) as exc:
                raise CommandError(str(exc)) from None
            if created:
                self.stdout.write(f"Loaded framework {record.key}.")
            else:
                self.stdout.write(f"Framework {record.key} is already loaded with the same content.")
        elif action == "export":
            try:
                assessment = Assessment.objects.select_related("framework", "organisation").get(pk=options["id"])
            except Assessment.DoesNotExist:
                raise CommandError(f"There is no assessment {options['id']}.") from None
            output: Path = options["output"]
            if not output.parent.exists():
                raise CommandError(f"The folder {output.parent} does not exist.")
            output.write_text(json.dumps(export_assessment(assessment), ensure_ascii=False, indent=2), "utf-8")
            self.stdout.write(f"Wrote assessment {assessment.pk} to {output}.")
        else:
            try:
                organisation = Organisation.objects.get(slug=options["organisation"])
            except Organisation.DoesNotExist:
                raise CommandError(
                    f"There is no organisation with the short name {options['organisation']!r}."
                ) from None
            path: Path = options["path"]
            try:
                raw = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"{path}: cannot be read: {exc.strerror or exc}") from None
            try:
                assessment = import_assessment(None, organisation, raw)
            except ExchangeError as exc:
                raise CommandError(f"{path}: {exc}") from None
            self.stdout.write(f"Imported assessment {assessment.pk} ({assessment.title}) for {organisation.slug}.")
