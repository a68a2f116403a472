"""``cyberplan report KIND ...``: write a report as PDF, HTML or DOCX; each app registers its kinds."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cyberplan.reports.registry import report_kind, report_kinds


class Command(BaseCommand):
    help = "Write a report as PDF, HTML or DOCX. Each kind of report is a subcommand: report KIND --help."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True, metavar="KIND")
        for kind in report_kinds():
            kind.add_arguments(sub.add_parser(kind.name, help=kind.help))

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(report_kind(options["report"]).run(options))
