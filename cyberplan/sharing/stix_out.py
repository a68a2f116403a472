"""What the organisation shares, as STIX 2.1: its identity, the TLP 2.0 marking definitions, indicators with
sightings derived from its event store, and reports of published documents.

Ids are deterministic (UUIDv5 over a stable key, as STIX 2.1 section 2.9 recommends), so sharing the same
thing twice gives the same object, and ``modified`` moves only when what it says changed: a new version.
Indicators carry the RSIT class as an ``rsit:<class>="<type>"`` label and patterns over the observable types
the STIX importer maps back (``cyberplan.pipeline.importers.stix``), so a partner's cyberplan imports them as
the same classes. Every object built here is checked with stix2-validator (:func:`problems_of`) before it is
stored or served. A MISP exporter can mirror :func:`indicator_objects` over the same aggregation.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .stix_check import accepts

if TYPE_CHECKING:  # the store brings DuckDB: a type here, loaded by the caller that reads events
    from cyberplan.pipeline.store import EventStore

SPEC_VERSION = "2.1"

# Our own namespace for the UUIDv5 of the objects cyberplan produces (a fixed, arbitrary UUID).
NAMESPACE = uuid.UUID("6f0f6a1e-2b55-5c1f-9a52-7c3d3b1c9e40")

# TLP 2.0 marking definitions as OASIS publishes them: the TLP 2.0 extension definition and its five
# marking definitions with their fixed ids and ``created`` date. Source: OASIS cti-stix-common-objects,
# extension-definition-specifications/tlp-2.0 (https://github.com/oasis-open/cti-stix-common-objects).
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_MARKING_IDS: dict[str, str] = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP2_CREATED = "2022-10-01T00:00:00.000Z"


def tlp_marking(label: str) -> dict[str, Any]:
    """The OASIS TLP 2.0 marking definition of ``label``."""
    return {
        "type": "marking-definition",
        "spec_version": SPEC_VERSION,
        "id": TLP2_MARKING_IDS[label],
        "created": TLP2_CREATED,
        "name": f"TLP:{label.upper()}",
        "extensions": {TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": label}},
    }


def stix_id(kind: str, *key: object) -> str:
    """A deterministic STIX id: ``kind--uuid5(namespace, key)``."""
    return f"{kind}--{uuid.uuid5(NAMESPACE, '|'.join(str(part) for part in (kind, *key)))}"


def timestamp(value: dt.datetime) -> str:
    """A STIX timestamp in UTC with milliseconds."""
    value = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


# A timestamp written as STIX writes one, with at most microseconds: read by ``fromisoformat`` as it is, to
# the same value as the general way below (a shorter fraction is the same number of microseconds padded).
_PLAIN_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?Z")


def parse_timestamp(text: str) -> dt.datetime:
    """A STIX timestamp (any sub-second precision) as an aware datetime, to the microsecond."""
    if _PLAIN_TIMESTAMP.fullmatch(text):
        return dt.datetime.fromisoformat(text)
    body = text.rstrip("Zz")
    if "." in body:
        head, fraction = body.split(".", 1)
        body = f"{head}.{(fraction + '000000')[:6]}"
    return dt.datetime.fromisoformat(body).replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Owner:
    """The organisation that shares: its key for ids, its name and kind, when it joined."""

    key: str  # stable: the organisation's slug
    name: str
    since: dt.datetime
    description: str = ""

    @property
    def identity_id(self) -> str:
        return stix_id("identity", "organisation", self.key)


def identity(owner: Owner) -> dict[str, Any]:
    moment = timestamp(owner.since)
    obj: dict[str, Any] = {
        "type": "identity",
        "spec_version": SPEC_VERSION,
        "id": owner.identity_id,
        "created": moment,
        "modified": moment,
        "name": owner.name,
        "identity_class": "organization",
    }
    if owner.description:
        obj["description"] = owner.description
    return obj


# -- indicators from the event store -------------------------------------------------------------------


@dataclass(frozen=True)
class Shared:
    """One class of events that partners act on, and the field its indicator is about."""

    taxonomy: str
    type: str
    name: str  # how the indicator is named, in English (STIX text is data, not interface)


# The classes partners act on (RSIT class and type), in the order indicators are built.
SHARED_CLASSES: tuple[Shared, ...] = (
    Shared("intrusion-attempts", "brute-force", "Brute-force source"),
    Shared("information-gathering", "scanner", "Scanning source"),
    Shared("malicious-code", "c2-server", "C2 server"),
    Shared("malicious-code", "malware-distribution", "Malware distribution URL"),
    Shared("fraud", "phishing", "Phishing URL"),
)


@dataclass(frozen=True)
class Observation:
    """An observable seen in events of one class and one TLP label, aggregated."""

    taxonomy: str
    type: str
    kind: str  # ipv4-addr, ipv6-addr, domain-name or url
    value: str
    tlp: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    first_observed: dt.datetime  # when cyberplan first stored one of the events
    last_observed: dt.datetime
    count: int
    malware: str | None = None


def _observable(ip: str | None, fqdn: str | None, url: str | None, prefer_url: bool) -> tuple[str, str] | None:
    if prefer_url and url:
        return "url", url
    if ip:
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return None
        return ("ipv4-addr" if address.version == 4 else "ipv6-addr"), str(address)
    if fqdn:
        return "domain-name", fqdn.lower().rstrip(".")
    if url:
        return "url", url
    return None


_AGGREGATE = """
SELECT "classification.taxonomy", "classification.type", "source.ip", "source.fqdn", "source.url", tlp,
       min("time.source"), max("time.source"), min("time.observation"), max("time.observation"), count(*),
       min("malware.name")
FROM events
WHERE ("classification.taxonomy", "classification.type") IN ({classes}) AND tlp IN ({labels})
GROUP BY ALL
ORDER BY 1, 2, 3, 4, 5, 6
"""


def observations(store: EventStore, labels: list[str]) -> Iterator[Observation]:
    """Every observable of the shared classes in the store at ``labels``, aggregated per value and label."""
    if not labels:
        return
    classes = ", ".join(f"('{c.taxonomy}', '{c.type}')" for c in SHARED_CLASSES)
    placeholders = ", ".join("?" for _ in labels)
    from cyberplan.pipeline.query import connect  # DuckDB loads where indicators are built, not at start-up

    con = connect(store)
    try:
        rows = con.execute(_AGGREGATE.format(classes=classes, labels=placeholders), labels).fetchall()
    finally:
        con.close()
    merged: dict[tuple[str, str, str, str, str], list[Any]] = {}
    for taxonomy, type_, ip, fqdn, url, tlp, first, last, obs_first, obs_last, count, malware in rows:
        found = _observable(ip, fqdn, url, prefer_url=type_ in {"malware-distribution", "phishing"})
        if found is None or first is None:
            continue
        key = (taxonomy, type_, found[0], found[1], tlp)
        entry = merged.get(key)
        if entry is None:
            merged[key] = [first, last, obs_first, obs_last, int(count), malware]
        else:
            entry[0], entry[1] = min(entry[0], first), max(entry[1], last)
            entry[2], entry[3] = min(entry[2], obs_first), max(entry[3], obs_last)
            entry[4] += int(count)
            entry[5] = entry[5] or malware
    for (taxonomy, type_, kind, value, tlp), (first, last, obs_first, obs_last, count, malware) in sorted(
        merged.items()
    ):
        yield Observation(taxonomy, type_, kind, value, tlp, first, last, obs_first, obs_last, count, malware)


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pattern_of(kind: str, value: str) -> str:
    return f"[{kind}:value = {_quoted(value)}]"


def indicator_objects(owner: Owner, seen: Observation) -> list[dict[str, Any]]:
    """The indicator of an observation and its sighting (first and last seen, count), marked with its label."""
    name = next(c.name for c in SHARED_CLASSES if (c.taxonomy, c.type) == (seen.taxonomy, seen.type))
    key = (owner.key, seen.taxonomy, seen.type, seen.kind, seen.value, seen.tlp)
    indicator_id = stix_id("indicator", *key)
    created, modified = timestamp(seen.first_observed), timestamp(seen.last_observed)
    markings = [TLP2_MARKING_IDS[seen.tlp]]
    indicator: dict[str, Any] = {
        "type": "indicator",
        "spec_version": SPEC_VERSION,
        "id": indicator_id,
        "created": created,
        "modified": modified,
        "created_by_ref": owner.identity_id,
        "name": f"{name}: {seen.value}",
        "indicator_types": ["malicious-activity"],
        "pattern": pattern_of(seen.kind, seen.value),
        "pattern_type": "stix",
        "valid_from": timestamp(seen.first_seen),
        "labels": [f'rsit:{seen.taxonomy}="{seen.type}"'],
        "object_marking_refs": markings,
    }
    if seen.malware:
        indicator["labels"].append(f"malware:{seen.malware}")
    sighting: dict[str, Any] = {
        "type": "sighting",
        "spec_version": SPEC_VERSION,
        "id": stix_id("sighting", *key),
        "created": created,
        "modified": modified,
        "created_by_ref": owner.identity_id,
        "sighting_of_ref": indicator_id,
        "first_seen": timestamp(seen.first_seen),
        "last_seen": timestamp(seen.last_seen),
        "count": seen.count,
        "where_sighted_refs": [owner.identity_id],
        "object_marking_refs": markings,
    }
    if seen.last_seen == seen.first_seen:
        sighting["last_seen"] = timestamp(seen.last_seen + dt.timedelta(milliseconds=1))
    return [indicator, sighting]


# -- reports of published documents ---------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """A published document to share as a ``report``: its kind and key, title, date, label and what it says."""

    kind: str  # e.g. strategy-version, trends-report
    key: str
    title: str
    published: dt.datetime
    tlp: str
    description: str = ""
    url: str = ""


def report_object(owner: Owner, document: Document) -> dict[str, Any]:
    """A STIX ``report`` of a published document (it refers to the owner's identity, which is always shared)."""
    moment = timestamp(document.published)
    obj: dict[str, Any] = {
        "type": "report",
        "spec_version": SPEC_VERSION,
        "id": stix_id("report", owner.key, document.kind, document.key),
        "created": moment,
        "modified": moment,
        "created_by_ref": owner.identity_id,
        "name": document.title,
        # A trends report is a threat report; other documents (a strategy) are about the organisation itself.
        "report_types": ["threat-report"] if document.kind == "trends-report" else ["identity"],
        "published": moment,
        "object_refs": [owner.identity_id],
        "labels": [f"cyberplan:{document.kind}"],
        "object_marking_refs": [TLP2_MARKING_IDS[document.tlp]],
    }
    if document.description:
        obj["description"] = document.description
    if document.url:
        obj["external_references"] = [{"source_name": "cyberplan", "url": document.url}]
    return obj


# -- validation -------------------------------------------------------------------------------------------


def problems_of(obj: Mapping[str, Any]) -> str | None:
    """Why ``obj`` is not valid STIX 2.1 (stix2-validator, the stix2 object model and the importer's own
    checks, the same as on the way in), or None when it is valid."""
    if accepts(obj):  # certainly valid: the compiled schemas and the validator's checks found nothing
        return None
    # The validator brings DuckDB and the pipeline: loaded when an object is checked, not at start-up.
    from cyberplan.pipeline.importers.stix.validation import validate_object

    result = validate_object(dict(obj))
    if result.problem is None:
        return None
    field = f"{result.problem.field}: " if result.problem.field else ""
    return f"{field}{result.problem.reason}"


def tlp_of(obj: Mapping[str, Any]) -> str | None:
    """The TLP label an object's markings give (TLP 2.0 or 1.0 marking ids), the most restricted one."""
    refs = obj.get("object_marking_refs")
    if not isinstance(refs, list):
        return None
    markings, rank = _tlp_vocabulary()
    found: str | None = None
    for ref in refs:
        level = markings.get(ref) if isinstance(ref, str) else None
        if level in rank and (found is None or rank[level] > rank[found]):
            found = level
    return found


@functools.cache
def _tlp_vocabulary() -> tuple[dict[str, str], dict[str | None, int]]:
    """The TLP marking definitions and the rank of each label, least restrictive first (loaded once: the
    vocabulary comes with the pipeline)."""
    from cyberplan.pipeline.importers.stix.vocabulary import TLP_MARKINGS, TLP_ORDER

    return TLP_MARKINGS, {level: rank for rank, level in enumerate(TLP_ORDER)}


def version_of(obj: Mapping[str, Any]) -> str:
    """The TAXII version of an object: its ``modified``, else ``created``, else a fixed date (markings, SCOs)."""
    for prop in ("modified", "created"):
        value = obj.get(prop)
        if isinstance(value, str):
            return value
    return TLP2_CREATED
