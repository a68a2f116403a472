"""Threat evidence of the demo workspace: an illustrative constituency, a synthetic month of
Shadowserver-style reports for Paraguay, and the VCDB incident sample when it is at hand.

Everything is marked: constituency holders say "(illustrative)", synthetic files end in
``-synthetic.csv`` and their events carry ``synthetic`` in ``extra``. Running it twice stores
nothing new (files already imported are skipped).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from cyberplan.core.models import Organisation, Sector
from cyberplan.pipeline import synth

from .actions import do_register_import, do_run_import, do_save_constituency_entry, file_digest
from .choices import ImportFormat
from .models import ConstituencyEntry, Import
from .store import event_store

DEMO_EVENTS = 200_000
#: The month before the last: fewer brute-force attempts on honeypots than the synthetic default (25 %).
PREVIOUS_MONTH_SHARES = {"scan_telnet": 0.35, "scan_smb": 0.30, "scan_rdp": 0.20, "event4_honeypot_brute_force": 0.15}
SECTOR_CYCLE = ["telecommunications", "government", "finance", "education", "energy", "health", "retail", "transport"]
VCDB_CANDIDATES = ("shared/data/vcdb/incidents",)


def _vcdb_folder() -> Path | None:
    project = Path(settings.BASE_DIR).parent
    for candidate in VCDB_CANDIDATES:
        folder = project.parent / candidate
        if folder.is_dir():
            return folder
    return None


def build_threat_demo(csirt: Organisation, say: Callable[[str], None], events: int = DEMO_EVENTS) -> dict[str, int]:
    counts = {"constituency": 0, "imports": 0, "stored": 0}
    blocks = synth.country_networks("PY")
    if not ConstituencyEntry.objects.filter(organisation=csirt).exists():
        by_16: dict[int, int] = {}
        for block in blocks:
            by_16[block >> 16] = by_16.get(block >> 16, 0) + 1
        sectors = {s.code: s for s in Sector.objects.filter(code__in=SECTOR_CYCLE)}
        for index, (prefix, _count) in enumerate(sorted(by_16.items(), key=lambda item: -item[1])[:16]):
            network = f"{prefix >> 8}.{prefix & 255}.0.0/16"
            code = SECTOR_CYCLE[index % len(SECTOR_CYCLE)]
            do_save_constituency_entry(
                None,
                csirt,
                network=network,
                asn=64512 + index,
                as_name=f"AS-ILLUSTRATIVE-{index + 1}",
                holder=f"Illustrative holder {index + 1} (demo)",
                sector=sectors.get(code),
                country="PY",
                note="Illustrative demo data",
            )
            counts["constituency"] += 1
    # Two synthetic months, so the trends have a previous period to compare with: brute-force
    # attempts seen by honeypots double in the last month.
    today = dt.datetime.now(dt.UTC).date()
    last = today.replace(day=1) - dt.timedelta(days=1)
    before = last.replace(day=1) - dt.timedelta(days=1)
    months = [
        (before.strftime("%Y-%m"), events * 3 // 4, PREVIOUS_MONTH_SHARES, 2025),
        (last.strftime("%Y-%m"), events, None, 2026),
    ]
    files: list[Path] = []
    for month, count, shares, seed in months:
        feeds = Path(settings.DATA_DIR) / "demo-feeds" / month
        if not feeds.exists() or not any(feeds.glob("*.csv")):
            say(f"writing {count:,} synthetic events for Paraguay ({month})")
            synth.generate(
                feeds, events=count, country="PY", month=month, networks=blocks, daily=False, shares=shares, seed=seed
            )
        files += sorted(feeds.glob("*.csv"))
    vcdb = _vcdb_folder()
    if vcdb is not None:
        files += sorted(vcdb.glob("*.json"))
    else:
        say("the VCDB sample (shared/data/vcdb) is not beside the project; skipped")
    for path in files:
        fmt = ImportFormat.VERIS if path.suffix == ".json" else ImportFormat.SHADOWSERVER
        if Import.objects.filter(organisation=csirt, file_sha256=file_digest(path), status="succeeded").exists():
            continue  # imported by an earlier run of the demo
        record = do_register_import(None, csirt, path, file_name=path.name, format=fmt, tlp="green")
        record = do_run_import(record, path)
        counts["imports"] += 1
        counts["stored"] += record.stored
    # The address index an import's job writes after the commit (the demo runs the imports itself).
    if counts["imports"]:
        event_store(csirt).reindex()
    say(
        f"threat evidence: {Import.objects.filter(organisation=csirt, status='succeeded').count()} imports, "
        f"{counts['stored']:,} new events"
    )
    return counts
