"""The version pages: differences, the approval workflow's permissions, consultation, published versions."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from cyberplan.core.choices import Role
from cyberplan.core.models import Membership
from cyberplan.strategy import actions as act
from cyberplan.strategy.choices import Resolution, VersionStatus
from cyberplan.strategy.models import Comment, StrategyVersion
from cyberplan.strategy.versions import actions as version_act
from tests.conftest import World, make_user

from .conftest import Plan, signed_in, url

pytestmark = pytest.mark.django_db


def published_v1(world: World, plan: Plan) -> StrategyVersion:
    user = world.users[Role.COORDINATOR]
    version = version_act.do_create_version(user, plan.strategy, note="First")
    version_act.do_move_version(user, version, VersionStatus.APPROVED)
    return version_act.do_move_version(user, version, VersionStatus.PUBLISHED, legal_reference="Decree 1/2025")


# --------------------------------------------------------------------------- differences


def test_compare_shows_word_differences_escaped(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    published_v1(world, plan)
    act.do_update_action(coordinator, plan.action1, None, title_en="Hire six <b>incident</b> handlers", budget=180000)
    act.do_update_strategy(coordinator, plan.strategy, None, vision_en="A secure, open and resilient cyberspace.")
    act.do_delete_action(coordinator, plan.action2)
    plan.strategy.refresh_from_db()
    version_act.do_create_version(coordinator, plan.strategy, note="Second")

    response = signed_in(world.users[Role.VIEWER]).get(url("version_compare", plan), {"a": "1", "b": "2"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "<del>four incident</del>" in text and "<ins>six &lt;b&gt;incident&lt;/b&gt;</ins>" in text
    assert "<b>incident</b>" not in text
    assert "<del>120000</del> → <ins>180000</ins>" in text  # a number is not split into words
    assert "<del>secure</del>" in text and "<ins>secure, open</ins>" in text
    assert "2.1.1 National awareness campaign" in text and "(removed)" in text
    assert "0 added, 2 changed, 1 removed." in text


def test_compare_with_the_working_copy_by_default(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    version_act.do_create_version(coordinator, plan.strategy)
    act.do_update_element(coordinator, plan.axis2, None, title_en="Awareness and culture")
    text = signed_in(world.users[Role.VIEWER]).get(url("version_compare", plan)).content.decode()
    assert "From version 1 to the working copy." in text
    assert "<ins>and culture</ins>" in text


def test_comparing_a_version_with_itself_is_refused(world: World, plan: Plan) -> None:
    version_act.do_create_version(world.users[Role.COORDINATOR], plan.strategy)
    response = signed_in(world.users[Role.VIEWER]).get(url("version_compare", plan), {"a": "1", "b": "1"})
    assert response.status_code == 400
    assert "Choose two different versions" in response.content.decode()


# --------------------------------------------------------------------------- workflow permissions


@pytest.mark.slow
@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST, Role.CONTRIBUTOR, Role.EXTERNAL_PARTNER])
def test_only_deciders_move_versions(world: World, plan: Plan, role: str) -> None:
    plan.strategy.tlp = "green"
    plan.strategy.save()
    version = version_act.do_create_version(world.users[Role.COORDINATOR], plan.strategy)
    client = signed_in(world.users[role])
    detail = client.get(url("version_detail", plan, 1))
    assert detail.status_code == 200
    assert "Approval workflow" not in detail.content.decode()
    for target in (VersionStatus.CONSULTATION, VersionStatus.APPROVED, VersionStatus.WITHDRAWN):
        response = client.post(url("version_move", plan, 1, target), {f"{target}-version": version.version})
        assert response.status_code == 403
    assert client.post(url("version_refresh", plan, 1), {"version": version.version}).status_code == 403
    assert client.get(url("version_create", plan)).status_code == 403
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_coordinator_moves_a_version_through_the_workflow(world: World, plan: Plan) -> None:
    client = signed_in(world.users[Role.COORDINATOR])
    response = client.post(url("version_create", plan), {"note": "For consultation"})
    version = StrategyVersion.objects.get(strategy=plan.strategy)
    assert response.status_code == 302 and response["Location"] == url("version_detail", plan, 1)
    page = client.get(url("version_detail", plan, 1)).content.decode()
    # Only the moves allowed from a draft are offered.
    assert "Open the consultation" in page and "Withdraw" in page and "Approve" in page
    assert "Publish" not in page and "Back to draft" not in page
    assert "Hire four incident handlers" in page and "A secure and resilient cyberspace." in page

    closes = timezone.localdate() + datetime.timedelta(days=30)
    client.post(
        url("version_move", plan, 1, "consultation"),
        {"consultation-version": version.version, "consultation-closes_on": closes.isoformat()},
    )
    version.refresh_from_db()
    assert version.status == VersionStatus.CONSULTATION and version.consultation_closes_on == closes
    client.post(url("version_move", plan, 1, "approved"), {"approved-version": version.version})
    version.refresh_from_db()
    response = client.post(
        url("version_move", plan, 1, "published"),
        {"published-version": version.version, "published-legal_reference": "Decree 7052/2025"},
        follow=True,
    )
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED and version.legal_reference == "Decree 7052/2025"
    text = response.content.decode()
    assert f"Cite it as: {version.citation}." in text
    assert "Approval workflow" not in text  # nothing moves a published version
    listing = client.get(url("version_list", plan)).content.decode()
    assert version.citation in listing and "Decree 7052/2025" in listing


def test_wrong_input_to_a_move_is_shown_and_kept(world: World, plan: Plan) -> None:
    version = version_act.do_create_version(world.users[Role.COORDINATOR], plan.strategy)
    client = signed_in(world.users[Role.COORDINATOR])
    response = client.post(
        url("version_move", plan, 1, "consultation"),
        {"consultation-version": version.version, "consultation-closes_on": "2001-01-01"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "The consultation cannot close in the past." in text and 'value="2001-01-01"' in text
    # A step the workflow does not allow from a draft.
    response = client.post(
        url("version_move", plan, 1, "published"),
        {"published-version": version.version, "published-legal_reference": "Decree 5"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "A version that is draft cannot become published." in text and "Decree 5" in text
    assert client.post(url("version_move", plan, 1, "nonsense"), {}).status_code == 404


def test_a_second_open_version_is_refused_with_the_note_kept(world: World, plan: Plan) -> None:
    version_act.do_create_version(world.users[Role.COORDINATOR], plan.strategy)
    response = signed_in(world.users[Role.COORDINATOR]).post(url("version_create", plan), {"note": "My long note"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Version 1 is still draft" in text and "My long note" in text
    assert plan.strategy.versions.count() == 1


@pytest.mark.slow
def test_outsiders_get_404(world: World, plan: Plan) -> None:
    version_act.do_create_version(world.users[Role.COORDINATOR], plan.strategy)
    for user in (world.outsider, world.nobody):
        client = signed_in(user)
        assert client.get(url("version_list", plan)).status_code == 404
        assert client.get(url("version_detail", plan, 1)).status_code == 404
        assert client.get(url("version_compare", plan)).status_code == 404
        assert client.get(url("version_comments", plan, 1)).status_code == 404
        assert client.post(url("version_move", plan, 1, "consultation"), {}).status_code == 404
    anonymous = Client().get(url("version_list", plan))
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


# --------------------------------------------------------------------------- consultation


@pytest.mark.slow
def test_consultee_sees_versions_in_consultation_not_drafts_and_comments(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    act.do_set_consultees(coordinator, plan.strategy, [world.org_b])
    version = version_act.do_create_version(coordinator, plan.strategy)
    consultee = signed_in(world.outsider)
    assert consultee.get(url("version_detail", plan, 1)).status_code == 404

    version = version_act.do_move_version(coordinator, version, VersionStatus.CONSULTATION)
    listing = consultee.get(url("version_list", plan))
    assert listing.status_code == 200 and "v1" in listing.content.decode()
    detail = consultee.get(url("version_detail", plan, 1)).content.decode()
    assert "Hire four incident handlers" in detail and "Comment on this section" in detail
    assert "Approval workflow" not in detail and "Compare with the working copy" not in detail
    # The working copy is not theirs to read.
    assert consultee.get(url("version_compare", plan), {"a": "1", "b": "current"}).status_code == 400

    page = consultee.get(url("version_comments", plan, 1), {"section": plan.action1.uid}).content.decode()
    assert f'<option value="{plan.action1.uid}" selected>' in page
    response = consultee.post(
        url("version_comments", plan, 1),
        {"section": plan.action1.uid, "organisation": world.org_b.pk, "text": "Six handlers, not four."},
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.organisation, comment.author, comment.section_label) == (
        world.org_b,
        world.outsider,
        "1.1.1.1 Hire four incident handlers",
    )
    # A second person comments on the same section: both comments are kept.
    colleague = make_user("b-contributor", world.org_b, Role.CONTRIBUTOR)
    signed_in(colleague).post(
        url("version_comments", plan, 1),
        {"section": plan.action1.uid, "organisation": world.org_b.pk, "text": "And a night shift."},
    )
    text = signed_in(coordinator).get(url("version_comments", plan, 1)).content.decode()
    assert "Six handlers, not four." in text and "And a night shift." in text
    assert text.count("1.1.1.1 Hire four incident handlers</h2>") == 1

    # Once the version is a draft again, the consultee no longer sees it.
    version_act.do_move_version(coordinator, version, VersionStatus.DRAFT)
    assert consultee.get(url("version_detail", plan, 1)).status_code == 404


@pytest.mark.slow
def test_comment_errors_keep_the_text(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    act.do_set_consultees(coordinator, plan.strategy, [world.org_b])
    version = version_act.do_create_version(coordinator, plan.strategy)
    version_act.do_move_version(coordinator, version, VersionStatus.CONSULTATION)
    client = signed_in(world.outsider)
    response = client.post(
        url("version_comments", plan, 1), {"section": "nonsense", "organisation": world.org_b.pk, "text": "Kept <i>"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Kept &lt;i&gt;" in text and "Select a valid choice" in text
    # The consultation closed in the meantime.
    StrategyVersion.objects.filter(pk=version.pk).update(
        consultation_closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    response = client.post(
        url("version_comments", plan, 1), {"section": "vision", "organisation": world.org_b.pk, "text": "Too late?"}
    )
    assert response.status_code == 400
    assert "The consultation closed on" in response.content.decode() and "Too late?" in response.content.decode()
    assert not Comment.objects.exists()
    # A viewer of the consultee cannot comment.
    viewer = make_user("b-viewer", world.org_b, Role.VIEWER)
    response = signed_in(viewer).post(
        url("version_comments", plan, 1), {"section": "vision", "organisation": world.org_b.pk, "text": "x"}
    )
    assert response.status_code == 403


@pytest.mark.slow
def test_coordinator_resolves_comments_and_a_concurrent_resolution_loses_nothing(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    act.do_set_consultees(coordinator, plan.strategy, [world.org_b])
    version = version_act.do_create_version(coordinator, plan.strategy)
    version = version_act.do_move_version(coordinator, version, VersionStatus.CONSULTATION)
    comment = version_act.do_add_comment(world.outsider, version, world.org_b, section="vision", text="Too vague")
    loaded = comment.version
    assert signed_in(world.outsider).post(url("comment_resolve", plan, 1, comment.pk), {}).status_code == 403
    assert signed_in(world.users[Role.ANALYST]).post(url("comment_resolve", plan, 1, comment.pk), {}).status_code == 403

    other = make_user("a-coordinator-2", world.org_a, Role.COORDINATOR)
    signed_in(other).post(
        url("comment_resolve", plan, 1, comment.pk),
        {f"c{comment.pk}-resolution": Resolution.ACCEPTED, f"c{comment.pk}-version": loaded},
    )
    response = signed_in(coordinator).post(
        url("comment_resolve", plan, 1, comment.pk),
        {
            f"c{comment.pk}-resolution": Resolution.REJECTED,
            f"c{comment.pk}-note": "Out of scope for this strategy.",
            f"c{comment.pk}-version": loaded,
        },
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "Someone else resolved this comment" in text and "Out of scope for this strategy." in text
    comment.refresh_from_db()
    assert comment.resolution == Resolution.ACCEPTED and comment.resolved_by == other

    # A rejection needs a reason; the choice is kept.
    response = signed_in(coordinator).post(
        url("comment_resolve", plan, 1, comment.pk),
        {f"c{comment.pk}-resolution": Resolution.REJECTED, f"c{comment.pk}-version": comment.version},
    )
    assert response.status_code == 400
    assert "Say why the comment was not fully taken in." in response.content.decode()
    # The consultee reads the resolution.
    assert "Accepted" in signed_in(world.outsider).get(url("version_comments", plan, 1)).content.decode()


# --------------------------------------------------------------------------- published versions


@pytest.mark.slow
def test_published_version_refuses_refresh_and_moves_with_a_message(world: World, plan: Plan) -> None:
    version = published_v1(world, plan)
    client = signed_in(world.users[Role.COORDINATOR])
    response = client.post(url("version_refresh", plan, 1), {"version": version.version}, follow=True)
    assert "Version 1 is published and cannot be changed" in response.content.decode()
    response = client.post(url("version_move", plan, 1, "draft"), {"draft-version": version.version}, follow=True)
    assert "Version 1 is published and cannot be changed" in response.content.decode()
    stored = StrategyVersion.objects.get(pk=version.pk)
    assert (stored.status, stored.digest, stored.version) == (VersionStatus.PUBLISHED, version.digest, version.version)


@pytest.mark.slow
def test_draft_refresh_takes_in_the_working_copy(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    version = version_act.do_create_version(coordinator, plan.strategy)
    client = signed_in(coordinator)
    response = client.post(url("version_refresh", plan, 1), {"version": version.version}, follow=True)
    assert "Version 1 already matches the working copy." in response.content.decode()
    act.do_update_action(coordinator, plan.action1, None, title_en="Hire five incident handlers")
    response = client.post(url("version_refresh", plan, 1), {"version": version.version}, follow=True)
    assert "Version 1 now holds the current working copy." in response.content.decode()
    assert "Hire five incident handlers" in response.content.decode()


@pytest.mark.slow
def test_a_concurrent_move_keeps_what_was_typed(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    version = version_act.do_create_version(coordinator, plan.strategy)
    version = version_act.do_move_version(coordinator, version, VersionStatus.APPROVED)
    loaded = version.version
    version_act.do_move_version(coordinator, version, VersionStatus.DRAFT, loaded)  # someone else, meanwhile
    response = signed_in(coordinator).post(
        url("version_move", plan, 1, "published"),
        {"published-version": loaded, "published-legal_reference": "Decree 42/2025 of 1 July"},
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "Someone else moved version 1 in the meantime; it is now draft." in text
    assert "Decree 42/2025 of 1 July" in text
    assert StrategyVersion.objects.get(pk=version.pk).status == VersionStatus.DRAFT


@pytest.mark.slow
def test_member_without_tlp_reading_is_not_an_owner_reader(world: World, plan: Plan) -> None:
    """An external partner of the owner organisation does not read an AMBER strategy's versions."""
    version_act.do_create_version(world.users[Role.COORDINATOR], plan.strategy)
    assert Membership.objects.filter(user=world.users[Role.EXTERNAL_PARTNER]).exists()
    client = signed_in(world.users[Role.EXTERNAL_PARTNER])
    assert client.get(url("version_list", plan)).status_code == 404


@pytest.mark.slow
def test_a_concurrent_refresh_changes_nothing_and_says_so(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    version = version_act.do_create_version(coordinator, plan.strategy)
    loaded = version.version
    version_act.do_move_version(coordinator, version, VersionStatus.CONSULTATION, loaded)  # someone else, meanwhile
    response = signed_in(coordinator).post(url("version_refresh", plan, 1), {"version": loaded}, follow=True)
    assert "Someone else changed version 1 while you were looking at it; nothing was done." in (
        response.content.decode()
    )
    assert StrategyVersion.objects.get(pk=version.pk).status == VersionStatus.CONSULTATION


@pytest.mark.slow
def test_pages_render_in_spanish(world: World, plan: Plan) -> None:
    version_act.do_create_version(world.users[Role.COORDINATOR], plan.strategy)
    client = signed_in(world.users[Role.COORDINATOR])
    client.cookies["django_language"] = "es"
    for page in (url("version_list", plan), url("version_detail", plan, 1), url("version_compare", plan)):
        response = client.get(page, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 200
    detail = client.get(url("version_detail", plan, 1), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Un ciberespacio seguro y resiliente." in detail  # the Spanish vision of the snapshot
