"""Sending a statistics package by TAXII: the member's push reaches the regional programme's collection on cyberplan's
own TAXII server (Django's live server on loopback); the POST queues the regional intake, which accepts or refuses
the package and answers with a note the member reads back. Every step is recorded and audited; an unreachable
regional server, a draft, or a push to another partner leave a clear status or error."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from pytest_django.live_server_helper import LiveServer

from cyberplan.core.choices import OrganisationType, Role
from cyberplan.core.models import AuditEntry, Organisation
from cyberplan.jobs.models import Job
from cyberplan.jobs.tasks import run_job
from cyberplan.regional.actions import do_approve, do_build_draft
from cyberplan.regional.choices import SendState
from cyberplan.regional.intake import do_register_intake
from cyberplan.regional.jobs import REGIONAL_INTAKE, REGIONAL_SEND
from cyberplan.regional.models import Member, PackageRefusal, PackageSend, ReceivedPackage, StatisticsPackage
from cyberplan.regional.sending import do_send
from cyberplan.sharing.actions import (
    do_create_collection,
    do_create_group,
    do_create_push,
    do_issue_credential,
    do_set_member,
)
from cyberplan.sharing.models import Collection, Push
from tests.conftest import World
from tests.regional.test_member_side import import_events
from tests.sharing.test_interop import free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _events_dir(settings: Any, tmp_path: Path) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"


def regional_collection(programme: Organisation, member: Organisation) -> tuple[Collection, str, str]:
    """The programme's collection for one member (who may read and write it) and that member's credential."""
    group = do_create_group(None, programme, name=f"Packages of {member.name}", tlp_ceiling="amber")
    do_set_member(None, group, member, can_read=True, can_write=True, need_to_know=True)
    collection = do_create_collection(None, group, title=f"Statistics packages {member.country}", default_tlp="green")
    credential, secret = do_issue_credential(None, programme, member, "statistics packages")
    return collection, str(credential.pk), secret


def member_push(
    member: Organisation, programme: Organisation, url: str, collection_id: str, user: str, key: str
) -> Push:
    group = do_create_group(None, member, name="Regional programme", tlp_ceiling="amber")
    do_set_member(None, group, programme, can_read=True, can_write=False, need_to_know=True)
    local = do_create_collection(None, group, title="Packages sent to the programme", default_tlp="green")
    return do_create_push(
        None,
        member,
        name="to the programme",
        collection=local,
        recipient=programme,
        api_root_url=url,
        partner_collection_id=collection_id,
        username=user,
        password=key,
    )


@pytest.fixture
def setup(world: World, tmp_path: Path, live_server: LiveServer) -> dict[str, Any]:
    import_events(world, tmp_path, "2026-03", 400)
    programme = Organisation.objects.create(
        name="Regional Programme", slug="programme", type=OrganisationType.REGIONAL_BODY
    )
    collection, user, key = regional_collection(programme, world.org_a)
    do_register_intake(None, collection, "2026")
    push = member_push(world.org_a, programme, f"{live_server.url}/taxii2/api/", str(collection.pk), user, key)
    coordinator = world.users[Role.COORDINATOR]
    package = do_approve(coordinator, do_build_draft(coordinator, world.org_a, "2026"))
    Member.objects.create(
        programme=programme, country="PY", name="Paraguay", identity_id=package.package()["created_by_ref"]
    )
    return {
        "programme": programme,
        "push": push,
        "package": package,
        "coordinator": coordinator,
        "collection": collection,
    }


def run_intakes() -> list[Job]:
    jobs = list(Job.objects.filter(kind=REGIONAL_INTAKE, status="queued"))
    for job in jobs:
        run_job.call(str(job.pk))
    return [Job.objects.get(pk=job.pk) for job in jobs]


def test_a_sent_package_is_taken_in_on_the_post_and_the_answer_is_read_back(setup: dict[str, Any]) -> None:
    package, push, coordinator = setup["package"], setup["push"], setup["coordinator"]
    first = do_send(coordinator, package, push, answer_seconds=0)
    assert first.state == SendState.SENT, first.message
    ran = run_intakes()  # the POST queued exactly one intake job; the worker runs it
    assert [job.status for job in ran] == ["succeeded"], [job.message for job in ran]
    received = ReceivedPackage.objects.get()
    assert received.member.country == "PY" and received.version == 1 and received.period == "2026"
    assert received.package()["id"] == package.package()["id"]
    again = do_send(coordinator, package, push, answer_seconds=5)  # nothing new goes; the answer is read
    assert again.state == SendState.ACCEPTED and "Accepted as version 1" in again.message
    assert not run_intakes() and ReceivedPackage.objects.count() == 1
    changes = [e.changes for e in AuditEntry.objects.filter(content_type__model="packagesend")]
    assert {"state": [SendState.SENDING, SendState.ACCEPTED]} in [{k: v} for c in changes for k, v in c.items()]
    page = signed_in(coordinator).get(reverse("regional:package_detail", args=[package.pk])).content.decode()
    assert "Accepted by the regional programme" in page and 'id="send-form"' in page


def test_a_refusal_comes_back_with_the_regional_sides_reason(setup: dict[str, Any]) -> None:
    Member.objects.filter(country="PY").update(identity_id="identity--00000000-0000-4000-8000-000000000001")
    do_send(setup["coordinator"], setup["package"], setup["push"], answer_seconds=0)
    run_intakes()
    refusal = PackageRefusal.objects.get()
    assert refusal.code == "forged-identity" and not ReceivedPackage.objects.exists()
    answer = do_send(setup["coordinator"], setup["package"], setup["push"], answer_seconds=5)
    assert answer.state == SendState.REFUSED and "forged-identity" in answer.message
    assert "created_by_ref" in answer.message


def test_an_unreachable_programme_is_said_and_nothing_is_taken_in(setup: dict[str, Any]) -> None:
    push = setup["push"]
    Push.objects.filter(pk=push.pk).update(api_root_url=f"http://127.0.0.1:{free_port()}/taxii2/api/")
    push.refresh_from_db()
    sending = do_send(setup["coordinator"], setup["package"], push, answer_seconds=0)
    assert sending.state == SendState.UNREACHABLE and "could not be reached" in sending.message
    assert not Job.objects.filter(kind=REGIONAL_INTAKE).exists()


def test_only_an_approved_package_goes_and_only_to_a_regional_programme(setup: dict[str, Any], world: World) -> None:
    coordinator = setup["coordinator"]
    draft = do_build_draft(coordinator, world.org_a, "2026-Q1")
    with pytest.raises(ValidationError, match="approved"):
        do_send(coordinator, draft, setup["push"])
    Push.objects.filter(pk=setup["push"].pk).update(recipient=world.org_b)
    with pytest.raises(ValidationError, match="regional programme"):
        do_send(coordinator, setup["package"], Push.objects.get(pk=setup["push"].pk))
    assert not PackageSend.objects.exists()


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_queues_a_send_for_approvers_only(setup: dict[str, Any], world: World) -> None:
    package, push = setup["package"], setup["push"]
    url = reverse("regional:package_send", args=[package.pk])
    assert signed_in(world.users[Role.ANALYST]).post(url, {"push": push.pk}).status_code == 403
    response = signed_in(setup["coordinator"]).post(url, {"push": push.pk})
    job = Job.objects.get(kind=REGIONAL_SEND)
    assert response.status_code == 302 and job.parameters == {"package": package.pk, "push": push.pk}
    response = signed_in(setup["coordinator"]).post(url, {"push": "x"}, follow=True)
    assert "choose a TAXII push" in response.content.decode()
    assert Job.objects.filter(kind=REGIONAL_SEND).count() == 1


def test_the_command_sends_and_says_how_it_went(setup: dict[str, Any]) -> None:
    out = StringIO()
    call_command(
        "regional",
        "send",
        "--period",
        "2026",
        "--push",
        "to the programme",
        "--organisation",
        "authority-a",
        "--by",
        "a-coordinator",
        "--wait",
        "0",
        stdout=out,
    )
    assert "Sent; the regional programme has not answered yet" in out.getvalue()
    with pytest.raises(CommandError, match="no approved package"):
        call_command(
            "regional",
            "send",
            "--period",
            "2025",
            "--push",
            "to the programme",
            "--organisation",
            "authority-a",
            "--by",
            "a-coordinator",
        )
    with pytest.raises(CommandError, match="may not send"):
        call_command(
            "regional",
            "send",
            "--period",
            "2026",
            "--push",
            "to the programme",
            "--organisation",
            "authority-a",
            "--by",
            "a-analyst",
        )
    assert StatisticsPackage.objects.count() == 1
