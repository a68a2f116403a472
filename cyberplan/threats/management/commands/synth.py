"""``cyberplan synth``: synthetic Shadowserver-style reports over a country's address space."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from cyberplan.pipeline import synth


class Command(BaseCommand):
    help = "Write synthetic Shadowserver-style CSV reports (clearly marked synthetic) for demos and benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, required=True, help="How many events to write.")
        parser.add_argument("--country", default="PY", help="ISO 3166-1 code whose address space is used (default PY).")
        parser.add_argument("--output", type=Path, required=True, help="Folder to write the files to.")
        parser.add_argument("--month", help="Month of the events, YYYY-MM (default: last month).")
        parser.add_argument("--seed", type=int, default=2026, help="Same seed, same files.")
        parser.add_argument(
            "--monthly", action="store_true", help="One file per report type for the month, not per day."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["events"] < 1:
            raise CommandError("--events must be at least 1.")
        country = str(options["country"]).upper()
        if len(country) != 2 or not country.isalpha():
            raise CommandError(f"{options['country']!r} is not a two-letter country code.")
        console = Console(file=cast(TextIO, self.stdout))
        networks = synth.country_networks(country)
        if not networks:
            raise CommandError(f"No address space is registered for {country}.")
        with Progress(
            TextColumn("writing"),
            BarColumn(),
            TextColumn("{task.completed:,}/{task.total:,} events"),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        ) as bar:
            task = bar.add_task("events", total=options["events"])
            try:
                files = synth.generate(
                    Path(options["output"]),
                    events=options["events"],
                    country=country,
                    month=options.get("month"),
                    seed=options["seed"],
                    networks=networks,
                    daily=not options["monthly"],
                    progress=lambda done: bar.update(task, completed=done),
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Wrote {options['events']:,} synthetic events for {country} ({len(networks):,} /24 networks) "
            f"in {len(files)} files under {options['output']}."
        )
