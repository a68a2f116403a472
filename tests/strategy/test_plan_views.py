"""The plan pages: rendering, creating and editing the structure, actions, KPIs and gap links,
clear messages on bad input, permissions, and edits that cross another person's."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cyberplan.core.choices import TLP, Role
from cyberplan.core.models import AuditEntry
from cyberplan.gaps.models import Gap
from cyberplan.strategy import actions as act
from cyberplan.strategy.choices import ElementKind, KPIUnit, Phase, VersionStatus
from cyberplan.strategy.models import KPI, Action, ActionGap, Element, PhaseTask, Strategy
from cyberplan.strategy.versions import actions as version_act
from tests.conftest import World

from .conftest import Plan, signed_in

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"strategy:{name}", args=args)


def read_pages(plan: Plan) -> list[str]:
    s = plan.strategy.pk
    return [
        url("workspace", s),
        url("plan", s),
        url("traceability", s),
        url("action_detail", s, plan.action1.pk),
    ]


def edit_pages(plan: Plan) -> list[str]:
    s, a = plan.strategy.pk, plan.action1.pk
    kpi = act.do_create_kpi(None, plan.action1, name_en="Handlers hired", unit=KPIUnit.COUNT, target=4)
    impact = act.do_create_kpi(None, plan.axis1, name_en="Serious incidents", unit=KPIUnit.COUNT, target=4)
    task = plan.strategy.tasks.first()
    principle = act.do_add_principle(None, plan.strategy, title_en="Human rights")
    assert task is not None
    return [
        url("strategy_edit", s),
        url("task_create", s),
        url("task_edit", s, task.pk),
        url("principle_create", s),
        url("principle_edit", s, principle.pk),
        url("principle_delete", s, principle.pk),
        url("element_create", s) + "?kind=axis",
        url("element_create", s) + f"?kind=objective&parent={plan.axis1.pk}",
        url("element_create", s) + f"?kind=line&parent={plan.objective11.pk}",
        url("element_edit", s, plan.objective11.pk),
        url("element_delete", s, plan.line111.pk),
        url("action_create", s),
        url("action_edit", s, a),
        url("action_delete", s, a),
        url("kpi_create", s, a),
        url("kpi_edit", s, a, kpi.pk),
        url("kpi_delete", s, a, kpi.pk),
        url("element_kpi_create", s, plan.axis1.pk),
        url("element_kpi_edit", s, plan.axis1.pk, impact.pk),
        url("element_kpi_delete", s, plan.axis1.pk, impact.pk),
    ]


def set_title(strategy: Strategy, title: str) -> None:
    Strategy.objects.filter(pk=strategy.pk).update(title_en=title)


# --------------------------------------------------------------------------- rendering


def test_every_page_renders_and_escapes_user_text(world: World, plan: Plan, make_gap: Callable[..., Gap]) -> None:
    set_title(plan.strategy, "Strategy <b>2025</b>")
    Action.objects.filter(pk=plan.action1.pk).update(title_en="Hire <script>handlers</script>")
    make_gap(title_en="Gap <i>one</i>")
    client = signed_in(world.users[Role.COORDINATOR])
    for page in [url("strategy_list"), url("strategy_create"), *read_pages(plan), *edit_pages(plan)]:
        response = client.get(page)
        assert response.status_code == 200, page
        body = response.content.decode()
        for raw in ("<b>2025</b>", "<script>handlers", "<i>one</i>"):
            assert raw not in body, (page, raw)
    assert "Strategy &lt;b&gt;2025&lt;/b&gt;" in client.get(url("workspace", plan.strategy.pk)).content.decode()


def test_pages_render_in_spanish(world: World, plan: Plan, make_gap: Callable[..., Gap]) -> None:
    coordinator = world.users[Role.COORDINATOR]
    coordinator.language = "es"
    coordinator.save(update_fields=["language"])
    make_gap(title_en="Open gap", title_es="Brecha abierta")
    client = signed_in(coordinator)
    for page in [url("strategy_list"), *read_pages(plan), url("action_create", plan.strategy.pk)]:
        response = client.get(page, headers={"Accept-Language": "es"})
        assert response.status_code == 200, page
        assert '<html lang="es">' in response.content.decode(), page
    body = client.get(url("plan", plan.strategy.pk), headers={"Accept-Language": "es"}).content.decode()
    assert "Estrategia Nacional de Ciberseguridad" in body
    assert "2025\u20132028" in body


def test_list_shows_own_strategies_and_those_consulted_on(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    response = signed_in(coordinator).get(url("strategy_list"))
    assert plan.strategy.title in response.content.decode()
    assert url("strategy_create") in response.content.decode()
    # The outsider's organisation is consulted: it sees the strategy once a version is in consultation.
    act.do_set_consultees(coordinator, plan.strategy, [world.org_b])
    outsider = signed_in(world.outsider)
    assert plan.strategy.title not in outsider.get(url("strategy_list")).content.decode()
    version = version_act.do_create_version(coordinator, plan.strategy)
    version_act.do_move_version(coordinator, version, VersionStatus.CONSULTATION)
    body = outsider.get(url("strategy_list")).content.decode()
    assert "Strategies you are consulted on" in body and plan.strategy.title in body
    assert url("strategy_create") not in body
    # Still no access to the working copy.
    assert outsider.get(url("workspace", plan.strategy.pk)).status_code == 404


def test_header_tabs_and_workspace_evidence(world: World, plan: Plan, make_gap: Callable[..., Gap]) -> None:
    make_gap(title_en="Open gap")
    body = signed_in(world.users[Role.ANALYST]).get(url("workspace", plan.strategy.pk)).content.decode()
    for tab in ("Workspace", "Plan", "Traceability"):
        assert f">{tab}</a>" in body
    assert reverse("trends:dashboard") in body
    assert "1 open gaps of 1" in body
    assert "No capacity assessment of this country yet." in body
    assert "Name the lead authority and its mandate" in body
    assert "0% of open gaps have an action" in body


# --------------------------------------------------------------------------- strategy and lifecycle


def test_create_a_strategy_with_consultees(world: World) -> None:
    client = signed_in(world.users[Role.COORDINATOR])
    bad = client.post(
        url("strategy_create"),
        {"organisation": world.org_a.pk, "title_en": "NCSS", "country": "PY", "start_year": 2028, "end_year": 2025},
    )
    assert bad.status_code == 400
    assert "The last year comes before the first year." in bad.content.decode()
    assert 'value="NCSS"' in bad.content.decode()
    assert not Strategy.objects.exists()
    response = client.post(
        url("strategy_create"),
        {
            "organisation": world.org_a.pk,
            "title_en": "NCSS",
            "country": "PY",
            "start_year": 2025,
            "end_year": 2028,
            "review_months": 36,
            "tlp": TLP.AMBER,
            "consultees": [world.org_b.pk],
        },
    )
    strategy = Strategy.objects.get()
    assert response.status_code == 302 and response["Location"] == url("workspace", strategy.pk)
    assert list(strategy.consultees.all()) == [world.org_b]
    assert strategy.tasks.count() > 10
    assert AuditEntry.objects.filter(object_id=str(strategy.pk), content_type__model="strategy").exists()


def test_only_deciders_create_strategies(world: World) -> None:
    for role in (Role.ANALYST, Role.VIEWER, Role.EXTERNAL_PARTNER):
        assert signed_in(world.users[role]).get(url("strategy_create")).status_code == 403, role
    assert signed_in(world.nobody).get(url("strategy_create")).status_code == 403


def test_set_phase_and_toggle_a_task(world: World, plan: Plan) -> None:
    s = plan.strategy.pk
    task = plan.strategy.tasks.get(title_en="Assess national cybersecurity capacity")
    analyst = signed_in(world.users[Role.ANALYST])
    assert analyst.post(url("set_phase", s), {"phase": Phase.PRODUCTION}).status_code == 403
    coordinator = signed_in(world.users[Role.COORDINATOR])
    coordinator.post(url("set_phase", s), {"phase": Phase.PRODUCTION})
    plan.strategy.refresh_from_db()
    assert plan.strategy.phase == Phase.PRODUCTION
    contributor = signed_in(world.users[Role.CONTRIBUTOR])
    response = contributor.post(url("task_done", s, task.pk), {"done": "on", "version": task.version})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done and task.done_at is not None
    # A second click made from the same (stale) page does not silently undo it.
    contributor.post(url("task_done", s, task.pk), {"version": 1})
    task.refresh_from_db()
    assert task.done
    page = contributor.get(url("workspace", s)).content.decode()
    assert "Someone else changed the task" in page


def test_task_evidence_must_be_an_address(world: World, plan: Plan) -> None:
    client = signed_in(world.users[Role.ANALYST])
    response = client.post(
        url("task_create", plan.strategy.pk),
        {"phase": Phase.STOCKTAKING, "title_en": "Review the law", "evidence_url": "javascript:alert(1)", "order": 0},
    )
    assert response.status_code == 400
    assert "Give an address starting with https://, http:// or /." in response.content.decode()
    assert not PhaseTask.objects.filter(title_en="Review the law").exists()
    response = client.post(
        url("task_create", plan.strategy.pk),
        {"phase": Phase.STOCKTAKING, "title_en": "Review the law", "evidence_url": "/gaps/", "order": 0},
    )
    assert response.status_code == 302
    assert PhaseTask.objects.get(title_en="Review the law").evidence_url == "/gaps/"


# --------------------------------------------------------------------------- structure


def test_plan_tree_shows_the_structure(world: World, plan: Plan) -> None:
    act.do_add_principle(None, plan.strategy, title_en="Multistakeholder")
    body = signed_in(world.users[Role.VIEWER]).get(url("plan", plan.strategy.pk)).content.decode()
    tree = body.split('class="plan-tree"')[1]
    assert tree.index("Incident response") < tree.index("Strengthen the CSIRT") < tree.index("Staff and tools")
    assert tree.index("Staff and tools") < tree.index("Hire four incident handlers") < tree.index("Awareness")
    assert "Multistakeholder" in body
    assert "Add an axis" not in body  # a viewer reads only


def test_add_elements_at_each_level(world: World, plan: Plan) -> None:
    client = signed_in(world.users[Role.ANALYST])
    s = plan.strategy.pk
    response = client.post(
        url("element_create", s) + "?kind=objective",
        {"kind": "objective", "parent": plan.axis2.pk, "code": "2.2", "title_en": "Schools"},
    )
    assert response.status_code == 302
    objective = Element.objects.get(code="2.2")
    assert (objective.kind, objective.parent) == (ElementKind.OBJECTIVE, plan.axis2)
    # The parent list offers only elements of the kind one level up.
    form = client.get(url("element_create", s) + "?kind=line").context["form"]
    assert {e.kind for e in form.fields["parent"].queryset} == {ElementKind.OBJECTIVE}
    assert "parent" not in client.get(url("element_create", s) + "?kind=axis").context["form"].fields


def test_orphan_wrong_parent_and_duplicate_code_are_shown_on_the_field(world: World, plan: Plan) -> None:
    client = signed_in(world.users[Role.ANALYST])
    s = plan.strategy.pk
    orphan = client.post(
        url("element_create", s) + "?kind=objective", {"kind": "objective", "code": "3.1", "title_en": "Orphan"}
    )
    assert orphan.status_code == 400
    assert orphan.context["form"].errors["parent"] == ["An objective needs the axis it belongs to."]
    assert 'value="Orphan"' in orphan.content.decode()
    wrong = client.post(
        url("element_create", s) + "?kind=line",
        {"kind": "line", "code": "3.1.1", "title_en": "Wrong", "parent": plan.axis1.pk},
    )
    assert wrong.status_code == 400 and "parent" in wrong.context["form"].errors
    duplicate = client.post(url("element_create", s) + "?kind=axis", {"kind": "axis", "code": "1", "title_en": "Again"})
    assert duplicate.status_code == 400
    assert duplicate.context["form"].errors["code"] == ["Another element of this strategy already has this code."]
    assert plan.strategy.elements.count() == 5


def test_a_cycle_in_the_stored_structure_is_refused_with_a_message(world: World, plan: Plan) -> None:
    # An old import left axis 1 hanging under objective 1.1; moving the objective under it is a cycle.
    Element.objects.filter(pk=plan.axis1.pk).update(parent=plan.objective11)
    client = signed_in(world.users[Role.COORDINATOR])
    response = client.post(
        url("element_edit", plan.strategy.pk, plan.objective11.pk),
        {"parent": plan.axis1.pk, "code": "1.1", "title_en": "Strengthen the CSIRT", "version": 1, "order": 0},
    )
    assert response.status_code == 400
    assert "This would place the element under itself (a cycle)." in response.context["form"].errors["parent"]
    # And the plan page names what no axis reaches instead of hiding it.
    body = client.get(url("plan", plan.strategy.pk)).content.decode()
    assert "Elements outside the structure" in body


def test_deleting_an_element_with_children_keeps_everything(world: World, plan: Plan) -> None:
    client = signed_in(world.users[Role.COORDINATOR])
    response = client.post(url("element_delete", plan.strategy.pk, plan.axis1.pk), follow=True)
    assert "1 still has 1 elements and 0 actions under it" in response.content.decode()
    assert plan.strategy.elements.count() == 5
    empty = act.do_create_element(None, plan.strategy, kind=ElementKind.AXIS, code="9", title_en="Spare")
    client.post(url("element_delete", plan.strategy.pk, empty.pk))
    assert not Element.objects.filter(pk=empty.pk).exists()


def test_principles(world: World, plan: Plan) -> None:
    client = signed_in(world.users[Role.ANALYST])
    s = plan.strategy.pk
    assert client.post(url("principle_create", s), {"title_en": "", "order": 1}).status_code == 400
    client.post(url("principle_create", s), {"title_en": "Human rights", "order": 1})
    principle = plan.strategy.principles.get()
    client.post(url("principle_edit", s, principle.pk), {"title_en": "Human rights online", "order": 1, "version": 1})
    principle.refresh_from_db()
    assert principle.title_en == "Human rights online" and principle.version == 2
    client.post(url("principle_delete", s, principle.pk))
    assert not plan.strategy.principles.exists()


# --------------------------------------------------------------------------- actions and KPIs


def action_data(plan: Plan, **values: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "parent": plan.line111.pk,
        "code": "",
        "title_en": "Buy forensic tools",
        "title_es": "",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "budget": "50000",
        "currency": "usd",
        "funding_source": "international",
        "order": 0,
    }
    data.update(values)
    return data


def test_create_an_action_with_institutions_budget_and_gaps(
    world: World, plan: Plan, make_gap: Callable[..., Gap]
) -> None:
    gap = make_gap(title_en="No forensic capability")
    client = signed_in(world.users[Role.ANALYST])
    response = client.post(
        url("action_create", plan.strategy.pk),
        action_data(
            plan, lead=world.org_a.pk, supporting=[world.org_b.pk], gaps=[gap.pk], gap_note="Tools for the lab."
        ),
    )
    action = Action.objects.get(title_en="Buy forensic tools")
    assert response["Location"] == url("action_detail", plan.strategy.pk, action.pk)
    assert action.code == "1.1.1.2" and action.currency == "USD"
    assert list(action.supporting.all()) == [world.org_b]
    assert ActionGap.objects.get(action=action).note == "Tools for the lab."
    body = client.get(response["Location"]).content.decode()
    assert gap.identifier in body and "Tools for the lab." in body


def test_action_dates_out_of_order_and_missing_parent(world: World, plan: Plan) -> None:
    client = signed_in(world.users[Role.ANALYST])
    backwards = client.post(url("action_create", plan.strategy.pk), action_data(plan, end_date="2025-01-01"))
    assert backwards.status_code == 400
    assert backwards.context["form"].errors["end_date"] == ["The end date comes before the start date."]
    assert 'value="Buy forensic tools"' in backwards.content.decode()
    orphan = client.post(url("action_create", plan.strategy.pk), action_data(plan, parent=""))
    assert orphan.status_code == 400
    assert "parent" in orphan.context["form"].errors
    under_axis = client.post(url("action_create", plan.strategy.pk), action_data(plan, parent=plan.axis1.pk))
    assert under_axis.status_code == 400 and "parent" in under_axis.context["form"].errors
    assert not Action.objects.filter(title_en="Buy forensic tools").exists()


def test_link_and_unlink_a_gap_with_a_note(world: World, plan: Plan, make_gap: Callable[..., Gap]) -> None:
    gap = make_gap(title_en="No awareness programme")
    client = signed_in(world.users[Role.ANALYST])
    s, a = plan.strategy.pk, plan.action2.pk
    client.post(url("gap_link", s, a), {"gap": gap.pk, "note": "Reaches citizens."})
    assert ActionGap.objects.get(action=plan.action2, gap=gap).note == "Reaches citizens."
    other = make_gap(organisation=world.org_b, creator=world.outsider, title_en="Not ours")
    refused = client.post(url("gap_link", s, a), {"gap": other.pk})
    assert refused.status_code == 400
    client.post(url("gap_unlink", s, a, gap.pk))
    assert not ActionGap.objects.filter(action=plan.action2).exists()


def test_kpi_in_the_wrong_unit_is_refused_on_the_field(world: World, plan: Plan) -> None:
    client = signed_in(world.users[Role.ANALYST])
    s, a = plan.strategy.pk, plan.action1.pk
    data = {
        "name_en": "Incidents handled within a day",
        "unit": KPIUnit.PERCENT,
        "direction": "increase",
        "baseline": "40%",
        "target": "12 days",
        "frequency": "quarterly",
        "source": "manual",
    }
    response = client.post(url("kpi_create", s, a), data)
    assert response.status_code == 400
    assert response.context["form"].errors["target"] == ["12 days is in days, but this KPI is measured in percentage."]
    assert 'value="12 days"' in response.content.decode()
    assert not KPI.objects.exists()
    response = client.post(url("kpi_create", s, a), {**data, "target": "90%"})
    assert response.status_code == 302
    kpi = KPI.objects.get()
    assert (kpi.baseline, kpi.target) == (Decimal(40), Decimal(90))
    edit = client.get(url("kpi_edit", s, a, kpi.pk)).content.decode()
    assert 'value="90"' in edit
    automatic = client.post(
        url("kpi_edit", s, a, kpi.pk), {**data, "target": "90", "source": "assessment_stage", "version": kpi.version}
    )
    assert automatic.status_code == 400
    assert "unit" in automatic.context["form"].errors
    client.post(url("kpi_delete", s, a, kpi.pk))
    assert not KPI.objects.exists()


def test_create_this_action_from_a_suggestion(world: World, plan: Plan, make_gap: Callable[..., Gap]) -> None:
    gap = make_gap(title_en="No reporting obligation", source="threat_trend")
    client = signed_in(world.users[Role.COORDINATOR])
    s = plan.strategy.pk
    form = client.get(url("action_create", s) + f"?gap={gap.pk}").context["form"]
    assert form.initial["title_en"] == f"Address {gap.identifier}: No reporting obligation"
    assert form.initial["gaps"] == [gap.pk]
    assert form.initial["parent"] == plan.line111.pk  # threat trends belong to preparedness (axis 1)
    assert "is open and no action addresses it" in form.initial["gap_note"]
    client.post(
        url("action_create", s),
        action_data(plan, title_en=form.initial["title_en"], gaps=[gap.pk], gap_note=form.initial["gap_note"]),
    )
    assert ActionGap.objects.filter(gap=gap).exists()
    body = client.get(url("traceability", s)).content.decode()
    assert "100% covered" in body


# --------------------------------------------------------------------------- permissions


def test_viewer_reads_but_cannot_change(world: World, plan: Plan) -> None:
    client = signed_in(world.users[Role.VIEWER])
    for page in read_pages(plan):
        assert client.get(page).status_code == 200, page
    for page in edit_pages(plan):
        assert client.get(page).status_code == 403, page
        assert client.post(page, {"title_en": "x"}).status_code == 403, page
    s = plan.strategy.pk
    assert client.post(url("set_phase", s), {"phase": "production"}).status_code == 403
    assert client.post(url("task_done", s, plan.strategy.tasks.first().pk), {"version": 1}).status_code == 403  # type: ignore[union-attr]
    body = client.get(url("action_detail", s, plan.action1.pk)).content.decode()
    assert "Edit the action" not in body and "Link the gap" not in body


def test_outsider_and_nobody_get_404_everywhere(world: World, plan: Plan) -> None:
    pages = read_pages(plan) + edit_pages(plan)
    for user in (world.outsider, world.nobody):
        client = signed_in(user)
        for page in pages:
            assert client.get(page).status_code == 404, (user, page)
        assert plan.strategy.title not in client.get(url("strategy_list")).content.decode()


def test_anonymous_is_sent_to_sign_in(plan: Plan) -> None:
    response = Client().get(url("plan", plan.strategy.pk))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_external_partner_reads_only_green_strategies(world: World, plan: Plan, make_gap: Callable[..., Gap]) -> None:
    partner = signed_in(world.users[Role.EXTERNAL_PARTNER])
    assert partner.get(url("workspace", plan.strategy.pk)).status_code == 404  # AMBER
    Strategy.objects.filter(pk=plan.strategy.pk).update(tlp=TLP.GREEN)
    amber = make_gap(title_en="Amber gap")
    green = make_gap(title_en="Green gap", tlp=TLP.GREEN)
    for page in read_pages(plan):
        assert partner.get(page).status_code == 200, page
    assert partner.get(url("action_edit", plan.strategy.pk, plan.action1.pk)).status_code == 403
    body = partner.get(url("traceability", plan.strategy.pk)).content.decode()
    assert green.identifier in body and amber.identifier not in body
    assert "Create this action" not in body


def test_red_strategy_hidden_from_the_analyst(world: World, plan: Plan) -> None:
    Strategy.objects.filter(pk=plan.strategy.pk).update(tlp=TLP.RED)
    assert signed_in(world.users[Role.ANALYST]).get(url("plan", plan.strategy.pk)).status_code == 404
    assert signed_in(world.users[Role.COORDINATOR]).get(url("plan", plan.strategy.pk)).status_code == 200


def test_gap_page_lists_the_actions_addressing_it(world: World, plan: Plan, make_gap: Callable[..., Gap]) -> None:
    gap = make_gap(title_en="Few incident handlers")
    act.do_link_gap(world.users[Role.COORDINATOR], plan.action1, gap)
    analyst = signed_in(world.users[Role.ANALYST])
    page = analyst.get(reverse("gaps:gap_detail", args=[gap.pk])).content.decode()
    assert url("gap_actions", gap.pk) in page
    fragment = analyst.get(url("gap_actions", gap.pk), headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()
    assert "Hire four incident handlers" in fragment.content.decode()
    # An action of a strategy the reader may not see is not listed.
    Strategy.objects.filter(pk=plan.strategy.pk).update(tlp=TLP.RED)
    hidden = analyst.get(url("gap_actions", gap.pk)).content.decode()
    assert "Hire four incident handlers" not in hidden
    assert signed_in(world.outsider).get(url("gap_actions", gap.pk)).status_code == 404


# --------------------------------------------------------------------------- two people, one record


def test_concurrent_edit_of_an_action_keeps_both(world: World, plan: Plan) -> None:
    s, a = plan.strategy.pk, plan.action1.pk
    mine = signed_in(world.users[Role.ANALYST])
    loaded = mine.get(url("action_edit", s, a)).context["form"]["version"].value()
    # Meanwhile the coordinator saves a new title.
    act.do_update_action(world.users[Role.COORDINATOR], plan.action1, plan.action1.version, title_en="Hire six")
    data = action_data(plan, code=plan.action1.code, title_en="Hire five", lead=world.org_a.pk, version=loaded)
    response = mine.post(url("action_edit", s, a), data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved this action while you were editing it." in body
    assert 'value="Hire five"' in body  # what I typed is kept
    assert "Values saved by the other person" in body and "Hire six" in body
    plan.action1.refresh_from_db()
    assert plan.action1.title_en == "Hire six"
    # The form now carries the current version: saving again keeps mine, knowingly.
    again = response.context["form"]["version"].value()
    assert int(again) == plan.action1.version
    assert mine.post(url("action_edit", s, a), {**data, "version": again}).status_code == 302
    plan.action1.refresh_from_db()
    assert plan.action1.title_en == "Hire five"


def test_concurrent_edit_of_the_strategy_and_an_element(world: World, plan: Plan) -> None:
    s = plan.strategy.pk
    client = signed_in(world.users[Role.COORDINATOR])
    act.do_update_strategy(None, plan.strategy, plan.strategy.version, vision_en="Their vision")
    response = client.post(
        url("strategy_edit", s),
        {
            "title_en": "NCSS",
            "country": "PY",
            "start_year": 2025,
            "end_year": 2028,
            "review_months": 36,
            "tlp": TLP.AMBER,
            "vision_en": "My vision",
            "version": 1,
        },
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved this strategy" in body and "Their vision" in body and "My vision" in body
    act.do_update_element(None, plan.axis2, 1, title_en="Their title")
    response = client.post(
        url("element_edit", s, plan.axis2.pk), {"code": "2", "title_en": "My title", "order": 0, "version": 1}
    )
    assert response.status_code == 409
    assert "Someone else saved this element" in response.content.decode()
    plan.axis2.refresh_from_db()
    assert plan.axis2.title_en == "Their title"


def test_the_plan_shows_an_action_without_a_lead(world: World, plan: Plan) -> None:
    """An action whose lead institution is not chosen yet reads as a dash, not a server error."""
    coordinator = world.users[Role.COORDINATOR]
    act.do_create_action(coordinator, plan.strategy, parent=plan.line111, title_en="Leaderless action")
    response = signed_in(coordinator).get(url("plan", plan.strategy.pk))
    assert response.status_code == 200
    assert "Leaderless action" in response.content.decode()
