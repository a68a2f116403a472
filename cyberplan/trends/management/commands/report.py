"""``cyberplan report trends``: the national threat trends report of a period, as PDF, HTML or DOCX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cyberplan.analytics.periods import PeriodError, parse_period
from cyberplan.assessment.report import command as assessment_report
from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation
from cyberplan.strategy.report import command as strategy_report
from cyberplan.trends.report.render import FORMATS
from cyberplan.trends.report.service import languages, produce


class Command(BaseCommand):
    help = (
        "Write reports: the national threat trends report (trends), the capacity assessment report (assessment), "
        "the strategy document (strategy) and the strategy's monitoring and evaluation report (monitoring)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True)
        trends = sub.add_parser("trends", help="The threat trends report of a period.")
        trends.add_argument(
            "--period",
            required=True,
            help="A year (2026), a quarter (2026-Q3), a month (2026-11) or a range of days (2026-01-01..2026-03-31).",
        )
        trends.add_argument("--lang", choices=languages(), default=settings.LANGUAGE_CODE, help="Language.")
        trends.add_argument("--format", choices=FORMATS, default="pdf")
        trends.add_argument("--output", required=True, type=Path, help="The file to write.")
        trends.add_argument(
            "--organisation",
            help="Short name (slug) of the organisation whose events are counted; optional when there is only one.",
        )
        trends.add_argument(
            "--tlp",
            choices=TLP.values,
            default=TLP.AMBER,
            help="The report's TLP marking: only events at this label or a less restricted one are counted.",
        )
        assessment_report.add_parser(sub)
        strategy_report.add_parsers(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["report"] == "assessment":
            self.stdout.write(assessment_report.run(options))
            return
        if options["report"] in strategy_report.SUBCOMMANDS:
            self.stdout.write(strategy_report.run(options))
            return
        try:
            period = parse_period(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        organisation = self.organisation(options.get("organisation"))
        output = Path(options["output"])
        if not output.parent.exists():
            raise CommandError(f"The folder {output.parent} does not exist.")
        produced = produce(
            organisation, period, language=options["lang"], fmt=options["format"], audience=options["tlp"]
        )
        output.write_bytes(produced.content)
        self.stdout.write(
            f"Wrote the trends report of {organisation.slug} for {period.label} "
            f"({options['format']}, {options['lang']}, TLP:{options['tlp'].upper()}, "
            f"{produced.details['events']:,} events) to {output}."
        )

    def organisation(self, slug: str | None) -> Organisation:
        if slug:
            try:
                return Organisation.objects.get(slug=slug)
            except Organisation.DoesNotExist:
                raise CommandError(f"There is no organisation with the short name {slug!r}.") from None
        slugs = list(Organisation.objects.order_by("slug").values_list("slug", flat=True)[:21])
        if len(slugs) == 1:
            return Organisation.objects.get(slug=slugs[0])
        if not slugs:
            raise CommandError("There is no organisation yet.")
        listed = ", ".join(slugs[:20]) + (", ..." if len(slugs) > 20 else "")
        raise CommandError(f"Say which organisation with --organisation: {listed}.")
