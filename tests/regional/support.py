"""A package built from figures given by hand, for the format, disclosure and receiving tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cyberplan.regional import disclosure
from cyberplan.regional.package import Header, bundle_of
from cyberplan.sharing.stix_out import Owner

MEMBER = Owner(key="authority-py", name="Authority PY", since=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
CREATED = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)


def header(**changes: Any) -> Header:
    values: dict[str, Any] = {
        "member": MEMBER,
        "country": "PY",
        "period": "2026",
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 12, 31),
        "tlp": "green",
        "threshold": 10,
        "version": 1,
        "created": CREATED,
        "modified": CREATED,
    }
    values.update(changes)
    return Header(**values)


def threat_table(*cells: tuple[str, str, int, int]) -> disclosure.Table:
    """(month, taxonomy, events, sources) rows, with their totals (sources summed: no address in two rows)."""
    rows = [
        {
            "month": m,
            "taxonomy": t,
            "type": "scanner",
            "sector": "unknown",
            "category": "unknown",
            "events": e,
            "sources": s,
        }
        for m, t, e, s in cells
    ]
    months: dict[str, dict[str, int]] = {}
    for month, _taxonomy, events, sources in cells:
        total = months.setdefault(month, {"events": 0, "sources": 0})
        total["events"] += events
        total["sources"] += sources
    period = {m: sum(t[m] for t in months.values()) for m in ("events", "sources")}
    return disclosure.Table(("events", "sources"), rows, months, period)


def parts(threshold: int = 10) -> dict[str, Any]:
    table = threat_table(
        ("2026-01", "information-gathering", 120, 40),
        ("2026-01", "intrusion-attempts", 4, 2),
        ("2026-01", "malicious-code", 30, 12),
        ("2026-02", "information-gathering", 200, 80),
        ("2026-02", "malicious-code", 15, 11),
    )
    return {
        "threats": disclosure.controlled(table, threshold),
        "exposure": {"sources": {"value": 145}, "announced_ipv4": 3_000_000, "per_1000": 0.0483},
        "strategy": {
            "adopted": True,
            "start_year": 2025,
            "end_year": 2030,
            "phase": "implementation",
            "instrument": "Decree 1234/2025",
            "axes": ["Governance", "Protection"],
            "actions": 4,
            "actions_completed_share": 0.25,
        },
        "training": {
            "year": 2026,
            "audiences": [
                {
                    "audience": "judges",
                    "trained": {"suppressed": True},
                    "cumulative_trained": {"value": 25},
                    "audience_size": 300,
                },
                {
                    "audience": "csirt_staff",
                    "trained": {"value": 12},
                    "cumulative_trained": {"value": 30},
                    "audience_size": 40,
                    "share": 0.3,
                },
            ],
        },
    }


def bundle(**changes: Any) -> dict[str, Any]:
    return bundle_of(header(**changes), parts())
