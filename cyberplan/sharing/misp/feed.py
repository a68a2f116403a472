"""The MISP feed of a collection for one reader: its events, and its manifest and hashes built once and cached.

A MISP instance polls a feed's ``manifest.json`` (every hour, say) and fetches only the events whose timestamp
moved. Building the manifest means building every event, so it is built once per state of the collection and
per release decision, and kept in the installation's cache (``CACHES["default"]``, shared by every process):

* the **state** of the collection is how many object versions it holds and when the last was added (both
  change with every add and every delete), plus the names of the organisations that own its objects (an
  event's ``Orgc`` may fall back on them);
* the **release decision** is the reader's two label lists and, when it owns objects in the collection, its
  organisation: two partners with the same rights share one entry, two with different rights never do.

The cache key is a digest of both, so a new state or a change of rights (a group's ceiling, a member's
need-to-know flag) is a new entry built at the next request, and nothing is ever served from an entry built
for other rights. The entry's digest is the manifest's and hashes' ``ETag``, and the time it was built their
``Last-Modified``: a poll with ``If-None-Match`` (or ``If-Modified-Since``) is answered 304 without building.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from cyberplan.core.models import Organisation

from ..models import SharedObject
from .events import FEED_TYPES, FeedEvent, event_uuid, feed_events
from .readers import Reader

#: Bumped when what an event holds changes, so entries built by older code are not served.
FORMAT = 2
CACHE_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class CachedFeed:
    """What the manifest and hashes answers need, without the event files."""

    etag: str
    built_at: dt.datetime
    manifest: str  # manifest.json, serialised
    hashes: str  # hashes.csv
    counts: dict[str, int]  # the objects the feed releases, by label


def released_rows(reader: Reader) -> QuerySet[SharedObject]:
    """The latest versions of the objects events are built from that the reader receives."""
    rows = SharedObject.objects.filter(reader.objects_q(), is_latest=True, stix_type__in=FEED_TYPES)
    return rows.select_related("owner").order_by("date_added", "pk")


def all_events(reader: Reader) -> list[FeedEvent]:
    return feed_events(released_rows(reader).iterator(chunk_size=1000))


def one_event(reader: Reader, uuid: str) -> FeedEvent | None:
    """The event of one uuid, with what goes into it, or None when the reader receives no such event."""
    ids = [f"{kind}--{uuid}" for kind in ("indicator", "report")]
    rows = released_rows(reader)
    subjects = list(rows.filter(stix_id__in=ids))
    if not subjects:
        return None
    support = rows.filter(stix_type="identity") | rows.filter(
        stix_type="sighting", body__sighting_of_ref__in=[row.stix_id for row in subjects]
    )
    built = feed_events([*subjects, *support])
    return next((event for event in built if event.uuid == uuid), None)


def cache_key(reader: Reader) -> str:
    """The digest of the collection's state and the reader's release decision (see the module's text)."""
    collection = reader.collection
    objects = SharedObject.objects.filter(collection=collection)
    state = objects.aggregate(n=Count("pk"), last=Max("date_added"))
    owners = sorted(Organisation.objects.filter(pk__in=objects.values("owner_id")).values_list("pk", "name"))
    owns = any(pk == reader.recipient_id for pk, _name in owners)
    parts = [
        FORMAT,
        str(collection.pk),
        state["n"],
        state["last"].isoformat() if state["last"] else "",
        [[pk, str(name)] for pk, name in owners],
        reader.recipient_id if owns else None,
        sorted(reader.own_labels) if owns else [],
        sorted(reader.other_labels),
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:40]


def build(reader: Reader, etag: str) -> CachedFeed:
    events = all_events(reader)
    manifest = json.dumps({event.uuid: event.manifest for event in events})
    hashes = "".join(f"{digest},{event.uuid}\n" for event in events for digest in event.hashes)
    counts: Counter[str] = Counter()
    for event in events:
        counts.update(event.counts)
    return CachedFeed(etag, timezone.now().replace(microsecond=0), manifest, hashes, dict(counts))


def cached_feed(reader: Reader, etag: str | None = None) -> CachedFeed:
    """The reader's manifest and hashes from the cache, built and stored first when absent (``etag``: the
    reader's :func:`cache_key`, when the caller has it already)."""
    etag = etag or cache_key(reader)
    key = f"cyberplan:misp-feed:{etag}"
    found = cache.get(key)
    if isinstance(found, CachedFeed) and found.etag == etag:
        return found
    built = build(reader, etag)
    cache.set(key, built, CACHE_SECONDS)
    return built


__all__ = ["CachedFeed", "all_events", "cached_feed", "event_uuid", "one_event", "released_rows"]
