"""The VERIS importer, end to end through ``ingest`` into an event store, without Django.

Real data comes from the shared test data next to the checkout (``../shared/data/``): 67 VCDB
incidents and the VERIS schema's 222 validation cases. Tests that need them are skipped, with
the reason, when that folder is absent. Crafted samples are in ``samples/veris/`` (see the README
there); the golden file is ``golden/veris_vcdb.json`` (set ``CYBERPLAN_UPDATE_GOLDEN=1`` to rewrite
it after a deliberate change, then review the diff).
"""

from __future__ import annotations

import collections
import copy
import gzip
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyberplan.pipeline import importers
from cyberplan.pipeline.importers import veris
from cyberplan.pipeline.importers.base import ImportOptions, Source, SourceError
from cyberplan.pipeline.importers.veris import events as veris_events
from cyberplan.pipeline.ingest import ingest
from cyberplan.pipeline.store import CommitSummary, EventStore

HERE = Path(__file__).resolve().parent
SAMPLES = HERE / "samples" / "veris"
GOLDEN = HERE / "golden" / "veris_vcdb.json"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
VCDB = SHARED / "vcdb"
VERIS_SCHEMA_DIR = SHARED / "veris-schema"
SCHEMA_PACKAGE_DIR = Path(veris.__file__).resolve().parents[2] / "data" / "veris"

needs_vcdb = pytest.mark.skipif(
    not (VCDB / "incidents").is_dir(),
    reason=f"the VCDB sample is not at {VCDB}/incidents (shared test data outside the repository)",
)
needs_cases = pytest.mark.skipif(
    not (VERIS_SCHEMA_DIR / "validation-cases").is_dir(),
    reason=f"the VERIS validation cases are not at {VERIS_SCHEMA_DIR}/validation-cases (shared test data)",
)

# cyberplan's sector codes (cyberplan/core/migrations/0002_sectors.py; not imported: no Django here).
SECTOR_CODES = {
    "government",
    "defence",
    "justice",
    "finance",
    "energy",
    "water",
    "telecommunications",
    "transport",
    "health",
    "education",
    "manufacturing",
    "agriculture",
    "retail",
    "media",
    "professional_services",
    "hospitality",
    "civil_society",
    "individuals",
    "other",
}

# RSIT classes as IntelMQ names them (taxonomy -> types), for the classes this importer may use.
RSIT = {
    "malicious-code": {"infected-system", "c2-server", "malware-distribution", "malware-configuration"},
    "intrusions": {
        "privileged-account-compromise",
        "unprivileged-account-compromise",
        "application-compromise",
        "system-compromise",
        "burglary",
    },
    "intrusion-attempts": {"ids-alert", "brute-force", "exploit"},
    "availability": {"dos", "ddos", "outage", "sabotage", "misconfiguration"},
    "information-gathering": {"scanner", "sniffing", "social-engineering"},
    "information-content-security": {
        "unauthorised-information-access",
        "unauthorised-information-modification",
        "data-loss",
        "data-leak",
    },
    "fraud": {"unauthorized-use-of-resources", "copyright", "masquerade", "phishing"},
    "other": {"other", "undetermined"},
}

# A minimal valid VERIS 1.3 incident for crafted cases.
BASE_13: dict[str, Any] = {
    "schema_version": "1.3",
    "incident_id": "crafted-base",
    "security_incident": "Confirmed",
    "action": {"error": {"variety": ["Misdelivery"], "vector": ["Carelessness"]}},
    "actor": {"internal": {"variety": ["End-user"], "motive": ["NA"]}},
    "asset": {"assets": [{"variety": "M - Documents"}]},
    "discovery_method": "Ext - customer",
    "timeline": {"incident": {"year": 2016}},
    "victim": {"victim_id": "Crafted Org", "country": ["UY"], "employee_count": "Large", "industry": "611310"},
}


# -- helpers ---------------------------------------------------------------------------------------


def run(path: Path, store: EventStore, import_id: str = "imp-1", **kwargs: Any) -> CommitSummary:
    return ingest(Source(path), store, import_id, format=kwargs.pop("format", "veris"), **kwargs)


def query(sql: str, store: EventStore | None = None, parameters: list[Any] | None = None) -> list[dict[str, Any]]:
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        if store is not None:
            store.register(con)
        cursor = con.execute(sql, parameters)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


EVENTS_SQL = """
    SELECT strftime(timezone('UTC', "time.source"), '%Y-%m-%dT%H:%M:%SZ') AS "time.source",
           * EXCLUDE ("time.source", "time.observation")
    FROM events ORDER BY raw
"""


def events(store: EventStore) -> list[dict[str, Any]]:
    rows = query(EVENTS_SQL, store)
    for row in rows:
        row["extra"] = json.loads(row["extra"]) if row["extra"] else {}
    return rows


def rejects(store: EventStore, import_id: str = "imp-1") -> list[dict[str, Any]]:
    path = store.quarantine_file(import_id)
    if not path.exists():
        return []
    return query("SELECT * FROM read_parquet(?) ORDER BY line", parameters=[str(path)])


def write_lines(path: Path, incidents: list[Any]) -> Path:
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in incidents), encoding="utf-8")
    return path


def vcdb_files() -> list[Path]:
    return sorted((VCDB / "incidents").glob("*.json"))


def crafted(**changes: Any) -> dict[str, Any]:
    incident = copy.deepcopy(BASE_13)
    incident.update(changes)
    return incident


# -- the shipped schema ----------------------------------------------------------------------------


def test_schema_ships_in_the_package_with_its_source_note() -> None:
    schema = veris.load_schema()
    jsonschema.Draft4Validator.check_schema(schema)
    assert schema["description"].startswith("VERIS Community Schema 1.4.1")
    note = (SCHEMA_PACKAGE_DIR / "SOURCE.md").read_text(encoding="utf-8")
    assert "CC BY-SA 4.0" in note
    assert "vz-risk/veris" in note
    digest = hashlib.sha256((SCHEMA_PACKAGE_DIR / "verisc-merged.json").read_bytes()).hexdigest()
    assert digest in note, "SOURCE.md must give the checksum of the shipped schema"
    jsonschema.Draft4Validator.check_schema(veris.legacy_schema())


@pytest.mark.skipif(not VERIS_SCHEMA_DIR.is_dir(), reason="the shared VERIS schema folder is absent")
def test_shipped_schema_is_the_shared_copy() -> None:
    assert (SCHEMA_PACKAGE_DIR / "verisc-merged.json").read_bytes() == (
        VERIS_SCHEMA_DIR / "verisc-merged.json"
    ).read_bytes()


# -- mapping tables --------------------------------------------------------------------------------


def test_classification_table_uses_real_varieties_and_rsit_classes() -> None:
    legacy = {old for renames in veris.LEGACY_VALUE_RENAMES.values() for old in renames}
    for category, rules in veris.ACTION_RSIT.items():
        assert category in veris.ACTION_CATEGORIES
        allowed = set(veris.allowed_values("action", category, "variety")) if category != "unknown" else set()
        for variety, (taxonomy, type_) in rules.items():
            assert variety == "*" or variety in allowed or variety in legacy, (category, variety)
            assert type_ in RSIT[taxonomy], (taxonomy, type_)
            assert (taxonomy, type_) in veris.RSIT_PRIORITY
    assert set(veris.ACTION_RSIT) == set(veris.ACTION_CATEGORIES)


def test_legacy_renames_lead_to_values_of_the_shipped_schema() -> None:
    for path, renames in veris.LEGACY_VALUE_RENAMES.items():
        allowed = set(veris.allowed_values(*path))
        for old, new in renames.items():
            assert new in allowed, (path, new)
            assert old not in allowed, (path, old)


def test_sector_table_uses_cyberplan_sector_codes() -> None:
    assert set(veris.NAICS_SECTORS.values()) <= SECTOR_CODES
    assert all(re.fullmatch(r"\d{2,6}", prefix) for prefix in veris.NAICS_SECTORS)


@pytest.mark.parametrize(
    ("industry", "sector"),
    [
        ("621111", "health"),
        ("624410", "health"),
        ("92", "government"),
        ("928110", "government"),
        ("522120", "finance"),
        ("221122", "energy"),
        ("221310", "water"),
        ("517311", "telecommunications"),
        ("518210", "telecommunications"),
        ("511210", "professional_services"),
        ("515120", "media"),
        ("481", "transport"),
        ("493110", "transport"),
        ("611110", "education"),
        ("31-33", "manufacturing"),
        ("111110", "agriculture"),
        ("447110", "retail"),
        ("541511", "professional_services"),
        ("721110", "hospitality"),
        ("813410", "civil_society"),
        ("814110", "individuals"),
        ("811111", "other"),
        ("000", None),
        ("00", None),
        ("12", None),
        ("test", None),
        (None, None),
    ],
)
def test_naics_to_sector(industry: str | None, sector: str | None) -> None:
    assert veris.sector_for(industry) == sector


@pytest.mark.parametrize(
    ("incident", "expected"),
    [
        ({}, ("unknown", None)),
        ({"impact": {"overall_rating": "Unknown"}}, ("unknown", None)),
        ({"impact": {"overall_rating": "Catastrophic"}}, ("critical", "impact.overall_rating=Catastrophic")),
        ({"attribute": {"confidentiality": {"data_total": 1}}}, ("low", "attribute.confidentiality.data_total=1")),
        (
            {"attribute": {"confidentiality": {"data_total": 100}}},
            ("medium", "attribute.confidentiality.data_total=100"),
        ),
        (
            {"attribute": {"confidentiality": {"data_total": 10_000}}},
            ("high", "attribute.confidentiality.data_total=10000"),
        ),
        (
            {"attribute": {"confidentiality": {"data_total": 2_200_000}}, "impact": {"overall_rating": "Painful"}},
            ("critical", "impact.overall_rating=Painful; attribute.confidentiality.data_total=2200000"),
        ),
    ],
)
def test_severity(incident: dict[str, Any], expected: tuple[str, str | None]) -> None:
    assert veris.severity_for(incident) == expected


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ({"unknown": {}}, ("other", "undetermined", "unknown")),
        ({"hacking": {"variety": ["Brute force"]}}, ("intrusion-attempts", "brute-force", "hacking-brute-force")),
        ({"hacking": {"variety": ["SQLi"]}}, ("intrusions", "application-compromise", "hacking-sqli")),
        (
            {"hacking": {"variety": ["Unknown", "Use of stolen creds"]}},
            ("intrusions", "system-compromise", "hacking-use-of-stolen-creds"),
        ),
        (
            {"social": {"variety": ["Phishing"]}, "malware": {"variety": ["C2", "Ransomware"]}},
            ("malicious-code", "infected-system", "malware-ransomware"),
        ),
        (
            {"social": {"variety": ["Phishing"]}, "error": {"variety": ["Loss"]}},
            ("fraud", "phishing", "social-phishing"),
        ),
        ({"social": {"variety": ["Pretexting"]}}, ("other", "other", "social-pretexting")),
        (
            {"misuse": {"variety": ["Privilege abuse"]}, "physical": {"variety": ["Theft"]}},
            ("information-content-security", "unauthorised-information-access", "misuse-privilege-abuse"),
        ),
        (
            {"misuse": {"variety": ["Data mishandling"]}},
            ("information-content-security", "data-leak", "misuse-data-mishandling"),
        ),
        ({"physical": {"variety": ["Theft"]}, "error": {"variety": ["Loss"]}}, ("other", "other", "physical-theft")),
        ({"error": {"variety": ["Misdelivery"]}}, ("other", "other", "error-misdelivery")),
        ({"environmental": {"variety": ["Flood"]}}, ("other", "other", "environmental-flood")),
        ({"hacking": {"variety": ["DoS"]}, "physical": {"variety": ["Theft"]}}, ("availability", "dos", "hacking-dos")),
    ],
)
def test_classification_of_actions(action: dict[str, Any], expected: tuple[str, str, str]) -> None:
    assert veris.classify(action)[:3] == expected


# -- detection -------------------------------------------------------------------------------------


def test_detect() -> None:
    sample = SAMPLES / "incident-1.4.json"
    assert veris.VerisImporter.detect(Source(sample), Source(sample).head())
    assert isinstance(importers.detect(Source(sample)), veris.VerisImporter)
    assert veris.VerisImporter.detect(Source(SAMPLES / "mixed.jsonl"), (SAMPLES / "mixed.jsonl").read_bytes())
    assert not veris.VerisImporter.detect(Source(Path("a.csv")), b"timestamp,ip,port\n2026-01-01,1.2.3.4,23\n")
    assert not veris.VerisImporter.detect(Source(Path("b.json")), b'{"type": "bundle", "objects": []}')
    assert not veris.VerisImporter.detect(Source(Path("c.json")), b"\xff\xfe\x00garbage")


@settings(max_examples=50, deadline=None, database=None)
@given(head=st.binary(max_size=200))
def test_detect_never_raises(head: bytes) -> None:
    assert veris.VerisImporter.detect(Source(Path("x.json")), head) in (True, False)


# -- the VCDB sample -------------------------------------------------------------------------------


@pytest.mark.slow
@needs_vcdb
def test_vcdb_files_one_by_one(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store")
    files = vcdb_files()
    assert len(files) == 67
    chosen = [
        f for f in files if f.stem.lower().startswith(("0008dadb", "011e42b7", "252051da", "e17fc783", "b0432cde"))
    ]
    assert len(chosen) == 5
    for number, path in enumerate(chosen):
        summary = run(path, store, f"one-{number}")
        assert (summary.read, summary.stored, summary.quarantined) == (1, 1, 0), path.name
    stored = events(store)
    assert len(stored) == 5
    # The two records that spell their version "1_3_2" are read as 1.3.2, and say so.
    quirky = [e for e in stored if e["extra"]["schema_version"] == "1_3_2"]
    assert len(quirky) == 2
    assert all("schema_version: '1_3_2' read as '1.3.2'" in e["extra"]["normalised"] for e in quirky)


@pytest.mark.slow
@needs_vcdb
def test_vcdb_all_as_json_lines(tmp_path: Path) -> None:
    files = vcdb_files()
    source = write_lines(tmp_path / "vcdb.jsonl", [json.loads(p.read_text(encoding="utf-8")) for p in files])
    store = EventStore(tmp_path / "store")
    summary = run(source, store)
    assert (summary.read, summary.stored, summary.duplicates, summary.quarantined) == (67, 67, 0, 0)
    assert summary.stored + summary.quarantined == len(files) == 67
    assert rejects(store) == []
    stored = events(store)
    assert {e["extra"]["incident_id"] for e in stored} == {
        json.loads(p.read_text(encoding="utf-8"))["incident_id"] for p in files
    }

    # Distribution stated in vcdb/SOURCE.txt.
    countries = collections.Counter(e["victim.country"] for e in stored)
    assert (countries["US"], countries["CA"], countries["GB"]) == (53, 5, 4)
    assert sum(countries.values()) == 67
    assert None not in countries
    sectors = collections.Counter(e["victim.sector"] for e in stored)
    assert (sectors["health"], sectors["government"]) == (24, 22)
    by_naics = collections.Counter((e["extra"]["victim_industry"][:2], e["victim.sector"]) for e in stored)
    assert by_naics[("62", "health")] == 24
    assert by_naics[("92", "government")] == 22
    assert sum(n for (code, _), n in by_naics.items() if code in ("62", "92")) == 46
    categories = collections.Counter(
        category for e in stored for category in {a.split(".")[0] for a in e["extra"]["actions"]}
    )
    assert categories == {
        "error": 24,
        "hacking": 16,
        "misuse": 16,
        "physical": 10,
        "malware": 5,
        "social": 5,
        "unknown": 2,
    }

    # What this importer makes of them.
    assert collections.Counter(e["time.precision"] for e in stored) == {"day": 29, "month": 13, "year": 25}
    assert collections.Counter((e["classification.taxonomy"], e["classification.type"]) for e in stored) == {
        ("other", "other"): 33,
        ("information-content-security", "unauthorised-information-access"): 15,
        ("intrusions", "system-compromise"): 11,
        ("malicious-code", "infected-system"): 5,
        ("other", "undetermined"): 2,
        ("intrusions", "application-compromise"): 1,
    }
    assert collections.Counter(e["severity"] for e in stored) == {
        "unknown": 29,
        "low": 18,
        "medium": 11,
        "high": 8,
        "critical": 1,
    }
    assert {(e["feed.name"], e["feed.provider"], e["tlp"]) for e in stored} == {("veris", "vcdb", "amber")}
    assert sum(e["victim.organisation"] is None for e in stored) == 3  # two without victim_id, one "Unknown"
    assert all(e["victim.sector"] in SECTOR_CODES for e in stored)
    # Every record needed the 1.3 discovery_method conversion; 2 spell the version "1_3_2";
    # 43 carry VCDB extension fields in plus that the 1.4.1 schema does not know (kept, listed).
    normalised = collections.Counter(n.split(":")[0] for e in stored for n in e["extra"].get("normalised", []))
    assert normalised == {
        "discovery_method": 67,
        "schema_version": 2,
        "action.hacking.variety": 3,
        "action.hacking.vector": 2,
        "action.malware.vector": 1,
    }
    assert sum(bool(e["extra"].get("tolerated")) for e in stored) == 43
    assert all(json.loads(e["raw"]) == json.loads(p.read_text(encoding="utf-8")) for e, p in _by_id(stored, files))

    # Importing again, auto-detected this time, stores nothing new.
    again = run(source, store, "imp-2", format="auto")
    assert (again.read, again.stored, again.duplicates, again.quarantined) == (67, 0, 67, 0)
    assert len(events(store)) == 67


def _by_id(stored: list[dict[str, Any]], files: list[Path]) -> list[tuple[dict[str, Any], Path]]:
    paths = {json.loads(p.read_text(encoding="utf-8"))["incident_id"]: p for p in files}
    return [(e, paths[e["extra"]["incident_id"]]) for e in stored]


@pytest.mark.slow
@needs_vcdb
def test_vcdb_as_one_array_matches_single_files(tmp_path: Path) -> None:
    files = vcdb_files()
    source = tmp_path / "vcdb.json"
    source.write_text(json.dumps([json.loads(p.read_text(encoding="utf-8")) for p in files]), encoding="utf-8")
    store = EventStore(tmp_path / "store")
    summary = run(source, store)
    assert (summary.read, summary.stored, summary.quarantined) == (67, 67, 0)
    # The same incident one by one gives the same event id: a later single-file import is a duplicate.
    single = run(files[0], store, "imp-2")
    assert (single.stored, single.duplicates) == (0, 1)


GOLDEN_IDS = ("0008DADB", "011E42B7", "0688C151", "2b7a8950", "B0432CDE")


def golden_view(event: dict[str, Any]) -> dict[str, Any]:
    extra = {k: v for k, v in event["extra"].items() if k not in ("summary", "reference")}
    kept = {
        name: event[name]
        for name in (
            "event_id",
            "time.source",
            "time.precision",
            "classification.taxonomy",
            "classification.type",
            "classification.identifier",
            "malware.name",
            "feed.name",
            "feed.provider",
            "tlp",
            "victim.sector",
            "victim.organisation",
            "victim.country",
            "severity",
        )
    }
    kept["extra"] = extra
    return kept


@needs_vcdb
def test_golden_output_for_five_incidents(tmp_path: Path) -> None:
    chosen = []
    for path in vcdb_files():
        incident = json.loads(path.read_text(encoding="utf-8"))
        if incident["incident_id"].startswith(GOLDEN_IDS):
            chosen.append(incident)
    assert len(chosen) == 5
    store = EventStore(tmp_path / "store")
    run(write_lines(tmp_path / "five.jsonl", chosen), store, observed_at="2026-01-01T00:00:00Z")
    actual = sorted((golden_view(e) for e in events(store)), key=lambda e: e["extra"]["incident_id"])
    text = json.dumps(actual, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    if os.environ.get("CYBERPLAN_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


# -- the VERIS validation cases --------------------------------------------------------------------

# Cases whose expectation no longer holds, with the reason.
OBSOLETE_CASES = {
    "timeline.incident.year_high": "year 2020 was in the future when the case was written; VERIS 1.4.1 allows up to 2050",
}

EXPECTED_CASE_FIELDS = {
    "timeline.incident.year_missing": "timeline.incident.year",
    "timeline.incident.day.high": "timeline.incident.day",
    "timeline.incident.month.low": "timeline.incident.month",
    "action_empty": "action",
    "action_missing": "action",
    "schema_version_missing": "schema_version",
    "root_unrecognized": "test",
    "action.hacking.variety_invalid": "action.hacking.variety[0]",
    "actor.external.country_missing": "actor.external.country",
    "asset.governance_duplicate": "asset.governance",
    "victim.country_empty": "victim.country",
    "incident_id_missing": "incident_id",
    "discovery_method_missing": "discovery_method",
    "attribute.confidentiality.data.0.variety_missing": "attribute.confidentiality.data[0].variety",
}


@needs_cases
def test_veris_validation_cases(tmp_path: Path) -> None:
    cases = []
    for path in sorted((VERIS_SCHEMA_DIR / "validation-cases").glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        incident = case["incident"]
        if isinstance(incident, dict) and "incident_id" in incident:
            incident["incident_id"] = f"case:{path.stem}"  # the cases all say "test": keep them apart
        cases.append((path.stem, case["should"], incident))
    assert len(cases) == 222
    assert collections.Counter(should for _, should, _ in cases) == {"pass": 26, "fail": 196}
    store = EventStore(tmp_path / "store")
    summary = run(
        write_lines(tmp_path / "cases.jsonl", [i for _, _, i in cases]),
        store,
        options=ImportOptions(feed_provider="veris-tests", tlp="clear"),
    )
    assert (summary.read, summary.stored, summary.duplicates, summary.quarantined) == (222, 27, 0, 195)
    stored = {json.loads(e["raw"])["incident_id"].removeprefix("case:") for e in events(store)}
    rejected = {cases[r["line"] - 1][0]: r for r in rejects(store)}
    for name, should, _ in cases:
        if should == "pass" or name in OBSOLETE_CASES:
            assert name in stored, name
        else:
            assert name in rejected, name
            assert rejected[name]["reason"], name
    for name, field in EXPECTED_CASE_FIELDS.items():
        assert rejected[name]["field"] == field, (name, rejected[name])
    assert "no year" in rejected["timeline.incident.year_missing"]["reason"]
    assert {(e["feed.provider"], e["tlp"]) for e in events(store)} == {("veris-tests", "clear")}


# -- crafted samples -------------------------------------------------------------------------------


def test_strict_14_incident(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store")
    summary = run(SAMPLES / "incident-1.4.json", store)
    assert (summary.read, summary.stored, summary.quarantined) == (1, 1, 0)
    (event,) = events(store)
    assert event["time.source"] == "2025-03-14T00:00:00Z"
    assert event["time.precision"] == "day"
    assert (event["classification.taxonomy"], event["classification.type"], event["classification.identifier"]) == (
        "malicious-code",
        "infected-system",
        "malware-ransomware",
    )
    assert event["malware.name"] == "lockbit"
    assert (event["victim.sector"], event["victim.country"], event["victim.organisation"]) == ("water", "PY", None)
    assert event["severity"] == "high"
    assert event["feed.provider"] == "cyberplan-sample"
    assert event["extra"]["actions"] == ["malware.Ransomware", "social.Phishing"]
    assert event["extra"]["incident_time"] == "09:30:00 AM"
    assert "normalised" not in event["extra"]
    assert "tolerated" not in event["extra"]


def test_array_with_rejects(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store")
    summary = run(SAMPLES / "mixed.json", store)
    assert (summary.read, summary.stored, summary.quarantined) == (6, 1, 5)
    (event,) = events(store)
    assert event["extra"]["incident_id"] == "sample-array-1"
    assert (event["time.source"], event["time.precision"]) == ("2019-05-01T00:00:00Z", "month")
    assert (event["victim.sector"], event["victim.country"]) == ("health", "UY")
    assert event["extra"]["discovery_method"] == ["external.Customer"]
    found = [(r["file"], r["line"], r["field"]) for r in rejects(store)]
    assert found == [
        ("mixed.json", 2, "timeline.incident.year"),
        ("mixed.json", 3, "action.teleport"),
        ("mixed.json", 4, ""),
        ("mixed.json", 5, "schema_version"),
        ("mixed.json", 6, "discovery_method"),
    ]
    reasons = [r["reason"] for r in rejects(store)]
    assert reasons[0].startswith("missing: the incident has no year")
    assert "not a VERIS action category" in reasons[1]
    assert "not a VERIS incident object" in reasons[2]
    assert "unsupported VERIS schema_version" in reasons[3]
    assert "expected object" in reasons[4]
    assert "[VERIS 1.4.1]" in reasons[4]
    assert json.loads(rejects(store)[1]["raw"])["incident_id"] == "sample-array-teleport"


def test_json_lines_with_rejects_and_a_repeat(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store")
    summary = run(SAMPLES / "mixed.jsonl", store)
    assert (summary.read, summary.stored, summary.duplicates, summary.quarantined) == (5, 2, 1, 2)
    assert [(r["line"], r["field"]) for r in rejects(store)] == [(3, ""), (6, "")]
    assert rejects(store)[0]["reason"].startswith("not valid JSON")
    assert rejects(store)[0]["raw"].startswith('{"schema_version": "1.3", "incident_id": "sample-lines-broken"')
    by_id = {e["extra"]["incident_id"]: e for e in events(store)}
    first, second = by_id["sample-lines-1"], by_id["sample-lines-2"]
    assert (first["classification.type"], first["classification.identifier"]) == (
        "system-compromise",
        "hacking-backdoor",
    )
    assert (
        "action.hacking.variety: 'Use of backdoor or C2' renamed 'Backdoor' (1.4 name)" in first["extra"]["normalised"]
    )
    assert (first["victim.country"], first["victim.sector"], first["victim.organisation"]) == (None, None, None)
    assert (second["time.source"], second["time.precision"]) == ("2022-01-01T00:00:00Z", "year")  # day, no month
    assert second["classification.identifier"] == "misuse-data-mishandling"


def test_time_precision(tmp_path: Path) -> None:
    cases = {
        "year": ({"year": 2016}, "2016-01-01T00:00:00Z", "year"),
        "month": ({"year": 2016, "month": 7}, "2016-07-01T00:00:00Z", "month"),
        "day": ({"year": 2016, "month": 7, "day": 19}, "2016-07-19T00:00:00Z", "day"),
        "day-no-month": ({"year": 2016, "day": 19}, "2016-01-01T00:00:00Z", "year"),
        "leap-day": ({"year": 2016, "month": 2, "day": 29}, "2016-02-29T00:00:00Z", "day"),
    }
    incidents = [crafted(incident_id=name, timeline={"incident": when}) for name, (when, _, _) in cases.items()]
    incidents.append(crafted(incident_id="no-such-day", timeline={"incident": {"year": 2015, "month": 2, "day": 29}}))
    incidents.append(crafted(incident_id="no-year", timeline={"incident": {"month": 2, "day": 3}}))
    store = EventStore(tmp_path / "store")
    summary = run(write_lines(tmp_path / "times.jsonl", incidents), store, options=ImportOptions(feed_provider="test"))
    assert (summary.read, summary.stored, summary.quarantined) == (7, 5, 2)
    got = {e["extra"]["incident_id"]: (e["time.source"], e["time.precision"]) for e in events(store)}
    assert got == {name: (when, precision) for name, (_, when, precision) in cases.items()}
    assert {e["feed.provider"] for e in events(store)} == {"test"}
    assert [(r["line"], r["field"], r["reason"]) for r in rejects(store)] == [
        (6, "timeline.incident.day", "2015-02 has no day 29"),
        (
            7,
            "timeline.incident.year",
            "missing: the incident has no year, so it cannot be placed in time "
            "[VERIS 1.4.1 with the 1.3 compatibility rules]",
        ),
    ]


# -- bad input -------------------------------------------------------------------------------------

GOOD = (SAMPLES / "incident-1.4.json").read_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b" \n\n \n", "the file is empty"),
        (b"hello, this is not JSON\n", "not valid JSON"),
        ((SAMPLES / "truncated.json").read_bytes(), "truncated or damaged"),
        (GOOD.replace(b"Crafted sample", b"Crafted \xff sample"), "not UTF-8"),
        (GOOD.replace(b"Crafted sample", b"Crafted \xe9 sample"), "not UTF-8"),
        (b"42\n", "holds a JSON number"),
        (b'"a string"', "holds a JSON string"),
        (b"[]", "holds no incident"),
        (b'{"schema_version": NaN, "action": {}}', "NaN is not a JSON value"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_unusable_files_raise_source_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    store = EventStore(tmp_path / "store")
    with pytest.raises(SourceError, match=re.escape(message)):
        run(path, store)
    assert store.committed_imports() == set()


def test_too_many_incidents(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="holds 6 incidents; the limit is 2"):
        run(SAMPLES / "mixed.json", EventStore(tmp_path / "store"), options=ImportOptions(max_objects=2))


def test_bad_records_are_rejected_not_raised(tmp_path: Path) -> None:
    incidents: list[Any] = [
        crafted(incident_id="unknown-action", action={"teleport": {"variety": ["Beam"]}}),
        crafted(incident_id="bad-variety", action={"hacking": {"variety": ["Telepathy"], "vector": ["VPN"]}}),
        crafted(incident_id="   "),
        crafted(incident_id="v12", schema_version="1.2"),
        crafted(incident_id="v-number", schema_version=1.3),
        crafted(incident_id="surrogate", summary="\ud800"),
        crafted(incident_id="ok-unicode", summary="Ñandutí \u2028 línea"),
        crafted(incident_id="vcdb-style-plus", plus={"attribute": {"confidentiality": {"data_abuse": "Y"}}}),
        crafted(incident_id="bad-plus-type", plus="not an object"),
        [],
    ]
    path = tmp_path / "bad.jsonl"
    # ensure_ascii keeps the lone surrogate as an escape, as a JSON file can.
    path.write_text("".join(json.dumps(i) + "\n" for i in incidents), encoding="utf-8")
    store = EventStore(tmp_path / "store")
    summary = run(path, store)
    assert (summary.read, summary.stored, summary.quarantined) == (10, 2, 8)
    assert [(r["line"], r["field"]) for r in rejects(store)] == [
        (1, "action.teleport"),
        (2, "action.hacking.variety[0]"),
        (3, "incident_id"),
        (4, "schema_version"),
        (5, "schema_version"),
        (6, ""),
        (9, "plus"),
        (10, ""),
    ]
    assert "surrogate" in rejects(store)[5]["reason"]
    by_id = {e["extra"]["incident_id"]: e for e in events(store)}
    assert by_id["ok-unicode"]["extra"]["summary"] == "Ñandutí \u2028 línea"
    assert by_id["vcdb-style-plus"]["extra"]["tolerated"] == [
        'plus.attribute.confidentiality.data_abuse: "Y" is not an allowed value '
        "(8 allowed: Yes, Yes - Data ransomed, Yes - Identity theft, Yes - Financial fraud, "
        "Yes - Posted on personal forum, No, …)"
    ]


def test_gzip_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "incident.json.gz"
    path.write_bytes(gzip.compress(b"\xef\xbb\xbf" + GOOD))
    summary = run(path, EventStore(tmp_path / "store"), format="auto")
    assert (summary.read, summary.stored) == (1, 1)


# -- fuzzing ---------------------------------------------------------------------------------------

FUZZ_BASES = (json.loads(GOOD), crafted(incident_id="fuzz-13"))

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["Unknown", "1_3_2", "1.4.1", "Ransomware", "", "US", "92", "000", "Ext - customer"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*prefix, index)))
    return found


def _mutate(incident: dict[str, Any], data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(_paths(incident)))
    parent: Any = incident
    for part in path[:-1]:
        parent = parent[part]
    operation = data.draw(st.sampled_from(["set", "delete", "add"]))
    if operation == "set":
        parent[path[-1]] = data.draw(json_values)
    elif operation == "delete":
        del parent[path[-1]]
    elif isinstance(parent[path[-1]], dict):
        parent[path[-1]][data.draw(st.text(max_size=10))] = data.draw(json_values)


@pytest.mark.slow
@settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_mutated_incidents(data: st.DataObject) -> None:
    count = data.draw(st.integers(min_value=1, max_value=3))
    incidents = []
    for _ in range(count):
        incident = copy.deepcopy(data.draw(st.sampled_from(FUZZ_BASES)))
        for _ in range(data.draw(st.integers(min_value=0, max_value=4))):
            _mutate(incident, data)
        incidents.append(incident)
    layout = data.draw(st.sampled_from(["object", "array", "lines"]))
    if layout == "object":
        incidents = incidents[:1]
        text = json.dumps(incidents[0], indent=data.draw(st.sampled_from([None, 2])))
    elif layout == "array":
        text = json.dumps(incidents)
    else:
        text = "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in incidents)
    payload = text.encode("utf-8")
    cut = data.draw(st.none() | st.integers(min_value=0, max_value=len(payload)))
    if cut is not None:
        payload = payload[:cut]
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "fuzz.json"
        path.write_bytes(payload)
        try:
            summary = ingest(Source(path), EventStore(Path(work) / "store"), "fuzz", format="veris")
        except SourceError:
            return
        assert summary.read == summary.stored + summary.duplicates + summary.quarantined
        if cut is None:
            assert summary.read == len(incidents)


@pytest.mark.parametrize(
    ("timeline", "expected"),
    [
        # two days from discovery to containment: the time to respond, in hours
        ({"containment": {"unit": "Days", "value": 2}}, {"response_hours": 48.0}),
        # five months to discovery, months counted as 730.5 hours (365.25 days / 12)
        ({"discovery": {"unit": "Months", "value": 5}}, {"discovery_hours": 3652.5}),
        ({"containment": {"unit": "Minutes", "value": 30}}, {"response_hours": 0.5}),
        # a unit without a number is kept as the unit; NA, Never and Unknown give nothing
        ({"containment": {"unit": "Months"}}, {"containment_unit": "Months"}),
        ({"containment": {"unit": "Unknown"}, "discovery": {"unit": "NA"}}, {}),
        ({"containment": {"unit": "Days", "value": -1}}, {"containment_unit": "Days"}),
    ],
)
def test_timeline_durations_in_hours(timeline: dict[str, Any], expected: dict[str, Any]) -> None:
    assert veris_events._durations(timeline) == expected


@needs_vcdb
def test_vcdb_time_to_respond_reaches_extra(tmp_path: Path) -> None:
    # 3A417236: contained two days after discovery, discovered five months after the compromise
    path = VCDB / "incidents" / "3A417236-25F9-4EB4-9791-B7D1BDF9A0E8.json"
    store = EventStore(tmp_path / "store")
    run(path, store)
    (row,) = events(store)
    extra = row["extra"]  # events() decodes it
    assert extra["response_hours"] == 48.0
    assert extra["discovery_hours"] == 3652.5
