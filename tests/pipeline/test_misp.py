"""The MISP importer, end to end through ingest() and the event store, without Django or a database.

Golden files: ``tests/pipeline/golden/misp-*.json`` (regenerate with ``CYBERPLAN_UPDATE_GOLDEN=1``
after a deliberate change, and review the difference by hand).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyberplan.pipeline import importers
from cyberplan.pipeline.importers.base import ImportOptions, Source, SourceError
from cyberplan.pipeline.importers.misp import MispImporter, load_schema, map_value
from cyberplan.pipeline.importers.stix import BadValueError, rsit_from_machine_tag
from cyberplan.pipeline.store import CommitSummary, EventStore
from tests.pipeline import support

HERE = Path(__file__).parent
SAMPLES = HERE / "samples" / "misp"
GOLDEN = HERE / "golden"
EVENT = SAMPLES / "qakbot-event.json"
RESPONSE = SAMPLES / "restsearch-response.json"
STIX_SAMPLE = HERE / "samples" / "stix" / "cert-example-bundle.json"

GOLDEN_FIELDS = (
    "event_id",
    "time.source",
    "time.precision",
    "classification.taxonomy",
    "classification.type",
    "classification.identifier",
    "source.ip",
    "source.network",
    "source.port",
    "source.fqdn",
    "source.url",
    "source.asn",
    "destination.ip",
    "destination.port",
    "destination.fqdn",
    "malware.name",
    "feed.name",
    "feed.provider",
    "tlp",
    "severity",
    "extra",
)
WHEN = "1772445600"  # 2026-03-02T10:00:00Z


# -- helpers -------------------------------------------------------------------------------------


run = support.run
events = support.events
rejects = support.rejects
check_golden = support.check_golden


def normalised(row: dict[str, Any]) -> dict[str, Any]:
    return support.normalised(row, GOLDEN_FIELDS)


def golden_document(summary: CommitSummary, root: Path) -> dict[str, Any]:
    return support.golden_document(summary, root, GOLDEN_FIELDS)


def attribute(number: int, type_: str, value: str, **properties: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "uuid": f"{number:08x}-2222-4222-8222-222222222222",
        "type": type_,
        "category": "Network activity",
        "to_ids": True,
        "timestamp": WHEN,
        "value": value,
    }
    values.update(properties)
    return values


def misp_event(*attributes: dict[str, Any], **properties: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "uuid": "5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c",
        "info": "test event",
        "date": "2026-03-02",
        "threat_level_id": "2",
        "Orgc": {"name": "Partner CERT", "uuid": "0b2c4d6e-8f1a-4b3c-9d5e-7f1a2b3c4d5e"},
        "Attribute": list(attributes),
    }
    event.update(properties)
    return {"Event": event}


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def stage(path: Path, options: ImportOptions | None = None) -> tuple[int, list[dict[str, Any]], list[dict[str, Any]]]:
    con = duckdb.connect()
    read = MispImporter().stage(con, Source(path), options or ImportOptions())
    staged = con.sql("SELECT * FROM staged").to_arrow_table().to_pylist()
    rejected = con.sql("SELECT * FROM rejects").to_arrow_table().to_pylist()
    return read, staged, rejected


# -- samples and golden files --------------------------------------------------------------------


def test_sample_event_matches_golden(tmp_path: Path) -> None:
    summary = run(EVENT, tmp_path)
    document = golden_document(summary, tmp_path)
    check_golden("misp-qakbot-event.json", document)
    assert (summary.read, summary.stored, summary.quarantined) == (15, 13, 2)
    assert {(r["line"], r["field"]) for r in document["rejects"]} == {
        (0, "Attribute[4].value"),  # ip-src 999.1.1.1
        (0, "Attribute[11].timestamp"),
    }
    by_key = {
        e["extra"]["misp.type"] + ":" + str(e.get("source.fqdn") or e.get("destination.ip")): e
        for e in document["events"]
    }
    c2 = by_key["ip-dst|port:203.0.113.66"]
    assert (c2["classification.type"], c2["destination.port"], c2["tlp"]) == ("c2-server", 443, "amber")
    assert {e["malware.name"] for e in document["events"]} == {"qakbot"}
    assert {e["severity"] for e in document["events"]} == {"high"}


def test_sample_response_matches_golden(tmp_path: Path) -> None:
    summary = run(RESPONSE, tmp_path)
    document = golden_document(summary, tmp_path)
    check_golden("misp-restsearch-response.json", document)
    assert (summary.read, summary.stored, summary.quarantined) == (6, 3, 3)
    assert {(r["line"], r["field"]) for r in document["rejects"]} == {
        (0, "Attribute[3].to_ids"),  # schema: "yes" is not a boolean
        (1, "published"),  # the whole event fails the schema
        (2, "Event"),  # not an event at all
    }
    without_timestamp = [e for e in document["events"] if e.get("source.url")]
    assert [(e["time.source"], e["time.precision"]) for e in without_timestamp] == [
        ("2026-02-20T00:00:00+00:00", "day")
    ]


# -- detection -----------------------------------------------------------------------------------


def test_detection_picks_the_right_importer(tmp_path: Path) -> None:
    assert importers.detect(Source(EVENT)).format == "misp"
    assert importers.detect(Source(RESPONSE)).format == "misp"
    assert importers.detect(Source(STIX_SAMPLE)).format == "stix"
    assert not MispImporter.detect(Source(STIX_SAMPLE), Source(STIX_SAMPLE).head())
    listing = write(tmp_path / "events.json", [misp_event(attribute(1, "ip-dst", "192.0.2.1"))])
    assert importers.detect(Source(listing)).format == "misp"
    # PyMISP's to_json(): a bare event
    bare = write(tmp_path / "bare.json", misp_event(attribute(1, "ip-dst", "192.0.2.1"))["Event"])
    assert importers.detect(Source(bare)).format == "misp"
    read, staged, _ = stage(bare)
    assert (read, staged[0]["destination.ip"]) == (1, "192.0.2.1")


@pytest.mark.parametrize(
    "head",
    [b'{"type": "bundle", "objects": [{"Event": {}}]}', b"Event,Attribute\n", b'{"response": []}', b"[1, 2]"],
)
def test_detect_refuses_what_is_not_misp(head: bytes) -> None:
    assert not MispImporter.detect(Source(Path("x.json")), head)


# -- summary, re-import ------------------------------------------------------------------------


@pytest.mark.slow
def test_summary_adds_up_and_reimport_adds_nothing(tmp_path: Path) -> None:
    first = run(EVENT, tmp_path, "imp-1")
    assert first.read == first.stored + first.duplicates + first.quarantined
    second = run(EVENT, tmp_path, "imp-2")
    assert (second.read, second.stored, second.duplicates) == (first.read, 0, first.stored)
    assert len(events(tmp_path)) == first.stored
    # the same attribute in another export of the event (here: a list of events) is a duplicate too
    one = json.loads(EVENT.read_text(encoding="utf-8"))
    path = write(tmp_path / "again.json", [one])
    third = run(path, tmp_path, "imp-3")
    assert third.stored == 0 and third.duplicates == first.stored


# -- TLP, classification, malware ---------------------------------------------------------------


def _tags(*names: str) -> list[dict[str, str]]:
    return [{"name": name} for name in names]


@pytest.mark.parametrize(
    ("attribute_tags", "event_tags", "expected"),
    [
        (["tlp:white"], [], "clear"),
        (["tlp:clear"], [], "clear"),
        (["TLP:GREEN"], [], "green"),
        (["tlp:amber"], [], "amber"),
        (["tlp:amber+strict"], [], "amber+strict"),
        (["tlp:red"], [], "red"),
        ([], ["tlp:green"], "green"),  # the event's, when the attribute has none
        (["tlp:clear"], ["tlp:red"], "clear"),  # the attribute's wins
        (["tlp:green", "tlp:amber"], [], "amber"),  # the most restrictive at one level
        ([], [], "green"),  # neither: the import's default (green in this test)
        (["tlp:ex:chr"], [], "green"),  # not a TLP level
    ],
)
def test_tlp_from_tags(tmp_path: Path, attribute_tags: list[str], event_tags: list[str], expected: str) -> None:
    document = misp_event(attribute(1, "ip-dst", "192.0.2.1", Tag=_tags(*attribute_tags)), Tag=_tags(*event_tags))
    run(write(tmp_path / "e.json", document), tmp_path / "store", options=ImportOptions(tlp="green"))
    assert [r["tlp"] for r in events(tmp_path / "store")] == [expected]


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ('rsit:malicious-code="infected-system"', ("malicious-code", "infected-system")),
        ('ecsirt:malicious-code="malware"', ("malicious-code", "infected-system")),
        ('ecsirt:malicious-code="c&c"', ("malicious-code", "c2-server")),
        ('ecsirt:intrusions="defacement"', ("information-content-security", "unauthorised-information-modification")),
        ('ecsirt:fraud="unauthorized-use-of-resources"', ("fraud", "unauthorised-use-of-resources")),
        ('rsit:vulnerable="vulnerable-service"', ("vulnerable", "vulnerable-system")),
        ("rsit:availability=ddos", ("availability", "ddos")),
        ('rsit:malicious-code="no-such-type"', None),
        ("tlp:red", None),
    ],
)
def test_machine_tags_map_to_current_rsit(tag: str, expected: tuple[str, str] | None) -> None:
    assert rsit_from_machine_tag(tag) == expected


@pytest.mark.parametrize(
    ("category", "attribute_tags", "event_tags", "expected"),
    [
        ("Payload delivery", [], [], "malicious-code/malware-distribution"),
        ("Network activity", [], [], "other/other"),
        ("Artifacts dropped", [], [], "other/other"),
        ("Made-up category", [], [], "other/other"),
        ("Network activity", [], ['rsit:fraud="phishing"'], "fraud/phishing"),
        ("Payload delivery", ['ecsirt:malicious-code="c&c"'], ['rsit:fraud="phishing"'], "malicious-code/c2-server"),
    ],
)
def test_classification(
    tmp_path: Path, category: str, attribute_tags: list[str], event_tags: list[str], expected: str
) -> None:
    document = misp_event(
        attribute(1, "url", "http://a.example/x", category=category, Tag=_tags(*attribute_tags)),
        Tag=_tags(*event_tags),
    )
    _, [row], _ = stage(write(tmp_path / "e.json", document))
    assert f"{row['classification.taxonomy']}/{row['classification.type']}" == expected


def test_malware_name_from_galaxy_tags(tmp_path: Path) -> None:
    document = misp_event(
        attribute(1, "domain", "a.example", Tag=_tags('misp-galaxy:mitre-malware="Emotet - S0367"')),
        attribute(2, "domain", "b.example", Tag=_tags('malware_classification:malware-category="Ransomware"')),
        Tag=_tags('misp-galaxy:malpedia="LockBit"', 'misp-galaxy:threat-actor="Wizard Spider"'),
    )
    _, rows, _ = stage(write(tmp_path / "e.json", document))
    assert [(r["source.fqdn"], r["malware.name"]) for r in rows] == [("a.example", "emotet"), ("b.example", "lockbit")]
    assert json.loads(rows[1]["extra"])["malware.category"] == "Ransomware"


# -- values --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "value", "fields"),
    [
        ("ip-src", "192.0.2.1", {"source.ip": "192.0.2.1"}),
        ("ip-src", "192.0.2.0/24", {"source.network": "192.0.2.0/24"}),
        ("ip-dst", "2001:DB8::1", {"destination.ip": "2001:db8::1"}),
        ("ip-src|port", "192.0.2.1|8080", {"source.ip": "192.0.2.1", "source.port": 8080}),
        ("ip-dst|port", "2001:db8::1|443", {"destination.ip": "2001:db8::1", "destination.port": 443}),
        ("domain", "Evil.Example.", {"source.fqdn": "evil.example"}),
        ("hostname|port", "mx.example|25", {"source.fqdn": "mx.example", "source.port": 25}),
        ("domain|ip", "a.example|192.0.2.5", {"source.fqdn": "a.example", "source.ip": "192.0.2.5"}),
        ("url", "https://a.example/p?q=1", {"source.url": "https://a.example/p?q=1"}),
        ("AS", "AS64500", {"source.asn": 64500}),
        ("email-src", "x@a.example", {"source.account": "x@a.example"}),
        ("md5", "D41D8CD98F00B204E9800998ECF8427E", {"malware.hash.md5": "d41d8cd98f00b204e9800998ecf8427e"}),
        (
            "filename|sha1",
            "a.exe|" + "B" * 40,
            {"file.name": "a.exe", "malware.hash.sha1": "b" * 40},
        ),
        ("mutex", "Global\\qbot", {"misp.value": "Global\\qbot"}),
    ],
)
def test_values_map_to_fields(type_: str, value: str, fields: dict[str, Any]) -> None:
    mapped = map_value(type_, value)
    assert {**mapped.fields, **mapped.extra} == fields


@pytest.mark.parametrize(
    ("type_", "value"),
    [
        ("ip-src", "999.1.1.1"),
        ("ip-dst", "192.0.2"),
        ("ip-dst|port", "192.0.2.1|70000"),
        ("ip-src|port", "192.0.2.1"),
        ("domain", "exa mple.com"),
        ("domain|ip", "a.example|not-an-ip"),
        ("url", "http://"),
        ("AS", "ASX"),
        ("email-src", "no-at-sign"),
        ("md5", "abc"),
        ("sha256", "z" * 64),
    ],
)
def test_invalid_values_are_rejected_with_their_path(tmp_path: Path, type_: str, value: str) -> None:
    with pytest.raises(BadValueError):
        map_value(type_, value)
    document = misp_event(attribute(1, type_, value), attribute(2, "domain", "kept.example"))
    read, staged, rejected = stage(write(tmp_path / "e.json", document))
    assert read == 2 and [r["source.fqdn"] for r in staged] == ["kept.example"]
    assert [(r["line"], r["field"]) for r in rejected] == [(0, "Attribute[0].value")]
    assert value in rejected[0]["reason"]


def test_object_attributes_and_what_is_not_a_record(tmp_path: Path) -> None:
    document = misp_event(
        attribute(1, "comment", "free text", to_ids=False),  # context
        attribute(2, "ip-dst", "192.0.2.1", deleted=True),  # deleted
        attribute(3, "hostname", "seen.example", to_ids=False),  # a network type: taken
        Object=[
            {
                "name": "domain-ip",
                "uuid": "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d",
                "Attribute": [
                    attribute(4, "domain", "obj.example", object_relation="domain"),
                    attribute(5, "ip-dst", "300.0.0.1", object_relation="ip"),
                ],
            },
            {"name": "gone", "deleted": True, "Attribute": [attribute(6, "domain", "gone.example")]},
            "not an object",
        ],
    )
    read, staged, rejected = stage(write(tmp_path / "e.json", document))
    assert read == 4
    assert sorted(r["source.fqdn"] for r in staged) == ["obj.example", "seen.example"]
    assert sorted(r["field"] for r in rejected) == ["Object[0].Attribute[1].value", "Object[2]"]
    extra = json.loads(next(r for r in staged if r["source.fqdn"] == "obj.example")["extra"])
    assert (extra["misp.object"], extra["misp.object_relation"]) == ("domain-ip", "domain")


def test_numbers_written_as_json_numbers_are_accepted(tmp_path: Path) -> None:
    document = misp_event(attribute(1, "ip-dst", "192.0.2.1", timestamp=int(WHEN), distribution=5), threat_level_id=1)
    read, [row], rejected = stage(write(tmp_path / "e.json", document))
    assert (read, rejected) == (1, [])
    assert row["time.source"] == dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    assert row["severity"] == "high"


def test_an_attribute_nested_too_deeply_loses_only_that_attribute(tmp_path: Path) -> None:
    deep = '{"a":' * 500 + "1" + "}" * 500
    text = json.dumps(
        misp_event(attribute(1, "domain", "ok.example"), attribute(2, "domain", "x.example", comment="X"))
    )
    path = tmp_path / "e.json"
    path.write_text(text.replace('"comment": "X"', '"comment": ' + deep), encoding="utf-8")
    read, staged, rejected = stage(path)
    assert (read, [r["source.fqdn"] for r in staged]) == (2, ["ok.example"])
    assert (rejected[0]["field"], rejected[0]["reason"]) == (
        "Attribute[1]",
        "the attribute nests more than 64 levels deep",
    )


def test_strict_schema_refuses_real_exports_so_the_lax_one_is_used() -> None:
    document = json.loads(EVENT.read_text(encoding="utf-8"))
    strict = load_schema("schema.json")
    lax = load_schema("schema-lax.json")
    assert list(jsonschema.validators.validator_for(strict)(strict).iter_errors(document))
    assert not list(jsonschema.validators.validator_for(lax)(lax).iter_errors(document))


# -- bad files -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"Event": {"info": "x",, }}', "not valid JSON"),
        (b'{"Event": {"info": "x", "Attribute": [{"type": "ip-dst", "value": "192.0', "truncated"),
        (b'{"Event": {"info": "Caf\xe9", "Attribute": []}}', "not UTF-8"),
        (b'{"Event": {"info": "x"}}\n{"Event": {}}', "not valid JSON"),
        (b"", "empty"),
    ],
)
def test_unusable_files_are_refused_whole(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        MispImporter().stage(duckdb.connect(), Source(path), ImportOptions())


def test_not_misp_structure_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "x.json", {"events": []})
    with pytest.raises(SourceError, match="not a MISP event file"):
        MispImporter().stage(duckdb.connect(), Source(path), ImportOptions())


def test_items_that_are_not_events_are_rejected(tmp_path: Path) -> None:
    document = [misp_event(attribute(1, "domain", "ok.example")), {"foo": 1}, {"Event": [1]}, 5]
    read, staged, rejected = stage(write(tmp_path / "e.json", document))
    assert (read, len(staged)) == (4, 1)
    assert [(r["line"], r["field"]) for r in rejected] == [(1, ""), (2, "Event"), (3, "")]
    assert all(r["reason"].startswith("not a MISP event") for r in rejected)


def test_too_many_attributes_are_refused(tmp_path: Path) -> None:
    document = misp_event(*[attribute(i, "ip-dst", f"192.0.2.{i % 250}") for i in range(101)])
    path = write(tmp_path / "e.json", document)
    with pytest.raises(SourceError, match="more than 100 attributes"):
        run(path, tmp_path / "store", options=ImportOptions(max_objects=100))
    assert EventStore(tmp_path / "store").committed_imports() == set()


# -- fuzzing -------------------------------------------------------------------------------------

SKELETON: dict[str, Any] = json.loads(EVENT.read_text(encoding="utf-8"))
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["\ud800", "999.1.1.1", "192.0.2.1|99999", "a.example|x", "tlp:red", "2026-02-30", "-5"])
)
JSON_VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
ATTRIBUTE_KEYS = ["type", "value", "to_ids", "timestamp", "uuid", "category", "Tag", "deleted", "comment"]


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzed_events_never_crash(data: st.DataObject) -> None:
    document = copy.deepcopy(SKELETON)
    event = document["Event"]
    for _ in range(data.draw(st.integers(min_value=0, max_value=6), label="mutations")):
        where = data.draw(st.sampled_from(["event", "attribute", "object", "type"]))
        if where == "event":
            key = data.draw(st.sampled_from([*sorted(event), "Tag", "Orgc", "date"]))
            event[key] = data.draw(JSON_VALUES)
        elif where in ("attribute", "type") and isinstance(event.get("Attribute"), list) and event["Attribute"]:
            index = data.draw(st.integers(min_value=0, max_value=len(event["Attribute"]) - 1))
            target = event["Attribute"][index]
            if not isinstance(target, dict) or data.draw(st.integers(0, 9)) == 0:
                event["Attribute"][index] = data.draw(JSON_VALUES)
            elif where == "type":
                target["type"] = data.draw(st.sampled_from(["ip-src", "ip-dst|port", "domain|ip", "AS", "sha1", "url"]))
                target["to_ids"] = True
            else:
                target[data.draw(st.sampled_from(ATTRIBUTE_KEYS))] = data.draw(JSON_VALUES)
        elif where == "object" and isinstance(event.get("Object"), list) and event["Object"]:
            index = data.draw(st.integers(min_value=0, max_value=len(event["Object"]) - 1))
            event["Object"][index] = (
                data.draw(JSON_VALUES) if data.draw(st.booleans()) else {"Attribute": data.draw(JSON_VALUES)}
            )
    shape = data.draw(st.sampled_from(["event", "response", "list"]))
    wrapped: Any = document if shape == "event" else {"response": [document]} if shape == "response" else [document, 7]
    text = json.dumps(wrapped)
    if data.draw(st.integers(min_value=0, max_value=9), label="truncate?") == 0:
        text = text[: data.draw(st.integers(min_value=0, max_value=len(text)))]
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "fuzz.json"
        path.write_text(text, encoding="utf-8")
        con = duckdb.connect()
        try:
            read = MispImporter().stage(con, Source(path), ImportOptions())
        except SourceError:
            return
        staged = con.execute("SELECT count(*) FROM staged").fetchone()
        rejected = con.execute("SELECT count(*) FROM rejects").fetchone()
        assert staged is not None and rejected is not None
        assert read == staged[0] + rejected[0]
