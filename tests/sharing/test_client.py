"""The TAXII client pulls a partner's collection from a real medallion on loopback into the event store; a
second pull imports nothing new (the watermark); a dead port, a slow server and a garbage answer each give a
clear status, import nothing and keep the watermark."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cyberplan.core.models import AuditEntry
from cyberplan.pipeline.query import connect
from cyberplan.sharing.choices import PullState
from cyberplan.sharing.client import do_pull, due_subscriptions
from cyberplan.sharing.models import Subscription
from cyberplan.threats.models import Import
from cyberplan.threats.store import event_store
from tests.conftest import World
from tests.sharing.conftest import indicator
from tests.sharing.test_interop import COLLECTION_ID, MEDALLION_PASSWORD, MEDALLION_USER, free_port
from tests.sharing.test_interop import medallion as medallion

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _data_dirs(settings: Any, tmp_path: Path) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.DATA_DIR = tmp_path / "data"


def labelled(n: int, value: str, label: str = 'rsit:malicious-code="c2-server"') -> dict[str, Any]:
    obj = indicator(n, tlp="green")
    obj["pattern"] = f"[ipv4-addr:value = '{value}']"
    obj["labels"] = [label]
    return obj


def subscribe(world: World, api_root: str, **values: Any) -> Subscription:
    subscription = Subscription(
        organisation=world.org_b,
        name=values.pop("name", "partner"),
        api_root_url=api_root,
        collection_id=values.pop("collection_id", COLLECTION_ID),
        username=MEDALLION_USER,
        **values,
    )
    subscription.keep_password(MEDALLION_PASSWORD)
    subscription.save()
    return subscription


def stored_ips(world: World) -> list[str]:
    con = connect(event_store(world.org_b))
    try:
        return sorted(row[0] for row in con.execute('SELECT "source.ip" FROM events').fetchall())
    finally:
        con.close()


def test_pulls_from_medallion_then_only_what_is_new(world: World, medallion: str) -> None:
    from taxii2client.v21 import Collection

    api_root = medallion.replace("/taxii2/", "/api1/")
    partner = Collection(f"{api_root}collections/{COLLECTION_ID}/", user=MEDALLION_USER, password=MEDALLION_PASSWORD)
    bad = labelled(3, "203.0.113.3")
    bad["pattern"] = "[ipv4-addr:value = 'not an address']"
    partner.add_objects({"objects": [labelled(1, "203.0.113.1"), labelled(2, "203.0.113.2"), bad]}, poll_interval=0)
    subscription = subscribe(world, api_root)
    assert due_subscriptions() == [subscription]

    first = do_pull(None, subscription)
    subscription.refresh_from_db()
    assert first.state == PullState.OK and first.received == 3, first.error
    assert subscription.last_state == PullState.OK and subscription.added_after
    assert stored_ips(world) == ["203.0.113.1", "203.0.113.2"]
    assert subscription.last_quarantined == 1  # the invalid object, kept in the importer's quarantine
    assert due_subscriptions() == []

    second = do_pull(None, subscription)
    assert second.state == PullState.OK and second.received == 0
    assert Import.objects.filter(organisation=world.org_b).count() == 1

    partner.add_objects({"objects": [labelled(4, "203.0.113.4")]}, poll_interval=0)
    third = do_pull(None, subscription)
    assert third.received == 1 and stored_ips(world) == ["203.0.113.1", "203.0.113.2", "203.0.113.4"]
    assert AuditEntry.objects.filter(content_type__model="subscription").count() == 3


class _Garbage(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html>not TAXII</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        """Write no access log line: the server's output would bury the run's own."""


class _Slow(_Garbage):
    def do_GET(self) -> None:
        time.sleep(3)
        super().do_GET()


def _serve(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api1/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def garbage() -> Iterator[str]:
    yield from _serve(_Garbage)


@pytest.fixture
def slow() -> Iterator[str]:
    yield from _serve(_Slow)


def _failed_pull(world: World, api_root: str, timeout: float = 5) -> Subscription:
    subscription = subscribe(world, api_root)
    subscription.added_after = "2026-01-01T00:00:00.000000Z"
    subscription.save()
    outcome = do_pull(None, subscription, timeout=timeout)
    subscription.refresh_from_db()
    assert subscription.last_state == outcome.state and subscription.last_error
    assert subscription.added_after == "2026-01-01T00:00:00.000000Z"  # the watermark stays
    assert not Import.objects.filter(organisation=world.org_b).exists()  # nothing imported
    return subscription


def test_a_dead_port_says_unreachable(world: World) -> None:
    subscription = _failed_pull(world, f"http://127.0.0.1:{free_port()}/api1/")
    assert subscription.last_state == PullState.UNREACHABLE


def test_a_garbage_answer_says_not_taxii(world: World, garbage: str) -> None:
    subscription = _failed_pull(world, garbage)
    assert subscription.last_state == PullState.BAD_ANSWER


def test_a_slow_server_says_timed_out(world: World, slow: str) -> None:
    subscription = _failed_pull(world, slow, timeout=0.5)
    assert subscription.last_state == PullState.TIMEOUT


def test_refused_credentials_say_refused(world: World, medallion: str) -> None:
    subscription = subscribe(world, medallion.replace("/taxii2/", "/api1/"))
    subscription.keep_password("wrong")
    subscription.save()
    assert do_pull(None, subscription).state == PullState.REFUSED
