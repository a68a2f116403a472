"""Single sign-on through OpenID Connect, against a real provider: a separate process running
django-oauth-toolkit on the loopback address (``tests/oidc_provider/``). Nothing of the protocol is mocked:
cyberplan reads the provider's discovery document, the person signs in at the provider, and cyberplan
exchanges the code, checks the signed ID token against the provider's keys and reads the user info."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from pytest_django import Settings

from cyberplan.core.choices import AuditAction, Role
from cyberplan.core.models import AuditEntry, Membership, User
from tests.conftest import PASSWORD, World
from tests.core.test_settings import GOOD_KEY, run_cli

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CALLBACK = "/accounts/oidc/sso/login/callback/"
CLIENT_ID = "cyberplan-test"
CLIENT_SECRET = "a-client-secret-for-the-loopback-provider-only"
READY_SECONDS = 60


@dataclass
class Provider:
    url: str  # the issuer
    process: subprocess.Popen[bytes]
    log: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    folder = tmp_path_factory.mktemp("identity-provider")
    port = free_port()
    config = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": f"http://testserver{CALLBACK}",
        "users": [
            {"username": "ana", "password": "ana-at-the-provider", "email": "Analyst@Authority-A.example"},
            {"username": "stranger", "password": "stranger-at-the-provider", "email": "stranger@elsewhere.example"},
        ],
    }
    env = {**os.environ, "PROVIDER_DB": str(folder / "provider.sqlite3")}
    log = folder / "provider.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider.serve", str(port), json.dumps(config)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    issuer = f"http://127.0.0.1:{port}/o"
    try:
        # Ready when the discovery document answers (or fail with the provider's own output).
        deadline = time.monotonic() + READY_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"The identity provider stopped:\n{log.read_text(errors='replace')}")
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or slow on a busy machine
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"The identity provider did not answer:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)
        yield Provider(url=issuer, process=process, log=log)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def sso(settings: Settings, provider: Provider) -> Provider:
    """cyberplan configured for the provider, as the CYBERPLAN_OIDC_* variables would configure it."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": "Authority A directory",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {"server_url": provider.url, "scope": ["openid", "email", "profile"]},
                }
            ],
        }
    }
    return provider


def sign_in_through_provider(client: Client, provider: Provider, username: str, password: str):  # type: ignore[no-untyped-def]
    """The person's browser: cyberplan's button, the provider's sign-in form, back to cyberplan."""
    start = client.post("/accounts/oidc/sso/login/")
    assert start.status_code == 302, start.content.decode()
    authorize = start["Location"]
    assert authorize.startswith(f"{provider.url}/authorize/"), authorize
    browser = requests.Session()
    login_page = browser.get(authorize, timeout=10)  # not signed in at the provider: its sign-in form
    assert login_page.status_code == 200 and "/login/" in login_page.url
    answer = browser.post(
        login_page.url,
        data={"username": username, "password": password, "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        headers={"Referer": login_page.url},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    back = browser.get(
        f"{provider.url.rsplit('/o', 1)[0]}{answer.headers['Location']}", allow_redirects=False, timeout=10
    )
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["Location"])
    assert callback.path == CALLBACK and "code=" in callback.query
    return client.get(f"{callback.path}?{callback.query}")


def test_the_sign_in_page_offers_single_sign_on(sso: Provider, db: None) -> None:
    page = Client().get("/login/").content.decode()
    assert "Sign in with Authority A directory" in page
    assert 'action="/accounts/oidc/sso/login/' in page


def test_single_sign_on_links_the_account_with_the_same_verified_address(sso: Provider, world: World) -> None:
    analyst = world.users[Role.ANALYST]
    analyst.email = "analyst@authority-a.example"
    analyst.save()
    memberships = list(Membership.objects.values_list("user_id", "organisation_id", "role"))
    client = Client()

    response = sign_in_through_provider(client, sso, "ana", "ana-at-the-provider")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(analyst.pk)
    assert client.get("/").status_code == 200

    account = SocialAccount.objects.get()
    assert (account.user_id, account.provider) == (analyst.pk, "sso")
    # The account keeps its password, and nobody got a role they did not have.
    assert User.objects.get(pk=analyst.pk).check_password(PASSWORD)
    assert list(Membership.objects.values_list("user_id", "organisation_id", "role")) == memberships
    linked = AuditEntry.objects.get(action=AuditAction.CREATE, content_type__model="socialaccount")
    assert linked.actor == analyst and linked.changes["provider"] == [None, "sso"]
    signed = AuditEntry.objects.get(action=AuditAction.SIGN_IN)
    assert signed.changes["method"] == [None, "sso"]

    # The next time, the link is used as it is.
    again = Client()
    assert sign_in_through_provider(again, sso, "ana", "ana-at-the-provider")["Location"] == "/"
    assert again.session["_auth_user_id"] == str(analyst.pk)
    assert SocialAccount.objects.count() == 1


def test_single_sign_on_without_a_matching_account_creates_nothing(sso: Provider, world: World) -> None:
    users = User.objects.count()
    client = Client()
    response = sign_in_through_provider(client, sso, "stranger", "stranger-at-the-provider")
    assert "_auth_user_id" not in client.session
    page = (
        response.content.decode() if response.status_code == 200 else client.get(response["Location"]).content.decode()
    )
    assert "No cyberplan account for this sign-in" in page
    assert User.objects.count() == users
    assert not SocialAccount.objects.exists()


PRODUCTION = {"CYBERPLAN_ENV": "production", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "cyberplan.example.org"}
CLIENT = {"CYBERPLAN_OIDC_CLIENT_ID": "cyberplan", "CYBERPLAN_OIDC_CLIENT_SECRET": "s3cret"}


@pytest.mark.parametrize(
    ("overrides", "sentence"),
    [
        (
            {"CYBERPLAN_OIDC_ISSUER": "http://id.example.gov.py/realms/mitic", **CLIENT},
            "CYBERPLAN_OIDC_ISSUER must be an https:// address in production",
        ),
        (
            {"CYBERPLAN_OIDC_ISSUER": "id.example.gov.py", **CLIENT},
            "CYBERPLAN_OIDC_ISSUER must be the provider's https:// address",
        ),
        (
            {"CYBERPLAN_OIDC_ISSUER": "https://id.example.gov.py", "CYBERPLAN_OIDC_CLIENT_SECRET": "s3cret"},
            "CYBERPLAN_OIDC_CLIENT_ID is required when CYBERPLAN_OIDC_ISSUER is set",
        ),
        (
            {"CYBERPLAN_OIDC_ISSUER": "https://id.example.gov.py", "CYBERPLAN_OIDC_CLIENT_ID": "cyberplan"},
            "CYBERPLAN_OIDC_CLIENT_SECRET is required when CYBERPLAN_OIDC_ISSUER is set",
        ),
    ],
)
def test_a_single_sign_on_mistake_stops_start_up_with_one_sentence(
    tmp_path: Path, overrides: dict[str, str], sentence: str
) -> None:
    result = run_cli(["check"], {**PRODUCTION, **overrides}, tmp_path)
    assert result.returncode == 2
    assert sentence in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_production_with_single_sign_on_passes_the_deploy_checks(tmp_path: Path) -> None:
    overrides = {**PRODUCTION, "CYBERPLAN_OIDC_ISSUER": "https://id.example.gov.py/realms/mitic", **CLIENT}
    result = run_cli(["check", "--deploy", "--fail-level", "DEBUG"], overrides, tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
