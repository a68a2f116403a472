"""``cyberplan training_spine``: coverage into the assessment and the gap register, from the command line.

``cyberplan training_spine evidence --assessment N --audience judges [--topic electronic-evidence] --year 2026
--indicator 4.3.S1 [--indicator ...]`` attaches the national coverage to training indicators of an assessment
(once: running it again adds nothing). ``cyberplan training_spine gap --organisation SLUG --audience judges
[--topic ...] --year 2026 --target 50 [--tlp green]`` raises the gap of an audience below its target (one gap
per audience, topic and year). Both write through the audited actions the page uses, as the operator.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cyberplan.assessment.models import Assessment
from cyberplan.core.choices import TLP
from cyberplan.reports.command import organisation_by_slug
from cyberplan.training import spine
from cyberplan.training.choices import Audience


def _coverage_arguments(parser: CommandParser) -> None:
    parser.add_argument("--audience", required=True, choices=Audience.values)
    parser.add_argument("--topic", default="", help="A topic key of the catalogue (default: any topic).")
    parser.add_argument("--year", required=True, type=int, help="Coverage up to the end of this year.")


class Command(BaseCommand):
    help = "Capacity building: attach coverage to assessment indicators (evidence), raise a gap below a target (gap)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="subcommand")
        evidence = sub.add_parser("evidence", help="Attach coverage as evidence to training indicators.")
        evidence.add_argument("--assessment", required=True, type=int, help="The assessment's number.")
        _coverage_arguments(evidence)
        evidence.add_argument("--indicator", action="append", required=True, help="An indicator, e.g. 4.3.S1.")
        gap = sub.add_parser("gap", help="Raise a gap when the share trained is below a target.")
        gap.add_argument("--organisation", required=True, help="Short name (slug) of the owner organisation.")
        _coverage_arguments(gap)
        gap.add_argument("--target", required=True, help="The target share, in percent (e.g. 50).")
        gap.add_argument("--tlp", choices=TLP.values, default=TLP.GREEN, help="The gap's marking.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "evidence":
                self._evidence(options)
            else:
                self._gap(options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def _evidence(self, options: dict[str, Any]) -> None:
        assessment = Assessment.objects.filter(pk=options["assessment"]).first()
        if assessment is None:
            raise CommandError(f"There is no assessment number {options['assessment']}.")
        attached = spine.do_attach_coverage_evidence(
            None,
            assessment,
            audience=options["audience"],
            topic=options["topic"] or None,
            year=options["year"],
            indicator_ids=list(options["indicator"]),
        )
        created = sum(1 for a in attached if a.created)
        self.stdout.write(
            f"Attached to {created} indicator(s), {len(attached) - created} had it already: {attached[0].label}"
        )

    def _gap(self, options: dict[str, Any]) -> None:
        organisation = organisation_by_slug(options["organisation"])
        try:
            target = Decimal(options["target"])
        except InvalidOperation:
            raise CommandError(f"Give the target as a number, not {options['target']!r}.") from None
        raised = spine.do_raise_coverage_gap(
            None,
            organisation,
            audience=options["audience"],
            topic=options["topic"] or None,
            year=options["year"],
            target=target,
            tlp=options["tlp"],
        )
        if raised.gap is None:
            self.stdout.write(f"The share trained ({raised.share:.1f} %) reaches the target ({target} %): no gap.")
        else:
            verb = "Raised" if raised.created else "Updated"
            self.stdout.write(f"{verb} gap {raised.gap.identifier}: {raised.gap.title_en}")
