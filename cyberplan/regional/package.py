"""The statistics package: a member's figures for a period as a STIX 2.1 object of a type of its own.

The type, ``cyberplan-statistics-package``, is defined by an extension definition (STIX 2.1 section 7.3,
``extension_types: ["new-sdo"]``) whose ``schema`` names the JSON schema the project publishes
(``static/regional/statistics-package-1.0.schema.json``, served at ``/static/regional/...``; every field is
described in docs/reference/statistics-package.md). A package travels in a bundle with the member's
``identity``, the project's identity (which created the extension definition), the extension definition and
the TLP 2.0 marking definition of its label.

Ids are deterministic: the package of one member and period has one id (UUIDv5 over both); a new version of
it keeps the id, keeps ``created`` and moves ``modified`` and ``package_version``. The same figures give the
same ``figures_digest``, so a rebuild that changed nothing is recognised as the same version.

This module is the format alone: figures in, a bundle out, and the checks of a bundle against the schema and
stix2-validator. Where figures come from is :mod:`.figures`; suppression is :mod:`.disclosure`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from cyberplan.sharing.stix_out import (
    SPEC_VERSION,
    TLP2_MARKING_IDS,
    Owner,
    identity,
    stix_id,
    timestamp,
    tlp_marking,
)

SCHEMA_VERSION = "1.0"
PACKAGE_TYPE = "cyberplan-statistics-package"
SCHEMA_FILE = Path(__file__).parent / "static" / "regional" / f"statistics-package-{SCHEMA_VERSION}.schema.json"
SCHEMA_STATIC_PATH = f"regional/statistics-package-{SCHEMA_VERSION}.schema.json"

# The project itself, as the creator of the extension definition (fixed: every instance says the same).
PROJECT = Owner(key="cyberplan-project", name="cyberplan", since=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
EXTENSION_ID = stix_id("extension-definition", PACKAGE_TYPE, SCHEMA_VERSION)
EXTENSION_CREATED = "2026-12-01T00:00:00.000Z"

#: Labels a package may carry: those that cross to a named recipient under TLP 2.0 (``core.release.CROSSABLE``);
#: TLP:AMBER+STRICT and TLP:RED never leave the member organisation.
PACKAGE_LABELS = ("clear", "green", "amber")

#: The measures of each table part (counts under disclosure control).
TABLE_MEASURES: dict[str, tuple[str, ...]] = {"threats": ("events", "sources"), "incidents": ("incidents",)}
#: The parts a package may have, in order; each is present only where the instance has the figures.
PARTS = ("threats", "incidents", "exposure", "assessment", "strategy", "legal", "training")


class PackageError(ValueError):
    """A package that cannot be built: the label is TLP:RED, or it fails its own checks."""


def extension_definition() -> dict[str, Any]:
    """The extension definition of the package type (the same object on every instance)."""
    return {
        "type": "extension-definition",
        "spec_version": SPEC_VERSION,
        "id": EXTENSION_ID,
        "created_by_ref": PROJECT.identity_id,
        "created": EXTENSION_CREATED,
        "modified": EXTENSION_CREATED,
        "name": "cyberplan statistics package",
        "description": (
            "A member state's statistics for a period, shared with a regional programme: threat events and "
            "distinct sources, incident handling, exposure, capacity, strategy, legal and training figures, "
            "with small counts suppressed."
        ),
        "schema": f"cyberplan statistics package schema {SCHEMA_VERSION}: /static/{SCHEMA_STATIC_PATH}",
        "version": f"{SCHEMA_VERSION}.0",
        "extension_types": ["new-sdo"],
    }


def canonical(value: Any) -> bytes:
    """The JSON text digests are taken of: keys sorted, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def package_id(member_key: str, period: str) -> str:
    return stix_id(PACKAGE_TYPE, member_key, period)


@dataclass(frozen=True)
class Header:
    """What a package says about itself: who, which period, at which label and threshold, which version."""

    member: Owner
    country: str
    period: str
    period_start: dt.date
    period_end: dt.date  # the last day
    tlp: str
    threshold: int
    version: int
    created: dt.datetime
    modified: dt.datetime


def figures_digest(header: Header, parts: Mapping[str, Any]) -> str:
    """The digest of what a package says, apart from its dates and version: same figures, same digest."""
    return digest(
        {"country": header.country, "period": header.period, "tlp": header.tlp, "threshold": header.threshold}
        | {name: parts[name] for name in PARTS if name in parts}
    )


def package_object(header: Header, parts: Mapping[str, Any]) -> dict[str, Any]:
    """The package object of already controlled ``parts`` (see :mod:`.disclosure`)."""
    if header.tlp not in PACKAGE_LABELS:
        raise PackageError(
            f"tlp: a package cannot be marked TLP:{header.tlp.upper()}; TLP:AMBER+STRICT and TLP:RED never leave"
        )
    obj: dict[str, Any] = {
        "type": PACKAGE_TYPE,
        "spec_version": SPEC_VERSION,
        "id": package_id(header.member.key, header.period),
        "created": timestamp(header.created),
        "modified": timestamp(header.modified),
        "created_by_ref": header.member.identity_id,
        "object_marking_refs": [TLP2_MARKING_IDS[header.tlp]],
        "extensions": {EXTENSION_ID: {"extension_type": "new-sdo"}},
        "schema_version": SCHEMA_VERSION,
        "package_version": header.version,
        "country": header.country,
        "period": header.period,
        "period_start": header.period_start.isoformat(),
        "period_end": header.period_end.isoformat(),
        "tlp": header.tlp,
        "threshold": header.threshold,
        "figures_digest": figures_digest(header, parts),
    }
    for name in PARTS:
        if name in parts:
            obj[name] = parts[name]
    return obj


def bundle_of(header: Header, parts: Mapping[str, Any]) -> dict[str, Any]:
    """The bundle that is sent: project identity, extension definition, member identity, marking, package."""
    package = package_object(header, parts)
    return {
        "type": "bundle",
        "id": stix_id("bundle", package["id"], package["modified"]),
        "objects": [
            identity(PROJECT),
            extension_definition(),
            identity(header.member),
            tlp_marking(header.tlp),
            package,
        ],
    }


def bundle_text(bundle: Mapping[str, Any]) -> str:
    """The file as it is stored, previewed, hashed and sent."""
    return json.dumps(bundle, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# -- checks -------------------------------------------------------------------------------------------------


@functools.cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


@functools.cache
def _schema_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def schema_problems(package: Mapping[str, Any]) -> list[str]:
    """Where the package object departs from the project's JSON schema, as ``path: message``, in order."""
    problems = []
    for error in sorted(_schema_validator().iter_errors(dict(package)), key=lambda e: list(map(str, e.path))):
        path = ".".join(str(part) for part in error.absolute_path) or "(package)"
        problems.append(f"{path}: {error.message}")
    return problems


def stix_problems(bundle: Mapping[str, Any]) -> list[str]:
    """stix2-validator's errors for the bundle and each object (warnings, such as UUIDv5 ids, do not count)."""
    from stix2validator import ValidationOptions, validate_instance

    options = ValidationOptions(version="2.1", silent=True)
    problems: list[str] = []
    for obj in [bundle, *bundle.get("objects", [])]:
        try:
            result = validate_instance(dict(obj), options)
        except Exception as exc:  # the validator raises on some malformed input instead of reporting it
            problems.append(f"{obj.get('id', '(object)')}: {type(exc).__name__}: {exc}")
            continue
        problems.extend(str(error) for error in result.errors)
    return problems


def check_bundle(bundle: Mapping[str, Any]) -> None:
    """Raise :class:`PackageError` if the bundle fails stix2-validator or its package fails the schema."""
    problems = stix_problems(bundle)
    packages = [o for o in bundle.get("objects", []) if o.get("type") == PACKAGE_TYPE]
    for package in packages:
        problems.extend(schema_problems(package))
    if problems:
        raise PackageError("; ".join(problems))
