"""The regional side's first step: whether a package that arrived may be accepted, as a pure function.

:func:`validate_package` reads nothing and writes nothing: the caller gives what the regional instance knows
(its members and the last version it accepted from each) and gets back the accepted package or a refusal
with a code and a reason naming the field. The regional programme's intake (:mod:`.intake`: the page, the API
and ``cyberplan regional receive``) calls this function first, then stores the package or its refusal in one
transaction, so nothing is half-imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from cyberplan.sharing.stix_out import TLP2_MARKING_IDS, parse_timestamp

from . import disclosure
from .package import EXTENSION_ID, PACKAGE_LABELS, PACKAGE_TYPE, TABLE_MEASURES, schema_problems, stix_problems


@dataclass(frozen=True)
class KnownMember:
    """A member state as the regional instance registered it: its country and its instance's identity."""

    country: str
    identity_id: str
    name: str = ""


@dataclass(frozen=True)
class Accepted:
    member: KnownMember
    package: dict[str, Any]

    @property
    def modified(self) -> str:
        return str(self.package["modified"])


class PackageRefusedError(Exception):
    """Why a package is refused: ``code`` for programs, ``reason`` for people (naming the field)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


def _package_of(bundle: Any) -> dict[str, Any]:
    if not isinstance(bundle, Mapping) or bundle.get("type") != "bundle" or not isinstance(bundle.get("objects"), list):
        raise PackageRefusedError(
            "not-a-bundle", _("The file is not a STIX 2.1 bundle (type 'bundle' with 'objects').")
        )
    packages = [o for o in bundle["objects"] if isinstance(o, Mapping) and o.get("type") == PACKAGE_TYPE]
    if len(packages) != 1:
        raise PackageRefusedError(
            "no-package",
            _("The bundle must hold exactly one %(type)s object; it holds %(count)d.")
            % {"type": PACKAGE_TYPE, "count": len(packages)},
        )
    return dict(packages[0])


def _check_tlp(bundle: Mapping[str, Any], package: Mapping[str, Any]) -> None:
    red = TLP2_MARKING_IDS["red"]
    for obj in bundle["objects"]:
        if not isinstance(obj, Mapping):
            raise PackageRefusedError("not-a-bundle", _("objects: every entry of the bundle must be a STIX object."))
        refs = obj.get("object_marking_refs", [])
        if obj.get("id") == red or (isinstance(refs, list) and red in refs) or package.get("tlp") == "red":
            raise PackageRefusedError(
                "tlp-red", _("The bundle holds TLP:RED content (%(id)s).") % {"id": obj.get("id")}
            )
    label = package.get("tlp")
    if label not in PACKAGE_LABELS or package.get("object_marking_refs") != [TLP2_MARKING_IDS[str(label)]]:
        raise PackageRefusedError(
            "tlp-mismatch", _("tlp: the package's label and its marking reference do not agree, or are missing.")
        )


def _check_member(
    bundle: Mapping[str, Any], package: Mapping[str, Any], known_members: Mapping[str, KnownMember]
) -> KnownMember:
    member = known_members.get(str(package["country"]))
    if member is None:
        raise PackageRefusedError(
            "unknown-member",
            _("country: %(country)s is not a member of the regional programme.") % {"country": package["country"]},
        )
    identities = {o.get("id") for o in bundle["objects"] if isinstance(o, Mapping) and o.get("type") == "identity"}
    if package["created_by_ref"] != member.identity_id or member.identity_id not in identities:
        raise PackageRefusedError(
            "forged-identity",
            _("created_by_ref: the package is signed by %(given)s, not by %(country)s's registered identity %(known)s.")
            % {"given": package["created_by_ref"], "country": member.country, "known": member.identity_id},
        )
    return member


def _check_disclosure(package: Mapping[str, Any]) -> None:
    threshold = int(package["threshold"])
    for name, measures in TABLE_MEASURES.items():
        if name not in package:
            continue
        for leak in disclosure.leaks(name, package[name], measures, threshold):
            reason = (
                _("%(where)s: a count below the threshold of %(threshold)d is published.")
                if leak.reason == "below-threshold"
                else _("%(where)s: a suppressed count could be recovered from this published total.")
            )
            raise PackageRefusedError("not-suppressed", reason % {"where": leak.where, "threshold": threshold})
    cells = [("exposure.sources", package["exposure"]["sources"])] if "exposure" in package else []
    for index, row in enumerate(package.get("training", {}).get("audiences", [])):
        cells += [(f"training.audiences[{index}].{m}", row[m]) for m in ("trained", "cumulative_trained")]
    for where, cell in cells:
        value = cell.get("value")
        if value is not None and disclosure.primary(int(value), threshold):
            raise PackageRefusedError(
                "not-suppressed",
                _("%(where)s: a count below the threshold of %(threshold)d is published.")
                % {"where": where, "threshold": threshold},
            )


def validate_package(
    bundle: Any,
    expected_period: str,
    known_members: Mapping[str, KnownMember],
    last_seen: Mapping[str, str],
) -> Accepted:
    """The package of ``bundle`` if the regional instance may accept it, else :class:`PackageRefusedError`.

    ``known_members`` maps a country code to the member registered for it; ``last_seen`` maps a country code to
    the ``modified`` of the last package accepted from it for ``expected_period``. Checked in this order: a
    bundle with one package; no TLP:RED anywhere; the JSON schema and stix2-validator; the extension; the
    period; the member and its identity; a newer version than the last accepted; disclosure control.
    """
    package = _package_of(bundle)
    _check_tlp(bundle, package)
    problems = schema_problems(package)
    if problems:
        raise PackageRefusedError(
            "schema", _("The package does not follow the schema: %(problems)s") % {"problems": problems[0]}
        )
    problems = stix_problems(bundle)
    if problems:
        raise PackageRefusedError(
            "stix", _("The bundle is not valid STIX 2.1: %(problems)s") % {"problems": problems[0]}
        )
    if EXTENSION_ID not in package["extensions"] or not any(o.get("id") == EXTENSION_ID for o in bundle["objects"]):
        raise PackageRefusedError(
            "extension", _("extensions: the package does not name the statistics package extension definition.")
        )
    if package["period"] != expected_period:
        raise PackageRefusedError(
            "wrong-period",
            _("period: the package is for %(given)s; packages for %(expected)s are expected.")
            % {"given": package["period"], "expected": expected_period},
        )
    member = _check_member(bundle, package, known_members)
    previous = last_seen.get(member.country)
    if previous is not None and parse_timestamp(str(package["modified"])) <= parse_timestamp(previous):
        raise PackageRefusedError(
            "replay",
            _("modified: version %(given)s is not newer than the last accepted, %(previous)s.")
            % {"given": package["modified"], "previous": previous},
        )
    _check_disclosure(package)
    return Accepted(member, package)
