"""Two-factor sign-in in a real browser: an administrator made to set up an authenticator app, and a
security key (WebAuthn) added and used through Chromium's virtual authenticator. Every page is watched
for Content Security Policy violations: allauth's WebAuthn script comes from our static files."""

from __future__ import annotations

import pyotp
import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pytest_django import Settings

from cyberplan.core.choices import AuditAction, Role
from cyberplan.core.models import AuditEntry
from tests.browser.conftest import BrowserSession
from tests.conftest import PASSWORD, World

pytestmark = pytest.mark.browser


def password_step(ui: BrowserSession, username: str) -> None:
    page = ui.page
    page.goto(f"{ui.base_url}{reverse('login')}")
    page.locator("main form input[name=login]").fill(username)
    page.locator("main form input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def confirm_password(ui: BrowserSession) -> None:
    """allauth asks for the password again before second factors change."""
    ui.page.wait_for_url(f"{ui.base_url}{reverse('account_reauthenticate')}**")
    ui.page.locator("main form input[name=password]").fill(PASSWORD)
    ui.page.locator("main form button[type=submit]").click()


def test_an_administrator_sets_up_an_authenticator_app(ui: BrowserSession, world: World, settings: Settings) -> None:
    settings.CYBERPLAN_MFA_REQUIRED = True
    page = ui.page
    password_step(ui, world.users[Role.ADMINISTRATOR].username)
    # Signed in with the password, but sent to the two-factor page, and kept there.
    expect(page).to_have_url(f"{ui.base_url}{reverse('mfa_index')}")
    expect(page.locator(".messages")).to_contain_text("Your role requires two-factor sign-in")
    page.goto(f"{ui.base_url}{reverse('gaps:gap_list')}")
    expect(page).to_have_url(f"{ui.base_url}{reverse('mfa_index')}")

    page.locator("main a", has_text="Activate").first.click()
    confirm_password(ui)
    page.wait_for_url(f"{ui.base_url}{reverse('mfa_activate_totp')}")
    secret = page.locator("#authenticator_secret").input_value()
    expect(page.locator("main img")).to_be_visible()  # the QR code, a data: image
    page.locator("main form input[name=code]").fill(pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{ui.base_url}{reverse('mfa_view_recovery_codes')}")
    expect(page.locator("#recovery_codes")).to_be_visible()

    page.goto(f"{ui.base_url}{reverse('gaps:gap_list')}")
    expect(page).to_have_url(f"{ui.base_url}{reverse('gaps:gap_list')}")
    ui.watch.assert_clean()


def test_a_security_key_is_added_and_signs_in(ui: BrowserSession, world: World) -> None:
    page = ui.page
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    user = world.users[Role.ANALYST]
    password_step(ui, user.username)
    expect(page).to_have_url(f"{ui.base_url}{reverse('core:home')}")

    page.goto(f"{ui.base_url}{reverse('mfa_add_webauthn')}")
    confirm_password(ui)
    page.wait_for_url(f"{ui.base_url}{reverse('mfa_add_webauthn')}")
    page.locator("main form input[name=name]").fill("Desk key")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(f"{ui.base_url}{reverse('mfa_view_recovery_codes')}")
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, content_type__model="authenticator").count() == 2

    page.locator("#user-menu").click()
    page.locator("header form button", has_text="Sign out").click()
    expect(page).to_have_url(f"{ui.base_url}{reverse('login')}")
    password_step(ui, user.username)
    expect(page).to_have_url(f"{ui.base_url}{reverse('mfa_authenticate')}")
    page.locator("#mfa_webauthn_authenticate").click()
    expect(page).to_have_url(f"{ui.base_url}{reverse('core:home')}")
    entry = AuditEntry.objects.filter(action=AuditAction.SIGN_IN).order_by("-pk").first()
    assert entry is not None and entry.changes["method"] == [None, "password+webauthn"]
    ui.watch.assert_clean()
