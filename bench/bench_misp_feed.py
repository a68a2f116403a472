"""The MISP feed's manifest as a subscribed MISP polls it: built for every request (the baseline, what the feed
did before its cache, measured here by emptying the cache before each request), served from the cache, and
answered 304 to a poll with the ETag. Requests go through Django's whole stack (authentication, release rule,
release record) with the test client in this process; seconds per request and the ratios to the baseline.

Size: ``CYBERPLAN_BENCH_MISP_OBJECTS`` indicators, each with a sighting (default 2,000).
"""

from __future__ import annotations

import base64
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.test import Client

from cyberplan.core.choices import OrganisationType
from cyberplan.core.models import Organisation
from cyberplan.sharing import stix_out
from cyberplan.sharing.access import partner_view
from cyberplan.sharing.actions import add_objects, do_create_collection, do_create_group, do_issue_credential
from cyberplan.sharing.choices import CollectionContent
from cyberplan.sharing.misp.feed import cache_key
from cyberplan.sharing.misp.readers import partner_reader
from cyberplan.sharing.publishing import owner_of

OBJECTS = int(os.environ.get("CYBERPLAN_BENCH_MISP_OBJECTS", "2000"))
ROUNDS = 5


def shared_objects(owner: stix_out.Owner, n: int) -> list[dict[str, Any]]:
    import datetime as dt

    first = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    objects: list[dict[str, Any]] = [stix_out.identity(owner)]
    for i in range(n):
        seen = stix_out.Observation(
            "intrusion-attempts",
            "brute-force",
            "ipv4-addr",
            f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}",
            "green",
            first,
            first + dt.timedelta(hours=i % 500 + 1),
            first,
            first + dt.timedelta(hours=i % 500 + 1),
            i % 97 + 1,
        )
        objects += stix_out.indicator_objects(owner, seen)
    return objects


def timed(call: Callable[[], Any], before: Callable[[], Any] | None = None) -> float:
    times = []
    for _ in range(ROUNDS):
        if before is not None:
            before()
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    owner_org = Organisation.objects.create(
        name="Bench CSIRT", acronym="BC", slug="bench-misp", type=OrganisationType.NATIONAL_CSIRT, country="PY"
    )
    group = do_create_group(None, owner_org, name="Bench MISP", tlp_ceiling="green")
    collection = do_create_collection(None, group, title="Bench MISP", content=CollectionContent.POSTED)
    started = time.perf_counter()
    outcome = add_objects(
        collection, shared_objects(owner_of(owner_org), OBJECTS), owner=owner_org, default_tlp="green"
    )
    if outcome.failed:
        raise RuntimeError(f"objects refused: {outcome.failed[:3]}")
    print(f"collection: {OBJECTS:,} indicators with their sightings, stored in {time.perf_counter() - started:.1f} s")
    credential, secret = do_issue_credential(None, owner_org, owner_org, "bench")
    auth = "Basic " + base64.b64encode(f"{credential.pk}:{secret}".encode()).decode()
    url = f"/misp-feeds/{collection.pk}/manifest.json"
    client = Client(SERVER_NAME="localhost")  # a host the settings allow outside the test runner
    key = f"cyberplan:misp-feed:{cache_key(partner_reader(partner_view(credential, collection)))}"

    def poll(**headers: Any) -> Any:
        response = client.get(url, HTTP_AUTHORIZATION=auth, **headers)
        if response.status_code not in {200, 304}:
            raise RuntimeError(f"the feed answered {response.status_code}")
        return response

    first = poll()
    events = len(first.json())
    etag = first["ETag"]
    built = timed(poll, before=lambda: cache.delete(key))
    cached = timed(poll)
    not_modified = timed(lambda: poll(HTTP_IF_NONE_MATCH=etag))
    print(f"manifest of {events:,} events, median of {ROUNDS} requests:")
    print(f"  built for the request (baseline): {built * 1000:9.1f} ms")
    print(f"  from the cache:                   {cached * 1000:9.1f} ms   {built / cached:8.0f}x faster")
    print(f"  304 to a poll with the ETag:      {not_modified * 1000:9.1f} ms   {built / not_modified:8.0f}x faster")
    last = list(first.json())[-1]
    one = timed(lambda: client.get(f"/misp-feeds/{collection.pk}/{last}.json", HTTP_AUTHORIZATION=auth))
    print(f"one event file (built for the request, with its sightings): {one * 1000:.1f} ms")


main()
