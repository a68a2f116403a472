"""The sharing network in the browser: an administrator of a CSIRT builds a sharing group, adds a member,
creates a collection, has the real worker publish it, and issues, rotates and revokes a partner credential,
which OASIS taxii2-client then uses against the live TAXII server; a reader is offered none of it and is
refused its addresses; the pages work in Spanish and on a phone-width screen."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django import Settings

from cyberplan.core.choices import Role
from cyberplan.core.models import User
from cyberplan.sharing.actions import do_create_collection, do_create_group, do_issue_credential, do_set_member
from cyberplan.sharing.choices import CollectionContent
from cyberplan.sharing.demo import INDICATORS, demo_bundle
from cyberplan.sharing.models import Collection, PartnerCredential, SharingGroup
from cyberplan.sharing.taxii.protocol import TAXII_MEDIA_TYPE
from cyberplan.threats.actions import do_register_import, do_run_import
from cyberplan.threats.choices import ImportFormat
from tests.browser.conftest import JOB_TIMEOUT_MS, BrowserSession, Worker
from tests.browser.test_browser import CONTROL_LABELS_JS, in_language, log_in
from tests.browser.test_crawl import AXE, Crawl, _check_page
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SECRET = "code.credential-secret-value"


def _store_every_label(settings: Settings, tmp_path: Path, world: World) -> None:
    """The owner's event store holds indicators at CLEAR, GREEN, AMBER and RED (the demo's bundle), in the folder
    the worker reads."""
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "worker-data" / "events"
    settings.DATA_DIR = tmp_path / "data"
    path = tmp_path / "indicators.json"
    path.write_text(json.dumps(demo_bundle()), encoding="utf-8")
    record = do_register_import(None, world.org_a, path, file_name=path.name, format=ImportFormat.STIX, tlp="amber")
    assert do_run_import(record, path).status == "succeeded"


def _taxii_patterns(base_url: str, credential: str, secret: str, collection: Collection) -> set[str]:
    from taxii2client.v21 import Server, as_pages

    server = Server(f"{base_url}/taxii2/", user=credential, password=secret)
    found = next(c for c in server.api_roots[0].collections if c.id == str(collection.pk))
    pages = as_pages(found.get_objects, per_request=2)
    return {o["pattern"] for page in pages for o in page.get("objects", []) if o["type"] == "indicator"}


def _taxii_status(base_url: str, credential: str, secret: str) -> int:
    from taxii2client.v21 import Server

    try:
        Server(f"{base_url}/taxii2/", user=credential, password=secret).refresh()
    except requests.HTTPError as error:
        return int(error.response.status_code) if error.response is not None else 0
    return 200


def _build_group_and_collection(ui: BrowserSession, world: World) -> tuple[SharingGroup, Collection]:
    page = ui.page
    page.goto(f"{ui.base_url}{reverse('sharing:group_list')}")
    page.get_by_role("link", name="New sharing group").click()
    page.get_by_label("Owner organisation").select_option(str(world.org_a.pk))
    page.get_by_label("Name").fill("Regional CSIRTs")
    page.get_by_label("TLP ceiling").select_option("amber")
    assert page.evaluate(CONTROL_LABELS_JS)["unlabelled"] == []
    page.get_by_role("button", name="Save").click()
    group = SharingGroup.objects.get(name="Regional CSIRTs")
    expect(page).to_have_url(f"{ui.base_url}{reverse('sharing:group_detail', args=[group.pk])}")
    expect(page.locator("h1")).to_have_text("Regional CSIRTs")

    # The member form works from the keyboard alone, in reading order: organisation, read, write, need to know.
    assert page.evaluate(CONTROL_LABELS_JS)["unlabelled"] == []
    page.get_by_label("Member organisation").select_option(str(world.org_b.pk))
    page.get_by_label("Member organisation").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("May read")).to_be_focused()
    expect(page.get_by_label("May read")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("May write")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Needs to know")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save member")).to_be_focused()
    page.keyboard.press("Enter")
    member_row = page.locator("main table tbody tr", has_text=world.org_b.name)
    expect(member_row.locator("td")).to_have_text([world.org_b.name, "yes", "yes", "yes", f"Remove {world.org_b.name}"])

    page.get_by_role("link", name="New collection").click()
    page.get_by_label("Title").fill("Indicators for the region")
    page.get_by_label("Holds").select_option(CollectionContent.INDICATORS)
    page.get_by_label("Label of unmarked posted objects").select_option("green")
    assert page.evaluate(CONTROL_LABELS_JS)["unlabelled"] == []
    page.get_by_role("button", name="Save").click()
    collection = Collection.objects.get(title="Indicators for the region")
    expect(page).to_have_url(f"{ui.base_url}{reverse('sharing:collection_detail', args=[collection.pk])}")
    return group, collection


def _publish(ui: BrowserSession, collection: Collection, start_worker: Callable[[], Worker]) -> None:
    page = ui.page
    page.get_by_role("button", name="Publish what is shared now").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(ui.base_url)}/jobs/[0-9a-f-]{{36}}/$"))
    state = page.locator("#job-status .job-state")
    worker = start_worker()
    try:
        expect(state).to_have_class(re.compile(r"\bjob-succeeded\b"), timeout=JOB_TIMEOUT_MS)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- worker output ---\n{worker.output()}") from None
    page.goto(f"{ui.base_url}{reverse('sharing:collection_detail', args=[collection.pk])}")
    by_type = page.locator("main table").first
    # The identity, the TLP 2.0 markings and the indicators up to the ceiling (AMBER), never the RED ones.
    shared = sum(1 for _n, _label, _pattern, tlp in INDICATORS if tlp in ("clear", "green", "amber"))
    expect(by_type.locator("tr", has_text="indicator").locator("td").nth(1)).to_have_text(str(shared))
    expect(page.locator("main table").nth(1)).not_to_contain_text("red")


def _issue(ui: BrowserSession, world: World) -> tuple[str, str]:
    page = ui.page
    page.locator("main nav").get_by_role("link", name="Partner credentials").click()
    page.get_by_role("link", name="Issue a partner credential").click()
    expect(page.get_by_label("Issuing organisation")).to_have_value(str(world.org_a.pk))
    page.get_by_label("Partner organisation").select_option(str(world.org_b.pk))
    page.get_by_label("Name").fill("CSIRT B MISP")
    assert page.evaluate(CONTROL_LABELS_JS)["unlabelled"] == []
    page.get_by_role("button", name="Save").click()
    credential = PartnerCredential.objects.get(name="CSIRT B MISP")
    expect(page).to_have_url(f"{ui.base_url}{reverse('sharing:credential_secret', args=[credential.pk])}")
    expect(page.locator(SECRET)).to_have_count(1)
    return str(credential.pk), page.locator(SECRET).inner_text()


def _check_pages(ui: BrowserSession, paths: list[str], language: str) -> None:
    """Each page as the crawl checks one: one visible h1, in ``language``, no wider than the window at 1366 px
    and at a phone's 390 px, and no serious or critical finding of axe-core."""
    crawl = Crawl()
    axe_source = AXE.read_text(encoding="utf-8")
    for path in paths:
        response = ui.page.goto(f"{ui.base_url}{path}")
        assert response is not None and response.status == 200, path
        _check_page(ui.page, path, language, crawl, axe_source)
    assert crawl.axe_checked == len(paths)
    assert crawl.problems == [], "\n".join(crawl.problems)


def test_an_administrator_builds_shares_and_manages_a_partner_credential(
    ui: BrowserSession, world: World, start_worker: Callable[[], Worker], settings: Settings, tmp_path: Path
) -> None:
    _store_every_label(settings, tmp_path, world)
    page = ui.page
    log_in(ui, world.users[Role.ADMINISTRATOR])
    _group, collection = _build_group_and_collection(ui, world)
    _publish(ui, collection, start_worker)

    credential, first = _issue(ui, world)
    # Shown once: reloading the page neither shows the secret again nor issues another credential.
    page.reload()
    expect(page.locator(".secret-gone")).to_be_visible()
    expect(page.locator(SECRET)).to_have_count(0)
    assert first not in page.content()
    assert PartnerCredential.objects.count() == 1
    # The member needs to know: it receives CLEAR, GREEN and AMBER indicators, never RED.
    expected = {pattern for _n, _label, pattern, tlp in INDICATORS if tlp in ("clear", "green", "amber")}
    assert _taxii_patterns(ui.base_url, credential, first, collection) == expected

    page.get_by_role("link", name="Back to the credentials").click()
    page.get_by_role("button", name="Rotate CSIRT B MISP").click()
    expect(page.locator(SECRET)).to_have_count(1)
    rotated = page.locator(SECRET).inner_text()
    assert rotated != first
    page.reload()
    expect(page.locator(SECRET)).to_have_count(0)
    assert _taxii_status(ui.base_url, credential, first) == 401
    assert _taxii_patterns(ui.base_url, credential, rotated, collection) == expected

    page.get_by_role("link", name="Back to the credentials").click()
    page.get_by_role("button", name="Revoke CSIRT B MISP").focus()
    page.keyboard.press("Enter")
    row = page.locator("main table tbody tr", has_text="CSIRT B MISP")
    expect(row).to_contain_text("Revoked")
    expect(row.get_by_role("button")).to_have_count(0)
    assert _taxii_status(ui.base_url, credential, rotated) == 401

    urls = [
        reverse("sharing:group_list"),
        reverse("sharing:group_detail", args=[collection.group_id]),
        reverse("sharing:collection_detail", args=[collection.pk]),
        reverse("sharing:credential_list"),
        reverse("sharing:credential_secret", args=[credential]),
        reverse("sharing:credential_issue"),
        reverse("sharing:subscription_list"),
    ]
    _check_pages(ui, urls, "en")
    ui.watch.assert_clean()


def _reader_world(world: World) -> tuple[SharingGroup, Collection, PartnerCredential, str]:
    admin = world.users[Role.ADMINISTRATOR]
    group = do_create_group(admin, world.org_a, name="Regional CSIRTs", tlp_ceiling="green")
    do_set_member(admin, group, world.org_b, can_read=True, can_write=True, need_to_know=False)
    collection = do_create_collection(admin, group, title="Indicators", content=CollectionContent.INDICATORS)
    credential, secret = do_issue_credential(admin, world.org_a, world.org_b, "CSIRT B MISP")
    return group, collection, credential, secret


def _partner_posts_a_refused_object(base_url: str, collection: Collection, credential: str, secret: str) -> None:
    """The partner posts, over TAXII on the live server, an envelope whose one object is not valid STIX."""
    envelope = {"objects": [{"type": "indicator", "spec_version": "2.1", "id": "indicator--not-a-uuid"}]}
    response = requests.post(
        f"{base_url}/taxii2/api/collections/{collection.pk}/objects/",
        data=json.dumps(envelope),
        auth=(credential, secret),
        headers={"Content-Type": TAXII_MEDIA_TYPE, "Accept": TAXII_MEDIA_TYPE},
        timeout=30,
    )
    assert response.status_code == 202 and response.json()["failure_count"] == 1, response.text


def _post_status(page: Page, url: str) -> int:
    """The status of a POST to ``url`` from the signed-in page, with the CSRF token the page holds."""
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    assert token
    response = page.request.post(url, form={"csrfmiddlewaretoken": token}, headers={"Referer": url}, max_redirects=0)
    return int(response.status)


def test_a_reader_is_offered_no_action_and_refused_the_addresses(ui: BrowserSession, world: World) -> None:
    group, collection, credential, _secret = _reader_world(world)
    page = ui.page
    log_in(ui, world.users[Role.VIEWER])
    page.goto(f"{ui.base_url}{reverse('sharing:group_list')}")
    expect(page.locator("main")).to_contain_text("Regional CSIRTs")
    expect(page.get_by_role("link", name="New sharing group")).to_have_count(0)
    expect(page.locator("main nav").get_by_role("link")).to_have_text(["Sharing groups"])
    page.get_by_role("link", name="Regional CSIRTs").click()
    expect(page.locator("main")).to_contain_text(world.org_b.name)
    for name in ("Edit", "New collection"):
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    expect(page.locator("main form")).to_have_count(0)
    page.get_by_role("link", name="Indicators").click()
    expect(page.get_by_role("button", name="Publish what is shared now")).to_have_count(0)

    for url in (
        reverse("sharing:group_create"),
        reverse("sharing:group_edit", args=[group.pk]),
        reverse("sharing:collection_create", args=[group.pk]),
        reverse("sharing:credential_list"),
        reverse("sharing:credential_issue"),
        reverse("sharing:credential_secret", args=[credential.pk]),
        reverse("sharing:subscription_list"),
    ):
        response = page.goto(f"{ui.base_url}{url}")
        assert response is not None and response.status == 403, url
        expect(page.locator("h1")).to_be_visible()  # the application's refusal page, not a blank one
        # Chromium logs every 4xx document as a console error: that one, and only that one, is expected here.
        refused = f"console error on {page.url}: Failed to load resource: the server responded with a status of 403"
        assert [p for p in ui.watch.problems if not p.startswith(refused)] == [], ui.watch.problems
        ui.watch.problems.clear()
    page.goto(f"{ui.base_url}{reverse('sharing:group_list')}")
    for url in (
        reverse("sharing:member_set", args=[group.pk]),
        reverse("sharing:collection_publish", args=[collection.pk]),
        reverse("sharing:credential_rotate", args=[credential.pk]),
        reverse("sharing:credential_revoke", args=[credential.pk]),
    ):
        assert _post_status(page, f"{ui.base_url}{url}") == 403, url
    credential.refresh_from_db()
    assert credential.revoked_at is None and credential.rotated_at is None
    ui.watch.assert_clean()


def test_the_sharing_pages_in_spanish(ui: BrowserSession, world: World) -> None:
    group, collection, credential, secret = _reader_world(world)
    _partner_posts_a_refused_object(ui.base_url, collection, str(credential.pk), secret)
    admin: User = world.users[Role.ADMINISTRATOR]
    admin.language = "es"
    admin.save(update_fields=["language"])
    page = ui.page
    log_in(ui, admin)
    urls = [
        reverse("sharing:group_list"),
        reverse("sharing:group_create"),
        reverse("sharing:group_detail", args=[group.pk]),
        reverse("sharing:collection_create", args=[group.pk]),
        reverse("sharing:collection_detail", args=[collection.pk]),
        reverse("sharing:credential_list"),
        reverse("sharing:credential_issue"),
        reverse("sharing:credential_secret", args=[credential.pk]),
        reverse("sharing:subscription_list"),
        reverse("sharing:subscription_create"),
    ]
    for url in urls:
        response = page.goto(f"{ui.base_url}{url}")
        assert response is not None and response.status == 200, url
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.locator("h1")).to_have_count(1)
        expect(page.locator("h1")).to_be_visible()
        assert page.evaluate(CONTROL_LABELS_JS)["unlabelled"] == [], url
    # Why the partner's object was refused: a lead-in in the reader's language, then the validator's words.
    page.goto(f"{ui.base_url}{reverse('sharing:collection_detail', args=[collection.pk])}")
    refusal = page.locator("li.refusal")
    expect(refusal).to_have_count(1)
    expect(refusal).to_contain_text(in_language("es", "The partner's object was refused:"))
    expect(refusal.locator(".refusal-reason")).to_have_attribute("lang", "en")
    # A form posted in Spanish works: a member is added from the group's page.
    page.goto(f"{ui.base_url}{reverse('sharing:group_detail', args=[group.pk])}")
    page.locator("#id_organisation").select_option(str(world.org_b.pk))
    page.locator("#id_need_to_know").check()
    page.locator("main form[action$='/members/'] button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert group.members.get(organisation=world.org_b).need_to_know
    _check_pages(ui, urls, "es")
    ui.watch.assert_clean()
