"""The fast check of objects added to a collection against the full validation: the same verdict.

``stix_check.accepts`` may only say "valid" for an object the full validation (the importer's checks, the
stix2 object model, stix2-validator with pure-Python jsonschema) finds valid; anything it refuses is
validated again by the full path, so ``problems_of`` gives the full path's verdict and message for every
object. Objects are generated from valid SDOs, SROs, SCOs, markings and custom objects, then broken or
changed: properties removed, values of the wrong type, bad ids, badly written or impossible timestamps,
custom properties with good and bad names, references of the wrong type, patterns good and bad, nulls,
empty lists, extensions, kill chains, granular markings.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyberplan.pipeline.importers.stix.validation import _own_problem, validate_object
from cyberplan.sharing import stix_check
from cyberplan.sharing.stix_out import TLP2_MARKING_IDS, problems_of

UUID = "00000000-0000-4000-8000-0000000000{:02d}"
CREATED = "2026-01-01T00:00:00.000Z"
IDENTITY = f"identity--{UUID.format(1)}"
GREEN = TLP2_MARKING_IDS["green"]


def _sdo(kind: str, n: int, **values: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--{UUID.format(n)}",
        "created": CREATED,
        "modified": CREATED,
        **values,
    }


def _sco(kind: str, n: int, **values: Any) -> dict[str, Any]:
    return {"type": kind, "spec_version": "2.1", "id": f"{kind}--{UUID.format(n)}", **values}


VALID: list[dict[str, Any]] = [
    _sdo(
        "indicator",
        2,
        pattern="[ipv4-addr:value = '10.0.0.1']",
        pattern_type="stix",
        valid_from="2026-01-01T00:00:00Z",
        object_marking_refs=[GREEN],
    ),
    _sdo(
        "indicator",
        3,
        name="Phishing URL",
        description="seen in a campaign",
        indicator_types=["malicious-activity"],
        pattern="[url:value = 'http://example.com/a'] OR [domain-name:value = 'example.com']",
        pattern_type="stix",
        pattern_version="2.1",
        valid_from="2026-01-01T00:00:00.000Z",
        valid_until="2026-02-01T00:00:00.000Z",
        created_by_ref=IDENTITY,
        labels=["phishing"],
        confidence=80,
        lang="en",
        revoked=False,
    ),
    _sdo("indicator", 4, pattern="title:*phish*", pattern_type="sigma", valid_from="2026-01-01T00:00:00Z"),
    _sdo("identity", 1, name="CSIRT A", identity_class="organization"),
    _sdo("malware", 5, name="Emotet", is_family=True, malware_types=["trojan"]),
    _sdo("report", 6, name="Trends", published=CREATED, object_refs=[f"indicator--{UUID.format(2)}"]),
    _sdo("attack-pattern", 7, name="Brute force"),
    _sdo("campaign", 8, name="Spring", first_seen=CREATED, last_seen="2026-03-01T00:00:00.000Z"),
    _sdo("vulnerability", 9, name="CVE-2026-0001"),
    _sdo("threat-actor", 10, name="Group", threat_actor_types=["crime-syndicate"]),
    _sdo("tool", 11, name="nmap"),
    _sdo("location", 12, country="PY"),
    _sdo("note", 13, content="checked", object_refs=[IDENTITY]),
    _sdo("incident", 14, name="Outage"),
    _sdo(
        "relationship",
        15,
        relationship_type="indicates",
        source_ref=f"indicator--{UUID.format(2)}",
        target_ref=f"malware--{UUID.format(5)}",
    ),
    _sdo("sighting", 16, sighting_of_ref=f"indicator--{UUID.format(2)}", count=3),
    _sco("ipv4-addr", 17, value="192.0.2.1"),
    _sco("domain-name", 18, value="example.org"),
    _sco("url", 19, value="https://example.org/x"),
    _sco("file", 20, name="a.exe", hashes={"SHA-256": "a" * 64}),
    _sco("email-addr", 21, value="abuse@example.org"),
    _sdo("x-acme-widget", 22, name="custom object"),
    {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": f"marking-definition--{UUID.format(23)}",
        "created": CREATED,
        "name": "statement",
        "definition_type": "statement",
        "definition": {"statement": "Copyright"},
    },
]

TIMESTAMPS = [
    "2026-01-01T00:00:00Z",
    "2026-01-01T00:00:00.5Z",
    "2026-01-01T00:00:00.1234567Z",
    "2025-12-31T23:59:60Z",
    "2026-02-30T00:00:00Z",
    "2026-01-01t00:00:00z",
    "2026-01-01T00:00:00",
    "2026-01-01T00:00:00+00:00",
    "2026-1-01T00:00:00Z",
    "2027-01-01T00:00:00.000Z",
    "2025-01-01T00:00:00.000Z",
    "",
]
IDS = [
    "indicator--00000000-0000-4000-8000-0000000000AA",
    "indicator--00000000-0000-4000-0000-000000000001",
    "indicator--00000000-0000-0000-8000-000000000001",
    "indicator--zz",
    "malware--00000000-0000-4000-8000-000000000099",
    "indicator--00000000-0000-4000-8000-000000000001\n",
    "Indicator--00000000-0000-4000-8000-000000000001",
]
PATTERNS = [
    "[ipv4-addr:value = '10.0.0.1' AND ipv4-addr:value != '10.0.0.2']",
    "[file:hashes.'SHA-256' = 'abc']",
    "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
    "[x-acme:value = 'a']",
    "[ipv4-addr:value = '10.0.0.1'",
    "[ipv4-addr:value = 10]",
    "[foo:bar = 'a'] WITHIN 5 SECONDS",
    "",
]
VALUES: list[Any] = [
    None,
    0,
    -1,
    101,
    50,
    True,
    1.5,
    "text",
    "",
    [],
    ["a"],
    [1],
    {},
    {"a": 1},
    IDENTITY,
    GREEN,
    [IDENTITY],
    [GREEN],
]
PROPERTY_NAMES = [
    "x_acme_score",
    "acme_score",
    "1score",
    "ab",
    "Bad-Name",
    "name",
    "description",
    "pattern_version",
    "spec_version",
    "created_by_ref",
    "object_marking_refs",
    "labels",
    "confidence",
    "revoked",
    "lang",
    "valid_until",
    "kill_chain_phases",
    "external_references",
    "granular_markings",
    "extensions",
    "indicator_types",
]


def _change(obj: dict[str, Any], change: tuple[str, Any, Any]) -> None:
    what, prop, value = change
    if what == "remove":
        obj.pop(sorted(obj)[prop % len(obj)], None)
    elif what in ("set", "timestamp"):
        obj[prop] = value
    elif what == "id":
        obj["id"] = value
    elif what == "pattern":
        obj["pattern"], obj["pattern_type"] = value, "stix"


CHANGES = st.one_of(
    st.tuples(st.just("remove"), st.integers(0, 30), st.none()),
    st.tuples(st.just("set"), st.sampled_from(PROPERTY_NAMES), st.sampled_from(VALUES)),
    st.tuples(
        st.just("set"),
        st.sampled_from(["kill_chain_phases", "external_references", "granular_markings", "extensions"]),
        st.sampled_from(
            [
                [{"kill_chain_name": "lockheed", "phase_name": "recon"}],
                [{"source_name": "cve", "external_id": "CVE-2026-1"}],
                [{"marking_ref": GREEN, "selectors": ["name"]}],
                [{"marking_ref": GREEN, "selectors": ["nothing"]}],
                {
                    "extension-definition--00000000-0000-4000-8000-000000000001": {
                        "extension_type": "property-extension"
                    }
                },
            ]
        ),
    ),
    st.tuples(
        st.just("timestamp"),
        st.sampled_from(["created", "modified", "valid_from", "valid_until", "first_seen", "published"]),
        st.sampled_from(TIMESTAMPS),
    ),
    st.tuples(st.just("id"), st.none(), st.sampled_from(IDS)),
    st.tuples(st.just("pattern"), st.none(), st.sampled_from(PATTERNS)),
)


def _full_verdict(obj: Any) -> str | None:
    problem = validate_object(copy.deepcopy(obj)).problem
    return None if problem is None else f"{problem.field}: {problem.reason}" if problem.field else problem.reason


@pytest.mark.parametrize("obj", VALID, ids=lambda obj: obj["type"])
def test_valid_objects_of_each_kind_take_the_fast_path(obj: dict[str, Any]) -> None:
    assert _full_verdict(obj) is None
    assert stix_check.accepts(copy.deepcopy(obj))
    assert problems_of(obj) is None


@settings(max_examples=600, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from(VALID[:3] * 6 + VALID), changes=st.lists(CHANGES, min_size=1, max_size=3))
def test_fast_check_never_accepts_what_the_full_validation_refuses(
    base: dict[str, Any], changes: list[tuple[str, Any, Any]]
) -> None:
    obj = copy.deepcopy(base)
    for change in changes:
        _change(obj, change)
    full = _full_verdict(obj)
    if stix_check.accepts(copy.deepcopy(obj)):
        assert full is None, f"the fast check accepted an object the full validation refuses: {full}"
    assert problems_of(obj) == full


def test_a_refused_object_reads_the_full_validations_message() -> None:
    obj = copy.deepcopy(VALID[0])
    obj["valid_until"] = "2025-01-01T00:00:00Z"
    assert not stix_check.accepts(obj)
    message = problems_of(obj)
    assert message is not None
    assert "'valid_until' must be greater than 'valid_from'" in message
    assert message == _full_verdict(obj)


def test_the_fast_check_does_not_change_the_object() -> None:
    obj = copy.deepcopy(VALID[1])
    before = copy.deepcopy(obj)
    stix_check.accepts(obj)
    assert obj == before


def _indicator(**values: Any) -> dict[str, Any]:
    return {**copy.deepcopy(VALID[1]), **values}


EDGES = [
    # The same instant written with and without a fraction: the validator compares the texts (and passes),
    # the object model compares the times (and refuses).
    _indicator(valid_from="2026-01-01T00:00:00.000Z", valid_until="2026-01-01T00:00:00Z"),
    _indicator(valid_from="2026-01-01T00:00:00Z", valid_until="2026-01-01T00:00:00.000Z"),
    _indicator(valid_from="2026-01-01T00:00:00.000Z", valid_until="2026-01-01T00:00:00.000Z"),
    _indicator(valid_from="2026-01-01T00:00:00.5Z", valid_until="2026-01-01T00:00:01Z"),
    # More than microseconds: the model's strptime does not read it.
    _indicator(modified="2026-01-01T00:00:00.1234567Z"),
    _indicator(created="2025-12-31T23:59:60Z"),
    _indicator(pattern_version="2.0"),
    _indicator(spec_version="2.0"),
    _indicator(x_acme_score=5),
    _indicator(**{"1score": 5}),
    _indicator(created_by_ref=f"malware--{UUID.format(5)}"),
    _indicator(object_marking_refs=[IDENTITY]),
    _indicator(id="indicator--00000000-0000-4000-8000-0000000000AA"),
]


@pytest.mark.parametrize("obj", EDGES)
def test_edge_cases_have_the_full_validations_verdict(obj: dict[str, Any]) -> None:
    full = _full_verdict(obj)
    if stix_check.accepts(copy.deepcopy(obj)):
        assert full is None, full
    assert problems_of(obj) == full


# Objects on which each of stix2-validator's MUST checks has something to say, passing or failing.
NOT_V4 = "00000000-0000-1000-8000-0000000000{:02d}"
MUST_CASES: list[dict[str, Any]] = [
    {**VALID[-1], "object_marking_refs": [VALID[-1]["id"]]},
    {**VALID[-1], "object_marking_refs": [GREEN]},
    {**VALID[-1], "granular_markings": [{"marking_ref": VALID[-1]["id"], "selectors": ["name"]}]},
    _indicator(granular_markings=[{"marking_ref": GREEN, "selectors": ["labels.[0]", "name"]}]),
    _indicator(granular_markings=[{"marking_ref": GREEN, "selectors": ["labels.[5]"]}]),
    _indicator(granular_markings=[{"marking_ref": GREEN, "selectors": ["nothing"]}]),
    _indicator(granular_markings=[{"marking_ref": GREEN, "selectors": ["name.part"]}]),
    _indicator(lang="xx-nowhere"),
    _indicator(lang="es"),
    _sco("software", 30, name="tool", languages=["spa", "zzz"]),
    _sco("software", 31, name="tool", languages=["spa"], cpe="cpe:2.3:a:acme:tool:1.0:*:*:*:*:*:*:*"),
    _sco("software", 32, name="tool", cpe="not a cpe"),
    _sco("artifact", 33, mime_type="application/zip", payload_bin="AAAA"),
    _sco("artifact", 34, mime_type="nothing/at-all", payload_bin="AAAA"),
    {**_sco("artifact", 35, mime_type="text/plain"), "id": f"artifact--{NOT_V4.format(35)}"},
    _sco("directory", 36, path="C:\\data", path_enc="utf-8"),
    _sco("directory", 37, path="C:\\data", path_enc="not a charset"),
    _sco("file", 38, name="a", name_enc="windows-1252"),
    _sco("file", 39, name="a", name_enc="???"),
    {**_sco("process", 40, pid=4), "id": f"process--{NOT_V4.format(40)}"},
    _sco("process", 41, pid=4),
    {**_sco("user-account", 42), "id": f"user-account--{NOT_V4.format(42)}"},
    _sco("user-account", 43, user_id="1000"),
    _sco("network-traffic", 44, protocols=["tcp"], start="2026-01-02T00:00:00Z", end="2026-01-01T00:00:00Z"),
    _sco("network-traffic", 45, protocols=["tcp"], start="2026-02-30T00:00:00Z"),
    _sco("file", 46, name="a", ctime="2026-01-01T00:00:00Z", mtime="2026-13-01T00:00:00Z"),
    _sdo("language-content", 47, object_ref=IDENTITY, object_modified=CREATED, contents={"es": {"name": "Uno"}}),
    _sdo("language-content", 48, object_ref=IDENTITY, object_modified=CREATED, contents={"qq": {"Bad": "x"}}),
    _sdo("report", 49, name="r", published="2026-02-30T00:00:00Z", object_refs=[IDENTITY]),
    _sdo("report", 50, name="r", published="2026-01-01T00:00:00.1234567891Z", object_refs=[IDENTITY]),
    _sdo("campaign", 51, name="c", first_seen="2026-01-02T00:00:00Z", last_seen="2026-01-01T00:00:00Z"),
    _sdo("malware-analysis", 52, product="av", submitted="2026-04-31T00:00:00Z"),
    _sdo("report", 53, name="r", published=CREATED, object_refs=[IDENTITY], x_acme_inner=[VALID[0]]),
    _sdo(
        "report",
        54,
        name="r",
        published=CREATED,
        object_refs=[IDENTITY],
        x_acme_inner=[{**VALID[0], "modified": "2025-01-01T00:00:00.000Z"}],
    ),
    _indicator(modified="2025-01-01T00:00:00.000Z"),
    _indicator(created=5),
    _indicator(pattern="[ipv4-addr:value = '10.0.0.1'", pattern_type="stix"),
    _indicator(pattern="[x-acme-thing:x_acme_value = 'a']", pattern_type="stix"),
    _sdo(
        "observed-data",
        55,
        first_observed=CREATED,
        last_observed=CREATED,
        number_observed=1,
        objects={
            "0": {"type": "ipv4-addr", "value": "10.0.0.1"},
            "1": {"type": "domain-name", "resolves_to_refs": ["9"]},
        },
    ),
]


def _nested(levels: int) -> list[Any]:
    """A list nested ``levels`` times in lists."""
    value: list[Any] = []
    for _ in range(levels):
        value = [value]
    return value


def _must_verdict(check: Any, obj: dict[str, Any]) -> str:
    try:
        return "passes" if check(copy.deepcopy(obj)) else "fails"
    except Exception as exc:  # a check that cannot run on a malformed object: both must stop the same way
        return type(exc).__name__


@pytest.mark.parametrize("obj", VALID + EDGES + MUST_CASES)
def test_per_type_must_checks_give_the_librarys_verdict(obj: dict[str, Any]) -> None:
    assert _must_verdict(stix_check._passes_musts_fast, obj) == _must_verdict(stix_check._passes_musts, obj)


def test_the_must_cases_exercise_both_verdicts() -> None:
    verdicts = [_must_verdict(stix_check._passes_musts, obj) for obj in MUST_CASES]
    assert verdicts.count("passes") >= 10
    assert verdicts.count("fails") >= 15


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from(VALID + MUST_CASES), changes=st.lists(CHANGES, min_size=0, max_size=3))
def test_per_type_must_checks_agree_on_changed_objects(
    base: dict[str, Any], changes: list[tuple[str, Any, Any]]
) -> None:
    obj = copy.deepcopy(base)
    for change in changes:
        _change(obj, change)
    assert _must_verdict(stix_check._passes_musts_fast, obj) == _must_verdict(stix_check._passes_musts, obj)


OWN_CASES: list[Any] = [
    "not an object",
    {"id": "indicator--x"},
    {"type": "", "id": "x--1"},
    {"type": "indicator", "id": 5},
    {**VALID[0], "type": "bundle"},
    _indicator(description="bad \ud800 text"),
    _indicator(**{"bad \udfff key": 1}),
    _indicator(description="año, 東京, 🙂"),
    _indicator(x_acme_deep=[[[[{"a": [1]}]]]]),
    _indicator(x_acme_deep=_nested(70)),
    _indicator(x_acme_deep=_nested(61)),
    _indicator(x_acme_deep=_nested(62)),
    _indicator(x_acme_deep=_nested(63)),
    _indicator(confidence=True),
    _indicator(confidence=101),
    _indicator(confidence=-1),
    _indicator(confidence=0),
    _indicator(confidence=1.0),
    _indicator(valid_until=None),
    _indicator(first_seen="2026-01-01 00:00:00Z"),
    _indicator(first_seen="2025-12-31T23:59:60Z"),
    _sco("ipv4-addr", 60, value="10.0.0.300"),
    _sco("url", 61, value="not a url"),
    _sco("domain-name", 62, value="example.org"),
]


@pytest.mark.parametrize("obj", VALID + EDGES + MUST_CASES + OWN_CASES)
def test_the_one_walk_own_check_never_passes_what_the_importer_refuses(obj: Any) -> None:
    if stix_check._own_clean(copy.deepcopy(obj)):
        assert _own_problem(copy.deepcopy(obj)) is None


def test_the_one_walk_own_check_passes_the_valid_objects() -> None:
    cases = [*VALID, OWN_CASES[7], OWN_CASES[8], OWN_CASES[10], OWN_CASES[16]]
    assert [stix_check._own_clean(copy.deepcopy(obj)) for obj in cases] == [True] * len(cases)
    refused = [stix_check._own_clean(copy.deepcopy(obj)) for obj in OWN_CASES]
    assert refused.count(False) >= 15
