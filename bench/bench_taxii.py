"""TAXII 2.1: cyberplan's server against OASIS medallion (memory backend), both real HTTP servers on 127.0.0.1,
both driven by OASIS taxii2-client.

1. Adding: the same objects POSTed to each in envelopes of 1,000 (cyberplan validates every object as
   stix2-validator and the stix2 object model would; medallion checks the envelope only). Objects per second
   and the ratio, on the wall clock and on CPU time (client and server together for both: the bench process,
   plus medallion's process for medallion), since the wall clock of a shared machine follows its load. Each
   server first takes one small envelope of other objects, timed apart: cyberplan loads its validator on first
   use (a one-time cost, printed), medallion has loaded everything when it starts.
2. Paging: the whole collection read with ``as_pages`` (pages of 1,000). Objects per second, ratio.
3. cyberplan alone: paging a larger collection (rows written directly, as publishing would leave them), to
   show the rate per object does not fall as the collection grows (keyset paging).

Sizes: ``CYBERPLAN_BENCH_TAXII_OBJECTS`` (default 10,000) and ``CYBERPLAN_BENCH_TAXII_LARGE`` (default 100,000;
``1000000`` for the million-object figure of docs/performance.md, which takes several minutes).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.wsgi import get_wsgi_application
from taxii2client.v21 import Collection, as_pages

from cyberplan.core.choices import OrganisationType
from cyberplan.core.models import Organisation
from cyberplan.sharing.actions import do_create_collection, do_create_group, do_issue_credential, do_set_member
from cyberplan.sharing.choices import CollectionContent
from cyberplan.sharing.models import SharedObject
from cyberplan.sharing.stix_out import TLP2_MARKING_IDS

OBJECTS = int(os.environ.get("CYBERPLAN_BENCH_TAXII_OBJECTS", "10000"))
LARGE = int(os.environ.get("CYBERPLAN_BENCH_TAXII_LARGE", "100000"))
ADD_ONLY = os.environ.get("CYBERPLAN_BENCH_TAXII_ADD_ONLY", "") == "1"  # measure adding, skip paging
ENVELOPE = 1000
PAGE = 1000
MEDALLION_COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"


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
        "object_marking_refs": [TLP2_MARKING_IDS["green"]],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int) -> None:
    for _ in range(300):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def start_medallion(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data = {
        "/discovery": {"title": "medallion", "default": f"{base}/api1/", "api_roots": [f"{base}/api1/"]},
        "api1": {
            "information": {
                "title": "api1",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 100_000_000,
            },
            "status": [],
            "collections": [
                {
                    "id": MEDALLION_COLLECTION,
                    "title": "bench",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                }
            ],
        },
    }
    (folder / "data.json").write_text(json.dumps(data))
    config = {
        "backend": {
            "module_class": "MemoryBackend",
            "module": "medallion.backends.memory_backend",
            "filename": str(folder / "data.json"),
        },
        "users": {"bench": "bench"},
        "taxii": {"max_page_size": PAGE},
    }
    (folder / "config.json").write_text(json.dumps(config))
    medallion = str(Path(sys.executable).with_name("medallion"))
    process = subprocess.Popen(  # our own environment's medallion, fixed arguments
        [medallion, "--host", "127.0.0.1", "--port", str(port), str(folder / "config.json")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(port)
    return process, f"{base}/api1/collections/{MEDALLION_COLLECTION}/"


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        """Write no access log line: the server's output would bury the run's own."""


class _Threaded(WSGIServer):
    daemon_threads = True

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(target=self._handle, args=(request, client_address), daemon=True)
        thread.start()

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)


def start_cyberplan() -> tuple[WSGIServer, str, str, str, Any]:
    owner = Organisation.objects.create(
        name="Bench owner", slug="bench-owner", type=OrganisationType.NATIONAL_CSIRT, country="PY"
    )
    partner = Organisation.objects.create(
        name="Bench partner", slug="bench-partner", type=OrganisationType.PARTNER_CSIRT, country="UY"
    )
    group = do_create_group(None, owner, name="Bench", tlp_ceiling="amber")
    do_set_member(None, group, partner, can_read=True, can_write=True, need_to_know=True)
    collection = do_create_collection(None, group, title="Bench", content=CollectionContent.POSTED, default_tlp="green")
    credential, secret = do_issue_credential(None, owner, partner, "bench")
    port = free_port()
    server = make_server("127.0.0.1", port, get_wsgi_application(), server_class=_Threaded, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{port}/taxii2/api/collections/{collection.pk}/"
    return server, url, str(credential.pk), secret, collection


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def add_all(collection: Collection, objects: list[dict[str, Any]], server_pid: int | None) -> tuple[float, float]:
    """Objects per second on the wall clock and per CPU second (this process, plus the server's if apart)."""
    started, cpu = time.perf_counter(), time.process_time()
    server_cpu = cpu_seconds(server_pid) if server_pid else 0.0
    for start in range(0, len(objects), ENVELOPE):
        status = collection.add_objects({"objects": objects[start : start + ENVELOPE]}, wait_for_completion=False)
        if status.failure_count:
            raise RuntimeError(f"{status.failure_count} objects refused")
    used = time.process_time() - cpu + ((cpu_seconds(server_pid) - server_cpu) if server_pid else 0.0)
    return len(objects) / (time.perf_counter() - started), len(objects) / used


def warm_up(collection: Collection) -> float:
    """Seconds to add one envelope of ten objects not in the measured set."""
    started = time.perf_counter()
    add_all(collection, [indicator(n) for n in range(10**9, 10**9 + 10)], None)
    return time.perf_counter() - started


def page_all(collection: Collection, expected: int) -> float:
    started = time.perf_counter()
    count = sum(len(page.get("objects", [])) for page in as_pages(collection.get_objects, per_request=PAGE))
    elapsed = time.perf_counter() - started
    if count != expected:
        raise RuntimeError(f"paged {count} objects, expected {expected}")
    return count / elapsed


def fill_directly(collection: Any, start: int, count: int) -> None:
    """Rows as add_objects leaves them, written in bulk (the validation is measured in step 1, not here)."""
    owner = collection.group.organisation
    base = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    batch: list[SharedObject] = []
    for n in range(start, start + count):
        body = indicator(n)
        batch.append(
            SharedObject(
                collection=collection,
                stix_id=body["id"],
                stix_type="indicator",
                version=body["modified"],
                version_at=base,
                date_added=base + dt.timedelta(microseconds=n),
                tlp="green",
                owner=owner,
                body=body,
            )
        )
        if len(batch) == 10_000:
            SharedObject.objects.bulk_create(batch)
            batch = []
    SharedObject.objects.bulk_create(batch)


def main() -> None:
    objects = [indicator(n) for n in range(OBJECTS)]
    with tempfile.TemporaryDirectory(prefix="bench-medallion-") as folder:
        medallion, medallion_url = start_medallion(Path(folder))
        server, cyberplan_url, user, secret, collection = start_cyberplan()
        try:
            theirs = Collection(medallion_url, user="bench", password="bench")  # noqa: S106 -- the throw-away medallion's
            ours = Collection(cyberplan_url, user=user, password=secret)
            warm_theirs, warm_ours = warm_up(theirs), warm_up(ours)
            print(f"first envelope (10 objects): medallion {warm_theirs:.2f} s, cyberplan {warm_ours:.2f} s")
            (add_theirs, cpu_theirs), (add_ours, cpu_ours) = (
                add_all(theirs, objects, medallion.pid),
                add_all(ours, objects, None),
            )
            print(f"adding {OBJECTS:,} objects in envelopes of {ENVELOPE:,}:")
            print(f"  medallion {add_theirs:,.0f} objects/s, cyberplan {add_ours:,.0f} objects/s (validating each)")
            print(f"  ratio cyberplan/medallion: {add_ours / add_theirs:.3f}x", flush=True)
            print(f"  per CPU second: medallion {cpu_theirs:,.0f}, cyberplan {cpu_ours:,.0f} objects")
            print(f"  ratio cyberplan/medallion per CPU second: {cpu_ours / cpu_theirs:.3f}x", flush=True)
            print(f"  CPU per object: medallion {1e6 / cpu_theirs:,.0f} us, cyberplan {1e6 / cpu_ours:,.0f} us")
            if ADD_ONLY:
                return
            page_theirs, page_ours = page_all(theirs, OBJECTS + 10), page_all(ours, OBJECTS + 10)
            print(f"paging {OBJECTS:,} objects in pages of {PAGE:,}:")
            print(f"  medallion {page_theirs:,.0f} objects/s, cyberplan {page_ours:,.0f} objects/s")
            print(f"  ratio cyberplan/medallion: {page_ours / page_theirs:.1f}x", flush=True)
            if LARGE > OBJECTS:
                fill_directly(collection, OBJECTS, LARGE - OBJECTS)
                print(f"cyberplan alone, paging {LARGE:,} objects in pages of {PAGE:,}:")
                print(f"  {page_all(ours, LARGE + 10):,.0f} objects/s (at {OBJECTS:,}: {page_ours:,.0f})", flush=True)
        finally:
            server.shutdown()
            medallion.terminate()
            medallion.wait(timeout=10)


if __name__ == "__main__":
    main()
