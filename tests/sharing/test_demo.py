"""The demo's sharing network: built twice it creates nothing new, and the partner's credential pages its
collection with OASIS taxii2-client against a live server and finds the CLEAR and GREEN indicators only."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

from cyberplan.core.models import Organisation
from cyberplan.pipeline.query import connect
from cyberplan.sharing.demo import INDICATORS, build_demo_sharing
from cyberplan.sharing.models import Collection, PartnerCredential, SharedObject, SharingGroup
from cyberplan.sharing.stix_out import TLP2_MARKING_IDS
from cyberplan.threats.store import event_store
from cyberplan.workspace.demo import build_demo_workspace

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AMBER_RED = {TLP2_MARKING_IDS["amber"], TLP2_MARKING_IDS["red"], TLP2_MARKING_IDS["amber+strict"]}


@pytest.fixture(autouse=True)
def _data_dirs(settings: Any, tmp_path: Path) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.DATA_DIR = tmp_path / "data"


def test_demo_shares_clear_and_green_only_and_a_second_build_creates_nothing(live_server: LiveServer) -> None:
    from taxii2client.v21 import Server, as_pages

    build_demo_workspace()
    csirt = Organisation.objects.get(slug="cert-py")
    first = build_demo_sharing(csirt)
    assert first.secret is not None and first.published is not None and first.published.failed == []
    # The store holds every label, AMBER and RED included.
    con = connect(event_store(csirt))
    try:
        labels = {row[0] for row in con.execute("SELECT DISTINCT tlp FROM events").fetchall()}
    finally:
        con.close()
    assert labels >= {"clear", "green", "amber", "red"}

    counts = (SharingGroup.objects.count(), Collection.objects.count(), PartnerCredential.objects.count())
    objects = SharedObject.objects.count()
    again = build_demo_sharing(csirt)
    assert again.secret is None and again.published is not None and again.published.added == 0
    assert sum(again.created.values()) == 0
    assert (SharingGroup.objects.count(), Collection.objects.count(), PartnerCredential.objects.count()) == counts
    assert SharedObject.objects.count() == objects

    server = Server(f"{live_server.url}/taxii2/", user=str(first.credential.pk), password=first.secret)
    collection = next(c for c in server.api_roots[0].collections if c.id == str(first.collection.pk))
    received = [o for page in as_pages(collection.get_objects, per_request=3) for o in page.get("objects", [])]
    indicators = {o["pattern"]: o["object_marking_refs"] for o in received if o["type"] == "indicator"}
    expected = {pattern for _n, _label, pattern, tlp in INDICATORS if tlp in ("clear", "green")}
    assert set(indicators) == expected
    assert not any(AMBER_RED & set(o.get("object_marking_refs", [])) for o in received)
    assert not any(o["id"] in AMBER_RED for o in received)


def test_the_demo_command_prints_the_discovery_url_and_the_secret_once(settings: Any) -> None:
    out = StringIO()
    call_command("demo", "--no-serve", "--no-events", stdout=out)
    first = out.getvalue()
    assert "TAXII discovery URL: http://127.0.0.1:8000/taxii2/" in first
    credential = PartnerCredential.objects.get()
    assert f"partner credential:  {credential.pk}" in first
    assert "partner secret:      " in first and "shown once" in first
    # The sharing lead, CERT-PY's administrator, is named with the credential and among the logins.
    assert "sign in as demo-sharing-lead (CERT-PY's administrator) to rotate or revoke the credential" in first
    assert re.search(r"^  demo-sharing-lead +CERT-PY +Administrator$", first, re.MULTILINE)
    out = StringIO()
    call_command("demo", "--no-serve", "--no-events", stdout=out)
    assert "not shown again" in out.getvalue()
    assert PartnerCredential.objects.count() == 1


def test_a_large_store_is_published_by_the_worker_asked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from cyberplan.jobs.models import Job
    from cyberplan.sharing import demo

    monkeypatch.setattr(demo, "PUBLISH_NOW_LIMIT", 3)  # the demo bundle gives four CLEAR and GREEN observables
    build_demo_workspace()
    built = build_demo_sharing(Organisation.objects.get(slug="cert-py"))
    assert built.published is None and built.queued
    job = Job.objects.get(kind="sharing_publish")
    assert job.created_by is not None and job.created_by.username == "demo-csirt-lead"
    assert job.parameters == {"collection": str(built.collection.pk)}
    assert not build_demo_sharing(Organisation.objects.get(slug="cert-py")).queued
    assert Job.objects.filter(kind="sharing_publish").count() == 1


def test_the_sharing_lead_signs_in_sees_the_network_and_rotates_then_revokes_the_credential(
    live_server: LiveServer,
) -> None:
    import requests
    from django.test import Client
    from taxii2client.v21 import Server

    from cyberplan.core.access import Permission, has_permission
    from cyberplan.core.models import User
    from cyberplan.sharing.demo import COLLECTION_TITLE, GROUP_NAME, SHARING_LEAD
    from cyberplan.workspace.demo import DEMO_PASSWORD, demo_logins

    build_demo_workspace()
    csirt = Organisation.objects.get(slug="cert-py")
    built = build_demo_sharing(csirt)
    lead = User.objects.get(username=SHARING_LEAD)
    assert has_permission(lead, csirt.pk, Permission.ADMINISTER)
    assert (SHARING_LEAD, "CERT-PY", "Administrator") in demo_logins()

    client = Client()
    signed_in = client.post("/login/", {"login": SHARING_LEAD, "password": DEMO_PASSWORD})  # the printed password
    assert signed_in.status_code == 302 and client.get("/sharing/").wsgi_request.user == lead
    assert GROUP_NAME in client.get("/sharing/").content.decode()
    assert COLLECTION_TITLE in client.get(f"/sharing/groups/{built.group.pk}/").content.decode()
    assert client.get(f"/sharing/collections/{built.collection.pk}/").status_code == 200
    assert str(built.credential.pk) in client.get("/sharing/credentials/").content.decode()

    def status(secret: str | None) -> int:
        try:
            Server(f"{live_server.url}/taxii2/", user=str(built.credential.pk), password=secret).refresh()
        except requests.HTTPError as error:
            return error.response.status_code if error.response is not None else 0
        return 200

    rotated = client.post(f"/sharing/credentials/{built.credential.pk}/rotate/", follow=True).content.decode()
    new_secret = rotated.split('<code class="credential-secret-value">')[1].split("</code>")[0]
    assert status(new_secret) == 200
    assert status(built.secret) == 401
    client.post(f"/sharing/credentials/{built.credential.pk}/revoke/")
    assert status(new_secret) == 401
    # A later build issues a fresh credential, as the revoked one no longer counts.
    again = build_demo_sharing(csirt)
    assert again.secret is not None and again.credential.pk != built.credential.pk
