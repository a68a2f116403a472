"""The event browser and the events API searched by address or network (through the address index
the import's job writes), the Next link's position, and the labels each role reads."""

from __future__ import annotations

import csv
import io
import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils.translation import gettext
from rest_framework.test import APIClient

from cyberplan.core.choices import Role
from cyberplan.threats import views
from cyberplan.threats.store import event_store
from tests.conftest import World

from .conftest import SAMPLES

TELNET = SAMPLES / "2026-11-28-scan_telnet-py-geo.csv"  # five events: 181.120.1.2, .3, .9, 10.1.2.3, 2800:ac::2


def ingest(world: World, tlp: str) -> None:
    call_command("ingest", str(TELNET), organisation=world.org_a.slug, tlp=tlp, stdout=io.StringIO())


def addresses(response: object) -> list[str]:
    return sorted(str(row["source.ip"]) for row in response.context["rows"])  # type: ignore[attr-defined]


def test_the_import_writes_the_address_index_and_the_browser_searches_networks(world: World) -> None:
    ingest(world, "green")
    store = event_store(world.org_a)
    assert store.files()
    assert all(store.index_file(path).exists() for path in store.files())
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    expected = {
        "181.120.1.0/24": ["181.120.1.2", "181.120.1.3", "181.120.1.9"],
        "181.120.0.0/16": ["181.120.1.2", "181.120.1.3", "181.120.1.9"],
        "181.120.1.3": ["181.120.1.3"],
        "181.120.1.8/29": ["181.120.1.9"],
        "10.0.0.0/8": ["10.1.2.3"],
        "2800:ac::/32": ["2800:ac::2"],
        "2800:ac::2": ["2800:ac::2"],
        "2800:ad::/32": [],
        "0.0.0.0/0": ["10.1.2.3", "181.120.1.2", "181.120.1.3", "181.120.1.9"],
    }
    for network, found in expected.items():
        response = client.get("/threats/events/", {"ip": network})
        assert response.status_code == 200, network
        assert addresses(response) == found, network
        assert response.context["total"] == len(found), network


@pytest.mark.parametrize("text", ["181.120.1", "181.120.1.0/33", "example.org", "<b>1.2.3.4</b>"])
def test_a_bad_address_is_refused_with_its_reason(world: World, text: str) -> None:
    ingest(world, "green")
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    response = client.get("/threats/events/", {"ip": text})
    assert response.status_code == 400
    assert response.context["form"].errors["ip"] == [
        gettext("Give an IPv4 or IPv6 address, or a network in CIDR notation (such as 192.0.2.0/24).")
    ]
    assert "<b>1.2.3.4</b>" not in response.content.decode()
    api = APIClient()
    api.force_authenticate(world.users[Role.VIEWER])
    answer = api.get("/api/events/", {"organisation": world.org_a.pk, "ip": text})
    assert answer.status_code == 400
    assert "ip" in answer.json()


@pytest.mark.parametrize(("role", "visible"), [(Role.COORDINATOR, 3), (Role.VIEWER, 0), (Role.EXTERNAL_PARTNER, 0)])
def test_a_network_search_reads_only_the_labels_of_the_role(world: World, role: str, visible: int) -> None:
    ingest(world, "red")
    client = Client()
    client.force_login(world.users[role])
    assert client.get("/threats/events/", {"ip": "181.120.0.0/16"}).context["total"] == visible
    api = APIClient()
    api.force_authenticate(world.users[role])
    body = api.get("/api/events/", {"organisation": world.org_a.pk, "ip": "181.120.0.0/16"}).json()
    assert body["count"] == visible
    assert len(body["results"]) == visible
    api.force_authenticate(world.outsider)
    assert api.get("/api/events/", {"organisation": world.org_a.pk, "ip": "181.120.0.0/16"}).status_code == 404


def test_the_api_pages_by_position(world: World) -> None:
    ingest(world, "green")
    api = APIClient()
    api.force_authenticate(world.users[Role.VIEWER])
    everything = api.get("/api/events/", {"organisation": world.org_a.pk}).json()
    assert everything["count"] == 5
    assert everything["next_after"] is None
    seen = []
    query = {"organisation": world.org_a.pk, "limit": 2}
    while True:
        body = api.get("/api/events/", query).json()
        assert body["count"] == 5
        seen.extend(row["event_id"] for row in body["results"])
        if body["next_after"] is None:
            break
        query["after"] = body["next_after"]
    assert seen == [row["event_id"] for row in everything["results"]]
    bad = api.get("/api/events/", {"organisation": world.org_a.pk, "after": "yesterday"})
    assert bad.status_code == 400
    assert "after" in bad.json()


def test_the_next_link_carries_the_position(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    ingest(world, "green")
    monkeypatch.setattr(views, "EVENTS_PER_PAGE", 2)
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    seen: list[str] = []
    response = client.get("/threats/events/", {"ip": "0.0.0.0/0"})
    while True:
        assert response.context["total"] == 4
        seen.extend(row["event_id"] for row in response.context["rows"])
        link = re.search(r'href="\?([^"]*)" rel="next"', response.content.decode())
        if not link:
            break
        assert "after=" in link.group(1) and "ip=0.0.0.0%2F0" in link.group(1)
        response = client.get("/threats/events/?" + unescape(link.group(1)))
        assert response.status_code == 200
    assert len(seen) == len(set(seen)) == 4
    # An unreadable position is the first page again.
    assert client.get("/threats/events/", {"after": "nonsense"}).context["total"] == 5


def test_reindex_writes_the_missing_indexes_and_export_takes_a_network(world: World, tmp_path: Path) -> None:
    ingest(world, "green")
    store = event_store(world.org_a)
    shutil.rmtree(store.events_dir / "_index")
    out = io.StringIO()
    call_command("events", "reindex", stdout=out)
    assert out.getvalue().strip() == f"{world.org_a.slug}: wrote {len(store.files())} address indexes."
    assert all(store.index_file(path).exists() for path in store.files())
    out = io.StringIO()
    call_command("events", "reindex", organisation=world.org_a.slug, stdout=out)
    assert "wrote 0 address indexes" in out.getvalue()
    with pytest.raises(CommandError, match="no organisation"):
        call_command("events", "reindex", organisation="nobody-here")
    target = tmp_path / "found.csv"
    out = io.StringIO()
    call_command(
        "events",
        "export",
        organisation=world.org_a.slug,
        format="csv",
        output=str(target),
        ip="181.120.1.0/30",
        stdout=out,
    )
    with target.open(encoding="utf-8") as handle:
        assert sorted(row["source.ip"] for row in csv.DictReader(handle)) == ["181.120.1.2", "181.120.1.3"]
    with pytest.raises(CommandError, match="not an address or a network"):
        call_command("events", "export", organisation=world.org_a.slug, output=str(target), ip="181.120.1")
