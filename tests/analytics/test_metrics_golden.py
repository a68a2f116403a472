"""Every metric on a small fixed store, against rows worked out by hand.

The store (56 events) covers July 2026 (the period), June 2026 (the previous period), July 2025
(a year earlier), and a few events outside all three. Each expected row below is derived in the
comments from the table of events, not from running the code.

Every test runs twice: on the raw events, and on the trend tables (refreshed by ``compute``), where
the distinct-source metrics of a month without filters but TLP come from the source counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cyberplan.analytics import metrics, service
from cyberplan.analytics.engines import DuckDBEngine
from cyberplan.analytics.frames import UNKNOWN
from cyberplan.analytics.periods import parse_period
from cyberplan.pipeline.store import EventStore
from tests.analytics.support import event, hand_changes, write_store

D = dt.date

# -- the store --------------------------------------------------------------------------------------
#
# Kinds of event (fields shared by each group; each event gives its time and source address):
#
# BF  intrusion-attempts / brute-force / ssh, honeypot feed (Shadowserver), sector telecommunications
#     (category individuals), organisation "Telco PY", PY, AS64501 TELCO-PY, 198.51.100.0/24, green, high
# TG  vulnerable / vulnerable-system / telnet, scan_telnet (Shadowserver), government, "Ministry A", PY,
#     AS64500 ISP-ONE, 192.0.2.0/24, amber, medium
# SF  vulnerable / vulnerable-system / smb, scan_smb (Shadowserver), finance (private), "Bank B", PY,
#     AS64500 ISP-ONE, 192.0.2.0/24, amber, medium
# MW  malicious-code / infected-system / mirai, misp (CERT-PY), no sector, organisation, country, AS or
#     network (all unknown), red, high


def bf(when: str, ip: str) -> dict[str, Any]:
    return event(
        when,
        ip=ip,
        taxonomy="intrusion-attempts",
        type_="brute-force",
        identifier="ssh",
        sector="telecommunications",
        organisation="Telco PY",
        asn=64501,
        as_name="TELCO-PY",
        network="198.51.100.0/24",
        feed="event4_honeypot_brute_force",
        tlp="green",
        severity="high",
        malware="gafgyt",
    )


def tg(when: str, ip: str) -> dict[str, Any]:
    return event(
        when,
        ip=ip,
        sector="government",
        organisation="Ministry A",
        asn=64500,
        as_name="ISP-ONE",
        network="192.0.2.0/24",
        feed="scan_telnet",
    )


def sf(when: str, ip: str) -> dict[str, Any]:
    return event(
        when,
        ip=ip,
        identifier="smb",
        sector="finance",
        organisation="Bank B",
        asn=64500,
        as_name="ISP-ONE",
        network="192.0.2.0/24",
        feed="scan_smb",
    )


def mw(when: str, ip: str) -> dict[str, Any]:
    return event(
        when,
        ip=ip,
        taxonomy="malicious-code",
        type_="infected-system",
        identifier="mirai",
        malware="mirai",
        country=None,
        feed="misp",
        provider="CERT-PY",
        tlp="red",
        severity="high",
    )


def incident(when: str, **fields: Any) -> dict[str, Any]:
    """An incident record: no source address, no AS, no network."""
    return event(when, ip=None, **fields)


CURRENT = [
    # BF1 is written in Asunción's time zone: 22:00 on 30 June at -03:00 is 01:00 UTC on 1 July.
    bf("2026-06-30T22:00:00-03:00", "198.51.100.1"),  # BF1 07-01
    bf("2026-07-02T08:00:00", "198.51.100.1"),  # BF2 07-02
    bf("2026-07-02T09:00:00", "198.51.100.2"),  # BF3 07-02
    bf("2026-07-03T10:00:00", "198.51.100.1"),  # BF4 07-03
    bf("2026-07-10T10:00:00", "198.51.100.2"),  # BF5 07-10
    bf("2026-07-10T11:00:00", "198.51.100.3"),  # BF6 07-10
    tg("2026-07-01T12:00:00", "192.0.2.1"),  # TG1 07-01
    tg("2026-07-02T12:00:00", "192.0.2.1"),  # TG2 07-02
    tg("2026-07-02T13:00:00", "192.0.2.2"),  # TG3 07-02
    tg("2026-07-15T12:00:00", "192.0.2.2"),  # TG4 07-15
    tg("2026-07-31T23:59:59", "192.0.2.3"),  # TG5 07-31, the last second of the period
    sf("2026-07-05T10:00:00", "192.0.2.10"),  # SF1 07-05
    sf("2026-07-06T10:00:00", "192.0.2.10"),  # SF2 07-06
    sf("2026-07-07T10:00:00", "192.0.2.10"),  # SF3 07-07
    mw("2026-07-20T10:00:00", "203.0.113.5"),  # MW1 07-20
    mw("2026-07-21T10:00:00", "203.0.113.5"),  # MW2 07-21
    # IN1 07-04: telnet, individuals (category individuals), no organisation, AR, AS64502 RES-NET, clear, low
    event(
        "2026-07-04T10:00:00",
        ip="203.0.113.9",
        sector="individuals",
        country="AR",
        asn=64502,
        as_name="RES-NET",
        network="203.0.113.0/24",
        tlp="clear",
        severity="low",
    ),
    # DF1 07-04: telnet, defence (category government), "Army", PY, AS64500, 192.0.2.0/24, amber, medium
    event(
        "2026-07-04T11:00:00",
        ip="192.0.2.20",
        sector="defence",
        organisation="Army",
        asn=64500,
        as_name="ISP-ONE",
        network="192.0.2.0/24",
    ),
    # EM1 07-22: telnet with empty strings where values are missing: unknown sector, organisation,
    # country, AS name and network; no AS number; green, low; the same address as MW.
    event(
        "2026-07-22T10:00:00",
        ip="203.0.113.5",
        sector="",
        organisation="",
        country="",
        as_name="",
        network="",
        tlp="green",
        severity="low",
    ),
    # I1 07-08: VERIS incident, phishing, health (private), "Hospital H", reported by vcdb, amber, high,
    # 4 hours to respond, a confirmed incident (status confirmed).
    incident(
        "2026-07-08T10:00:00",
        taxonomy="fraud",
        type_="phishing",
        identifier="phishing",
        sector="health",
        organisation="Hospital H",
        feed="veris",
        provider="vcdb",
        severity="high",
        extra={"response_hours": 4.0, "discovery_hours": 48.0, "security_incident": "Confirmed"},
        canonical_extra=True,
    ),
    # I2 07-09: VERIS incident, phishing, government, "Ministry A", reported by mitic, amber, critical,
    # 10.5 hours to respond (written with a space after the colon), status closed (mapped by the import).
    incident(
        "2026-07-09T10:00:00",
        taxonomy="fraud",
        type_="phishing",
        identifier="phishing",
        sector="government",
        organisation="Ministry A",
        feed="veris",
        provider="mitic",
        severity="critical",
        extra={"response_hours": 10.5, "status": "Closed"},
    ),
    # I3 07-09: VERIS incident, ransomware, education, "University U", mitic, clear, critical, no time to
    # respond. The constituency says the university is a public body: category government, not private.
    incident(
        "2026-07-09T12:00:00",
        taxonomy="malicious-code",
        type_="infected-system",
        identifier="ransomware",
        sector="education",
        organisation="University U",
        organisation_type="public",
        feed="veris",
        provider="mitic",
        tlp="clear",
        severity="critical",
    ),
    # I4 07-12: a STIX incident object without the incident extension: extra says that it is an incident
    # and its investigation status (open); no identifier (unknown), no severity (unknown); government,
    # "Ministry A", CERT-PY, amber.
    incident(
        "2026-07-12T10:00:00",
        taxonomy="intrusions",
        type_="system-compromise",
        identifier=None,
        sector="government",
        organisation="Ministry A",
        feed="stix",
        provider="CERT-PY",
        severity=None,
        extra={
            "stix.id": "incident--7b5c8a0e-0000-4000-8000-000000000001",
            "stix.type": "incident",
            "investigation_status": "open",
        },
        canonical_extra=True,
    ),
    # I5 07-13: a STIX incident with incident types; government, "Ministry A", CERT-PY, amber, high.
    incident(
        "2026-07-13T10:00:00",
        taxonomy="intrusions",
        type_="system-compromise",
        identifier=None,
        sector="government",
        organisation="Ministry A",
        feed="stix",
        provider="CERT-PY",
        severity="high",
        extra={"incident_types": ["compromise"], "stix.type": "incident"},
        canonical_extra=True,
    ),
    # SI1 07-25: a STIX indicator (not an incident): c2-server cobaltstrike, no sector, BR, AS64503
    # FOREIGN, 203.0.113.0/24, CERT-PY, amber, high.
    event(
        "2026-07-25T10:00:00",
        ip="203.0.113.77",
        taxonomy="malicious-code",
        type_="c2-server",
        identifier="cobaltstrike",
        country="BR",
        asn=64503,
        as_name="FOREIGN",
        network="203.0.113.0/24",
        feed="stix",
        provider="CERT-PY",
        severity="high",
        extra={"stix.type": "indicator", "name": "C2 server"},
        canonical_extra=True,
    ),
]

PREVIOUS = [  # June 2026
    bf("2026-06-10T10:00:00", "198.51.100.1"),
    bf("2026-06-11T10:00:00", "198.51.100.50"),
    tg("2026-06-01T00:00:00", "192.0.2.1"),  # the first second of June
    tg("2026-06-05T10:00:00", "192.0.2.4"),
    tg("2026-06-06T10:00:00", "192.0.2.4"),
    tg("2026-06-07T10:00:00", "192.0.2.5"),
    tg("2026-06-30T23:59:00", "192.0.2.5"),
    *[sf(f"2026-06-0{day}T10:00:00", "192.0.2.10") for day in range(1, 10)],  # 9 events, 1-9 June
    incident(
        "2026-06-15T10:00:00",
        taxonomy="fraud",
        type_="phishing",
        identifier="phishing",
        sector="government",
        organisation="Ministry A",
        feed="veris",
        provider="mitic",
        severity="high",
        extra={"response_hours": 6},
    ),
]

YEAR_EARLIER = [  # July 2025
    *[tg(f"2025-07-{day:02d}T10:00:00", "192.0.2.1") for day in range(1, 11)],  # 10 events
    mw("2025-07-15T10:00:00", "203.0.113.5"),
    mw("2025-07-16T10:00:00", "203.0.113.5"),
]

OUTSIDE = [
    tg("2026-08-01T00:00:00", "192.0.2.1"),  # NX1: the first second after the period
    bf("2026-05-15T10:00:00", "192.0.2.3"),  # May: before the previous period
]

ALL = CURRENT + PREVIOUS + YEAR_EARLIER + OUTSIDE


@pytest.fixture(scope="module")
def engine() -> Iterator[DuckDBEngine]:
    duckdb = DuckDBEngine(threads=1)
    yield duckdb
    duckdb.close()


#: Where ``compute`` reads: set for the module by :func:`read_from`.
READ_FROM = {"trend_tables": False}


@pytest.fixture(scope="module", params=["raw-events", "trend-tables"], autouse=True)
def read_from(request: pytest.FixtureRequest) -> Iterator[str]:
    READ_FROM["trend_tables"] = request.param == "trend-tables"
    yield request.param
    READ_FROM["trend_tables"] = False


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, read_from: str) -> EventStore:
    return write_store(tmp_path_factory.mktemp(f"golden-{read_from}"), ALL)


def compute(
    store: EventStore, engine: DuckDBEngine, period: str = "2026-07", only: list[str] | None = None, **filters: Any
) -> metrics.ResultSet:
    scope = metrics.Scope(parse_period(period), **filters)
    return service.compute(store, scope, engine, only=only, trend_tables=READ_FROM["trend_tables"])


def test_the_store_has_the_events_described() -> None:
    assert (len(CURRENT), len(PREVIOUS), len(YEAR_EARLIER), len(ALL)) == (25, 17, 12, 56)


# -- the golden rows -------------------------------------------------------------------------------

# July 2026, 25 events. Per kind: BF 6, TG 5, SF 3, MW 2, IN1, DF1, EM1, I1-I5 (5), SI1.
GOLDEN: dict[str, list[dict[str, Any]]] = {
    # feeds: honeypot, scan_telnet, scan_smb, misp, veris, stix = 6.
    # days: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 15, 20, 21, 22, 25, 31 July = 18.
    # organisations: Telco PY, Ministry A, Bank B, Army, Hospital H, University U = 6; the events
    # with one: BF 6 + TG 5 + SF 3 + DF1 + I1-I5 5 = 20 (MW 2, IN1, EM1, SI1 have none).
    "totals": [
        {
            "events": 25,
            "feeds": 6,
            "days": 18,
            "first_day": D(2026, 7, 1),
            "last_day": D(2026, 7, 31),
            "organisations": 6,
            "attributed": 20,
        }
    ],
    # 198.51.100.1-3 (BF), 192.0.2.1-3 (TG), 192.0.2.10 (SF), 203.0.113.5 (MW, EM1), 203.0.113.9 (IN1),
    # 192.0.2.20 (DF1), 203.0.113.77 (SI1): 11. Incidents have no address.
    "sources_total": [{"sources": 11}],
    # Daily, per class: 1 July BF1 + TG1; 2 July BF2, BF3 + TG2, TG3; 3 July BF4; 4 July IN1, DF1;
    # 5-7 July SF1-3; 8 July I1; 9 July I2 (fraud), I3 (malicious-code); 10 July BF5, BF6; 12 I4;
    # 13 I5; 15 TG4; 20, 21 MW; 22 EM1; 25 SI1; 31 TG5.
    "timeline": [
        {"bucket": D(2026, 7, 1), "taxonomy": "intrusion-attempts", "events": 1},
        {"bucket": D(2026, 7, 1), "taxonomy": "vulnerable", "events": 1},
        {"bucket": D(2026, 7, 2), "taxonomy": "intrusion-attempts", "events": 2},
        {"bucket": D(2026, 7, 2), "taxonomy": "vulnerable", "events": 2},
        {"bucket": D(2026, 7, 3), "taxonomy": "intrusion-attempts", "events": 1},
        {"bucket": D(2026, 7, 4), "taxonomy": "vulnerable", "events": 2},
        {"bucket": D(2026, 7, 5), "taxonomy": "vulnerable", "events": 1},
        {"bucket": D(2026, 7, 6), "taxonomy": "vulnerable", "events": 1},
        {"bucket": D(2026, 7, 7), "taxonomy": "vulnerable", "events": 1},
        {"bucket": D(2026, 7, 8), "taxonomy": "fraud", "events": 1},
        {"bucket": D(2026, 7, 9), "taxonomy": "fraud", "events": 1},
        {"bucket": D(2026, 7, 9), "taxonomy": "malicious-code", "events": 1},
        {"bucket": D(2026, 7, 10), "taxonomy": "intrusion-attempts", "events": 2},
        {"bucket": D(2026, 7, 12), "taxonomy": "intrusions", "events": 1},
        {"bucket": D(2026, 7, 13), "taxonomy": "intrusions", "events": 1},
        {"bucket": D(2026, 7, 15), "taxonomy": "vulnerable", "events": 1},
        {"bucket": D(2026, 7, 20), "taxonomy": "malicious-code", "events": 1},
        {"bucket": D(2026, 7, 21), "taxonomy": "malicious-code", "events": 1},
        {"bucket": D(2026, 7, 22), "taxonomy": "vulnerable", "events": 1},
        {"bucket": D(2026, 7, 25), "taxonomy": "malicious-code", "events": 1},
        {"bucket": D(2026, 7, 31), "taxonomy": "vulnerable", "events": 1},
    ],
    # Distinct addresses per day; days with incidents only (8, 9, 12, 13 July) have none.
    "sources_timeline": [
        {"bucket": D(2026, 7, 1), "sources": 2},  # 198.51.100.1, 192.0.2.1
        {"bucket": D(2026, 7, 2), "sources": 4},  # 198.51.100.1, .2, 192.0.2.1, .2
        {"bucket": D(2026, 7, 3), "sources": 1},
        {"bucket": D(2026, 7, 4), "sources": 2},  # 203.0.113.9, 192.0.2.20
        {"bucket": D(2026, 7, 5), "sources": 1},
        {"bucket": D(2026, 7, 6), "sources": 1},
        {"bucket": D(2026, 7, 7), "sources": 1},
        {"bucket": D(2026, 7, 10), "sources": 2},  # 198.51.100.2, .3
        {"bucket": D(2026, 7, 15), "sources": 1},
        {"bucket": D(2026, 7, 20), "sources": 1},
        {"bucket": D(2026, 7, 21), "sources": 1},
        {"bucket": D(2026, 7, 22), "sources": 1},
        {"bucket": D(2026, 7, 25), "sources": 1},
        {"bucket": D(2026, 7, 31), "sources": 1},
    ],
    # vulnerable-system: TG 5 + SF 3 + IN1 + DF1 + EM1 = 11; brute-force 6; infected-system MW 2 + I3 = 3;
    # phishing I1, I2 = 2; system-compromise I4, I5 = 2; c2-server SI1 = 1. Ties by name.
    "by_class": [
        {"taxonomy": "vulnerable", "type": "vulnerable-system", "events": 11},
        {"taxonomy": "intrusion-attempts", "type": "brute-force", "events": 6},
        {"taxonomy": "malicious-code", "type": "infected-system", "events": 3},
        {"taxonomy": "fraud", "type": "phishing", "events": 2},
        {"taxonomy": "intrusions", "type": "system-compromise", "events": 2},
        {"taxonomy": "malicious-code", "type": "c2-server", "events": 1},
    ],
    # vulnerable: 192.0.2.1-3, 192.0.2.10, 203.0.113.9, 192.0.2.20, 203.0.113.5 (EM1) = 7;
    # intrusion-attempts: 3; malicious-code: 203.0.113.5 (MW), 203.0.113.77 = 2.
    "sources_by_class": [
        {"taxonomy": "vulnerable", "sources": 7},
        {"taxonomy": "intrusion-attempts", "sources": 3},
        {"taxonomy": "malicious-code", "sources": 2},
    ],
    # telnet: TG 5 + IN1 + DF1 + EM1 = 8; ssh 6; smb 3; mirai 2; phishing 2; unknown (I4, I5) 2;
    # cobaltstrike 1; ransomware 1.
    # Only the events that name a family: BF1-BF6 (gafgyt, from 198.51.100.1, .2 and .3) and MW1-MW2
    # (mirai, from 203.0.113.5).
    "by_family": [
        {"family": "gafgyt", "events": 6, "sources": 3},
        {"family": "mirai", "events": 2, "sources": 1},
    ],
    "by_identifier": [
        {"identifier": "telnet", "events": 8},
        {"identifier": "ssh", "events": 6},
        {"identifier": "smb", "events": 3},
        {"identifier": "mirai", "events": 2},
        {"identifier": "phishing", "events": 2},
        {"identifier": UNKNOWN, "events": 2},
        {"identifier": "cobaltstrike", "events": 1},
        {"identifier": "ransomware", "events": 1},
    ],
    # government: TG 5 + DF1 (defence) + I2 + I4 + I5 + I3 (education, but held by a public body) = 10;
    # individuals: BF 6 (telecommunications) + IN1 = 7; private: SF 3 + I1 (health) = 4; unknown: MW 2 +
    # EM1 + SI1 = 4.
    "by_category": [
        {"category": "government", "events": 10},
        {"category": "individuals", "events": 7},
        {"category": "private", "events": 4},
        {"category": UNKNOWN, "events": 4},
    ],
    # government: TG 5 + I2 + I4 + I5 = 8; telecommunications 6; unknown 4; finance 3; one each for
    # defence, education, health, individuals.
    "by_sector": [
        {"sector": "government", "events": 8},
        {"sector": "telecommunications", "events": 6},
        {"sector": UNKNOWN, "events": 4},
        {"sector": "finance", "events": 3},
        {"sector": "defence", "events": 1},
        {"sector": "education", "events": 1},
        {"sector": "health", "events": 1},
        {"sector": "individuals", "events": 1},
    ],
    # government 192.0.2.1-3 = 3; telecommunications 3; unknown 203.0.113.5, 203.0.113.77 = 2; defence,
    # finance, individuals 1 each; education and health have incidents only, without addresses.
    "sources_by_sector": [
        {"sector": "government", "sources": 3},
        {"sector": "telecommunications", "sources": 3},
        {"sector": UNKNOWN, "sources": 2},
        {"sector": "defence", "sources": 1},
        {"sector": "finance", "sources": 1},
        {"sector": "individuals", "sources": 1},
    ],
    # PY: BF 6 + TG 5 + SF 3 + DF1 + I1-I5 5 = 20; unknown MW 2 + EM1 = 3; AR 1; BR 1.
    "by_country": [
        {"country": "PY", "events": 20},
        {"country": UNKNOWN, "events": 3},
        {"country": "AR", "events": 1},
        {"country": "BR", "events": 1},
    ],
    # high: BF 6 + MW 2 + I1 + I5 + SI1 = 11; medium: TG 5 + SF 3 + DF1 = 9; critical I2, I3; low IN1,
    # EM1; unknown I4.
    "by_severity": [
        {"severity": "high", "events": 11},
        {"severity": "medium", "events": 9},
        {"severity": "critical", "events": 2},
        {"severity": "low", "events": 2},
        {"severity": UNKNOWN, "events": 1},
    ],
    # scan_telnet: TG 5 + IN1 + DF1 + EM1 = 8; honeypot 6; scan_smb 3; stix I4, I5, SI1 = 3; misp 2;
    # veris/mitic I2, I3 = 2; veris/vcdb I1.
    "by_feed": [
        {"feed": "scan_telnet", "provider": "Shadowserver", "events": 8},
        {"feed": "event4_honeypot_brute_force", "provider": "Shadowserver", "events": 6},
        {"feed": "scan_smb", "provider": "Shadowserver", "events": 3},
        {"feed": "stix", "provider": "CERT-PY", "events": 3},
        {"feed": "misp", "provider": "CERT-PY", "events": 2},
        {"feed": "veris", "provider": "mitic", "events": 2},
        {"feed": "veris", "provider": "vcdb", "events": 1},
    ],
    # AS64500: TG 5 + SF 3 + DF1 = 9; no AS: MW 2 + EM1 + I1-I5 = 8; AS64501: 6; AS64502, AS64503: 1.
    "top_asn": [
        {"asn": 64500, "as_name": "ISP-ONE", "events": 9},
        {"asn": None, "as_name": UNKNOWN, "events": 8},
        {"asn": 64501, "as_name": "TELCO-PY", "events": 6},
        {"asn": 64502, "as_name": "RES-NET", "events": 1},
        {"asn": 64503, "as_name": "FOREIGN", "events": 1},
    ],
    # 192.0.2.0/24: 9; unknown: 8; 198.51.100.0/24: 6; 203.0.113.0/24: IN1, SI1 = 2.
    "top_networks": [
        {"network": "192.0.2.0/24", "events": 9},
        {"network": UNKNOWN, "events": 8},
        {"network": "198.51.100.0/24", "events": 6},
        {"network": "203.0.113.0/24", "events": 2},
    ],
    # Ministry A: TG 5 + I2 + I4 + I5 = 8; Telco PY 6; Bank B 3; Army, Hospital H, University U 1 each.
    "top_organisations": [
        {"organisation": "Ministry A", "sector": "government", "events": 8},
        {"organisation": "Telco PY", "sector": "telecommunications", "events": 6},
        {"organisation": "Bank B", "sector": "finance", "events": 3},
        {"organisation": "Army", "sector": "defence", "events": 1},
        {"organisation": "Hospital H", "sector": "health", "events": 1},
        {"organisation": "University U", "sector": "education", "events": 1},
    ],
    # June's addresses: 198.51.100.1, .50, 192.0.2.1, .4, .5, .10. Of July's 11, three were seen in June
    # (198.51.100.1, 192.0.2.1, 192.0.2.10); 192.0.2.3 was seen in May only, so it is new: 8 new.
    "new_vs_recurring": [{"new": 8, "recurring": 3}],
    # Incidents I1-I5 (SI1 is an indicator, not an incident).
    "incidents_by_type": [
        {"taxonomy": "fraud", "type": "phishing", "events": 2},
        {"taxonomy": "intrusions", "type": "system-compromise", "events": 2},
        {"taxonomy": "malicious-code", "type": "infected-system", "events": 1},
    ],
    "incidents_by_sector": [
        {"sector": "government", "events": 3},  # I2, I4, I5
        {"sector": "education", "events": 1},
        {"sector": "health", "events": 1},
    ],
    "incidents_by_severity": [
        {"severity": "critical", "events": 2},  # I2, I3
        {"severity": "high", "events": 2},  # I1, I5
        {"severity": UNKNOWN, "events": 1},  # I4
    ],
    "incidents_by_reporter": [
        {"reporter": "CERT-PY", "events": 2},  # I4, I5
        {"reporter": "mitic", "events": 2},  # I2, I3
        {"reporter": "vcdb", "events": 1},  # I1
    ],
    # phishing: I1 4 h, I2 10.5 h: mean 7.25; system-compromise and infected-system: no time given.
    "incident_response": [
        {"type": "phishing", "incidents": 2, "with_time": 2, "mean_hours": 7.25},
        {"type": "system-compromise", "incidents": 2, "with_time": 0, "mean_hours": None},
        {"type": "infected-system", "incidents": 1, "with_time": 0, "mean_hours": None},
    ],
    # I1 confirmed (VERIS security_incident), I2 closed (status), I4 open (STIX investigation_status),
    # I3 and I5 say nothing: unknown.
    "incidents_by_status": [
        {"status": UNKNOWN, "events": 2},
        {"status": "closed", "events": 1},
        {"status": "confirmed", "events": 1},
        {"status": "open", "events": 1},
    ],
    # All five incidents first; two give a time (4 and 10.5 hours): mean 7.25; the median is the smallest
    # time reached by half of them (1 of 2: 4 hours), the 90th percentile by nine tenths (2 of 2: 10.5).
    "incident_times": [
        {
            "overall": True,
            "type": None,
            "incidents": 5,
            "with_time": 2,
            "mean_hours": 7.25,
            "median_hours": 4.0,
            "p90_hours": 10.5,
        },
        {
            "overall": False,
            "type": "phishing",
            "incidents": 2,
            "with_time": 2,
            "mean_hours": 7.25,
            "median_hours": 4.0,
            "p90_hours": 10.5,
        },
        {
            "overall": False,
            "type": "system-compromise",
            "incidents": 2,
            "with_time": 0,
            "mean_hours": None,
            "median_hours": None,
            "p90_hours": None,
        },
        {
            "overall": False,
            "type": "infected-system",
            "incidents": 1,
            "with_time": 0,
            "mean_hours": None,
            "median_hours": None,
            "p90_hours": None,
        },
    ],
    # June's vulnerable addresses: 192.0.2.1, .4, .5 (government), 192.0.2.10 (finance); no infected system.
    # In July, 192.0.2.1 and .10 are reported again; .4 and .5 are not: 2 of 4 gone, 2 of the 3 in
    # government, none of the 1 in finance.
    "remediation": [
        {"dimension": "sector", "series": "government", "seen": 3, "gone": 2, "share": 0.6667},
        {"dimension": "sector", "series": "finance", "seen": 1, "gone": 0, "share": 0.0},
        {"dimension": "taxonomy", "series": "vulnerable", "seen": 4, "gone": 2, "share": 0.5},
    ],
    # Distinct addresses per victim country: PY 198.51.100.1-3, 192.0.2.1-3, .10, .20 = 8; AR 203.0.113.9;
    # BR 203.0.113.77; MW and EM1 have no country and are left out.
    "exposure": [
        {"country": "PY", "sources": 8},
        {"country": "AR", "sources": 1},
        {"country": "BR", "sources": 1},
    ],
    # Every event of 2025 and 2026, whatever the period: 2025 is July 2025 (TG 10, MW 2); 2026 is May to
    # August: fraud I1, I2 and June's incident; intrusion-attempts BF 6 + 2 in June + 1 in May;
    # intrusions I4, I5; malicious-code MW 2, I3, SI1; vulnerable 11 in July, 14 in June, NX1.
    "history": [
        {"year": 2025, "taxonomy": "malicious-code", "events": 2},
        {"year": 2025, "taxonomy": "vulnerable", "events": 10},
        {"year": 2026, "taxonomy": "fraud", "events": 3},
        {"year": 2026, "taxonomy": "intrusion-attempts", "events": 9},
        {"year": 2026, "taxonomy": "intrusions", "events": 2},
        {"year": 2026, "taxonomy": "malicious-code", "events": 4},
        {"year": 2026, "taxonomy": "vulnerable", "events": 26},
    ],
    # July (31 days) against June (30 days). June by sector: telecommunications 2 (BF), government
    # 5 (TG) + 1 (incident) = 6, finance 9; by type: brute-force 2, vulnerable-system 5 + 9 = 14,
    # phishing 1. Ratios are of daily rates: finance (3/31)/(9/30) = 0.3226, government 1.2903,
    # telecommunications and brute-force 2.9032, phishing 1.9355, vulnerable-system 0.7604.
    # p and q: the exact test with share 31/61 and BH over the 14 series (hand_changes); none is
    # below 0.05 (the smallest p, unknown 4 against 0, is about 0.13).
    "change_previous": hand_changes(
        [
            ("sector", "defence", 1, 0),
            ("sector", "education", 1, 0),
            ("sector", "finance", 3, 9),
            ("sector", "government", 8, 6),
            ("sector", "health", 1, 0),
            ("sector", "individuals", 1, 0),
            ("sector", "telecommunications", 6, 2),
            ("sector", UNKNOWN, 4, 0),
            ("type", "brute-force", 6, 2),
            ("type", "c2-server", 1, 0),
            ("type", "infected-system", 3, 0),
            ("type", "phishing", 2, 1),
            ("type", "system-compromise", 2, 0),
            ("type", "vulnerable-system", 11, 14),
        ],
        31,
        30,
    ),
    # July 2025 (31 days): government 10 (TG), unknown 2 (MW); vulnerable-system 10, infected-system 2.
    # Equal lengths: the ratio is the ratio of counts (government 0.8, unknown 2, infected-system 1.5,
    # vulnerable-system 1.1). The smallest p is 6 against 0 with share 1/2: 2/64; after BH over 14
    # series no q is below 0.05.
    "change_year": hand_changes(
        [
            ("sector", "defence", 1, 0),
            ("sector", "education", 1, 0),
            ("sector", "finance", 3, 0),
            ("sector", "government", 8, 10),
            ("sector", "health", 1, 0),
            ("sector", "individuals", 1, 0),
            ("sector", "telecommunications", 6, 0),
            ("sector", UNKNOWN, 4, 2),
            ("type", "brute-force", 6, 0),
            ("type", "c2-server", 1, 0),
            ("type", "infected-system", 3, 2),
            ("type", "phishing", 2, 0),
            ("type", "system-compromise", 2, 0),
            ("type", "vulnerable-system", 11, 10),
        ],
        31,
        31,
    ),
}


def _approx(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: pytest.approx(v, rel=1e-9) if isinstance(v, float) else v for k, v in row.items()} for row in rows]


def test_golden_rows_cover_every_metric() -> None:
    assert set(GOLDEN) == {metric.id for metric in metrics.METRICS}


@pytest.fixture(scope="module")
def july(store: EventStore, engine: DuckDBEngine, read_from: str) -> metrics.ResultSet:
    """The whole metric set for July 2026, computed once for the module."""
    return compute(store, engine)


@pytest.mark.slow
@pytest.mark.parametrize("metric_id", [metric.id for metric in metrics.METRICS])
def test_metric_golden(july: metrics.ResultSet, metric_id: str) -> None:
    assert july.rows(metric_id) == _approx(GOLDEN[metric_id])


def test_the_set_runs_in_order_and_one_metric_alone_gives_the_same_rows(
    july: metrics.ResultSet, store: EventStore, engine: DuckDBEngine
) -> None:
    assert list(july.results) == [metric.id for metric in metrics.METRICS]
    assert july.engine == "duckdb"
    alone = compute(store, engine, only=["new_vs_recurring", "incident_response"])
    assert list(alone.results) == ["new_vs_recurring", "incident_response"]
    assert alone.rows("new_vs_recurring") == GOLDEN["new_vs_recurring"]
    assert alone.rows("incident_response") == GOLDEN["incident_response"]


def test_no_change_is_flagged_on_this_small_store() -> None:
    # The hand-worked p-values back the claim in the comments: with so few events nothing is significant.
    for metric_id in ("change_previous", "change_year"):
        assert all(row["flag"] == "" for row in GOLDEN[metric_id])
        assert min(row["q"] for row in GOLDEN[metric_id]) >= 0.05


@pytest.mark.slow
def test_weekly_timeline_for_a_quarter(store: EventStore, engine: DuckDBEngine) -> None:
    # 2026-Q3 has 92 days: weekly buckets, each named by its Monday. 1 July 2026 is a Wednesday, so the
    # first bucket is Monday 29 June. The quarter also holds NX1 (1 August, vulnerable).
    rows = compute(store, engine, "2026-Q3", only=["timeline"]).rows("timeline")
    assert rows == [
        # 29 June - 5 July: BF1-BF4; TG1-TG3, IN1, DF1, SF1
        {"bucket": D(2026, 6, 29), "taxonomy": "intrusion-attempts", "events": 4},
        {"bucket": D(2026, 6, 29), "taxonomy": "vulnerable", "events": 6},
        # 6-12 July: I1, I2; BF5, BF6; I4; I3; SF2, SF3
        {"bucket": D(2026, 7, 6), "taxonomy": "fraud", "events": 2},
        {"bucket": D(2026, 7, 6), "taxonomy": "intrusion-attempts", "events": 2},
        {"bucket": D(2026, 7, 6), "taxonomy": "intrusions", "events": 1},
        {"bucket": D(2026, 7, 6), "taxonomy": "malicious-code", "events": 1},
        {"bucket": D(2026, 7, 6), "taxonomy": "vulnerable", "events": 2},
        # 13-19 July: I5; TG4
        {"bucket": D(2026, 7, 13), "taxonomy": "intrusions", "events": 1},
        {"bucket": D(2026, 7, 13), "taxonomy": "vulnerable", "events": 1},
        # 20-26 July: MW1, MW2, SI1; EM1
        {"bucket": D(2026, 7, 20), "taxonomy": "malicious-code", "events": 3},
        {"bucket": D(2026, 7, 20), "taxonomy": "vulnerable", "events": 1},
        # 27 July - 2 August: TG5, NX1
        {"bucket": D(2026, 7, 27), "taxonomy": "vulnerable", "events": 2},
    ]


def test_monthly_timeline_for_a_year(store: EventStore, engine: DuckDBEngine) -> None:
    # 2026: May (the BF event), June (17), July (25), August (NX1), by class.
    rows = compute(store, engine, "2026", only=["timeline"]).rows("timeline")
    assert rows == [
        {"bucket": D(2026, 5, 1), "taxonomy": "intrusion-attempts", "events": 1},
        {"bucket": D(2026, 6, 1), "taxonomy": "fraud", "events": 1},
        {"bucket": D(2026, 6, 1), "taxonomy": "intrusion-attempts", "events": 2},
        {"bucket": D(2026, 6, 1), "taxonomy": "vulnerable", "events": 14},
        {"bucket": D(2026, 7, 1), "taxonomy": "fraud", "events": 2},
        {"bucket": D(2026, 7, 1), "taxonomy": "intrusion-attempts", "events": 6},
        {"bucket": D(2026, 7, 1), "taxonomy": "intrusions", "events": 2},
        {"bucket": D(2026, 7, 1), "taxonomy": "malicious-code", "events": 4},
        {"bucket": D(2026, 7, 1), "taxonomy": "vulnerable", "events": 11},
        {"bucket": D(2026, 8, 1), "taxonomy": "vulnerable", "events": 1},
    ]


# -- TLP and filters ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_tlp_restriction_counts_only_the_labels_allowed(store: EventStore, engine: DuckDBEngine) -> None:
    # clear and green in July: BF 6 (green), IN1 (clear), EM1 (green), I3 (clear) = 9.
    result = compute(store, engine, tlp_in=("clear", "green"))
    assert result.one("totals")["events"] == 9
    assert result.rows("by_category") == [
        {"category": "individuals", "events": 7},  # BF 6 + IN1
        {"category": "government", "events": 1},  # I3, held by a public body
        {"category": UNKNOWN, "events": 1},  # EM1
    ]
    assert result.rows("incidents_by_type") == [{"taxonomy": "malicious-code", "type": "infected-system", "events": 1}]
    # The comparison periods are restricted too: June has 2 green BF events and nothing clear.
    brute = next(r for r in result.rows("change_previous") if r["series"] == "brute-force")
    assert (brute["current"], brute["previous"]) == (6, 2)
    assert {row["series"] for row in result.rows("change_year")} <= {"brute-force", "vulnerable-system",
        "infected-system", "individuals", "telecommunications", UNKNOWN, "education"}  # fmt: skip
    # Red (MW) is not there: no mirai among the identifiers.
    assert "mirai" not in {row["identifier"] for row in result.rows("by_identifier")}


@pytest.mark.slow
def test_tlp_restriction_to_nothing_shows_nothing(store: EventStore, engine: DuckDBEngine) -> None:
    result = compute(store, engine, tlp_in=())
    assert result.one("totals")["events"] == 0
    assert result.rows("by_sector") == [] and result.rows("change_previous") == []


@pytest.mark.slow
def test_sector_filter(store: EventStore, engine: DuckDBEngine) -> None:
    # government in July: TG 5, I2, I4, I5 = 8. June: TG 5 + the incident = 6.
    result = compute(store, engine, sectors=("government",))
    assert result.one("totals")["events"] == 8
    assert result.rows("by_class") == [
        {"taxonomy": "vulnerable", "type": "vulnerable-system", "events": 5},
        {"taxonomy": "intrusions", "type": "system-compromise", "events": 2},
        {"taxonomy": "fraud", "type": "phishing", "events": 1},
    ]
    assert [(r["dimension"], r["series"], r["current"], r["previous"]) for r in result.rows("change_previous")] == [
        ("sector", "government", 8, 6),
        ("type", "phishing", 1, 1),
        ("type", "system-compromise", 2, 0),
        ("type", "vulnerable-system", 5, 5),
    ]
    # The unknown sector can be chosen like any other: MW 2, EM1, SI1.
    assert compute(store, engine, sectors=(UNKNOWN,)).one("totals")["events"] == 4


@pytest.mark.slow
def test_taxonomy_and_other_filters(store: EventStore, engine: DuckDBEngine) -> None:
    # vulnerable in July: TG 5, SF 3, IN1, DF1, EM1 = 11.
    result = compute(store, engine, taxonomies=("vulnerable",))
    assert result.rows("by_sector") == [
        {"sector": "government", "events": 5},
        {"sector": "finance", "events": 3},
        {"sector": "defence", "events": 1},
        {"sector": "individuals", "events": 1},
        {"sector": UNKNOWN, "events": 1},
    ]
    assert result.rows("incidents_by_type") == []
    # Filters combine: vulnerable and government = TG 5.
    assert compute(store, engine, taxonomies=("vulnerable",), sectors=("government",)).one("totals")["events"] == 5
    # Type, feed and country filters: brute-force = 6; stix = 3; AR = 1.
    assert compute(store, engine, types=("brute-force",)).one("totals")["events"] == 6
    assert compute(store, engine, feeds=("stix",)).one("totals")["events"] == 3
    assert compute(store, engine, countries=("AR",)).one("totals")["events"] == 1


@pytest.mark.slow
def test_every_filter_applies_to_sources_and_incidents_too(store: EventStore, engine: DuckDBEngine) -> None:
    # AR: IN1 alone, one address, no incident.
    result = compute(store, engine, countries=("AR",))
    assert result.rows("sources_total") == [{"sources": 1}]
    assert result.rows("new_vs_recurring") == [{"new": 1, "recurring": 0}]
    assert result.rows("incidents_by_type") == []
    # stix: I4, I5 are incidents, SI1 (203.0.113.77) is the only address.
    result = compute(store, engine, feeds=("stix",))
    assert result.rows("sources_total") == [{"sources": 1}]
    assert result.rows("incidents_by_reporter") == [{"reporter": "CERT-PY", "events": 2}]
    # veris: I1-I3, no address at all.
    result = compute(store, engine, feeds=("veris",))
    assert result.rows("sources_total") == [{"sources": 0}]
    assert result.rows("incidents_by_sector") == [
        {"sector": "education", "events": 1},
        {"sector": "government", "events": 1},
        {"sector": "health", "events": 1},
    ]
    # An unknown country: MW 2 and EM1, all from 203.0.113.5.
    assert compute(store, engine, countries=(UNKNOWN,)).rows("sources_total") == [{"sources": 1}]


# -- bad input -----------------------------------------------------------------------------------------

EMPTY = {
    "totals": [
        {"events": 0, "feeds": 0, "days": 0, "first_day": None, "last_day": None, "organisations": 0, "attributed": 0}
    ],
    "sources_total": [{"sources": 0}],
    "new_vs_recurring": [{"new": 0, "recurring": 0}],
}


@pytest.mark.slow
def test_empty_store(tmp_path: Path, engine: DuckDBEngine) -> None:
    result = compute(EventStore(tmp_path), engine)
    for metric in metrics.METRICS:
        assert result.rows(metric.id) == EMPTY.get(metric.id, []), metric.id


@pytest.mark.slow
def test_a_period_without_data(store: EventStore, engine: DuckDBEngine) -> None:
    # September 2026 is empty; the August before it has NX1 only (government, vulnerable-system).
    result = compute(store, engine, "2026-09")
    for metric in metrics.METRICS:
        if metric.id not in ("change_previous", "change_year", "history", "remediation"):
            assert result.rows(metric.id) == EMPTY.get(metric.id, []), metric.id
    # August's one vulnerable address (NX1, government) is not reported in September: all of it gone.
    assert result.rows("remediation") == [
        {"dimension": "sector", "series": "government", "seen": 1, "gone": 1, "share": 1.0},
        {"dimension": "taxonomy", "series": "vulnerable", "seen": 1, "gone": 1, "share": 1.0},
    ]
    # The yearly history does not depend on the month: every event of 2025 and 2026, as for July.
    assert result.rows("history") == GOLDEN["history"]
    # 0 against 1, 30 days against 31: ratio 0, change -100 %. Bin(1, 30/61): P(X=0) = 31/61 is the
    # likelier outcome, so p = 1. A fall to nothing from one event is not flagged.
    assert result.rows("change_previous") == [
        {"dimension": "sector", "series": "government", "current": 0, "previous": 1, "ratio": 0.0, "change": -1.0,
         "p": 1.0, "q": 1.0, "flag": ""},
        {"dimension": "type", "series": "vulnerable-system", "current": 0, "previous": 1, "ratio": 0.0, "change": -1.0,
         "p": 1.0, "q": 1.0, "flag": ""},
    ]  # fmt: skip
    assert result.rows("change_year") == []


@pytest.mark.slow
def test_a_single_event(tmp_path: Path, engine: DuckDBEngine) -> None:
    store = write_store(tmp_path, [tg("2026-07-15T12:00:00", "192.0.2.1")])
    result = compute(store, engine)
    assert result.one("totals") == {
        "events": 1,
        "feeds": 1,
        "days": 1,
        "first_day": D(2026, 7, 15),
        "last_day": D(2026, 7, 15),
        "organisations": 1,
        "attributed": 1,
    }
    assert result.rows("by_category") == [{"category": "government", "events": 1}]
    assert result.rows("new_vs_recurring") == [{"new": 1, "recurring": 0}]
    assert result.rows("incident_response") == []
    # 1 against 0, 31 days against 30: Bin(1, 31/61), X=1 is the likelier outcome: p = 1, no ratio.
    assert [(r["series"], r["ratio"], r["p"], r["flag"]) for r in result.rows("change_previous")] == [
        ("government", None, 1.0, ""),
        ("vulnerable-system", None, 1.0, ""),
    ]


@pytest.mark.slow
def test_extreme_skew(tmp_path: Path, engine: DuckDBEngine) -> None:
    # 2,000 brute-force events from one address in July against 10 in June, beside 40 new phishing
    # events and one telnet event in each month.
    events = [bf(f"2026-07-{1 + i % 31:02d}T{i % 24:02d}:00:00", "198.51.100.1") for i in range(2000)]
    events += [bf(f"2026-06-{1 + i:02d}T10:00:00", "198.51.100.1") for i in range(10)]
    events += [
        incident(f"2026-07-{1 + i % 28:02d}T10:00:00", taxonomy="fraud", type_="phishing", identifier="phishing")
        for i in range(40)
    ]
    events += [tg("2026-07-03T10:00:00", "192.0.2.1"), tg("2026-06-03T10:00:00", "192.0.2.1")]
    store = write_store(tmp_path, events)
    result = compute(store, engine)
    assert result.one("totals")["events"] == 2041
    assert result.rows("sources_total") == [{"sources": 2}]
    assert result.rows("top_networks")[0] == {"network": "198.51.100.0/24", "events": 2000}
    assert result.rows("by_category") == [
        {"category": "individuals", "events": 2000},
        {"category": UNKNOWN, "events": 40},
        {"category": "government", "events": 1},
    ]
    flags = {(r["dimension"], r["series"]): (r["ratio"], r["flag"]) for r in result.rows("change_previous")}
    # brute-force: (2000/31) / (10/30) = 193.5484: a rise. phishing: 40 against 0: new
    # (p = (31/61)^40 + the lower tail, far below 0.05). telnet: 1 against 1: nothing.
    assert flags[("type", "brute-force")] == (193.5484, "rise")
    assert flags[("type", "phishing")] == (None, "new")
    assert flags[("type", "vulnerable-system")] == (0.9677, "")
    assert flags[("sector", "telecommunications")] == (193.5484, "rise")
