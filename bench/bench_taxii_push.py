"""Pushing a collection to a partner: what the release rule, the release records and the envelope sizing cost
on top of sending the same objects with taxii2-client alone.

A cyberplan collection holds ``CYBERPLAN_BENCH_PUSH_OBJECTS`` indicators (default 10,000): 80 % TLP:GREEN,
10 % TLP:AMBER, 10 % TLP:RED, written directly as publishing leaves them. The partner is a member of the group
without need to know, so the GREEN ones may go. Both runs send to OASIS medallion (memory backend) on loopback,
each into a collection of its own:

* baseline: taxii2-client adds exactly the releasable objects in envelopes of 1,000, following each status;
* cyberplan: ``do_push`` reads the collection, lets every object through ``may_release``, records and audits
  each envelope's release, sizes envelopes to the partner's ``max_content_length`` and follows each status.

Each run gets a fresh medallion (its memory backend slows as it fills), in turn, twice; the better of each is kept.
Printed: objects sent per second for both, and the ratio cyberplan/baseline (1.0 means the push costs nothing
beyond the sending).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from taxii2client.v21 import Collection

from cyberplan.core.choices import OrganisationType
from cyberplan.core.models import Organisation
from cyberplan.sharing.actions import do_create_collection, do_create_group, do_create_push, do_set_member
from cyberplan.sharing.choices import CollectionContent
from cyberplan.sharing.models import Collection as LocalCollection
from cyberplan.sharing.models import SharedObject
from cyberplan.sharing.push import PushOutcome, do_push
from cyberplan.sharing.stix_out import TLP2_MARKING_IDS

OBJECTS = int(os.environ.get("CYBERPLAN_BENCH_PUSH_OBJECTS", "10000"))
ENVELOPE = 1000
STIX = "application/stix+json;version=2.1"
BASELINE_ID = "3f1c2a5e-0b7d-4c6e-9a8f-1d2e3f4a5b6c"
PUSHED_ID = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"


def label_of(n: int) -> str:
    return "amber" if n % 10 == 8 else "red" if n % 10 == 9 else "green"


def indicator(n: int) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--00000000-0000-4000-8000-{n:012d}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "pattern": f"[ipv4-addr:value = '10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
        "object_marking_refs": [TLP2_MARKING_IDS[label_of(n)]],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_medallion(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """medallion with two writable collections; its API root URL once it listens."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    collections = [
        {
            "id": ident,
            "title": ident,
            "can_read": True,
            "can_write": True,
            "media_types": [STIX],
            "objects": [],
            "manifest": [],
        }
        for ident in (BASELINE_ID, PUSHED_ID)
    ]
    information = {"title": "api1", "versions": ["application/taxii+json;version=2.1"], "max_content_length": 10**8}
    data = {
        "/discovery": {"title": "medallion", "default": f"{base}/api1/", "api_roots": [f"{base}/api1/"]},
        "api1": {"information": information, "status": [], "collections": collections},
    }
    (folder / "data.json").write_text(json.dumps(data))
    backend = {"module_class": "MemoryBackend", "module": "medallion.backends.memory_backend"}
    config = {
        "backend": {**backend, "filename": str(folder / "data.json")},
        "users": {"bench": "bench"},
        "taxii": {"max_page_size": ENVELOPE},
    }
    (folder / "config.json").write_text(json.dumps(config))
    command = [str(Path(sys.executable).with_name("medallion")), "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(  # our own environment's medallion, fixed arguments
        [*command, str(folder / "config.json")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"{base}/api1/"
        time.sleep(0.1)
    process.terminate()
    raise RuntimeError("medallion did not start listening")


def make_collection() -> tuple[LocalCollection, Organisation, Organisation]:
    owner = Organisation.objects.create(
        name="Push owner", slug="push-owner", type=OrganisationType.NATIONAL_CSIRT, country="PY"
    )
    partner = Organisation.objects.create(
        name="Push partner", slug="push-partner", type=OrganisationType.PARTNER_CSIRT, country="UY"
    )
    group = do_create_group(None, owner, name="Push bench", tlp_ceiling="amber")
    do_set_member(None, group, partner, can_read=True, can_write=False, need_to_know=False)
    collection = do_create_collection(None, group, title="Push", content=CollectionContent.POSTED, default_tlp="green")
    base = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    SharedObject.objects.bulk_create(
        [
            SharedObject(
                collection=collection,
                stix_id=indicator(n)["id"],
                stix_type="indicator",
                version="2026-01-01T00:00:00.000Z",
                version_at=base,
                date_added=base + dt.timedelta(microseconds=n),
                tlp=label_of(n),
                owner=owner,
                body=indicator(n),
            )
            for n in range(OBJECTS)
        ],
        batch_size=5000,
    )
    return collection, owner, partner


def baseline(api_root: str, objects: list[dict[str, Any]]) -> int:
    target = Collection(f"{api_root}collections/{BASELINE_ID}/", user="bench", password="bench")  # noqa: S106
    for start in range(0, len(objects), ENVELOPE):
        status = target.add_objects({"objects": objects[start : start + ENVELOPE]}, poll_interval=0.5)
        if status.failure_count or status.status != "complete":
            raise RuntimeError(f"medallion: {status.failure_count} refused, status {status.status}")
    return len(objects)


def pushed(owner: Organisation, partner: Organisation, collection: LocalCollection, api_root: str) -> PushOutcome:
    push = do_create_push(
        None,
        owner,
        name=f"bench {api_root}",
        collection=collection,
        recipient=partner,
        api_root_url=api_root,
        partner_collection_id=PUSHED_ID,
        username="bench",
        password="bench",  # noqa: S106 -- the throw-away medallion's
    )
    return do_push(None, push, timeout=120)


def main() -> None:
    collection, owner, partner = make_collection()
    releasable = [indicator(n) for n in range(OBJECTS) if label_of(n) == "green"]
    rates: dict[str, list[float]] = {"baseline": [], "push": []}
    for _round in range(2):  # each run on a fresh medallion, in turn, twice: the best of each is kept
        for name in ("baseline", "push"):
            with tempfile.TemporaryDirectory(prefix="bench-push-") as folder:
                medallion, api_root = start_medallion(Path(folder))
                try:
                    started = time.perf_counter()
                    if name == "baseline":
                        sent = baseline(api_root, releasable)
                    else:
                        outcome = pushed(owner, partner, collection, api_root)
                        if outcome.succeeded != len(releasable):
                            raise RuntimeError(f"push: {outcome.state} {outcome.error} ({outcome.succeeded} added)")
                        sent = outcome.sent
                    rates[name].append(sent / (time.perf_counter() - started))
                finally:
                    medallion.terminate()
                    medallion.wait(timeout=10)
    theirs, ours = max(rates["baseline"]), max(rates["push"])
    withheld = OBJECTS - len(releasable)
    print(f"pushing a collection of {OBJECTS:,} objects ({len(releasable):,} releasable, {withheld:,} withheld):")
    print(f"  taxii2-client alone {theirs:,.0f} objects/s, cyberplan push {ours:,.0f} objects/s")
    print(f"  ratio push/baseline: {ours / theirs:.2f}x", flush=True)


if __name__ == "__main__":
    main()
