"""``cyberplan events export``: events with the schema's dotted field names, for other CSIRT tools.
``cyberplan events reindex``: write the address index of event files imported before it existed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cyberplan.core.models import Organisation
from cyberplan.pipeline.query import EventFilter, export, parse_network, utc_day
from cyberplan.threats.store import event_store


def _date(value: str) -> dt.date:
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None
    return parsed


def _network(value: str) -> str:
    try:
        return parse_network(value).compressed
    except ValueError:
        raise CommandError(f"{value!r} is not an address or a network (for example 192.0.2.0/24).") from None


class Command(BaseCommand):
    help = "Work with the event store: export events as JSON Lines, CSV or Parquet; write missing address indexes."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser("export", help="Write events that match the filters to a file.")
        exp.add_argument("--organisation", required=True, help="Short name (slug) of the organisation.")
        exp.add_argument("--format", choices=["jsonl", "csv", "parquet"], default="jsonl")
        exp.add_argument("--output", required=True, type=Path)
        exp.add_argument("--since", help="First day included (YYYY-MM-DD, UTC).")
        exp.add_argument("--until", help="Day after the last one included (YYYY-MM-DD, UTC).")
        exp.add_argument("--taxonomy", help="RSIT class (classification.taxonomy).")
        exp.add_argument("--type", help="RSIT type (classification.type).")
        exp.add_argument("--sector", help="Victim sector code, or unknown.")
        exp.add_argument("--country", help="Source country (ISO code), or unknown.")
        exp.add_argument("--victim-country", help="Victim country (ISO code), or unknown.")
        exp.add_argument("--asn", type=int, help="Source AS number.")
        exp.add_argument("--feed", help="Feed name (for example scan_telnet).")
        exp.add_argument("--ip", help="Source address, or network in CIDR notation (for example 192.0.2.0/24).")
        reindex = sub.add_parser(
            "reindex", help="Write the address index of every event file that has none (imports made before it)."
        )
        reindex.add_argument("--organisation", help="Short name (slug) of the organisation; every one when left out.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "reindex":
            self.reindex(options.get("organisation"))
            return
        try:
            organisation = Organisation.objects.get(slug=options["organisation"])
        except Organisation.DoesNotExist:
            raise CommandError(f"There is no organisation with the short name {options['organisation']!r}.") from None
        flt = EventFilter(
            since=utc_day(_date(options["since"])) if options.get("since") else None,
            until=utc_day(_date(options["until"])) if options.get("until") else None,
            taxonomy=options.get("taxonomy"),
            type=options.get("type"),
            sector=options.get("sector"),
            country=options.get("country"),
            victim_country=options.get("victim_country"),
            asn=options.get("asn"),
            feed=options.get("feed"),
            ip=_network(options["ip"]) if options.get("ip") else None,
        )
        output = Path(options["output"])
        if not output.parent.exists():
            raise CommandError(f"The folder {output.parent} does not exist.")
        count = export(event_store(organisation), flt, output, options["format"])
        self.stdout.write(f"Wrote {count:,} events to {output} ({options['format']}).")

    def reindex(self, slug: str | None) -> None:
        organisations = Organisation.objects.order_by("slug")
        if slug:
            organisations = organisations.filter(slug=slug)
            if not organisations.exists():
                raise CommandError(f"There is no organisation with the short name {slug!r}.")
        for organisation in organisations:
            store = event_store(organisation)
            if not store.commits_dir.exists():
                continue  # never imported: nothing to index (and no folders made)
            written = store.reindex()
            self.stdout.write(f"{organisation.slug}: wrote {written:,} address indexes.")
