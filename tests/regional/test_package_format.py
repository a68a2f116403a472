"""The statistics package format: schema round trip, STIX validity, deterministic ids and versions."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from cyberplan.regional.package import (
    EXTENSION_ID,
    PACKAGE_TYPE,
    SCHEMA_FILE,
    PackageError,
    bundle_of,
    bundle_text,
    check_bundle,
    schema_problems,
    stix_problems,
)
from tests.regional.support import CREATED, header, parts


def package_of(bundle: dict[str, Any]) -> dict[str, Any]:
    return next(o for o in bundle["objects"] if o["type"] == PACKAGE_TYPE)


def test_a_package_passes_the_schema_and_stix2_validator_and_survives_a_round_trip() -> None:
    bundle = bundle_of(header(), parts())
    check_bundle(bundle)
    again = json.loads(bundle_text(bundle))
    assert again == bundle
    assert schema_problems(package_of(again)) == []
    assert stix_problems(again) == []
    types = [o["type"] for o in bundle["objects"]]
    assert types == ["identity", "extension-definition", "identity", "marking-definition", PACKAGE_TYPE]
    definition = bundle["objects"][1]
    assert definition["id"] == EXTENSION_ID and definition["extension_types"] == ["new-sdo"]
    assert package_of(bundle)["extensions"] == {EXTENSION_ID: {"extension_type": "new-sdo"}}


def test_the_published_schema_is_the_one_the_checks_use() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    assert schema["properties"]["type"]["const"] == PACKAGE_TYPE
    assert "red" not in schema["properties"]["tlp"]["enum"]


def test_a_schema_violation_names_the_field() -> None:
    package = copy.deepcopy(package_of(bundle_of(header(), parts())))
    package["threats"]["rows"][0]["events"] = {"value": 12, "suppressed": True}
    package["country"] = "Paraguay"
    problems = schema_problems(package)
    assert any(p.startswith("country:") for p in problems)
    assert any(p.startswith("threats.rows.0.events:") for p in problems)


def test_without_its_extension_the_custom_type_fails_the_schema() -> None:
    bundle = bundle_of(header(), parts())
    del package_of(bundle)["extensions"]
    assert stix_problems(bundle) == []  # stix2-validator lets any custom type through: the schema does not
    assert any("'extensions' is a required property" in p for p in schema_problems(package_of(bundle)))


def test_same_figures_give_the_same_package_and_changed_figures_a_new_version_of_the_same_id() -> None:
    first = bundle_of(header(), parts())
    assert bundle_of(header(), parts()) == first
    assert bundle_text(bundle_of(header(), parts())) == bundle_text(first)
    later = CREATED + dt.timedelta(days=30)
    changed = parts()
    changed["exposure"]["per_1000"] = 0.05
    second = bundle_of(header(version=2, modified=later), changed)
    one, two = package_of(first), package_of(second)
    assert two["id"] == one["id"]
    assert two["created"] == one["created"] and two["modified"] > one["modified"]
    assert two["figures_digest"] != one["figures_digest"]
    assert second["id"] != first["id"]
    # The same figures at a later date keep their digest: a rebuild that changed nothing is recognised.
    assert package_of(bundle_of(header(version=2, modified=later), parts()))["figures_digest"] == one["figures_digest"]
    # Another period or member is another package.
    assert package_of(bundle_of(header(period="2026-Q1"), parts()))["id"] != one["id"]


def test_tlp_red_and_amber_strict_are_refused_when_building() -> None:
    for label in ("red", "amber+strict"):
        with pytest.raises(PackageError, match="never leave"):
            bundle_of(header(tlp=label), parts())


def test_the_package_carries_its_tlp_as_a_tlp_2_marking() -> None:
    bundle = bundle_of(header(tlp="amber"), parts())
    package = package_of(bundle)
    marking = bundle["objects"][3]
    assert package["tlp"] == "amber" and package["object_marking_refs"] == [marking["id"]]
    assert marking["name"] == "TLP:AMBER"
