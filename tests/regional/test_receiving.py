"""validate_package: what the regional side accepts, and every refusal with its reason."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from cyberplan.regional.package import PACKAGE_TYPE, bundle_of
from cyberplan.regional.receiving import KnownMember, PackageRefusedError, validate_package
from cyberplan.sharing.stix_out import TLP2_MARKING_IDS, Owner, identity
from tests.regional.support import CREATED, MEMBER, bundle, header, parts

MEMBERS = {"PY": KnownMember("PY", MEMBER.identity_id, "Paraguay"), "UY": KnownMember("UY", "identity--x", "Uruguay")}


def package_of(b: dict[str, Any]) -> dict[str, Any]:
    return next(o for o in b["objects"] if o["type"] == PACKAGE_TYPE)


def refusal(b: Any, period: str = "2026", last_seen: dict[str, str] | None = None) -> PackageRefusedError:
    with pytest.raises(PackageRefusedError) as caught:
        validate_package(b, period, MEMBERS, last_seen or {})
    return caught.value


def test_a_good_package_is_accepted_with_its_member() -> None:
    accepted = validate_package(bundle(), "2026", MEMBERS, {"PY": "2026-06-01T00:00:00.000Z"})
    assert accepted.member.country == "PY"
    assert accepted.package["period"] == "2026"


def test_a_package_for_another_period_is_refused() -> None:
    found = refusal(bundle(), period="2025")
    assert found.code == "wrong-period" and "2026" in found.reason and "2025" in found.reason


def test_a_package_from_an_unknown_member_is_refused() -> None:
    found = refusal(bundle_of(header(country="BR"), parts()))
    assert found.code == "unknown-member" and "BR" in found.reason


def test_a_forged_member_identity_is_refused() -> None:
    forger = Owner(key="someone-else", name="Authority PY", since=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    found = refusal(bundle_of(header(member=forger), parts()))
    assert found.code == "forged-identity" and MEMBER.identity_id in found.reason
    # Claiming the registered id without carrying its identity object is refused too.
    b = bundle()
    b["objects"] = [o for o in b["objects"] if o.get("id") != MEMBER.identity_id]
    b["objects"].append(identity(forger))
    assert refusal(b).code == "forged-identity"


def test_a_replay_of_an_older_or_the_same_version_is_refused() -> None:
    modified = package_of(bundle())["modified"]
    assert refusal(bundle(), last_seen={"PY": modified}).code == "replay"
    later = (CREATED + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    found = refusal(bundle(), last_seen={"PY": later})
    assert found.code == "replay" and found.reason.startswith("modified:")


def test_a_schema_violation_is_refused_naming_the_field() -> None:
    b = bundle()
    package_of(b)["threats"]["rows"][0]["sector"] = ""
    found = refusal(b)
    assert found.code == "schema" and "threats.rows.0.sector" in found.reason


def test_cells_below_the_threshold_not_suppressed_are_refused() -> None:
    b = bundle()
    package_of(b)["threats"]["rows"][1]["events"] = {"value": 4}
    found = refusal(b)
    assert found.code == "not-suppressed" and "threats.rows[1].events" in found.reason
    trained = bundle()
    package_of(trained)["training"]["audiences"][0]["trained"] = {"value": 3}
    assert "training.audiences[0].trained" in refusal(trained).reason
    exposed = bundle()
    package_of(exposed)["exposure"]["sources"] = {"value": 7}
    assert "exposure.sources" in refusal(exposed).reason


def test_a_recoverable_suppressed_cell_is_refused() -> None:
    b = bundle()
    package_of(b)["threats"]["rows"][2]["events"] = {"value": 30}  # the secondary suppression undone
    found = refusal(b)
    assert found.code == "not-suppressed" and "months[0].events" in found.reason


def test_tlp_red_content_is_refused() -> None:
    b = bundle()
    package_of(b)["object_marking_refs"] = [TLP2_MARKING_IDS["red"]]
    assert refusal(b).code == "tlp-red"
    other = bundle()
    other["objects"][2]["object_marking_refs"] = [TLP2_MARKING_IDS["red"]]
    assert refusal(other).code == "tlp-red"
    label = bundle()
    package_of(label)["tlp"] = "red"
    assert refusal(label).code == "tlp-red"


def test_what_is_not_a_package_is_refused() -> None:
    assert refusal({"type": "report"}).code == "not-a-bundle"
    assert refusal({**bundle(), "objects": [*bundle()["objects"], "identity--x"]}).code == "not-a-bundle"
    b = bundle()
    b["objects"].append(copy.deepcopy(package_of(b)))
    assert refusal(b).code == "no-package"
