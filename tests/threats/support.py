"""Imports built in code for the access tests: a small Shadowserver report with one good row and one
rejected row, both carrying a marker, so a page or a download that shows the import can be recognised."""

from __future__ import annotations

from pathlib import Path

from cyberplan.core.models import Organisation, User
from cyberplan.threats.actions import do_register_import, do_run_import
from cyberplan.threats.models import Import

HEADER = '"timestamp","ip","protocol","port","hostname","tag","asn","geo"\n'


def make_import(folder: Path, actor: User | None, organisation: Organisation, tlp: str, marker: str) -> Import:
    """Import ``<marker>.csv`` into the organisation's store at ``tlp``; its rejected row holds the marker.

    The rows differ per marker, so each import stores its own event instead of a duplicate.
    """
    number = sum(map(ord, marker)) % 250 + 1
    path = folder / f"{marker}.csv"
    path.write_text(
        HEADER
        + f'"2026-11-28 01:02:03","181.120.7.{number}","tcp","23","{marker}-good","telnet","23201","PY"\n'
        + f'"not a time","181.120.8.{number}","tcp","23","{marker}-quarantined","telnet","23201","PY"\n',
        encoding="utf-8",
    )
    record = do_register_import(
        actor, organisation, path, file_name=path.name, format="shadowserver", report_type="scan_telnet", tlp=tlp
    )
    return do_run_import(record, path)
