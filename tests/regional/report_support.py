"""A regional programme with two members' packages for 2026 and 2025, as received, for the report tests.

PY (green) sends 2026 twice (version 2 counts) and 2025; it shares no assessment. UY (amber) sends 2026 and
2025 with its assessment. Counts are chosen so that malicious code is exact in both periods (tested: a rise),
while other classes hold suppressed counts (listed as untested).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cyberplan.core.choices import OrganisationType, Role
from cyberplan.core.models import Organisation
from cyberplan.regional import disclosure, intake
from cyberplan.regional.models import Member, ReceivedPackage
from cyberplan.regional.package import bundle_of, bundle_text
from cyberplan.sharing.stix_out import Owner
from tests.conftest import make_user
from tests.regional.support import CREATED, MEMBER, header, parts, threat_table

UY = Owner(key="authority-uy", name="Authority UY", since=dt.datetime(2026, 1, 7, tzinfo=dt.UTC))
#: Text a member typed, which every format must show as text.
INSTRUMENT = "<b>Decree</b> 1234 & annex"
#: A name typed in the programme's register, shown as text too.
UY_NAME = "República Oriental del Uruguay <CERTuy>"


def year_header(year: int, **changes: Any) -> Any:
    dates = {"period": str(year), "period_start": dt.date(year, 1, 1), "period_end": dt.date(year, 12, 31)}
    return header(**dates, **changes)


def py_2026(events_feb_malicious: int = 250) -> dict[str, Any]:
    result = parts()
    result["threats"] = disclosure.controlled(
        threat_table(
            ("2026-01", "information-gathering", 120, 40),
            ("2026-01", "intrusion-attempts", 4, 2),
            ("2026-01", "availability", 11, 10),
            ("2026-01", "malicious-code", 300, 60),
            ("2026-02", "information-gathering", 200, 80),
            ("2026-02", "malicious-code", events_feb_malicious, 70),
        ),
        10,
    )
    result["strategy"]["instrument"] = INSTRUMENT
    return result


def uy_2026() -> dict[str, Any]:
    result = parts()
    result["threats"] = disclosure.controlled(
        threat_table(
            ("2026-01", "malicious-code", 200, 50),
            ("2026-01", "information-gathering", 50, 20),
            ("2026-02", "information-gathering", 100, 30),
            ("2026-02", "intrusion-attempts", 7, 3),
        ),
        10,
    )
    result["exposure"] = {"sources": {"value": 400}, "announced_ipv4": 1_000_000, "per_1000": 0.4}
    result["assessment"] = {
        "framework": "cmm",
        "date": "2026-05-01",
        "factors": [{"factor": "D1.1", "stage": 2}, {"factor": "D2.1", "stage": 3}],
    }
    result["incidents"] = {
        "rows": [{"month": "2026-01", "taxonomy": "malicious-code", "incidents": {"value": 25}}],
        "months": [{"month": "2026-01", "incidents": {"value": 25}}],
        "total": {"incidents": {"value": 25}},
        "mean_response_hours": 6.5,
    }
    result["legal"] = {
        "treaties": [{"treaty": "ets-185", "signed": "2019-05-01", "ratified": "2021-03-02", "in_force": "2021-07-01"}],
        "coverage": [
            {
                "treaty": "ets-185",
                "review_date": "2026-04-01",
                "applicable": 20,
                "full_share": 0.5,
                "covered_share": 0.75,
            }
        ],
    }
    return result


def earlier(*cells: tuple[str, str, int, int]) -> dict[str, Any]:
    result = parts()
    result["threats"] = disclosure.controlled(threat_table(*cells), 10)
    return result


def receive(programme: Organisation, period: str, bundle: dict[str, Any]) -> ReceivedPackage:
    got = intake.do_receive(None, programme, period, "p.json", bundle_text(bundle).encode())
    assert isinstance(got, ReceivedPackage), getattr(got, "reason", got)
    return got


def regional_world(name: str = "Regional Programme") -> Organisation:
    """The programme, a user of every role in it (``p-<role>``), PY and UY registered, their packages received."""
    programme = Organisation.objects.create(name=name, slug="programme", type=OrganisationType.REGIONAL_BODY)
    for role in Role.values:
        make_user(f"p-{role}", programme, role)
    Member.objects.create(programme=programme, country="PY", name="Paraguay", identity_id=MEMBER.identity_id)
    Member.objects.create(programme=programme, country="UY", name=UY_NAME, identity_id=UY.identity_id)
    later = CREATED + dt.timedelta(days=2)
    receive(programme, "2026", bundle_of(year_header(2026), py_2026(events_feb_malicious=90)))
    receive(programme, "2026", bundle_of(year_header(2026, version=2, modified=later), py_2026()))
    receive(programme, "2026", bundle_of(year_header(2026, member=UY, country="UY", tlp="amber"), uy_2026()))
    receive(
        programme,
        "2025",
        bundle_of(
            year_header(2025),
            earlier(
                ("2025-01", "malicious-code", 100, 30),
                ("2025-01", "information-gathering", 100, 30),
                ("2025-02", "malicious-code", 100, 30),
            ),
        ),
    )
    receive(
        programme,
        "2025",
        bundle_of(
            year_header(2025, member=UY, country="UY", tlp="amber"),
            earlier(("2025-01", "malicious-code", 100, 30), ("2025-01", "information-gathering", 60, 20)),
        ),
    )
    return programme
