"""A collection's STIX objects as MISP events, built with PyMISP so that the feed is what MISP reads.

* An **indicator** (its latest version) whose pattern is one value MISP holds as an attribute is one event
  with one attribute (``ip-src``, ``domain`` or ``url``, for IDS). Its **sightings** released to the same
  recipient become the attribute's ``first_seen`` and ``last_seen`` (the earliest and latest time seen),
  the count in the attribute's comment, and one MISP sighting each in the attribute's ``Sighting`` list
  (PyMISP's own feed output leaves sightings out; MISP's event format carries them there).
* A **report** (a published strategy version, a trends report) is one event with a MISP ``report`` object
  (title, summary, link, type: searchable attributes) and an event report (the same in Markdown, which
  MISP shows as the event's narrative).
* The creator organisation (``Orgc``) is the ``identity`` the object names in ``created_by_ref`` when the
  recipient receives it, else the owning organisation under the uuid of the identity cyberplan publishes
  for it, so both give the same ``Orgc``.
* Tags: the TLP 2.0 taxonomy tag of the object's label (``tlp:clear``, ``tlp:green``, ``tlp:amber``,
  ``tlp:amber+strict``) on the event and on every attribute, and on indicators their RSIT labels, which
  are MISP taxonomy tags already.

The event's uuid is the uuid of the object's STIX id, so the same object is the same event every time, and
every uuid and timestamp inside is derived from the objects (never the clock), so the same objects give the
same file byte for byte. The event's timestamp is the latest ``modified`` of the object and its sightings: a
new version of either gives a new timestamp, which is how a subscribed MISP sees that an event changed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..models import SharedObject
from ..stix_out import NAMESPACE, parse_timestamp, stix_id, version_of

if TYPE_CHECKING:
    from pymisp import MISPEvent

#: STIX observable type in a simple equality pattern -> MISP attribute type and category.
ATTRIBUTE_TYPES: dict[str, tuple[str, str]] = {
    "ipv4-addr": ("ip-src", "Network activity"),
    "ipv6-addr": ("ip-src", "Network activity"),
    "domain-name": ("domain", "Network activity"),
    "url": ("url", "Network activity"),
}
_SIMPLE_PATTERN = re.compile(r"^\[([a-z0-9-]+):value\s*=\s*'((?:[^'\\]|\\.)*)'\]$")
TLP_COLOURS = {"clear": "#ffffff", "green": "#33ff00", "amber": "#ffc000", "amber+strict": "#ffc000"}
#: The STIX types an event is built from, and those that go into another's event.
EVENT_TYPES = ("indicator", "report")
FEED_TYPES = ("indicator", "report", "sighting", "identity")


@dataclass(frozen=True)
class FeedEvent:
    uuid: str
    tlp: str
    counts: dict[str, int]  # the collection's objects this event releases, by label (sightings included)
    text: str  # {"Event": {...}} as MISP's feed files hold it, serialised
    manifest: dict[str, Any]  # this event's entry of manifest.json
    hashes: list[str]  # the md5 of its attribute values, for hashes.csv


@dataclass(frozen=True)
class Orgc:
    name: str
    uuid: str


def event_uuid(object_id: str) -> str:
    """The event's uuid: the uuid of the object's STIX id, so a feed file is found by an indexed lookup."""
    return str(uuid.UUID(object_id.partition("--")[2]))


def simple_value(pattern: str) -> tuple[str, str] | None:
    """(STIX observable type, value) of a ``[type:value = '...']`` pattern, or None for any other pattern."""
    match = _SIMPLE_PATTERN.match(pattern.strip())
    if match is None or match.group(1) not in ATTRIBUTE_TYPES:
        return None
    return match.group(1), re.sub(r"\\(.)", r"\1", match.group(2))


def _parse(stamp: object) -> dt.datetime:
    return parse_timestamp(str(stamp))


def _derived_uuid(*key: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(str(part) for part in ("misp", *key))))


def tlp_tag(label: str) -> dict[str, str]:
    return {"name": f"tlp:{label}", "colour": TLP_COLOURS.get(label, "#ffffff")}


# -- what an event is built with -----------------------------------------------------------------------------


@dataclass
class Context:
    """The identities (for ``Orgc``) and sightings released with the events, looked up while building."""

    identities: dict[str, Orgc]
    sightings: dict[str, list[SharedObject]]

    def orgc(self, row: SharedObject) -> Orgc:
        named = self.identities.get(str(row.body.get("created_by_ref", "")))
        if named is not None:
            return named
        owner = row.owner  # the identity cyberplan publishes for the owner: the same uuid as when received
        return Orgc(str(owner.name), event_uuid(stix_id("identity", "organisation", owner.slug)))


def context_of(rows: Iterable[SharedObject]) -> tuple[Context, list[SharedObject]]:
    """Sort released rows into the context (identities, sightings by indicator) and the rows of events."""
    identities: dict[str, Orgc] = {}
    sightings: dict[str, list[SharedObject]] = defaultdict(list)
    events: list[SharedObject] = []
    for row in rows:
        if row.stix_type == "identity":
            identities[row.stix_id] = Orgc(str(row.body.get("name", "")), event_uuid(row.stix_id))
        elif row.stix_type == "sighting":
            sightings[str(row.body.get("sighting_of_ref", ""))].append(row)
        elif row.stix_type in EVENT_TYPES:
            events.append(row)
    return Context(identities, dict(sightings)), events


def _new_event(row: SharedObject, context: Context, info: str, day: dt.date, modified: dt.datetime) -> MISPEvent:
    from pymisp import MISPEvent, MISPOrganisation  # PyMISP loads where a feed is built, not at start-up

    event = MISPEvent()
    event.uuid = event_uuid(row.stix_id)
    event.info = info
    event.date = day
    event.timestamp = modified
    event.published = True
    event.publish_timestamp = modified  # not the time of building: the same objects give the same file
    event.analysis = 2  # completed
    orgc = MISPOrganisation()
    found = context.orgc(row)
    orgc.name, orgc.uuid = found.name, found.uuid
    event.Orgc = orgc
    event.add_tag(tlp_tag(row.tlp))
    return event


def _serialised(event: MISPEvent, row: SharedObject, counts: Counter[str], extra: dict[str, Any]) -> FeedEvent:
    from pymisp.abstract import pymisp_json_default

    feed = event.to_feed(with_meta=True)
    body = feed["Event"]
    manifest = json.loads(json.dumps(body.pop("_manifest")[event.uuid], default=pymisp_json_default))
    hashes = list(body.pop("_hashes"))
    for index, sightings in extra.get("sightings", {}).items():
        body["Attribute"][index]["Sighting"] = sightings
    text = json.dumps({"Event": body}, default=pymisp_json_default)
    return FeedEvent(event.uuid, row.tlp, dict(counts), text, manifest, hashes)


# -- indicators and their sightings --------------------------------------------------------------------------


def _sighting_summary(rows: list[SharedObject]) -> tuple[dt.datetime, dt.datetime, int, list[dict[str, str]]]:
    """The earliest first seen, the latest last seen, the total count, and one MISP sighting per object."""
    firsts = [_parse(r.body.get("first_seen") or r.body["created"]) for r in rows]
    lasts = [_parse(r.body.get("last_seen") or r.body.get("first_seen") or r.body["created"]) for r in rows]
    count = sum(int(r.body.get("count", 1)) for r in rows)
    listed = [
        {
            "uuid": event_uuid(r.stix_id),
            "date_sighting": str(int(last.timestamp())),
            "type": "0",  # a sighting (not a false positive, not an expiration)
            "source": "cyberplan",
        }
        for r, last in sorted(zip(rows, lasts, strict=True), key=lambda pair: pair[0].stix_id)
    ]
    return min(firsts), max(lasts), count, listed


def indicator_event(row: SharedObject, context: Context) -> FeedEvent | None:
    """The MISP event of one indicator, or None when its pattern is not one value MISP holds as such."""
    obj = row.body
    found = simple_value(str(obj.get("pattern", "")))
    if found is None:
        return None
    kind, value = found
    attribute_type, category = ATTRIBUTE_TYPES[kind]
    sightings = context.sightings.get(row.stix_id, [])
    modified = max([_parse(version_of(obj))] + [_parse(version_of(s.body)) for s in sightings])
    event = _new_event(
        row, context, str(obj.get("name") or f"{kind}: {value}"), _parse(obj["created"]).date(), modified
    )
    event.threat_level_id = 3  # low: MISP's level for indicators shared without a judgement of impact
    for label in obj.get("labels", []):
        if isinstance(label, str) and label.startswith("rsit:"):
            event.add_tag(label)
    comment = f"STIX {row.stix_id}"
    seen: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if sightings:
        first, last, count, listed = _sighting_summary(sightings)
        seen = {"first_seen": first, "last_seen": last}
        comment += f"; seen {count} times from {first:%Y-%m-%dT%H:%M:%SZ} to {last:%Y-%m-%dT%H:%M:%SZ}"
        extra["sightings"] = {0: listed}
    attribute = event.add_attribute(
        attribute_type,
        value,
        category=category,
        to_ids=True,
        uuid=_derived_uuid("attribute", row.stix_id),
        timestamp=modified,
        comment=comment,
        **seen,
    )
    for added in attribute if isinstance(attribute, list) else [attribute]:
        added.add_tag(tlp_tag(row.tlp))
    counts = Counter([row.tlp] + [s.tlp for s in sightings])
    return _serialised(event, row, counts, extra)


# -- reports of published documents ----------------------------------------------------------------------------


def report_event(row: SharedObject, context: Context) -> FeedEvent:
    """The MISP event of a STIX report: a ``report`` object and an event report saying the same."""
    from pymisp import MISPObject

    obj = row.body
    name = str(obj.get("name", ""))
    description = str(obj.get("description", ""))
    link = next((str(ref["url"]) for ref in obj.get("external_references", []) if ref.get("url")), "")
    modified = _parse(version_of(obj))
    published = _parse(obj.get("published") or obj["created"])
    event = _new_event(row, context, name, published.date(), modified)
    event.threat_level_id = 4  # undefined: a document, not a threat
    report = MISPObject("report", standalone=False)
    report.uuid = _derived_uuid("report-object", row.stix_id)
    report.timestamp = modified
    values = {"title": name, "summary": description, "link": link, "type": ", ".join(obj.get("report_types", []))}
    for relation, value in values.items():
        if value:
            attribute = report.add_attribute(
                relation, value=value, uuid=_derived_uuid("report-attribute", row.stix_id, relation), timestamp=modified
            )
            if attribute is not None:
                attribute.add_tag(tlp_tag(row.tlp))
    event.add_object(report)
    content = "\n\n".join(part for part in (f"# {name}", description, f"<{link}>" if link else "") if part)
    event.add_event_report(name, content, uuid=_derived_uuid("event-report", row.stix_id), timestamp=modified)
    return _serialised(event, row, Counter([row.tlp]), {})


def feed_events(rows: Iterable[SharedObject]) -> list[FeedEvent]:
    """The events of released rows (latest versions of indicators, reports, sightings and identities)."""
    context, event_rows = context_of(rows)
    built: list[FeedEvent] = []
    for row in event_rows:
        event = indicator_event(row, context) if row.stix_type == "indicator" else report_event(row, context)
        if event is not None:
            built.append(event)
    return built
