"""API tokens: several per user, named, expiring, read-only or not, bound to networks, revocable, audited."""

from __future__ import annotations

import datetime
import importlib
import io
import json
import logging
from collections.abc import Callable

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from cyberplan.core.actions import do_create_api_token
from cyberplan.core.choices import AuditAction, Role
from cyberplan.core.models import AuditEntry, User
from cyberplan.core.tokens import APIToken
from cyberplan.gaps.models import Gap
from tests.conftest import World


def make_token(user: User, days: int = 30, **values: object) -> tuple[APIToken, str]:
    values.setdefault("name", "script")
    return do_create_api_token(user, user, expires_at=timezone.now() + datetime.timedelta(days=days), **values)  # type: ignore[arg-type]


def bearer(secret: str, **extra: str) -> APIClient:
    api = APIClient(**extra)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api


def test_bearer_and_token_keywords_authenticate_as_the_user(world: World, make_gap: Callable[..., Gap]) -> None:
    gap = make_gap()
    _token, secret = make_token(world.users[Role.VIEWER])
    assert secret.startswith("cyp_")
    assert bearer(secret).get(f"/api/gaps/{gap.pk}/").status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get(f"/api/gaps/{gap.pk}/").status_code == 200
    # The outsider's token sees nothing of A: the token carries its user's rights, not more.
    _other, outsider_secret = make_token(world.outsider)
    assert bearer(outsider_secret).get(f"/api/gaps/{gap.pk}/").status_code == 404


def test_unknown_token_gets_401_with_a_bearer_challenge(world: World) -> None:
    response = bearer("cyp_not-a-real-token").get("/api/gaps/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"] == "Invalid token."


def test_several_named_tokens_per_user(world: World) -> None:
    user = world.users[Role.ANALYST]
    secrets = [make_token(user, name=name)[1] for name in ("nightly export", "dashboard")]
    assert len(set(secrets)) == 2
    for secret in secrets:
        assert bearer(secret).get("/api/organisations/").status_code == 200
    assert sorted(user.api_tokens.values_list("name", flat=True)) == ["dashboard", "nightly export"]


def test_the_secret_is_stored_only_as_a_hash(world: World) -> None:
    token, secret = make_token(world.users[Role.ANALYST])
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_apitoken")
        rows = cursor.fetchall()
    stored = " ".join(str(value) for row in rows for value in row)
    assert secret not in stored
    assert secret[len(token.prefix) :] not in stored
    assert token.prefix in stored
    audit_text = json.dumps([entry.changes for entry in AuditEntry.objects.all()])
    assert secret not in audit_text
    assert token.key_hash not in audit_text


def test_expired_token_gets_401_saying_so(world: World) -> None:
    token, secret = make_token(world.users[Role.ANALYST])
    APIToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = bearer(secret).get("/api/organisations/")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("This token expired on ")


def test_revoked_token_gets_401_saying_so(world: World) -> None:
    user = world.users[Role.ANALYST]
    token, secret = make_token(user)
    assert bearer(secret).get("/api/organisations/").status_code == 200
    web = Client()
    web.force_login(user)
    assert web.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    response = bearer(secret).get("/api/organisations/")
    assert response.status_code == 401
    assert response.json()["detail"] == "This token was revoked."


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_read_only_token_gets_403_on_every_unsafe_method(
    world: World, make_gap: Callable[..., Gap], method: str
) -> None:
    gap = make_gap()
    _token, secret = make_token(world.users[Role.ADMINISTRATOR], read_only=True)
    api = bearer(secret)
    assert api.get(f"/api/gaps/{gap.pk}/").status_code == 200
    path = "/api/gaps/" if method == "post" else f"/api/gaps/{gap.pk}/"
    body = {"organisation": world.org_a.pk, "title_en": "Changed", "version": gap.version}
    response = getattr(api, method)(path, body, format="json")
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    gap.refresh_from_db()
    assert gap.title_en == "Missing incident reporting obligation"
    assert Gap.objects.count() == 1


def test_a_read_write_token_never_does_more_than_its_users_role(world: World, make_gap: Callable[..., Gap]) -> None:
    gap = make_gap()
    _token, secret = make_token(world.users[Role.VIEWER])
    response = bearer(secret).patch(
        f"/api/gaps/{gap.pk}/", {"title_en": "Changed", "version": gap.version}, format="json"
    )
    assert response.status_code == 403
    assert bearer(secret).delete(f"/api/gaps/{gap.pk}/").status_code == 403


def test_allowed_networks_are_checked_against_the_client_address(world: World) -> None:
    _token, secret = make_token(world.users[Role.ANALYST], allowed_networks=["192.0.2.0/24", "2001:db8::/32"])
    assert bearer(secret, REMOTE_ADDR="192.0.2.7").get("/api/organisations/").status_code == 200
    assert bearer(secret, REMOTE_ADDR="2001:db8::5").get("/api/organisations/").status_code == 200
    response = bearer(secret, REMOTE_ADDR="198.51.100.1").get("/api/organisations/")
    assert response.status_code == 401
    assert response.json()["detail"] == "This token may not be used from your address (198.51.100.1)."


def test_allowed_networks_behind_a_proxy_use_the_forwarded_address(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CYBERPLAN_PROXY_COUNT = 1
    _token, secret = make_token(world.users[Role.ANALYST], allowed_networks=["192.0.2.0/24"])
    # The proxy (127.0.0.1) appends the client it saw; an address the client wrote further left is ignored.
    allowed = bearer(secret, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 192.0.2.7")
    assert allowed.get("/api/organisations/").status_code == 200
    forged = bearer(secret, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.7, 203.0.113.9")
    response = forged.get("/api/organisations/")
    assert response.status_code == 401
    assert "203.0.113.9" in response.json()["detail"]


def test_last_use_is_written_at_most_once_a_minute(world: World) -> None:
    token, secret = make_token(world.users[Role.ANALYST])
    api = bearer(secret, REMOTE_ADDR="192.0.2.7")
    assert api.get("/api/organisations/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_ip == "192.0.2.7"
    assert token.last_used_at is not None
    recent = timezone.now() - datetime.timedelta(seconds=30)
    APIToken.objects.filter(pk=token.pk).update(last_used_at=recent, last_used_ip="192.0.2.1")
    assert api.get("/api/organisations/").status_code == 200
    token.refresh_from_db()
    assert (token.last_used_at, token.last_used_ip) == (recent, "192.0.2.1")
    APIToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - datetime.timedelta(seconds=61))
    assert api.get("/api/organisations/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > recent
    assert token.last_used_ip == "192.0.2.7"


def test_account_page_creates_a_token_shows_it_once_and_audits_it(world: World) -> None:
    user = world.users[Role.ANALYST]
    web = Client()
    web.force_login(user)
    response = web.post(
        "/account/tokens/",
        {"name": "nightly <b>export</b>", "lifetime": "30", "read_only": "on", "allowed_networks": "192.0.2.0/24\n"},
    )
    assert response.status_code == 200
    token = user.api_tokens.get()
    secret = response.context["new_secret"]
    assert secret.encode() in response.content
    assert b"nightly &lt;b&gt;export&lt;/b&gt;" in response.content
    assert response["Cache-Control"] == "no-store"
    assert token.read_only
    assert token.allowed_networks == ["192.0.2.0/24"]
    assert abs(token.expires_at - (timezone.now() + datetime.timedelta(days=30))) < datetime.timedelta(minutes=1)
    page = web.get("/account/")
    assert secret.encode() not in page.content
    assert token.prefix.encode() in page.content
    entry = AuditEntry.objects.get(object_id=str(token.pk), content_type__model="apitoken")
    assert entry.action == AuditAction.CREATE
    assert entry.actor == user
    assert entry.changes["read_only"] == [None, True]
    assert entry.changes["allowed_networks"] == [None, ["192.0.2.0/24"]]
    assert "key_hash" not in entry.changes

    assert web.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    revoked = AuditEntry.objects.filter(object_id=str(token.pk), action=AuditAction.UPDATE).get()
    assert revoked.changes["revoked_at"][0] is None
    assert revoked.changes["revoked_at"][1]


def test_account_page_names_the_bad_line_of_the_networks(world: World) -> None:
    web = Client()
    web.force_login(world.users[Role.ANALYST])
    response = web.post(
        "/account/tokens/", {"name": "x", "lifetime": "30", "allowed_networks": "192.0.2.0/24\n10.0.0.1/8\nnope"}
    )
    assert response.status_code == 400
    assert "Line 2: “10.0.0.1/8” has host bits set; did you mean 10.0.0.0/8?" in response.content.decode()
    assert "Line 3: “nope” is not an IP address" in response.content.decode()
    assert not APIToken.objects.exists()


def test_account_page_refuses_a_lifetime_beyond_the_maximum(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CYBERPLAN_API_TOKEN_MAX_DAYS = 30
    web = Client()
    web.force_login(world.users[Role.ANALYST])
    assert b'value="365"' not in web.get("/account/").content
    response = web.post("/account/tokens/", {"name": "x", "lifetime": "365"})
    assert response.status_code == 400
    assert not APIToken.objects.exists()


@pytest.mark.slow
def test_other_users_tokens_are_invisible(world: World) -> None:
    make_token(world.users[Role.ANALYST], name="mine")
    theirs, their_secret = make_token(world.outsider, name="theirs")
    web = Client()
    web.force_login(world.users[Role.ANALYST])
    page = web.get("/account/").content.decode()
    assert "mine" in page and "theirs" not in page
    assert web.post(f"/account/tokens/{theirs.pk}/revoke/").status_code == 404
    api = APIClient()
    api.force_authenticate(world.users[Role.ANALYST])
    assert [t["name"] for t in api.get("/api/tokens/").json()["results"]] == ["mine"]
    assert api.get(f"/api/tokens/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/tokens/{theirs.pk}/revoke/").status_code == 404
    assert bearer(their_secret).get("/api/organisations/").status_code == 200


@pytest.mark.slow
def test_api_creates_lists_and_revokes_tokens(world: World) -> None:
    user = world.users[Role.COORDINATOR]
    api = APIClient()
    api.force_login(user)
    response = api.post("/api/tokens/", {"name": "dashboard", "read_only": True}, format="json")
    assert response.status_code == 201
    body = response.json()
    secret = body["token"]
    assert body["status"] == "active" and body["read_only"] is True
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + datetime.timedelta(days=90))) < datetime.timedelta(minutes=1)
    assert bearer(secret).get("/api/organisations/").status_code == 200
    listed = api.get("/api/tokens/").json()["results"]
    assert [t["prefix"] for t in listed] == [body["prefix"]]
    assert "token" not in listed[0]
    assert api.post(f"/api/tokens/{body['id']}/revoke/").json()["status"] == "revoked"
    assert bearer(secret).get("/api/organisations/").status_code == 401
    assert (
        AuditEntry.objects.filter(content_type__model="apitoken", object_id=str(body["id"]), source="api").count() == 2
    )


def test_api_refuses_bad_token_requests_by_field(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CYBERPLAN_API_TOKEN_MAX_DAYS = 30
    api = APIClient()
    api.force_login(world.users[Role.ANALYST])
    response = api.post(
        "/api/tokens/",
        {"name": "", "expires_in_days": 31, "allowed_networks": ["192.0.2.0/24", "300.1.1.1"]},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"name", "expires_in_days", "allowed_networks"}
    assert errors["expires_in_days"] == ["A token may live at most 30 days."]
    assert "Entry 2: “300.1.1.1” is not an IP address" in errors["allowed_networks"][0]
    assert not APIToken.objects.exists()


def test_a_token_creates_no_token_that_lives_longer_or_reaches_further(world: World) -> None:
    user = world.users[Role.ANALYST]
    _parent, secret = make_token(user, days=10, allowed_networks=["192.0.2.0/24"])
    api = bearer(secret, REMOTE_ADDR="192.0.2.7")
    longer = api.post("/api/tokens/", {"name": "longer", "expires_in_days": 30}, format="json")
    assert longer.status_code == 400
    assert "cannot expire later" in longer.json()["expires_in_days"][0]
    wider = api.post(
        "/api/tokens/", {"name": "wider", "expires_in_days": 5, "allowed_networks": ["192.0.0.0/16"]}, format="json"
    )
    assert wider.status_code == 400
    assert "192.0.0.0/16" in wider.json()["allowed_networks"][0]
    inherited = api.post("/api/tokens/", {"name": "child", "expires_in_days": 5}, format="json")
    assert inherited.status_code == 201
    assert inherited.json()["allowed_networks"] == ["192.0.2.0/24"]
    narrower = api.post(
        "/api/tokens/", {"name": "narrower", "expires_in_days": 5, "allowed_networks": ["192.0.2.8/29"]}, format="json"
    )
    assert narrower.status_code == 201
    assert user.api_tokens.count() == 3


def test_a_read_only_token_cannot_create_tokens(world: World) -> None:
    _token, secret = make_token(world.users[Role.ANALYST], read_only=True)
    assert bearer(secret).post("/api/tokens/", {"name": "escalate"}, format="json").status_code == 403
    assert APIToken.objects.count() == 1


def test_refused_tokens_are_logged_without_the_secret(world: World, caplog: pytest.LogCaptureFixture) -> None:
    token, secret = make_token(world.users[Role.ANALYST], allowed_networks=["192.0.2.0/24"])
    with caplog.at_level(logging.WARNING, logger="cyberplan.security"):
        assert bearer(secret, REMOTE_ADDR="198.51.100.1").get("/api/organisations/").status_code == 401
        assert bearer("cyp_wrong", REMOTE_ADDR="198.51.100.1").get("/api/organisations/").status_code == 401
    messages = [r.getMessage() for r in caplog.records if r.name == "cyberplan.security"]
    assert len(messages) == 2
    assert "address not allowed" in messages[0] and token.prefix in messages[0] and "198.51.100.1" in messages[0]
    assert "unknown token" in messages[1]
    assert all(secret not in m and "cyp_wrong" not in m for m in messages)


def test_legacy_tokens_are_converted_hashed_and_expiring(world: World) -> None:
    """The former single token per user keeps working as a token named "legacy", and the clear-text table goes."""
    migration = importlib.import_module("cyberplan.core.migrations.0004_legacy_api_tokens")
    user = world.users[Role.VIEWER]
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        # The column types of the former table, as this database spells them.
        created_type = connection.data_types["DateTimeField"]
        cursor.execute(
            f'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, created {created_type} NOT NULL, user_id bigint NOT NULL)'
        )
        cursor.execute(
            'INSERT INTO authtoken_token ("key", created, user_id) VALUES (%s, %s, %s)',
            [old_key, timezone.now() - datetime.timedelta(days=400), user.pk],
        )
    ContentType.objects.create(app_label="authtoken", model="token")
    assert migration.convert_legacy_tokens(django_apps, connection) == 1
    assert "authtoken_token" not in connection.introspection.table_names()
    assert not ContentType.objects.filter(app_label="authtoken").exists()
    token = user.api_tokens.get()
    assert token.name == "legacy" and not token.read_only
    assert token.created_at < timezone.now() - datetime.timedelta(days=399)
    assert old_key not in json.dumps([token.key_hash, token.prefix])
    assert abs(token.expires_at - (timezone.now() + datetime.timedelta(days=90))) < datetime.timedelta(minutes=1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old_key}")
    assert api.get("/api/organisations/").status_code == 200


def test_operator_commands_create_list_and_revoke(world: World) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "tokens", "create", "--user", "a-analyst", "--name", "siem feed", "--days", "7", "--read-only",
        "--network", "192.0.2.0/24", stdout=out, stderr=err,
    )  # fmt: skip
    secret = out.getvalue().strip()
    assert secret.startswith("cyp_")
    assert "shown only this once" in err.getvalue()
    token = APIToken.objects.get()
    assert (token.name, token.read_only, token.allowed_networks) == ("siem feed", True, ["192.0.2.0/24"])
    assert bearer(secret, REMOTE_ADDR="192.0.2.1").get("/api/organisations/").status_code == 200
    assert AuditEntry.objects.filter(content_type__model="apitoken", actor_name="system").count() == 1

    listing = io.StringIO()
    call_command("tokens", "list", stdout=listing)
    assert "siem feed" in listing.getvalue() and token.prefix in listing.getvalue()
    assert secret not in listing.getvalue()

    revoked = io.StringIO()
    call_command("tokens", "revoke", str(token.pk), stdout=revoked)
    assert f"Revoked token {token.pk}" in revoked.getvalue()
    assert bearer(secret, REMOTE_ADDR="192.0.2.1").get("/api/organisations/").status_code == 401


def test_operator_commands_explain_bad_input(world: World) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="There is no user named 'ghost'"):
        call_command("tokens", "create", "--user", "ghost", "--name", "x")
    with pytest.raises(CommandError, match=r"--network: Entry 1: “10.0.0.1/8” has host bits set"):
        call_command("tokens", "create", "--user", "a-analyst", "--name", "x", "--network", "10.0.0.1/8")
    with pytest.raises(CommandError, match="--days: A token may live at most 365 days"):
        call_command("tokens", "create", "--user", "a-analyst", "--name", "x", "--days", "400")
    with pytest.raises(CommandError, match="There is no token with id 999"):
        call_command("tokens", "revoke", "999")
    assert not APIToken.objects.exists()


def test_operators_see_and_revoke_tokens_in_the_admin(world: World) -> None:
    token, secret = make_token(world.users[Role.ANALYST], name="leaked")
    operator = User.objects.create_superuser("root-admin", password="correct-horse-battery-staple")
    web = Client()
    web.force_login(operator)
    page = web.get("/admin/core/apitoken/")
    assert page.status_code == 200 and token.prefix in page.content.decode()
    assert token.key_hash not in web.get(f"/admin/core/apitoken/{token.pk}/change/").content.decode()
    assert web.get("/admin/core/apitoken/add/").status_code == 403
    response = web.post("/admin/core/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    assert bearer(secret).get("/api/organisations/").status_code == 401
    entry = AuditEntry.objects.get(content_type__model="apitoken", action=AuditAction.UPDATE)
    assert (entry.actor, entry.source) == (operator, "admin")
