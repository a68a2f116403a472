"""The validator's timestamp check without dateutil's general parser: the same verdict and message as dateutil;
and the SHOULD checks, skipped for cyberplan's own validations only.

``timestamp_check.parse`` builds the date itself only for strictly written timestamps that exist; every
other text goes to ``dateutil.parser.parse``. For generated timestamps (real and impossible dates, leap
days and seconds, years 0000 and 9999, long fractions, other forms) both must raise the same error or both
must pass.
"""

from __future__ import annotations

import random
from typing import Any

import stix2validator.v21.musts as musts
from dateutil import parser as dateutil_parser

from cyberplan.pipeline.importers.stix import timestamp_check, validation


def verdict(parse: Any, text: str) -> str:
    try:
        parse(text)
    except (ValueError, OverflowError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return "passes"


def timestamps() -> list[str]:
    rng = random.Random(11)  # noqa: S311 -- a fixed seed, to generate the same timestamps every run
    fixed = [
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00.000Z",
        "2024-02-29T12:00:00Z",
        "2026-02-29T12:00:00Z",
        "2026-02-30T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-12-31T23:59:60Z",
        "2026-12-31T24:00:00Z",
        "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z",
        "2026-01-01T00:00:00.1234567890123Z",
        "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z",
        "2026-01-00T00:00:00Z",
        "2026-01-01T00:60:00Z",
        "2026-01-01t00:00:00z",
        "2026-01-01 00:00:00Z",
        "2026-01-01T00:00:00+00:00",
        "2026-01-01T00:00:00",
        "2026-01-01",
        "not a date",
        "",
    ]
    made = []
    for _n in range(3000):
        year = rng.choice([rng.randint(0, 9999), 1900, 2000, 2024, 2100, 0, 1])
        parts = [
            year,
            rng.randint(0, 13),
            rng.randint(0, 32),
            rng.randint(0, 25),
            rng.randint(0, 61),
            rng.randint(0, 61),
        ]
        fraction = rng.choice(["", "", ".0", ".123", ".999999", ".1234567", "." + "9" * rng.randint(1, 12)])
        made.append("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}".format(*parts) + fraction + "Z")
    return fixed + made


def test_same_verdict_and_message_as_dateutil() -> None:
    fast = passed = 0
    for text in timestamps():
        expected = verdict(dateutil_parser.parse, text)
        assert verdict(timestamp_check.parse, text) == expected, text
        passed += expected == "passes"
        fast += timestamp_check._STRICT.fullmatch(text) is not None and expected == "passes"
    assert fast >= 500, fast
    assert len(timestamps()) - passed >= 1000  # many impossible dates go to dateutil and fail there


def test_the_validator_reports_an_impossible_date_in_dateutils_words() -> None:
    obj = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--00000000-0000-4000-8000-000000000001",
        "created": "2026-02-30T00:00:00.000Z",
        "modified": "2026-02-30T00:00:00.000Z",
        "pattern": "[ipv4-addr:value = '10.0.0.1']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
    }
    assert validation.validate_object({}).problem is not None  # installs the fast checks
    assert isinstance(musts.parser, timestamp_check._Parser)
    problems, _notes = validation.validator_problems(obj)
    assert any(
        "'created': '2026-02-30T00:00:00.000Z' is not a valid timestamp: day is out of range" in p.reason
        for p in problems
    ), [p.reason for p in problems]


def test_should_checks_are_skipped_for_our_validations_only() -> None:
    from stix2validator import ValidationOptions, validate_instance

    obj = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--00000000-0000-4000-8000-000000000002",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "pattern": "[ipv4-addr:value = '10.0.0.1']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
    }
    assert validation.validate_object(obj).problem is None
    ours = validate_instance(dict(obj), validation._validator()[0])
    assert (ours.errors, ours.warnings) == ([], [])
    # Another caller's options still get every SHOULD check (here: name and description SHOULD be present).
    other = validate_instance(dict(obj), ValidationOptions(version="2.1", silent=True))
    assert other.errors == [] and any("SHOULD be present" in str(w) for w in other.warnings)
