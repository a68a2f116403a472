"""Lead and supporting institutions see the actions they are responsible for and report progress on them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cyberplan.core.choices import TLP, OrganisationType, Role
from cyberplan.core.models import AuditEntry, Organisation
from cyberplan.strategy import actions as act
from cyberplan.strategy.models import Action, ProgressUpdate
from tests.conftest import World, make_user

from .conftest import Plan, signed_in, url

REPORT = {"date": "2026-01-15", "status": "in_progress", "percent_complete": "40", "narrative": "Two of four hired."}


def _report(plan_action: Action) -> str:
    return reverse("strategy:my_action", args=[plan_action.pk])


def test_lead_institution_sees_only_its_actions(plan: Plan, world: World) -> None:
    # world.outsider is an analyst of organisation B, which leads action2 of organisation A's strategy.
    client = signed_in(world.outsider)
    page = client.get(reverse("strategy:my_actions")).content.decode()
    assert plan.action2.title_en in page
    assert plan.action1.title_en not in page
    assert "lead: CSIRT B" in page
    # The strategy's monitoring page shows B its own action only; the rest of the strategy stays closed.
    monitoring = client.get(url("monitoring", plan))
    assert monitoring.status_code == 200
    assert plan.action2.title_en in monitoring.content.decode()
    assert plan.action1.title_en not in monitoring.content.decode()
    assert client.get(url("workspace", plan)).status_code == 404
    assert client.get(url("monitoring_action", plan, plan.action2.pk)).status_code == 404
    assert client.get(_report(plan.action1)).status_code == 404


def test_lead_institution_reports_progress_attributed_and_audited(plan: Plan, world: World) -> None:
    client = signed_in(world.outsider)
    response = client.post(_report(plan.action2), {**REPORT, "organisation": world.org_b.pk})
    assert response.status_code == 302
    update = ProgressUpdate.objects.get(action=plan.action2)
    assert (update.organisation, update.author, update.percent_complete) == (world.org_b, world.outsider, 40)
    plan.action2.refresh_from_db()
    assert (plan.action2.status, plan.action2.percent_complete) == ("in_progress", 40)
    assert AuditEntry.objects.filter(
        actor=world.outsider, content_type__model="progressupdate", object_id=str(update.pk)
    ).exists()
    # The owner sees whom the update speaks for.
    owner_page = signed_in(world.users[Role.COORDINATOR]).get(url("monitoring_action", plan, plan.action2.pk))
    assert "for CSIRT B" in owner_page.content.decode()


def test_cannot_report_on_others_actions_or_for_another_organisation(plan: Plan, world: World) -> None:
    client = signed_in(world.outsider)
    assert client.post(_report(plan.action1), {**REPORT, "organisation": world.org_b.pk}).status_code == 404
    # For organisation A (not B's to speak for) the choice is refused.
    response = client.post(_report(plan.action2), {**REPORT, "organisation": world.org_a.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_supporting_institution_and_viewer_rights(plan: Plan, world: World) -> None:
    prosecutors = Organisation.objects.create(
        name="Prosecutors' office", acronym="PO", slug="po", type=OrganisationType.PROSECUTORS, country="PY"
    )
    act.do_update_action(world.users[Role.COORDINATOR], plan.action1, None, supporting=[prosecutors])
    viewer = make_user("po-viewer", prosecutors, Role.VIEWER)
    contributor = make_user("po-contributor", prosecutors, Role.CONTRIBUTOR)
    page = signed_in(viewer).get(_report(plan.action1)).content.decode()
    assert "supporting: Prosecutors&#x27; office" in page
    assert "Report progress" not in page  # a viewer reads, does not report
    assert signed_in(viewer).post(_report(plan.action1), {**REPORT, "organisation": prosecutors.pk}).status_code == 404
    response = signed_in(contributor).post(_report(plan.action1), {**REPORT, "organisation": prosecutors.pk})
    assert response.status_code == 302
    assert ProgressUpdate.objects.get().organisation == prosecutors


def test_non_member_and_restricted_strategy_see_nothing(plan: Plan, world: World) -> None:
    nobody = signed_in(world.nobody)
    assert plan.action2.title_en not in nobody.get(reverse("strategy:my_actions")).content.decode()
    assert nobody.get(_report(plan.action2)).status_code == 404
    assert nobody.get(url("monitoring", plan)).status_code == 404
    # AMBER+STRICT keeps the strategy inside its owner, responsible institutions included.
    act.do_update_strategy(world.users[Role.COORDINATOR], plan.strategy, None, tlp=TLP.AMBER_STRICT)
    client = signed_in(world.outsider)
    assert plan.action2.title_en not in client.get(reverse("strategy:my_actions")).content.decode()
    assert client.get(_report(plan.action2)).status_code == 404
    assert client.get(url("monitoring", plan)).status_code == 404


def test_action_function_refuses_an_unentitled_reporter(plan: Plan, world: World) -> None:
    with pytest.raises(PermissionDenied):
        act.do_report_institution_progress(
            world.nobody,
            plan.action2,
            world.org_b,
            date=datetime.date(2026, 1, 1),
            status="in_progress",
            percent_complete=10,
            narrative="x",
        )
