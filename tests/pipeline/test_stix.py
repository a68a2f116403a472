"""The STIX 2.1 importer, end to end through ingest() and the event store, without Django or a database.

Golden files: ``tests/pipeline/golden/stix-*.json`` hold the normalised output of the samples
(selected fields, sorted, timestamps as ISO strings). After a deliberate change of the mapping,
regenerate them with ``CYBERPLAN_UPDATE_GOLDEN=1`` and review the difference by hand.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyberplan.pipeline import importers
from cyberplan.pipeline.importers.base import ImportOptions, Source, SourceError
from cyberplan.pipeline.importers.stix import StixImporter, observables, pattern_alternatives, validation
from cyberplan.pipeline.store import CommitSummary, EventStore
from tests.pipeline import support

HERE = Path(__file__).parent
SAMPLES = HERE / "samples" / "stix"
GOLDEN = HERE / "golden"
BUNDLE = SAMPLES / "cert-example-bundle.json"
BAD_OBJECTS = SAMPLES / "bad-objects.json"
MISP_SAMPLE = HERE / "samples" / "misp" / "qakbot-event.json"

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
    "protocol.transport",
    "protocol.application",
    "malware.name",
    "feed.name",
    "feed.provider",
    "tlp",
    "severity",
    "extra",
)

TLP1 = {
    "white": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "red": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}
TLP2 = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
CREATED = "2026-03-01T09:00:00.000Z"


# -- helpers -------------------------------------------------------------------------------------


run = support.run
events = support.events
rejects = support.rejects
check_golden = support.check_golden


def normalised(row: dict[str, Any]) -> dict[str, Any]:
    return support.normalised(row, GOLDEN_FIELDS)


def golden_document(summary: CommitSummary, root: Path) -> dict[str, Any]:
    return support.golden_document(summary, root, GOLDEN_FIELDS)


def bundle(*objects: Any) -> dict[str, Any]:
    return {"type": "bundle", "id": "bundle--6c8e0a2c-4e6a-4c8e-9a0c-2e4a6c8e0a2c", "objects": list(objects)}


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def indicator(number: int, pattern: str, **properties: Any) -> dict[str, Any]:
    values = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{number:08x}-1111-4111-8111-111111111111",
        "created": CREATED,
        "modified": CREATED,
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2026-03-01T09:00:00Z",
    }
    values.update(properties)
    return values


def stage(path: Path, options: ImportOptions | None = None) -> tuple[int, list[dict[str, Any]], list[dict[str, Any]]]:
    """The importer alone: records read, staged rows, rejects."""
    con = duckdb.connect()
    read = StixImporter().stage(con, Source(path), options or ImportOptions())
    staged = con.sql("SELECT * FROM staged").to_arrow_table().to_pylist()
    rejected = con.sql("SELECT * FROM rejects").to_arrow_table().to_pylist()
    return read, staged, rejected


# -- samples and golden files --------------------------------------------------------------------


def test_sample_bundle_matches_golden(tmp_path: Path) -> None:
    summary = run(BUNDLE, tmp_path)
    document = golden_document(summary, tmp_path)
    check_golden("stix-cert-example-bundle.json", document)
    assert summary.read == summary.stored + summary.duplicates + summary.quarantined
    assert summary.quarantined == 0
    kinds = {e["extra"]["stix.type"] for e in document["events"]}
    assert kinds == {"indicator", "observed-data", "sighting", "incident"}


def test_bad_objects_are_rejected_and_good_ones_kept(tmp_path: Path) -> None:
    summary = run(BAD_OBJECTS, tmp_path)
    document = golden_document(summary, tmp_path)
    check_golden("stix-bad-objects.json", document)
    assert summary.read == 13 and summary.stored == 2 and summary.quarantined == 11
    by_line = {r["line"]: r for r in document["rejects"]}
    assert by_line[1]["field"] == "pattern" and "missing ']'" in by_line[1]["reason"]  # malformed pattern
    assert by_line[2]["field"] == "valid_from" and "no time zone" in by_line[2]["reason"]
    assert by_line[3]["field"] == "id"  # fails validation: not a STIX identifier
    assert by_line[4]["field"] == "confidence"
    assert by_line[5]["field"] == "pattern" and "'999.1.1.1' is not an IPv4 address" in by_line[5]["reason"]
    assert by_line[8]["field"] == "pattern_type" and "sigma" in by_line[8]["reason"]
    assert by_line[9]["field"] == "value"
    assert by_line[11]["reason"].startswith("an object of the bundle must be a JSON object")
    # the good alternative of the half-bad OR is kept
    assert sorted(e.get("source.ip") or e.get("source.fqdn") for e in document["events"]) == [
        "198.51.100.9",
        "ok.example",
    ]
    stored = events(tmp_path)
    assert {r["feed.provider"] for r in stored} == {"Partner CSIRT", None}


# -- detection -----------------------------------------------------------------------------------


def test_detection_picks_the_right_importer(tmp_path: Path) -> None:
    assert importers.detect(Source(BUNDLE)).format == "stix"
    assert importers.detect(Source(BAD_OBJECTS)).format == "stix"
    assert importers.detect(Source(MISP_SAMPLE)).format == "misp"
    assert not StixImporter.detect(Source(MISP_SAMPLE), Source(MISP_SAMPLE).head())
    # keys sorted: "type" comes after a long "objects" array, beyond the head; the bundle id says it
    many = bundle(*[indicator(i, f"[ipv4-addr:value = '10.0.{i // 256}.{i % 256}']") for i in range(600)])
    path = tmp_path / "sorted.json"
    path.write_text(json.dumps(many, sort_keys=True), encoding="utf-8")
    head = Source(path).head()
    assert b'"type": "bundle"' not in head
    assert importers.detect(Source(path)).format == "stix"


@pytest.mark.parametrize(
    "head",
    [b'{"Event": {"info": "x", "type": "bundle"}}', b"type,bundle\n1,2\n", b'["bundle"]', b'{"type": "indicator"}'],
)
def test_detect_refuses_what_is_not_a_bundle(head: bytes) -> None:
    assert not StixImporter.detect(Source(Path("x.json")), head)


# -- summary, re-import, TLP ---------------------------------------------------------------------


@pytest.mark.slow
def test_summary_adds_up_and_reimport_adds_nothing(tmp_path: Path) -> None:
    first = run(BUNDLE, tmp_path, "imp-1")
    assert first.read == first.stored + first.duplicates + first.quarantined == 13
    second = run(BUNDLE, tmp_path, "imp-2")
    assert second.read == first.read
    assert second.stored == 0 and second.duplicates == first.stored
    assert len(events(tmp_path)) == first.stored
    assert len({r["event_id"] for r in events(tmp_path)}) == first.stored


def _marking_bundle(refs: list[str] | None, extra_objects: tuple[Any, ...] = ()) -> dict[str, Any]:
    # STIX forbids an empty object_marking_refs list: "no marking" means leaving the property out.
    markings = {} if refs is None else {"object_marking_refs": refs}
    return bundle(*extra_objects, indicator(1, "[ipv4-addr:value = '192.0.2.1']", **markings))


@pytest.mark.parametrize(
    ("refs", "expected"),
    [
        ([TLP1["white"]], "clear"),
        ([TLP1["green"]], "green"),
        ([TLP1["amber"]], "amber"),
        ([TLP1["red"]], "red"),
        ([TLP2["clear"]], "clear"),
        ([TLP2["green"]], "green"),
        ([TLP2["amber"]], "amber"),
        ([TLP2["amber+strict"]], "amber+strict"),
        ([TLP2["red"]], "red"),
        ([TLP1["green"], TLP2["amber+strict"]], "amber+strict"),  # the most restrictive
        (None, "green"),  # no marking: the import's default (green in this test)
    ],
)
def test_tlp_markings(tmp_path: Path, refs: list[str] | None, expected: str) -> None:
    path = write(tmp_path / "tlp.json", _marking_bundle(refs))
    run(path, tmp_path / "store", options=ImportOptions(tlp="green"))
    assert [r["tlp"] for r in events(tmp_path / "store")] == [expected]


def test_tlp_from_marking_definitions_of_the_bundle(tmp_path: Path) -> None:
    tlp2_custom = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--7a9c1e3a-5c7e-4a9c-8e1a-3c5e7a9c1e3a",
        "created": CREATED,
        "name": "partner TLP",
        "extensions": {
            "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                "extension_type": "property-extension",
                "tlp_2_0": "amber+strict",
            }
        },
    }
    statement = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--8b0d2f4b-6d8f-4b0d-9f2b-4d6f8b0d2f4b",
        "created": CREATED,
        "definition_type": "statement",
        "definition": {"statement": "Copyright Partner CSIRT"},
    }
    path = write(tmp_path / "b.json", _marking_bundle([tlp2_custom["id"], statement["id"]], (tlp2_custom, statement)))
    run(path, tmp_path / "store")
    assert [r["tlp"] for r in events(tmp_path / "store")] == ["amber+strict"]


def test_observed_data_takes_the_most_restrictive_marking_of_its_observables(tmp_path: Path) -> None:
    sco = {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": "ipv4-addr--1c3e5a7c-9e1c-5e3a-8c5e-7a9c1e3a5c7e",
        "value": "192.0.2.7",
        "object_marking_refs": [TLP2["red"]],
    }
    observed = {
        "type": "observed-data",
        "spec_version": "2.1",
        "id": "observed-data--2d4f6b8d-0f2d-4f4b-9d6f-8b0d2f4b6d8f",
        "created": CREATED,
        "modified": CREATED,
        "first_observed": "2026-03-01T08:00:00Z",
        "last_observed": "2026-03-01T08:00:00Z",
        "number_observed": 1,
        "object_refs": [sco["id"]],
        "object_marking_refs": [TLP2["green"]],
    }
    path = write(tmp_path / "b.json", bundle(sco, observed))
    run(path, tmp_path / "store")
    [row] = events(tmp_path / "store")
    assert (row["source.ip"], row["tlp"]) == ("192.0.2.7", "red")


# -- patterns ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("[ipv4-addr:value = '192.0.2.1']", [{"source.ip": "192.0.2.1"}]),
        ("[ipv6-addr:value = '2001:DB8::1']", [{"source.ip": "2001:db8::1"}]),
        ("[ipv4-addr:value = '192.0.2.0/24']", [{"source.network": "192.0.2.0/24"}]),
        ("[ipv4-addr:value ISSUBSET '192.0.2.0/25']", [{"source.network": "192.0.2.0/25"}]),
        ("[domain-name:value = 'Evil.Example.']", [{"source.fqdn": "evil.example"}]),
        ("[url:value = 'http://evil.example/a?b=\\'c\\'']", [{"source.url": "http://evil.example/a?b='c'"}]),
        (
            "[file:hashes.'SHA-256' = 'AB" + "0" * 62 + "']",
            [{"malware.hash.sha256": "ab" + "0" * 62}],
        ),
        (
            "[ipv4-addr:value = '192.0.2.1'] OR [domain-name:value = 'a.example']",
            [{"source.ip": "192.0.2.1"}, {"source.fqdn": "a.example"}],
        ),
        (
            "[ipv4-addr:value = '192.0.2.1' OR ipv4-addr:value = '192.0.2.2']",
            [{"source.ip": "192.0.2.1"}, {"source.ip": "192.0.2.2"}],
        ),
        (
            "[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')]",
            [{"source.ip": "192.0.2.1"}, {"source.ip": "192.0.2.2"}],
        ),
        (
            "[url:value = 'http://a.example/x'] AND [file:hashes.MD5 = '" + "a" * 32 + "']",
            [{"source.url": "http://a.example/x", "malware.hash.md5": "a" * 32}],
        ),
        (
            "([ipv4-addr:value = '192.0.2.1'] OR [ipv4-addr:value = '192.0.2.2']) "
            "AND [domain-name:value = 'c.example']",
            [
                {"source.ip": "192.0.2.1", "source.fqdn": "c.example"},
                {"source.ip": "192.0.2.2", "source.fqdn": "c.example"},
            ],
        ),
        (
            "[network-traffic:src_ref.value = '192.0.2.9' AND network-traffic:dst_port = 3389 "
            "AND network-traffic:protocols[*] = 'tcp']",
            [{"source.ip": "192.0.2.9", "destination.port": 3389, "protocol.transport": "tcp"}],
        ),
        ("[ipv4-addr:value = '192.0.2.1'] REPEATS 5 TIMES WITHIN 60 SECONDS", [{"source.ip": "192.0.2.1"}]),
    ],
)
def test_pattern_shapes(pattern: str, expected: list[dict[str, Any]]) -> None:
    alternatives, _ = pattern_alternatives(pattern)
    got = []
    for comparisons in alternatives:
        observable = observables.observable_from_comparisons(comparisons)
        got.append({**observable.fields, **{k: v for k, v in observable.extra.items() if k.startswith("malware.")}})
    assert got == expected


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("[ipv4-addr:value = '192.0.2.1'", "missing ']'"),
        ("ipv4-addr:value = '192.0.2.1'", "missing square brackets"),
        ("[ipv4-addr:value = '192.0.2.1' AND domain-name:value = 'x.example']", "malformed"),  # AND of two types
        ("[file:size = 10]", "no comparison cyberplan maps"),
        ("[ipv4-addr:value = '192.0.2.1'] AND [ipv4-addr:value = '192.0.2.2']", "two values"),
        ("[ipv4-addr:value = '2001:db8::1']", "not an IPv4 address"),
        ("[network-traffic:dst_port = 70000 AND network-traffic:dst_ref.value = '192.0.2.1']", "not a port"),
    ],
)
def test_bad_patterns_are_rejected(tmp_path: Path, pattern: str, reason: str) -> None:
    good = indicator(2, "[domain-name:value = 'kept.example']")
    path = write(tmp_path / "b.json", bundle(indicator(1, pattern), good))
    read, staged, rejected = stage(path)
    assert read == 2 and [r["source.fqdn"] for r in staged] == ["kept.example"]
    [reject] = rejected
    assert (reject["line"], reject["field"]) == (0, "pattern") and reason in reject["reason"]


def test_pattern_alternatives_are_bounded() -> None:
    pattern = " AND ".join(f"[ipv4-addr:value = '192.0.2.{i}' OR ipv4-addr:value = '192.0.3.{i}']" for i in range(12))
    with pytest.raises(validation.RecordError, match="more than 1000 alternatives"):
        pattern_alternatives(pattern)


# -- relationships, sightings, observed data ----------------------------------------------------


def test_sighting_of_an_indicator_and_malware_names(tmp_path: Path) -> None:
    run(BUNDLE, tmp_path)
    rows = events(tmp_path)
    sightings = [r for r in rows if json.loads(r["extra"])["stix.type"] == "sighting"]
    assert sorted(r["source.ip"] or r["source.fqdn"] for r in sightings) == [
        "198.51.100.23",
        "update-check.example.net",
    ]
    assert {json.loads(r["extra"])["sighting.count"] for r in sightings} == {17}
    assert {r["malware.name"] for r in sightings} == {"emotet"}
    assert {r["time.source"] for r in sightings} == {dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)}
    network = [r for r in rows if r["destination.port"] == 445]
    assert [(r["source.ip"], r["destination.ip"], r["protocol.application"]) for r in network] == [
        ("203.0.113.45", "192.0.2.10", "smb")
    ]


def test_deprecated_embedded_objects_are_read(tmp_path: Path) -> None:
    observed = {
        "type": "observed-data",
        "spec_version": "2.1",
        "id": "observed-data--3e5a7c9e-1a3e-4a5c-8e7a-9c1e3a5c7e9a",
        "created": CREATED,
        "modified": CREATED,
        "first_observed": "2026-03-01T08:00:00Z",
        "last_observed": "2026-03-01T08:00:00Z",
        "number_observed": 2,
        "objects": {"0": {"type": "domain-name", "value": "old-style.example"}},
    }
    read, staged, rejected = stage(write(tmp_path / "b.json", bundle(observed)))
    assert (read, rejected) == (1, [])
    assert staged[0]["source.fqdn"] == "old-style.example"
    notes = json.loads(staged[0]["extra"])["validation.notes"]  # kept as notes, not raised, not rejected
    assert any("deprecated" in note for note in notes)


# -- bad files -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"type": "bundle", "objects": [,]}', "not valid JSON"),
        (
            b'{"type": "bundle", "id": "bundle--6c8e0a2c-4e6a-4c8e-9a0c-2e4a6c8e0a2c", "objects": [{"type": "ind',
            "truncated",
        ),
        (b'{"type": "bundle", "objects": [{"type": "identity", "name": "Caf\xe9"}]}', "not UTF-8"),
        (b'{"type": "bundle", "objects": {"a": 1}}', "is not a list"),
        (b'{"type": "bundle", "objects": [NaN]}', "not valid JSON"),
        (b'{"type": "bundle"}' + b"[" * 100_000, "not valid JSON"),
    ],
)
def test_unusable_files_are_refused_whole(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message) as caught:
        run(path, tmp_path / "store")
    assert str(caught.value).startswith("bad.json: ")
    assert EventStore(tmp_path / "store").committed_imports() == set()


def test_deeply_nested_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(b'{"type": "bundle", "objects": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")
    with pytest.raises(SourceError, match="nested too deeply"):
        StixImporter().stage(duckdb.connect(), Source(path), ImportOptions())


def test_a_bundle_over_the_object_limit_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    tiny = '{"type":"x-tiny","id":"x-tiny--00000000-0000-4000-8000-000000000000"}'
    path.write_text(
        '{"type":"bundle","id":"bundle--6c8e0a2c-4e6a-4c8e-9a0c-2e4a6c8e0a2c","objects":['
        + ",".join([tiny] * 100_001)
        + "]}"
    )
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"100,001 objects; the limit is 100,000"):
        run(path, tmp_path / "store", options=ImportOptions(max_objects=100_000))
    assert time.monotonic() - started < 10
    assert EventStore(tmp_path / "store").committed_imports() == set()


def test_invalid_unicode_in_one_object_loses_only_that_object(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(
        json.dumps(
            bundle(
                indicator(1, "[domain-name:value = 'ok.example']"),
                indicator(2, "[domain-name:value = 'x.example']", name="\ud800"),
            )
        ),
        encoding="utf-8",
    )
    summary = run(path, tmp_path / "store")
    assert (summary.stored, summary.quarantined) == (1, 1)
    [reject] = rejects(tmp_path / "store")
    assert reject["line"] == 1 and "not valid Unicode" in reject["reason"]


def test_an_object_nested_too_deeply_loses_only_that_object(tmp_path: Path) -> None:
    deep = '{"a":' * 500 + "1" + "}" * 500
    good = json.dumps(indicator(1, "[domain-name:value = 'ok.example']"))
    bad = json.dumps(indicator(2, "[domain-name:value = 'x.example']"))[:-1] + ',"x_deep":' + deep + "}"
    path = tmp_path / "b.json"
    path.write_text('{"type":"bundle","objects":[' + good + "," + bad + "]}", encoding="utf-8")
    read, staged, rejected = stage(path)
    assert (read, [r["source.fqdn"] for r in staged]) == (2, ["ok.example"])
    assert (rejected[0]["line"], rejected[0]["reason"]) == (1, "the object nests more than 64 levels deep")


def test_tlp_labels_count_too(tmp_path: Path) -> None:
    """MISP writes its TLP tags as labels when it exports STIX: a label is never less strict than the marking."""
    document = bundle(
        indicator(1, "[ipv4-addr:value = '192.0.2.1']", labels=["tlp:red"], object_marking_refs=[TLP1["green"]])
    )
    _, [row], _ = stage(write(tmp_path / "b.json", document))
    assert row["tlp"] == "red"


def test_validator_schema_errors_become_rejects(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """When stix2-validator ships its schemas, its schema errors are per-object rejects (simulated here)."""
    import stix2validator

    class Result:
        def __init__(self, errors: list[str]) -> None:
            self.errors = errors

    def fake_validate(obj: dict[str, Any], options: Any) -> Result:
        bad = obj.get("name") == "bad"
        return Result([f"{obj['id']}: indicator_types: 'x' is not one of ['malicious-activity']"] if bad else [])

    options, _, checks = validation._validator()
    monkeypatch.setattr(validation, "_validator", lambda: (options, True, checks))
    monkeypatch.setattr(stix2validator, "validate_instance", fake_validate)
    path = write(
        tmp_path / "b.json",
        bundle(
            indicator(1, "[domain-name:value = 'a.example']", name="bad"),
            indicator(2, "[domain-name:value = 'b.example']"),
        ),
    )
    read, staged, rejected = stage(path)
    assert (read, len(staged)) == (2, 1)
    assert (rejected[0]["line"], rejected[0]["field"]) == (0, "indicator_types")


# -- fuzzing -------------------------------------------------------------------------------------

SKELETON: list[Any] = json.loads(BUNDLE.read_text(encoding="utf-8"))["objects"]
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["\ud800", "2026-03-01T09:00:00", "2026-13-45T99:00:00Z", "999.1.1.1", "[", "indicator--x"])
)
JSON_VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
PATTERNS = st.sampled_from(
    [
        "[ipv4-addr:value = '192.0.2.1'",
        "[ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY [url:value = 'http://x.example/']",
        "[network-traffic:dst_ref.value = 'x.example' AND network-traffic:protocols[0] = 7]",
        "[file:hashes.'SHA-256' = 'zz']",
        "[email-addr:value = 'a@b.example'] OR [x-custom:value = 1]",
        "[ipv4-addr:value NOT IN ('192.0.2.1')]",
        "[domain-name:value MATCHES '^a']",
    ]
)


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzed_bundles_never_crash(data: st.DataObject) -> None:
    objects = copy.deepcopy(SKELETON)
    for _ in range(data.draw(st.integers(min_value=0, max_value=6), label="mutations")):
        index = data.draw(st.integers(min_value=0, max_value=len(objects) - 1))
        target = objects[index]
        action = data.draw(st.sampled_from(["set", "delete", "replace", "pattern", "append"]))
        if action == "replace" or not isinstance(target, dict):
            objects[index] = data.draw(JSON_VALUES)
        elif action == "set":
            key = data.draw(st.sampled_from([*target, "object_marking_refs", "labels", "x"]))
            target[key] = data.draw(JSON_VALUES)
        elif action == "delete" and target:
            del target[data.draw(st.sampled_from(sorted(target)))]
        elif action == "pattern":
            target["pattern"] = data.draw(PATTERNS | st.text(max_size=30))
        elif action == "append":
            objects.append(data.draw(JSON_VALUES))
    text = json.dumps(bundle(*objects))
    if data.draw(st.integers(min_value=0, max_value=9), label="truncate?") == 0:
        text = text[: data.draw(st.integers(min_value=0, max_value=len(text)))]
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "fuzz.json"
        path.write_text(text, encoding="utf-8")
        con = duckdb.connect()
        try:
            read = StixImporter().stage(con, Source(path), ImportOptions())
        except SourceError:
            return
        staged = con.execute("SELECT count(*) FROM staged").fetchone()
        rejected = con.execute("SELECT count(*) FROM rejects").fetchone()
        assert staged is not None and rejected is not None
        assert read == staged[0] + rejected[0]
