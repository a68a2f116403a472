"""Interoperability: one scenario with OASIS taxii2-client against OASIS medallion (memory backend) and against
cyberplan's TAXII server, both real servers on 127.0.0.1, with the same observable results.

The scenario: discover, list collections, add an envelope (with a second version of one object), page
through the objects two at a time, get one object, list its versions, read the manifest.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_django.live_server_helper import LiveServer

from cyberplan.core.choices import OrganisationType
from cyberplan.core.models import Organisation
from cyberplan.sharing.actions import do_create_collection, do_create_group, do_issue_credential, do_set_member
from cyberplan.sharing.choices import CollectionContent
from tests.sharing.conftest import indicator

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

COLLECTION_ID = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
MEDALLION_USER, MEDALLION_PASSWORD = "partner", "medallion-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], deadline: float = 30.0) -> None:
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"medallion exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("medallion did not start listening")


def medallion_collection(collection_id: str = COLLECTION_ID, *, can_write: bool = True) -> dict[str, Any]:
    return {
        "id": collection_id,
        "title": "Indicators",
        "description": "",
        "can_read": True,
        "can_write": can_write,
        "media_types": ["application/stix+json;version=2.1"],
        "objects": [],
        "manifest": [],
    }


@contextlib.contextmanager
def run_medallion(
    folder: Path, *, max_content_length: int = 10_000_000, collections: list[dict[str, Any]] | None = None
) -> Iterator[str]:
    """A real medallion process with one API root and its collections (one writable by default); its
    discovery URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data = {
        "/discovery": {"title": "medallion", "default": f"{base}/api1/", "api_roots": [f"{base}/api1/"]},
        "api1": {
            "information": {
                "title": "api1",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": max_content_length,
            },
            "status": [],
            "collections": collections if collections is not None else [medallion_collection()],
        },
    }
    (folder / "data.json").write_text(json.dumps(data))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(folder / "data.json"),
        },
        "users": {MEDALLION_USER: MEDALLION_PASSWORD},
        "taxii": {"max_page_size": 100},
    }
    (folder / "config.json").write_text(json.dumps(config))
    command = [str(Path(sys.executable).with_name("medallion")), "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(  # our own virtual environment's medallion, fixed arguments
        [*command, str(folder / "config.json")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port, process)
        yield f"{base}/taxii2/"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def medallion(tmp_path: Path) -> Iterator[str]:
    """A real medallion process with one API root and one writable collection; its discovery URL."""
    with run_medallion(tmp_path) as url:
        yield url


@pytest.fixture
def cyberplan_taxii(live_server: LiveServer) -> tuple[str, str, str]:
    """cyberplan's TAXII server (Django's live server) with a group, a collection and a member's credential."""
    owner = Organisation.objects.create(
        name="MITIC", slug="mitic", type=OrganisationType.NATIONAL_AUTHORITY, country="PY"
    )
    partner = Organisation.objects.create(
        name="CERT-UY", slug="cert-uy", type=OrganisationType.PARTNER_CSIRT, country="UY"
    )
    group = do_create_group(None, owner, name="Southern Cone", tlp_ceiling="amber")
    do_set_member(None, group, partner, can_read=True, can_write=True, need_to_know=True)
    do_create_collection(None, group, title="Indicators", content=CollectionContent.POSTED, default_tlp="green")
    credential, secret = do_issue_credential(None, owner, partner, "interop")
    return f"{live_server.url}/taxii2/", str(credential.pk), secret


def scenario(discovery_url: str, user: str, password: str) -> dict[str, Any]:
    from taxii2client.v21 import Server, as_pages

    server = Server(discovery_url, user=user, password=password)
    api_root = server.api_roots[0]
    collections = api_root.collections
    collection = next(c for c in collections if c.title == "Indicators")
    envelope = {
        "objects": [
            indicator(1),
            indicator(2),
            indicator(3),
            indicator(4),
            indicator(1, modified="2026-02-01T00:00:00.000Z"),
        ]
    }
    status = collection.add_objects(envelope, poll_interval=0)
    pages = [page.get("objects", []) for page in as_pages(collection.get_objects, per_request=2)]
    one = collection.get_object(indicator(1)["id"])["objects"]
    versions = collection.object_versions(indicator(1)["id"])["versions"]
    manifest = collection.get_manifest()["objects"]
    return {
        "api_root_versions": api_root.versions,
        "collection": (collection.can_read, collection.can_write),
        "status": (status.status, status.total_count, status.success_count, status.failure_count),
        "paged_ids": sorted(o["id"] for page in pages for o in page),
        "largest_page": max(len(page) for page in pages),
        "object": [(o["id"], o["modified"]) for o in one],
        "versions": sorted(versions),
        "manifest": sorted((m["id"], m["version"]) for m in manifest),
    }


def test_one_scenario_gives_the_same_results_on_medallion_and_cyberplan(
    medallion: str, cyberplan_taxii: tuple[str, str, str]
) -> None:
    on_medallion = scenario(medallion, MEDALLION_USER, MEDALLION_PASSWORD)
    on_cyberplan = scenario(*cyberplan_taxii)
    assert on_cyberplan == on_medallion
    assert on_cyberplan["paged_ids"] == sorted(indicator(n)["id"] for n in (1, 2, 3, 4))
    assert on_cyberplan["largest_page"] == 2
    assert on_cyberplan["object"] == [(indicator(1)["id"], "2026-02-01T00:00:00.000Z")]
    assert on_cyberplan["versions"] == ["2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"]
