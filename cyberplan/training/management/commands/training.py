"""``cyberplan training``: operator commands of the capacity-building section.

``cyberplan training erase-names [--organisation SLUG] [--as-of YYYY-MM-DD] [--dry-run]`` erases the names
and contact details of participants whose retention period has passed (counted from the last day of their
latest session), for every organisation or one. Participants and their attendance stay, so every count and
coverage figure stays too. Each erasure is written to the audit log (channel ``cli``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cyberplan.core.models import Organisation
from cyberplan.training import actions
from cyberplan.training.models import retention_days


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date; write it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Capacity building: erase participants' names past the retention period (erase-names)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="subcommand")
        erase = sub.add_parser("erase-names", help="Erase names and contact details past the retention period.")
        erase.add_argument("--organisation", help="Short name (slug) of one organisation (default: every one).")
        erase.add_argument("--as-of", dest="as_of", help="Count the retention period to this date (default: today).")
        erase.add_argument("--dry-run", action="store_true", help="Say how many would be erased; erase nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        handlers: dict[str, Callable[..., None]] = {"erase-names": self._erase_names}
        handlers[options["subcommand"]](**options)

    def _erase_names(self, **options: Any) -> None:
        today = _date(options["as_of"]) if options.get("as_of") else timezone.localdate()
        organisations: list[Organisation] | None = None
        if options.get("organisation"):
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"There is no organisation {options['organisation']!r}.")
            organisations = [organisation]
        if options.get("dry_run"):
            chosen = organisations or list(Organisation.objects.order_by("pk"))
            for organisation in chosen:
                count = len(actions.expired_participants(organisation.pk, today))
                if count:
                    self.stdout.write(
                        f"{organisation.slug}: {count} participant(s) past {retention_days(organisation.pk)} days "
                        "would lose their names"
                    )
            self.stdout.write("Dry run: nothing erased.")
            return
        total = 0
        for result in actions.do_erase_expired_names(None, organisations, today):
            total += result.erased
            self.stdout.write(
                f"{result.organisation.slug}: names erased for {result.erased} participant(s) "
                f"(retention {result.retention_days} days)"
            )
        self.stdout.write(self.style.SUCCESS(f"Done: {total} participant(s) erased; attendance and counts kept."))
