"""The workspace: the overview page and its sections, the audit log export, the demo workspace."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings
from rest_framework.test import APIClient

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry, Membership, Organisation, User
from cyberplan.core.sections import SECTIONS
from cyberplan.gaps.models import Gap
from cyberplan.jobs.models import Job
from cyberplan.workspace.demo import DEMO_PASSWORD, build_demo_workspace
from tests.conftest import World


@pytest.mark.slow
def test_every_section_page_says_what_it_will_hold(world: World) -> None:
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    home = client.get("/").content.decode()
    for section in SECTIONS:
        response = client.get(f"/sections/{section.slug}/")
        if section.url_name:
            # A built section: the navigation links to it and its section page leads there.
            target = reverse(section.url_name)
            assert f'href="{target}"' in home
            assert response.status_code == 302
            assert response["Location"] == target
            assert client.get(target).status_code == 200
        else:
            # Not built yet: named as coming, not offered as a page; the old address still answers.
            assert f'href="/sections/{section.slug}/"' not in home
            assert response.status_code == 200
            assert str(section.summary)[:40] in response.content.decode()
    assert client.get("/sections/unknown/").status_code == 404


def test_audit_export_job_is_queued_for_the_worker(world: World, make_gap: Callable[..., Gap]) -> None:
    make_gap()
    api = APIClient()
    api.force_authenticate(world.users[Role.COORDINATOR])
    response = api.post("/api/jobs/", {"kind": "audit_export", "organisation": world.org_a.pk}, format="json")
    assert response.status_code == 201, response.json()
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == "queued"
    assert job.task_id
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(id=job.task_id).exists()
    # Viewers and other organisations may not start it.
    api.force_authenticate(world.users[Role.VIEWER])
    assert (
        api.post("/api/jobs/", {"kind": "audit_export", "organisation": world.org_a.pk}, format="json").status_code
        == 400
    )
    api.force_authenticate(world.outsider)
    assert api.get(f"/api/jobs/{job.pk}/").status_code == 404
    assert api.post("/api/jobs/", {"kind": "rm -rf", "organisation": world.org_b.pk}, format="json").status_code == 400


@pytest.mark.slow
def test_demo_workspace_is_idempotent_and_labelled(db: None) -> None:
    first = build_demo_workspace()
    counts = (Organisation.objects.count(), User.objects.count(), Membership.objects.count(), Gap.objects.count())
    audit_count = AuditEntry.objects.count()
    second = build_demo_workspace()
    assert first["organisations"] == 5
    assert first["gaps"] >= 4
    assert set(second.values()) == {0}
    assert counts == (
        Organisation.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Gap.objects.count(),
    )
    assert AuditEntry.objects.count() == audit_count
    assert all(o.is_demo for o in Organisation.objects.all())
    assert all("illustrative" in g.description_en.lower() for g in Gap.objects.all())
    client = Client()
    for username in ["demo-admin", "demo-viewer", "demo-partner", "demo-csirt"]:
        response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.get("/").status_code == 200
        client.post("/logout/")


def test_demo_is_refused_in_production(settings: Settings) -> None:
    from django.core.management import CommandError, call_command

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused when CYBERPLAN_ENV=production"):
        call_command("demo", "--no-serve")
