"""Sign-in: the limit per address across user names, two-factor sign-in (TOTP and recovery codes), the
second factor required of administrators and coordinators, and the audit of all of it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from cyberplan.core.choices import AuditAction, Role
from cyberplan.core.models import AuditEntry
from tests.conftest import PASSWORD, World


@pytest.fixture(autouse=True)
def _own_cache(settings: Settings) -> Iterator[None]:
    # Used TOTP codes and rate limits live in the cache: each test starts with an empty one of its own.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "signin"}}
    cache.clear()
    yield
    cache.clear()


def sign_in(client: Client, username: str, password: str = PASSWORD, address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"login": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def activate_totp(client: Client, on_commit: Callable[..., Any]) -> str:
    """Set up an authenticator app through the pages, as a person would; returns the secret.

    ``on_commit`` is pytest-django's ``django_capture_on_commit_callbacks``: allauth announces the new
    authenticator once the transaction commits, and the test's transaction never does."""
    page = client.get(reverse("mfa_activate_totp"))
    # Changing the second factors asks for the password again, even just after signing in.
    assert page.status_code == 302 and page["Location"].startswith(reverse("account_reauthenticate"))
    confirmed = client.post(page["Location"], {"password": PASSWORD})
    assert confirmed.status_code == 302 and confirmed["Location"] == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret in page.content.decode()  # shown for typing into the app, beside the QR code
    with on_commit(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302, response.content.decode()
    return str(secret)


def wrong_code(secret: str) -> str:
    """A six-digit code that no step near the present accepts."""
    totp = pyotp.TOTP(secret)
    accepted = {totp.at(time.time() + step * 30) for step in (-2, -1, 0, 1, 2)}
    return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in accepted)


@pytest.mark.slow
def test_an_address_trying_many_user_names_is_locked(world: World) -> None:
    limit = settings.CYBERPLAN_LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit > settings.CYBERPLAN_LOGIN_FAILURE_LIMIT
    attacker = Client()
    # One wrong password for each of many user names: no pair reaches its own limit.
    for number in range(limit - 1):
        assert sign_in(attacker, f"guess-{number}", "wrong-password", "198.51.100.7").status_code == 200
    # The failure that reaches the address's limit locks the address, whatever the user name.
    assert sign_in(attacker, "guess-last", "wrong-password", "198.51.100.7").status_code == 429
    response = sign_in(attacker, world.users[Role.ANALYST].username, PASSWORD, "198.51.100.7")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts from your address" in response.content.decode()
    assert not signed_in(attacker)
    # Another address is not affected.
    other = Client()
    assert sign_in(other, world.users[Role.ANALYST].username, PASSWORD, "198.51.100.8").status_code == 302


def test_everyone_finds_two_factor_sign_in_on_the_account_page(world: World) -> None:
    client = Client()
    sign_in(client, world.users[Role.VIEWER].username)
    page = client.get(reverse("core:account")).content.decode()
    assert f'href="{reverse("mfa_index")}"' in page
    assert client.get(reverse("mfa_index")).status_code == 200


@pytest.mark.slow
def test_totp_sign_in_asks_for_the_code_of_the_app(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    user = world.users[Role.ANALYST]
    client = Client()
    assert sign_in(client, user.username)["Location"] == "/"
    secret = activate_totp(client, django_capture_on_commit_callbacks)
    client.post("/logout/")

    # The password alone no longer signs in: the second step asks for the app's code.
    response = sign_in(client, user.username)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert not signed_in(client)
    assert client.get("/").status_code == 302
    refused = client.post(reverse("mfa_authenticate"), {"code": wrong_code(secret)})
    assert refused.status_code == 200 and "Incorrect code." in refused.content.decode()
    assert not signed_in(client)

    code = pyotp.TOTP(secret).now()
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client) and client.get("/").status_code == 200

    # A code works once: someone who saw it cannot sign in with it again.
    client.post("/logout/")
    sign_in(client, user.username)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200
    assert not signed_in(client)

    entries = AuditEntry.objects.filter(object_id=str(user.pk), content_type__model="user")
    methods = [e.changes["method"][1] for e in entries.filter(action=AuditAction.SIGN_IN).order_by("pk")]
    assert methods == ["password", "password+totp"]
    failures = [e.changes["step"][1] for e in entries.filter(action=AuditAction.SIGN_IN_FAILED).order_by("pk")]
    assert failures == ["second_factor", "second_factor"]
    added = AuditEntry.objects.filter(action=AuditAction.CREATE, content_type__model="authenticator")
    assert sorted(e.changes["type"][1] for e in added) == ["recovery_codes", "totp"]
    assert all(secret not in str(e.changes) for e in AuditEntry.objects.all())


@pytest.mark.slow
def test_a_recovery_code_signs_in_once_only(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    user = world.users[Role.VIEWER]
    client = Client()
    sign_in(client, user.username)
    activate_totp(client, django_capture_on_commit_callbacks)
    page = client.get(reverse("mfa_view_recovery_codes"))
    codes = list(page.context["unused_codes"])
    assert len(codes) == settings.MFA_RECOVERY_CODE_COUNT
    client.post("/logout/")

    sign_in(client, user.username)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302 and signed_in(client)
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert stored.wrap().get_unused_codes() == codes[1:]
    client.post("/logout/")

    sign_in(client, user.username)
    again = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert again.status_code == 200 and not signed_in(client)
    assert client.post(reverse("mfa_authenticate"), {"code": codes[1]}).status_code == 302
    assert signed_in(client)
    methods = [e.changes["method"][1] for e in AuditEntry.objects.filter(action=AuditAction.SIGN_IN).order_by("pk")]
    assert methods == ["password", "password+recovery_codes", "password+recovery_codes"]


def test_a_wrong_password_is_audited_against_the_account(world: World) -> None:
    user = world.users[Role.ANALYST]
    assert sign_in(Client(), user.username, "wrong-password", "203.0.113.9").status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert entry.object_id == str(user.pk) and entry.actor is None
    assert entry.changes == {"address": [None, "203.0.113.9"], "step": [None, "password"]}


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.COORDINATOR])
def test_administrators_and_coordinators_must_set_up_a_second_factor(
    world: World, settings: Settings, role: str, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    settings.CYBERPLAN_MFA_REQUIRED = True
    user = world.users[role]
    client = Client()
    assert sign_in(client, user.username).status_code == 302
    # Every page leads to the two-factor set-up, and the API refuses the session.
    for path in ["/", "/gaps/", reverse("core:account"), "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_index"), path
    api = client.get("/api/gaps/")
    assert api.status_code == 403
    assert "requires two-factor sign-in" in api.json()["detail"]
    setup = client.get(reverse("mfa_index"))
    assert setup.status_code == 200
    assert "Your role requires two-factor sign-in" in setup.content.decode()

    activate_totp(client, django_capture_on_commit_callbacks)
    assert client.get("/").status_code == 200
    assert client.get("/api/gaps/").status_code == 200
    # The last authenticator app cannot be removed while the role requires one.
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert "You cannot deactivate two-factor authentication." in response.content.decode()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.CONTRIBUTOR, Role.VIEWER, Role.EXTERNAL_PARTNER])
def test_other_roles_may_sign_in_with_a_password_only(world: World, settings: Settings, role: str) -> None:
    settings.CYBERPLAN_MFA_REQUIRED = True
    client = Client()
    assert sign_in(client, world.users[role].username).status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/api/gaps/").status_code == 200


def test_sign_in_returns_to_the_page_asked_for_and_the_admin_uses_it(world: World) -> None:
    client = Client()
    asked = client.get("/gaps/")
    assert asked.status_code == 302 and asked["Location"] == "/login/?next=/gaps/"
    response = client.post(
        "/login/?next=/gaps/", {"login": world.users[Role.ANALYST].username, "password": PASSWORD, "next": "/gaps/"}
    )
    assert response.status_code == 302 and response["Location"] == "/gaps/"
    # The admin's own sign-in form would skip the second step: it sends people to this one.
    admin = Client().get("/admin/login/")
    assert admin.status_code == 302 and admin["Location"].startswith("/login/?next=/admin/login/")
