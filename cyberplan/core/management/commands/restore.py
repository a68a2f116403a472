"""``cyberplan restore PATH``: bring a backup back into an empty database and data directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cyberplan.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup written by `cyberplan backup` into the configured database and data directory. "
        "Every checksum is checked first; a database or data directory that is not empty is refused unless --force."
    )
    # The checks would open the database the restore is about to replace.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The backup file.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the database, the uploaded files and the event stores that are there.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = restore_backup(options["path"], force=options["force"], say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        tables: dict[str, int] = report["tables"]
        self.stdout.write(_("Rows per table, as in the backup:"))
        width = max((len(name) for name in tables), default=0)
        for name, rows in sorted(tables.items()):
            if rows:
                self.stdout.write(f"  {name:<{width}}  {rows:>10}")
        empty = sum(1 for rows in tables.values() if not rows)
        self.stdout.write(_("  and %(count)d empty tables") % {"count": empty})
        for store, events in sorted(report["events"].items()):
            self.stdout.write(_("%(store)s: %(events)d events, as in the backup") % {"store": store, "events": events})
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored %(files)d files; every count matches the backup.") % {"files": report["files"]}
            )
        )
