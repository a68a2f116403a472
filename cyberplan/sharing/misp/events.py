"""STIX indicators of a collection as MISP events, built with PyMISP so that the feed is what MISP reads.

One indicator (its latest version) is one MISP event with one attribute. The event's uuid is the uuid of the
indicator's id, so the same indicator gives the same event every time; its timestamp is the indicator's
``modified``, so changed content (a new version) gives a new timestamp, which is how a subscribed MISP sees
that an event changed. Tags: the TLP 2.0 taxonomy tag of the object's label (``tlp:clear``, ``tlp:green``,
``tlp:amber``, ``tlp:amber+strict``) and the object's RSIT labels, which are MISP taxonomy tags already.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..models import SharedObject
from ..stix_out import NAMESPACE

#: STIX observable type in a simple equality pattern -> MISP attribute type and category.
ATTRIBUTE_TYPES: dict[str, tuple[str, str]] = {
    "ipv4-addr": ("ip-src", "Network activity"),
    "ipv6-addr": ("ip-src", "Network activity"),
    "domain-name": ("domain", "Network activity"),
    "url": ("url", "Network activity"),
}
_SIMPLE_PATTERN = re.compile(r"^\[([a-z0-9-]+):value\s*=\s*'((?:[^'\\]|\\.)*)'\]$")
TLP_COLOURS = {"clear": "#ffffff", "green": "#33ff00", "amber": "#ffc000", "amber+strict": "#ffc000"}


@dataclass(frozen=True)
class FeedEvent:
    uuid: str
    tlp: str
    body: dict[str, Any]  # {"Event": {...}} as MISP's feed files hold it
    manifest: dict[str, Any]  # this event's entry of manifest.json
    hashes: list[str]  # the md5 of its attribute values, for hashes.csv


def event_uuid(stix_id: str) -> str:
    """The event's uuid: the uuid of the indicator's STIX id, so a feed file is found by an indexed lookup."""
    return str(uuid.UUID(stix_id.partition("--")[2]))


def simple_value(pattern: str) -> tuple[str, str] | None:
    """(STIX observable type, value) of a ``[type:value = '...']`` pattern, or None for any other pattern."""
    match = _SIMPLE_PATTERN.match(pattern.strip())
    if match is None or match.group(1) not in ATTRIBUTE_TYPES:
        return None
    return match.group(1), re.sub(r"\\(.)", r"\1", match.group(2))


def _parse(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def feed_event(row: SharedObject) -> FeedEvent | None:
    """The MISP event of one indicator row, or None when its pattern is not one value MISP holds as such."""
    from pymisp import MISPEvent, MISPOrganisation  # PyMISP loads where a feed is built, not at start-up

    obj = row.body
    found = simple_value(str(obj.get("pattern", "")))
    if obj.get("type") != "indicator" or found is None:
        return None
    kind, value = found
    attribute_type, category = ATTRIBUTE_TYPES[kind]
    modified = _parse(str(obj.get("modified") or obj["created"]))
    event = MISPEvent()
    event.uuid = event_uuid(row.stix_id)
    event.info = str(obj.get("name") or f"{kind}: {value}")
    event.date = _parse(str(obj["created"])).date()
    event.timestamp = modified
    event.published = True
    event.publish_timestamp = modified  # not the time of building: the same indicator gives the same file
    event.analysis = 2  # completed
    event.threat_level_id = 3  # low: MISP's level for indicators shared without a judgement of impact
    orgc = MISPOrganisation()  # the creator: the organisation that shared the object
    orgc.name = str(row.owner.name)
    orgc.uuid = str(uuid.uuid5(NAMESPACE, f"misp-org|{row.owner.slug}"))
    event.Orgc = orgc
    event.add_tag({"name": f"tlp:{row.tlp}", "colour": TLP_COLOURS.get(row.tlp, "#ffffff")})
    for label in obj.get("labels", []):
        if isinstance(label, str) and label.startswith("rsit:"):
            event.add_tag(label)
    event.add_attribute(
        attribute_type,
        value,
        category=category,
        to_ids=True,
        uuid=str(uuid.uuid5(NAMESPACE, f"misp-attribute|{row.stix_id}")),
        timestamp=modified,
        comment=f"STIX {row.stix_id}",
    )
    feed = event.to_feed(with_meta=True)
    body = feed["Event"]
    manifest = body.pop("_manifest")[event.uuid]
    hashes = list(body.pop("_hashes"))
    return FeedEvent(uuid=event.uuid, tlp=row.tlp, body={"Event": body}, manifest=manifest, hashes=hashes)


def feed_events(rows: Iterable[SharedObject]) -> list[FeedEvent]:
    built = (feed_event(row) for row in rows)
    return [event for event in built if event is not None]
