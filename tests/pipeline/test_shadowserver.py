"""The Shadowserver mapping: every report type is valid and classified as IntelMQ does, and sample
reports of each family import to the expected events (file names, extra, summary, golden output).

The sample files under ``samples/shadowserver/`` are made up: documentation address ranges
(192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32), private-use AS numbers and
``example`` domains, in the column layout of real Shadowserver reports.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from cyberplan.pipeline.importers.base import ImportOptions, Source, SourceError
from cyberplan.pipeline.importers.csvengine import CONVERSIONS, ColumnRule, CsvMapping
from cyberplan.pipeline.importers.shadowserver import (
    ShadowserverImporter,
    load_mapping,
    mapping_for,
    report_from_file_name,
    report_types,
)
from cyberplan.pipeline.ingest import ingest
from cyberplan.pipeline.schema import FIELD_TYPES
from cyberplan.pipeline.store import CommitSummary, EventStore

SAMPLES = Path(__file__).parent / "samples" / "shadowserver"
GOLDEN = Path(__file__).parent / "golden"
OBSERVED_AT = "2026-11-29 00:00:00+00"

# The RSIT classes and their types, as IntelMQ's harmonisation accepts them (IntelMQ 3.x).
RSIT: dict[str, set[str]] = {
    "abusive-content": {"harmful-speech", "spam", "violence"},
    "availability": {"ddos", "dos", "misconfiguration", "outage", "sabotage"},
    "fraud": {"copyright", "masquerade", "phishing", "unauthorized-use-of-resources"},
    "information-content-security": {
        "data-leak",
        "data-loss",
        "unauthorised-information-access",
        "unauthorised-information-modification",
    },
    "information-gathering": {"scanner", "sniffing", "social-engineering"},
    "intrusion-attempts": {"brute-force", "exploit", "ids-alert"},
    "intrusions": {
        "application-compromise",
        "burglary",
        "privileged-account-compromise",
        "system-compromise",
        "unprivileged-account-compromise",
    },
    "malicious-code": {"c2-server", "infected-system", "malware-configuration", "malware-distribution"},
    "other": {"blacklist", "dga-domain", "other", "proxy", "tor", "undetermined"},
    "test": {"test"},
    "vulnerable": {
        "ddos-amplifier",
        "information-disclosure",
        "potentially-unwanted-accessible",
        "vulnerable-system",
        "weak-crypto",
    },
}

# What IntelMQ's Shadowserver parser assigns to a sample of report types (from the report schema
# Shadowserver publishes for IntelMQ). A report may differ only with a `note` saying why.
INTELMQ: dict[str, tuple[str, str, str]] = {
    "scan_telnet": ("vulnerable", "vulnerable-system", "open-telnet"),
    "scan_smb": ("vulnerable", "vulnerable-system", "open-smb"),
    "scan_rdp": ("vulnerable", "vulnerable-system", "open-rdp"),
    "scan_http": ("other", "other", "accessible-http"),
    "scan_http_vulnerable": ("vulnerable", "vulnerable-system", "vulnerable-http"),
    "scan_ssl_poodle": ("vulnerable", "vulnerable-system", "ssl-poodle"),
    "scan_ssl": ("other", "other", "open-ssl"),
    "scan_dns": ("vulnerable", "vulnerable-system", "dns-open-resolver"),
    "scan_ntpmonitor": ("vulnerable", "vulnerable-system", "ntp-monitor"),
    "scan_rdpeudp": ("vulnerable", "vulnerable-system", "accessible-msrdpeudp"),
    "scan6_telnet": ("vulnerable", "vulnerable-system", "open-telnet"),
    "population_http_proxy": ("other", "other", "accessible-http-proxy"),
    "device_id": ("other", "undetermined", "device-id"),
    "event4_honeypot_ddos_amp": ("availability", "ddos", "amplification-ddos-victim"),
    "event4_honeypot_http_scan": ("information-gathering", "scanner", "honeypot-http-scan"),
    "event4_ip_spoofer": ("fraud", "masquerade", "ip-spoofer"),
    "event4_sinkhole_dns": ("other", "other", "sinkholedns"),
    "event4_ddos_participant": ("availability", "ddos", "ddos-participant"),
    "blocklist": ("other", "blacklist", "blacklisted-ip"),
    "phish_url": ("fraud", "phishing", "phish-url"),
    "malware_url": ("malicious-code", "malware-distribution", "malware-url"),
    "sandbox_url": ("malicious-code", "malware-distribution", "sandbox-url"),
    "compromised_website": ("intrusions", "system-compromise", "compromised-website"),
    "spam_url": ("abusive-content", "spam", "spam-url"),
    # IntelMQ takes the identifier from the infection column here, and so does cyberplan (lower case).
    "event4_sinkhole": ("malicious-code", "infected-system", "<infection>"),
    "event4_microsoft_sinkhole_http": ("malicious-code", "infected-system", "<infection>"),
}

REPORT_KEYS = {
    "title",
    "classification",
    "protocol.application",
    "protocol.transport",
    "malware.name",
    "feed.accuracy",
    "severity",
    "columns",
    "note",
}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# -- (a) the mapping file ------------------------------------------------------------------------


def test_mapping_file_loads_with_its_defaults() -> None:
    data = load_mapping()
    assert data["version"] == 1
    assert data["provider"] == "Shadowserver"
    defaults = data["defaults"]["columns"]
    assert defaults["timestamp"] == {"field": "time.source", "convert": "timestamp"}
    assert defaults["ip"] == {"field": "source.ip", "convert": "ip"}


def test_covers_the_report_types_a_national_csirt_receives() -> None:
    types = report_types()
    assert len(types) >= 90
    assert sum(t.startswith("scan_") for t in types) >= 60
    families = ("scan6_", "event4_", "event6_", "population_", "sandbox_", "compromised_")
    for prefix in families:
        assert any(t.startswith(prefix) for t in types), prefix
    for name in ("blocklist", "malware_url", "phish_url", "spam_url", "device_id", "special"):
        assert name in types
    # Report types Shadowserver added in 2025.
    for name in ("scan_msrpc", "scan_ip_tunnel", "scan6_ip_tunnel", "scan6_rsync"):
        assert name in types


@pytest.mark.parametrize("report", report_types())
def test_report_is_valid(report: str) -> None:
    spec = load_mapping()["reports"][report]
    assert set(spec) <= REPORT_KEYS, set(spec) - REPORT_KEYS
    assert isinstance(spec["title"], str)
    assert spec["title"].strip()
    classification = spec["classification"]
    assert set(classification) == {"taxonomy", "type", "identifier"}
    assert classification["taxonomy"] in RSIT
    assert classification["type"] in RSIT[classification["taxonomy"]]
    assert SLUG.match(classification["identifier"]), classification["identifier"]
    for key in ("protocol.application", "protocol.transport"):
        if key in spec:
            assert spec[key] == spec[key].lower()
    if "note" in spec:
        assert isinstance(spec["note"], str)
        assert len(spec["note"]) > 40
    for column, rule in (spec.get("columns") or {}).items():
        if rule is not None:
            assert rule["field"] in FIELD_TYPES, (column, rule)
            assert rule["convert"] in CONVERSIONS, (column, rule)
    # Building the mapping checks every column rule and constant against the schema.
    mapping = mapping_for(report)
    assert mapping.columns["timestamp"].field == "time.source"
    assert mapping.constants["feed.name"] == report
    assert mapping.constants["classification.taxonomy"] == classification["taxonomy"]


@pytest.mark.parametrize(("report", "expected"), sorted(INTELMQ.items()))
def test_classification_agrees_with_intelmq(report: str, expected: tuple[str, str, str]) -> None:
    spec = load_mapping()["reports"][report]
    classification = spec["classification"]
    assert (classification["taxonomy"], classification["type"]) == expected[:2]
    if classification["identifier"] != expected[2]:
        assert "note" in spec, f"{report} differs from IntelMQ without a note"


def test_default_columns_are_not_repeated_by_event_reports() -> None:
    # Event reports carry src_*/dst_* columns; the scan defaults are switched off for them.
    mapping = mapping_for("event4_sinkhole")
    assert "ip" not in mapping.columns
    assert mapping.columns["src_ip"].field == "source.ip"
    assert mapping.columns["dst_ip"].field == "destination.ip"
    assert mapping.columns["infection"].field == "malware.name"
    assert mapping.columns["infection"].convert == "family"
    # As in IntelMQ, a sinkhole's infection is also its classification identifier.
    assert mapping.columns["infection"].also == (("classification.identifier", "family"),)


# -- (b) importing sample reports -------------------------------------------------------------------


Rows = list[dict[str, Any]]


def _ingest(tmp_path: Path, source: Path, **kwargs: Any) -> tuple[CommitSummary, Rows, Rows]:
    """Import ``source`` into a fresh store; return the summary, the stored events and the quarantine."""
    store = EventStore(tmp_path / "store")
    summary = ingest(Source(source), store, "test-import", observed_at=OBSERVED_AT, **kwargs)
    assert summary.read == summary.stored + summary.duplicates + summary.quarantined
    con = duckdb.connect()
    try:
        store.register(con)
        cursor = con.execute(
            "SELECT * EXCLUDE (\"time.source\"), strftime(timezone('UTC', \"time.source\"), '%Y-%m-%dT%H:%M:%SZ') "
            'AS "time.source" FROM events ORDER BY "time.source", "source.ip"'
        )
        names = [d[0] for d in cursor.description]
        events = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        quarantine = store.quarantine_file("test-import")
        rejects: Rows = []
        if quarantine.exists():
            cursor = con.execute("SELECT line, field, reason FROM read_parquet(?) ORDER BY line", [str(quarantine)])
            rejects = [dict(zip(("line", "field", "reason"), row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    assert len(events) == summary.stored
    assert len(rejects) == summary.quarantined
    return summary, events, rejects


def _by_ip(events: list[dict[str, Any]], ip: str) -> dict[str, Any]:
    [event] = [e for e in events if e["source.ip"] == ip]
    return event


def _extra(event: dict[str, Any]) -> dict[str, Any]:
    return json.loads(event["extra"]) if event["extra"] else {}


def _assert_fields(event: dict[str, Any], expected: dict[str, Any]) -> None:
    assert {key: event[key] for key in expected} == expected


def test_scan_report(tmp_path: Path) -> None:
    summary, events, rejects = _ingest(tmp_path, SAMPLES / "2026-11-28-scan_telnet-py-geo.csv")
    assert (summary.read, summary.stored, summary.duplicates, summary.quarantined) == (5, 3, 1, 1)
    assert rejects == [{"line": 5, "field": "ip", "reason": "not an IP address: 203.0.113.300"}]
    event = _by_ip(events, "192.0.2.17")
    _assert_fields(
        event,
        {
            "time.source": "2026-11-28T03:12:45Z",
            "source.port": 23,
            "source.asn": 64500,
            "source.geolocation.cc": "PY",
            "source.reverse_dns": "cpe-192-0-2-17.example.py",
            "protocol.transport": "tcp",
            "protocol.application": "telnet",
            "classification.taxonomy": "vulnerable",
            "classification.type": "vulnerable-system",
            "classification.identifier": "open-telnet",
            "feed.name": "scan_telnet",
            "feed.provider": "Shadowserver",
            "import_id": "test-import",
        },
    )
    extra = _extra(event)
    assert extra["banner"] == "|BusyBox v1.31.1 built-in shell|login:"
    assert extra["tag"] == "telnet"
    assert extra["region"] == "CENTRAL"
    assert "sector" not in extra and "severity" not in extra
    assert event["victim.reported_sector"] == "Communications, Service Provider, and Hosting Service"
    assert event["severity"] == "medium"
    assert not {"timestamp", "ip", "port", "asn", "geo", "hostname", "protocol"} & set(extra)
    ipv6 = _by_ip(events, "2001:db8:0:17::23")
    assert ipv6["source.geolocation.cc"] == "PY"
    assert json.loads(ipv6["raw"])["ip"] == "2001:DB8:0:17::23"


def test_scan_report_taking_the_application_from_the_tag(tmp_path: Path) -> None:
    _, events, _ = _ingest(tmp_path, SAMPLES / "2026-11-28-scan_ics-py-geo.csv")
    plc = _by_ip(events, "192.0.2.90")
    assert plc["protocol.application"] == "modbus"
    assert plc["classification.identifier"] == "open-ics"
    assert _extra(plc)["device_model"] == "BMX P34 2020"
    assert "tag" not in _extra(plc)
    assert _by_ip(events, "198.51.100.91")["protocol.application"] == "dnp3"


def test_honeypot_event_report(tmp_path: Path) -> None:
    summary, events, _ = _ingest(tmp_path, SAMPLES / "2026-11-28-event4_honeypot_brute_force-py-geo.csv")
    assert (summary.read, summary.stored) == (3, 3)
    event = _by_ip(events, "198.51.100.77")
    _assert_fields(
        event,
        {
            "source.port": 50311,
            "source.asn": 64501,
            "source.geolocation.cc": "PY",
            "source.reverse_dns": "brute.example.py",
            "destination.ip": "203.0.113.11",
            "destination.port": 23,
            "destination.asn": 64510,
            "destination.geolocation.cc": "DE",
            "classification.taxonomy": "intrusion-attempts",
            "classification.type": "brute-force",
            "classification.identifier": "telnet",
            "malware.name": "telnet-brute-force",
            "protocol.transport": "tcp",
        },
    )
    extra = _extra(event)
    assert extra["public_source"] == "CAPRICA-EU"
    assert extra["dst_city"] == "FRANKFURT AM MAIN"
    assert not {"src_ip", "dst_ip", "infection", "application"} & set(extra)
    assert _by_ip(events, "2001:db8:5::9")["destination.ip"] == "2001:db8:ffff::1"


def test_sinkhole_report(tmp_path: Path) -> None:
    _, events, _ = _ingest(tmp_path, SAMPLES / "2026-11-28-event4_sinkhole-py-geo.csv")
    andromeda = _by_ip(events, "192.0.2.120")
    _assert_fields(
        andromeda,
        {
            "malware.name": "andromeda",
            "classification.taxonomy": "malicious-code",
            "classification.type": "infected-system",
            "classification.identifier": "andromeda",
            "destination.ip": "203.0.113.200",
            "destination.port": 80,
        },
    )
    assert _extra(andromeda)["family"] == "gamarue"
    assert _extra(_by_ip(events, "198.51.100.121"))["ssl_servername"] == "update.example.net"


def test_sinkhole_family_fills_malware_name_and_identifier(tmp_path: Path) -> None:
    # The infection column names the family in both fields, lower case; Shadowserver's placeholders
    # '0' and 'unknown' name none, and a file without the column keeps the report's identifier.
    header = '"timestamp","src_ip","src_port","dst_ip","infection"\n'
    rows = [
        '"2026-11-28 01:00:00","192.0.2.1",1024,"203.0.113.1","Necurs"',
        '"2026-11-28 01:00:01","192.0.2.2",1025,"203.0.113.1","cyclops-blink"',
        '"2026-11-28 01:00:02","192.0.2.3",1026,"203.0.113.1","unknown"',
        '"2026-11-28 01:00:03","192.0.2.4",1027,"203.0.113.1","0"',
        '"2026-11-28 01:00:04","192.0.2.5",1028,"203.0.113.1",""',
    ]
    report = tmp_path / "2026-11-28-event4_sinkhole-py-geo.csv"
    report.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    summary, events, rejects = _ingest(tmp_path, report)
    assert (summary.stored, rejects) == (5, [])
    found = {e["source.ip"]: (e["malware.name"], e["classification.identifier"]) for e in events}
    assert found == {
        "192.0.2.1": ("necurs", "necurs"),
        "192.0.2.2": ("cyclops-blink", "cyclops-blink"),
        "192.0.2.3": (None, None),
        "192.0.2.4": (None, None),
        "192.0.2.5": (None, None),
    }
    # Importing the same file again stores nothing new.
    again = ingest(Source(report), EventStore(tmp_path / "store"), "test-import-again", observed_at=OBSERVED_AT)
    assert (again.stored, again.duplicates) == (0, 5)

    without = tmp_path / "no-infection" / "2026-11-28-event4_microsoft_sinkhole-py.csv"
    without.parent.mkdir()
    without.write_text('"timestamp","src_ip","src_port"\n"2026-11-28 02:00:00","192.0.2.9",80\n', encoding="utf-8")
    _, [event], _ = _ingest(tmp_path / "no-infection", without)
    assert (event["malware.name"], event["classification.identifier"]) == (None, "microsoft-sinkhole")


def test_special_report_names_its_family(tmp_path: Path) -> None:
    report = tmp_path / "2026-11-28-special-py.csv"
    report.write_text(
        '"timestamp","ip","port","infection","tag"\n"2026-11-28 03:00:00","192.0.2.7",443,"Cyclops-Blink","cyclops-blink"\n',
        encoding="utf-8",
    )
    _, [event], _ = _ingest(tmp_path, report)
    assert (event["malware.name"], event["classification.identifier"]) == ("cyclops-blink", "special")
    assert _extra(event)["tag"] == "cyclops-blink"


def test_sinkhole_http_report(tmp_path: Path) -> None:
    _, events, _ = _ingest(tmp_path, SAMPLES / "2026-11-28-event4_sinkhole_http-py-geo.csv")
    [event] = events
    assert event["destination.fqdn"] == "sinkholed-domain.example"
    assert event["protocol.application"] == "http"
    assert event["malware.name"] == "necurs"
    assert _extra(event)["http_url"] == "/gate.php"


def test_sandbox_url_report(tmp_path: Path) -> None:
    _, events, _ = _ingest(tmp_path, SAMPLES / "2026-11-28-sandbox_url-py.csv")
    event = _by_ip(events, "192.0.2.61")
    _assert_fields(
        event,
        {
            "source.url": "http://cdn.example.py/update.php?id=17",
            "source.fqdn": "cdn.example.py",
            "source.asn": 64500,
            "classification.taxonomy": "malicious-code",
            "classification.type": "malware-distribution",
            "classification.identifier": "sandbox-url",
        },
    )
    assert _extra(event) == {"md5": "fedcba9876543210fedcba9876543210", "user_agent": "WinHTTP", "method": "POST"}


def test_phishing_url_report(tmp_path: Path) -> None:
    _, events, _ = _ingest(tmp_path, SAMPLES / "2026-11-28-phish_url-py.csv")
    event = _by_ip(events, "192.0.2.88")
    _assert_fields(
        event,
        {
            "source.url": "https://login-banco.example.py/acceso/",
            "source.fqdn": "login-banco.example.py",
            "source.port": None,
            "classification.taxonomy": "fraud",
            "classification.type": "phishing",
            "classification.identifier": "phish-url",
        },
    )
    assert _extra(event)["source"] == "openphish.com"


def test_blocklist_report_files_a_network_as_the_source_network(tmp_path: Path) -> None:
    summary, events, rejects = _ingest(tmp_path, SAMPLES / "2026-11-28-blocklist-py.csv")
    assert (summary.read, summary.stored, summary.quarantined) == (2, 2, 0)
    address = _by_ip(events, "192.0.2.33")
    _assert_fields(
        address,
        {
            "source.reverse_dns": "mail.example.py",
            "classification.taxonomy": "other",
            "classification.type": "blacklist",
            "classification.identifier": "blacklisted-ip",
        },
    )
    assert _extra(address)["reason"] == "Spam source"
    [network] = [e for e in events if e["source.ip"] is None]
    assert network["source.network"] == "198.51.100.0/24"
    assert network["classification.type"] == "blacklist"
    assert rejects == []


SSL_HEADER = (
    '"timestamp","ip","protocol","port","hostname","tag","asn","geo","severity","sector",'
    '"subject_common_name","serial_number"\n'
)


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(SSL_HEADER + body, encoding="utf-8")
    return path


def test_short_rows_read_as_empty_fields(tmp_path: Path) -> None:
    body = (
        '"2026-11-28 01:00:00","192.0.2.1","tcp",443,"a.example.py","ssl",64500,"PY","high","Government"\n'
        '"2026-11-28 01:00:01","192.0.2.2","tcp",443\n'
    )
    summary, events, _ = _ingest(tmp_path, _write(tmp_path, "2026-11-28-scan_ssl-py.csv", body))
    assert (summary.stored, summary.quarantined) == (2, 0)
    short = _by_ip(events, "192.0.2.2")
    assert (short["source.port"], short["source.reverse_dns"], short["severity"], short["extra"]) == (
        443,
        None,
        "unknown",
        None,
    )


def test_odd_rows_are_quarantined_with_their_line_and_the_rest_imported(tmp_path: Path) -> None:
    body = (
        '"2026-11-28 01:00:00","192.0.2.1","tcp",443,"a.example.py","ssl",64500,"PY","high","Government"\n'
        '"2026-11-28 01:00:01","192.0.2.2","tcp",443,"b","ssl",64500,"PY","high","x","y","z","one too many"\n'
        '"2026-11-28 01:00:02","192.0.2.3","tcp",443,"c ""quoted"" ñandú","ssl",64500,"PY","low","","cn"\n'
        '"2026-11-28 01:00:03","198.51.100.0/33","tcp",443\n'
    )
    _, events, rejects = _ingest(tmp_path, _write(tmp_path, "2026-11-28-scan_ssl-py.csv", body))
    assert sorted(e["source.ip"] for e in events) == ["192.0.2.1", "192.0.2.3"]
    assert _by_ip(events, "192.0.2.3")["source.reverse_dns"] == 'c "quoted" ñandú'
    # The line after an unparsable one keeps its own number.
    assert [(r["line"], r["field"]) for r in rejects] == [(3, ""), (5, "ip")]
    assert "TOO MANY COLUMNS" in rejects[0]["reason"]
    assert rejects[1]["reason"] == "not a network (address/prefix length): 198.51.100.0/33"


@pytest.mark.parametrize(
    ("word", "severity"),
    [
        ("critical", "critical"),
        ("HIGH", "high"),
        ("medium", "medium"),
        ("low", "low"),
        ("info", "low"),
        ("odd", "unknown"),
    ],
)
def test_shadowserver_severity_is_the_event_severity(tmp_path: Path, word: str, severity: str) -> None:
    body = f'"2026-11-28 01:00:00","192.0.2.1","tcp",443,"a","ssl",64500,"PY","{word}","Banking and Finance"\n'
    _, [event], _ = _ingest(tmp_path, _write(tmp_path, "2026-11-28-scan_ssl-py.csv", body))
    assert event["severity"] == severity
    assert event["victim.reported_sector"] == "Banking and Finance"


def test_distinct_records_on_one_host_are_distinct_events_and_reimports_add_nothing(tmp_path: Path) -> None:
    same = '"2026-11-28 01:00:00","192.0.2.1","tcp",443,"a","ssl",64500,"PY","medium","Energy",'
    body = same + '"one.example","01"\n' + same + '"two.example","02"\n' + same + '"two.example","02"\n'
    path = _write(tmp_path, "2026-11-28-scan_ssl-py.csv", body)
    summary, events, _ = _ingest(tmp_path, path)
    assert (summary.stored, summary.duplicates) == (2, 1)
    assert sorted(_extra(e)["serial_number"] for e in events) == ["01", "02"]
    store = EventStore(tmp_path / "store")
    again = ingest(Source(path), store, "test-import-2", observed_at=OBSERVED_AT)
    assert (again.stored, again.duplicates) == (0, 3)
    # A short row is the same record as the full row with empty trailing cells.
    padded = _write(tmp_path, "2026-11-28-scan_ssl-py-padded.csv", same.removesuffix(",") + "\n")
    short = _write(tmp_path, "2026-11-28-scan_ssl-py-short.csv", same + ",\n")
    first = ingest(Source(padded), store, "test-import-3", observed_at=OBSERVED_AT)
    second = ingest(Source(short), store, "test-import-4", observed_at=OBSERVED_AT)
    assert (first.stored, second.stored, second.duplicates) == (1, 0, 1)


def test_device_identification_report(tmp_path: Path) -> None:
    _, events, _ = _ingest(tmp_path, SAMPLES / "2026-11-28-device_id-py-geo.csv")
    event = _by_ip(events, "198.51.100.141")
    _assert_fields(
        event,
        {
            "source.port": 443,
            "source.reverse_dns": "vpn.example.py",
            "classification.taxonomy": "other",
            "classification.type": "undetermined",
            "classification.identifier": "device-id",
        },
    )
    assert _extra(event)["device_vendor"] == "Ivanti"
    assert _extra(_by_ip(events, "192.0.2.140"))["device_version"] == "7.2.4"


def test_population_report(tmp_path: Path) -> None:
    _, events, _ = _ingest(tmp_path, SAMPLES / "2026-11-28-population_http_proxy-py.csv")
    [event] = events
    _assert_fields(
        event,
        {
            "source.ip": "192.0.2.150",
            "source.port": 3128,
            "protocol.application": "http",
            "classification.taxonomy": "other",
            "classification.type": "other",
            "classification.identifier": "accessible-http-proxy",
        },
    )
    extra = _extra(event)
    assert extra["http_code"] == "407"
    assert extra["proxy_authenticate"] == 'Basic realm="proxy"'


def test_report_type_given_when_the_file_name_does_not_say_it(tmp_path: Path) -> None:
    renamed = tmp_path / "telnet-export.csv"
    shutil.copy(SAMPLES / "2026-11-28-scan_telnet-py-geo.csv", renamed)
    assert not ShadowserverImporter.detect(Source(renamed), renamed.read_bytes())
    with pytest.raises(SourceError, match="--report-type"):
        ingest(Source(renamed), EventStore(tmp_path / "refused"), "no-type", format="shadowserver")
    summary, events, _ = _ingest(
        tmp_path, renamed, format="shadowserver", options=ImportOptions(report_type="scan_telnet")
    )
    assert summary.stored == 3
    assert {e["feed.name"] for e in events} == {"scan_telnet"}


def test_unknown_report_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="unknown Shadowserver report type 'scan_gopher'"):
        ingest(
            Source(SAMPLES / "2026-11-28-scan_telnet-py-geo.csv"),
            EventStore(tmp_path / "store"),
            "unknown-type",
            format="shadowserver",
            options=ImportOptions(report_type="scan_gopher"),
        )


# -- (c) report types from file names --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "report"),
    [
        ("2026-11-28-scan_telnet-py-geo.csv", "scan_telnet"),
        ("2026-11-28-scan6_telnet-py-geo.csv", "scan6_telnet"),
        ("2026-11-28-scan_ssl-py-geo.csv", "scan_ssl"),
        ("2026-11-28-scan_ssl_poodle-py-asn.csv", "scan_ssl_poodle"),
        ("2026-11-28-scan_http_vulnerable-py-geo-delayed.csv", "scan_http_vulnerable"),
        ("2026-11-28-scan_ldap_tcp-py-geo.csv", "scan_ldap_tcp"),
        ("2026-11-28-event4_sinkhole-py-geo.csv", "event4_sinkhole"),
        ("2026-11-28-event4_sinkhole_http_referer-123-py-geo.csv", "event4_sinkhole_http_referer"),
        ("2026-11-28-event6_sinkhole_http-py.csv", "event6_sinkhole_http"),
        ("2026-11-28-population6_msmq-py.csv.gz", "population6_msmq"),
        ("2026-11-28-device_id6-py-geo.csv", "device_id6"),
        ("2026-11-28-SCAN_RDP-PY-GEO.CSV", "scan_rdp"),
        ("scan_mqtt_anon-py.csv", "scan_mqtt_anon"),
        ("phish_url.csv", "phish_url"),
        ("2026-11-28-scan_gopher-py-geo.csv", None),
        ("2026-11-28-scan_telnetx-py-geo.csv", None),
        ("2026-11-28-scan_telnet-py-geo.txt", None),
        ("events.csv", None),
    ],
)
def test_report_type_from_file_name(name: str, report: str | None) -> None:
    assert report_from_file_name(name) == report


# -- (d) golden output -------------------------------------------------------------------------------

GOLDEN_FIELDS = (
    "time.source",
    "source.ip",
    "source.port",
    "source.asn",
    "source.geolocation.cc",
    "source.reverse_dns",
    "source.network",
    "destination.ip",
    "destination.port",
    "destination.asn",
    "destination.geolocation.cc",
    "protocol.transport",
    "protocol.application",
    "malware.name",
    "classification.taxonomy",
    "classification.type",
    "classification.identifier",
    "feed.name",
    "feed.provider",
    "severity",
    "victim.reported_sector",
    "event_id",
    "extra",
)


def normalised(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The golden view of stored events: selected fields, extra as an object, in a stable order."""
    rows = [{key: _extra(e) if key == "extra" else e[key] for key in GOLDEN_FIELDS} for e in events]
    return sorted(rows, key=lambda r: (r["time.source"], r["source.ip"], r["event_id"]))


@pytest.mark.parametrize(
    ("sample", "golden"),
    [
        ("2026-11-28-scan_telnet-py-geo.csv", "shadowserver_scan_telnet.json"),
        ("2026-11-28-event4_honeypot_brute_force-py-geo.csv", "shadowserver_event4_honeypot_brute_force.json"),
    ],
)
def test_golden_output(tmp_path: Path, sample: str, golden: str) -> None:
    _, events, _ = _ingest(tmp_path, SAMPLES / sample)
    expected = json.loads((GOLDEN / golden).read_text(encoding="utf-8"))
    assert normalised(events) == expected


def test_event_files_written_before_the_reported_sector_existed_read_it_as_empty(tmp_path: Path) -> None:
    """The store upgrades older event files on opening: a field added to the schema reads as NULL."""
    _ingest(tmp_path, SAMPLES / "2026-11-28-scan_telnet-py-geo.csv")
    store = EventStore(tmp_path / "store")
    [path] = store.files()
    con = duckdb.connect()
    try:
        con.execute(
            f"COPY (SELECT * EXCLUDE (\"victim.reported_sector\") FROM read_parquet('{path}')) "
            f"TO '{path}.old' (FORMAT parquet)"
        )
        Path(f"{path}.old").replace(path)
        store.register(con)
        rows = con.execute('SELECT "victim.reported_sector", "source.ip" FROM events').fetchall()
    finally:
        con.close()
    assert rows and all(sector is None for sector, _ip in rows)


def test_a_column_filling_a_second_field_is_checked_when_the_mapping_is_built() -> None:
    rule = ColumnRule.from_spec(
        {"field": "malware.name", "convert": "family", "also": {"classification.identifier": "family"}}
    )
    assert rule.targets() == (("malware.name", "family"), ("classification.identifier", "family"))
    with pytest.raises(ValueError, match="a field, a conversion and 'also'"):
        ColumnRule.from_spec({"convert": "family"})
    with pytest.raises(ValueError, match="a field, a conversion and 'also'"):
        ColumnRule.from_spec({"field": "malware.name", "fields": "x"})
    with pytest.raises(ValueError, match="unknown field"):
        CsvMapping(
            columns={"infection": ColumnRule.from_spec({"field": "malware.name", "also": {"malware.family": "text"}})}
        )
    # A second field must not reject rows: only conversions that cannot fail are allowed there.
    with pytest.raises(ValueError, match="cannot fail"):
        CsvMapping(
            columns={"dst": ColumnRule.from_spec({"field": "destination.fqdn", "also": {"destination.ip": "ip"}})}
        )
