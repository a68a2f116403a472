"""TAXII 2.1: cyberplan's server against OASIS medallion (memory backend), both real HTTP servers on 127.0.0.1,
both driven by OASIS taxii2-client.

1. Adding: the same objects POSTed to each in envelopes of 1,000 (cyberplan validates every object as
   stix2-validator and the stix2 object model would; medallion checks the envelope only). Objects per second
   and the ratio, on the wall clock and on CPU time (client and server together for both: the bench process,
   plus medallion's process for medallion), since the wall clock of a shared machine follows its load. Each
   server first takes one small envelope of other objects, timed apart: cyberplan loads its validator on first
   use (a one-time cost, printed), medallion has loaded everything when it starts. The step runs in rounds
   (``CYBERPLAN_BENCH_TAXII_ROUNDS``, default 5), each into empty collections (a new medallion process, a
   new cyberplan collection), the two servers in turn and in alternating order; the ratio of each round and
   the median are printed, since this machine's speed can change between one minute and the next.
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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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
ADD_ROUNDS = int(os.environ.get("CYBERPLAN_BENCH_TAXII_ROUNDS", "5"))
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


def start_cyberplan() -> tuple[subprocess.Popen[bytes], str, str, str, Any]:
    """cyberplan as the deployment guide serves it: gunicorn (one sync worker), database connections kept
    for reuse (``DATABASE_CONN_MAX_AGE=60``), on this run's data directory and database."""
    owner = Organisation.objects.create(
        name="Bench owner", slug="bench-owner", type=OrganisationType.NATIONAL_CSIRT, country="PY"
    )
    partner = Organisation.objects.create(
        name="Bench partner", slug="bench-partner", type=OrganisationType.PARTNER_CSIRT, country="UY"
    )
    group = do_create_group(None, owner, name="Bench", tlp_ceiling="amber")
    do_set_member(None, group, partner, can_read=True, can_write=True, need_to_know=True)
    credential, secret = do_issue_credential(None, owner, partner, "bench")
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(  # our own environment's gunicorn, fixed arguments
        [gunicorn, "cyberplan.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "600"],
        env={**os.environ, "DATABASE_CONN_MAX_AGE": "60"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(port)
    return process, f"http://127.0.0.1:{port}/taxii2/api/collections/", str(credential.pk), secret, group


def process_tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (gunicorn's arbiter and its worker)."""
    total = cpu_seconds(pid)
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        total += cpu_seconds(int(child))
    return total


def new_collection(group: Any, collections_url: str, title: str) -> tuple[str, Any]:
    """A new, empty collection of the bench's sharing group, and its URL on the server."""
    fresh = do_create_collection(None, group, title=title, content=CollectionContent.POSTED, default_tlp="green")
    return f"{collections_url}{fresh.pk}/", fresh


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def add_all(collection: Collection, objects: list[dict[str, Any]], server_pid: int | None) -> tuple[float, float]:
    """Objects per second on the wall clock and per CPU second (this process, plus the server's if apart)."""
    started, cpu = time.perf_counter(), time.process_time()
    server_cpu = process_tree_cpu(server_pid) if server_pid else 0.0
    for start in range(0, len(objects), ENVELOPE):
        status = collection.add_objects({"objects": objects[start : start + ENVELOPE]}, wait_for_completion=False)
        if status.failure_count:
            raise RuntimeError(f"{status.failure_count} objects refused")
    used = time.process_time() - cpu + ((process_tree_cpu(server_pid) - server_cpu) if server_pid else 0.0)
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


def add_rounds(
    folder: Path, server_pid: int, collections_url: str, group: Any, user: str, secret: str, objects: list[Any]
) -> Any:
    """Step 1 in rounds on empty collections, the servers in alternating order; the last round's medallion
    process, both taxii2-client collections and cyberplan's collection, for the paging steps."""
    ratios_wall, ratios_cpu, last = [], [], None
    for number in range(1, ADD_ROUNDS + 1):
        round_folder = folder / f"round-{number}"
        round_folder.mkdir()
        medallion, medallion_url = start_medallion(round_folder)
        try:
            url, ours_model = new_collection(group, collections_url, f"Bench round {number}")
            theirs = Collection(medallion_url, user="bench", password="bench")  # noqa: S106 -- the throw-away medallion's
            ours = Collection(url, user=user, password=secret)
            warm_theirs, warm_ours = warm_up(theirs), warm_up(ours)
            if number % 2:
                add_theirs, cpu_theirs = add_all(theirs, objects, medallion.pid)
                add_ours, cpu_ours = add_all(ours, objects, server_pid)
            else:
                add_ours, cpu_ours = add_all(ours, objects, server_pid)
                add_theirs, cpu_theirs = add_all(theirs, objects, medallion.pid)
        finally:
            if number < ADD_ROUNDS:
                medallion.terminate()
                medallion.wait(timeout=10)
        ratios_wall.append(add_ours / add_theirs)
        ratios_cpu.append(cpu_ours / cpu_theirs)
        print(
            f"  round {number} ({'medallion' if number % 2 else 'cyberplan'} first; first envelope of 10: "
            f"medallion {warm_theirs:.2f} s, cyberplan {warm_ours:.2f} s): medallion {add_theirs:,.0f} objects/s, "
            f"cyberplan {add_ours:,.0f} objects/s, ratio {add_ours / add_theirs:.2f}x; CPU per object medallion "
            f"{1e6 / cpu_theirs:,.0f} us, cyberplan {1e6 / cpu_ours:,.0f} us, ratio {cpu_ours / cpu_theirs:.2f}x",
            flush=True,
        )
        last = (medallion, theirs, ours, ours_model)
    print(
        f"  median of {ADD_ROUNDS} rounds: ratio cyberplan/medallion {statistics.median(ratios_wall):.2f}x on the "
        f"wall clock, {statistics.median(ratios_cpu):.2f}x per CPU second "
        f"(rounds {min(ratios_cpu):.2f} to {max(ratios_cpu):.2f})",
        flush=True,
    )
    return last


def main() -> None:
    objects = [indicator(n) for n in range(OBJECTS)]
    with tempfile.TemporaryDirectory(prefix="bench-medallion-") as folder:
        server, collections_url, user, secret, group = start_cyberplan()
        medallion = None
        try:
            print(f"adding {OBJECTS:,} objects in envelopes of {ENVELOPE:,} (cyberplan validating each):")
            medallion, theirs, ours, ours_model = add_rounds(
                Path(folder), server.pid, collections_url, group, user, secret, objects
            )
            if ADD_ONLY:
                return
            page_theirs, page_ours = page_all(theirs, OBJECTS + 10), page_all(ours, OBJECTS + 10)
            print(f"paging {OBJECTS:,} objects in pages of {PAGE:,}:")
            print(f"  medallion {page_theirs:,.0f} objects/s, cyberplan {page_ours:,.0f} objects/s")
            print(f"  ratio cyberplan/medallion: {page_ours / page_theirs:.1f}x", flush=True)
            if LARGE > OBJECTS:
                fill_directly(ours_model, OBJECTS, LARGE - OBJECTS)
                print(f"cyberplan alone, paging {LARGE:,} objects in pages of {PAGE:,}:")
                print(f"  {page_all(ours, LARGE + 10):,.0f} objects/s (at {OBJECTS:,}: {page_ours:,.0f})", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=10)
            if medallion is not None:
                medallion.terminate()
                medallion.wait(timeout=10)


if __name__ == "__main__":
    main()
