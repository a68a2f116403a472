"""``cyberplan backup PATH``: the whole installation in one tar file; ``--verify`` checks one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cyberplan.core.backup import BackupError, create_backup, verify_backup


class Command(BaseCommand):
    help = (
        "Back up the database, the uploaded files, the event stores and the trend tables into one tar file "
        "with a checksum manifest, consistent while the server runs. With --verify, check a backup instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The backup file to write (or, with --verify, to check).")
        parser.add_argument(
            "--verify", action="store_true", help="Check every file of an existing backup against its manifest."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            if options["verify"]:
                manifest = verify_backup(path)
                self.stdout.write(_("%(backup)s is complete: every file matches its checksum.") % {"backup": path})
            else:
                manifest = create_backup(path, say=self.stdout.write)
                self.stdout.write(self.style.SUCCESS(_("Backup written to %(backup)s") % {"backup": path}))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        database = manifest["database"]
        self.stdout.write(
            _("Made %(created)s by cyberplan %(version)s; database: %(engine)s, %(tables)d tables, %(rows)d rows.")
            % {
                "created": manifest["created"],
                "version": manifest["version"],
                "engine": database["engine"],
                "tables": len(database["tables"]),
                "rows": sum(database["tables"].values()),
            }
        )
        for store, figures in sorted(manifest["events"].items()):
            self.stdout.write(
                _("%(store)s: %(events)d events from %(imports)d imports")
                % {"store": store, "events": figures["events"], "imports": figures["imports"]}
            )
        self.stdout.write(
            _("%(count)d files, %(bytes)d bytes")
            % {"count": len(manifest["files"]), "bytes": sum(entry["size"] for entry in manifest["files"].values())}
        )
        for warning in manifest["warnings"]:
            self.stderr.write(_("warning: %(warning)s") % {"warning": warning})
