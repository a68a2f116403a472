"""Platform behaviour: sign-in protection, security headers, audit log pages, memberships, admin, errors."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry, Membership, User
from cyberplan.gaps.models import Gap
from cyberplan.jobs.models import Job
from tests.conftest import PASSWORD, World


@pytest.mark.slow
def test_login_is_rate_limited(world: World) -> None:
    client = Client()
    user = world.users[Role.VIEWER]
    for _ in range(4):
        response = client.post("/login/", {"username": user.username, "password": "wrong-password"})
        assert response.status_code == 200
    # The fifth failure locks the user name from this address.
    assert client.post("/login/", {"username": user.username, "password": "wrong"}).status_code == 429
    # Locked now, even with the right password.
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_login_works_and_lands_on_the_overview(world: World) -> None:
    client = Client()
    response = client.post(
        "/login/", {"username": world.users[Role.ANALYST].username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"
    assert "Authority A" in response.content.decode()


def test_security_headers(world: World) -> None:
    client = Client()
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.content.decode()
    # No inline script and no inline style anywhere in the layout.
    assert "<script>" not in body
    assert " style=" not in body
    assert 'src="/static/vendor/htmx/htmx.min.js"' in body


def test_audit_log_pages_filter_and_detail(world: World, make_gap: Callable[..., Gap]) -> None:
    make_gap(title_en="Audited gap")
    client = Client()
    client.force_login(world.users[Role.ADMINISTRATOR])
    page = client.get("/audit/").content.decode()
    assert "Audited gap" in page
    assert "Audited gap" not in client.get("/audit/", {"action": "delete"}).content.decode()
    assert client.get("/audit/", {"since": "2030-01-02", "until": "2030-01-01"}).status_code == 400
    entry = AuditEntry.objects.filter(content_type__model="gap").get()
    detail = client.get(f"/audit/{entry.pk}/").content.decode()
    assert "Audited gap" in detail
    assert "Title (English)" in detail and "title_en" not in detail  # the field by its label
    # The viewer role does not read the audit log.
    viewer = Client()
    viewer.force_login(world.users[Role.VIEWER])
    assert viewer.get("/audit/").status_code == 403
    assert viewer.get(f"/audit/{entry.pk}/").status_code == 404


def test_membership_management_is_audited(world: World) -> None:
    client = Client()
    client.force_login(world.users[Role.ADMINISTRATOR])
    response = client.post(f"/organisations/{world.org_a.pk}/", {"username": "nobody", "role": Role.VIEWER})
    assert response.status_code == 302
    membership = Membership.objects.get(user=world.nobody)
    client.post(f"/memberships/{membership.pk}/", {"action": "role", "role": Role.ANALYST})
    client.post(f"/memberships/{membership.pk}/", {"action": "remove"})
    actions = list(
        AuditEntry.objects.filter(content_type__model="membership", object_id=str(membership.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]
    response = client.post(f"/organisations/{world.org_a.pk}/", {"username": "ghost", "role": Role.VIEWER})
    assert response.status_code == 400
    assert "There is no active user named ghost." in response.content.decode()


def test_admin_changes_are_audited(world: World) -> None:
    admin_user = User.objects.create_superuser("root-admin", password=PASSWORD)
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        f"/admin/core/organisation/{world.org_b.pk}/change/",
        {"name": "CSIRT B renamed", "acronym": "CB", "slug": "csirt-b", "type": "national_csirt", "country": "UY"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.filter(content_type__model="organisation", object_id=str(world.org_b.pk)).latest("id")
    assert entry.source == "admin"
    assert entry.changes["name"] == ["CSIRT B", "CSIRT B renamed"]


def test_error_pages_do_not_leak(world: World) -> None:
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    response = client.get("/gaps/999999/")
    assert response.status_code == 404
    assert "There is nothing here, or it is not shared with you." in response.content.decode()
    assert client.get("/api/gaps/not-a-number/").status_code == 404
    assert client.get("/jobs/not-a-uuid/").status_code == 404


def test_healthz() -> None:
    assert Client().get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy configured: the header is ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),  # a client-supplied first entry is not trusted
        (2, "198.51.100.7, 203.0.113.9", "198.51.100.7"),
        (1, "not-an-address", "127.0.0.1"),
        (2, "203.0.113.9", "127.0.0.1"),  # fewer hops than configured: fall back to the peer
    ],
)
def test_client_address_behind_proxies(settings, hops: int, forwarded: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    from django.test import RequestFactory

    from cyberplan.core.security import client_ip

    settings.CYBERPLAN_PROXY_COUNT = hops
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == expected


def test_job_output_downloads_through_the_api_with_a_token(world: World, tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.base import ContentFile

    from cyberplan.core.actions import do_create_api_token

    def bearer(user: User) -> str:
        _token, secret = do_create_api_token(
            user, user, name="script", expires_at=timezone.now() + datetime.timedelta(days=1)
        )
        return f"Bearer {secret}"

    settings.MEDIA_ROOT = tmp_path
    job = Job.objects.create(kind="audit_export", organisation=world.org_a, status="succeeded")
    job.output.save("audit.csv", ContentFile(b"timestamp,actor\n"), save=True)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=bearer(world.users[Role.ADMINISTRATOR]))
    detail = api.get(f"/api/jobs/{job.pk}/").json()
    assert detail["download_url"] == f"/api/jobs/{job.pk}/download/"
    response = api.get(detail["download_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"timestamp,actor\n"
    api.credentials(HTTP_AUTHORIZATION=bearer(world.outsider))
    assert api.get(detail["download_url"]).status_code == 404
