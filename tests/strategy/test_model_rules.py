"""The rules the strategy's writes enforce: structure, dates, units, versions, workflow, comments."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.strategy import actions as act
from cyberplan.strategy import snapshot
from cyberplan.strategy.choices import (
    ActionStatus,
    ElementKind,
    KPIDirection,
    KPISource,
    KPIUnit,
    Resolution,
    VersionStatus,
)
from cyberplan.strategy.models import PhaseTask, StrategyVersion
from cyberplan.strategy.versions import actions as version_act
from tests.conftest import World

from .conftest import Plan

pytestmark = pytest.mark.django_db


def test_new_strategy_offers_the_lifecycle_tasks_of_every_phase(plan: Plan) -> None:
    phases = set(PhaseTask.objects.filter(strategy=plan.strategy).values_list("phase", flat=True))
    assert phases == {"initiation", "stocktaking", "production", "implementation", "monitoring"}


def test_an_objective_needs_an_axis_above_it(world: World, plan: Plan) -> None:
    user = world.users[Role.COORDINATOR]
    with pytest.raises(ValidationError) as orphan:
        act.do_create_element(user, plan.strategy, kind=ElementKind.OBJECTIVE, code="9.1", title_en="Orphan")
    assert "An objective needs the axis it belongs to." in str(orphan.value)
    with pytest.raises(ValidationError) as wrong:
        act.do_create_element(
            user, plan.strategy, kind=ElementKind.OBJECTIVE, parent=plan.line111, code="9.2", title_en="Wrong level"
        )
    assert "sits directly under an axis" in str(wrong.value)


def test_moving_an_element_under_itself_is_refused_as_a_cycle(plan: Plan) -> None:
    # A legal move: objective 1.1 to axis 2.
    act.check_parent(ElementKind.OBJECTIVE, plan.axis2, plan.strategy, plan.objective11)
    # A tree already malformed (an axis hanging under the objective, e.g. from an old import) is
    # caught by the walk up the parents, not only by the kind rule.
    plan.axis1.parent = plan.objective11
    with pytest.raises(ValidationError, match="cycle"):
        act.check_parent(ElementKind.OBJECTIVE, plan.axis1, plan.strategy, plan.objective11)


def test_deleting_an_element_with_children_is_refused_and_nothing_is_lost(world: World, plan: Plan) -> None:
    with pytest.raises(ValidationError, match="move or delete them first"):
        act.do_delete_element(world.users[Role.COORDINATOR], plan.axis1)
    assert plan.strategy.elements.count() == 5


def test_duplicate_code_is_a_clear_error(world: World, plan: Plan) -> None:
    with pytest.raises(ValidationError, match="already has this code"):
        act.do_create_element(
            world.users[Role.COORDINATOR], plan.strategy, kind=ElementKind.AXIS, code="1", title_en="Again"
        )


def test_action_dates_must_be_in_order(world: World, plan: Plan) -> None:
    with pytest.raises(ValidationError) as error:
        act.do_update_action(
            world.users[Role.COORDINATOR],
            plan.action1,
            plan.action1.version,
            start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2025, 1, 1),
        )
    assert "end_date" in error.value.message_dict
    plan.action1.refresh_from_db()
    assert plan.action1.start_date == datetime.date(2025, 1, 1)


def test_concurrent_edit_of_the_same_action_is_detected(world: World, plan: Plan) -> None:
    user = world.users[Role.COORDINATOR]
    loaded = plan.action1.version
    act.do_update_action(user, plan.action1, loaded, title_en="First editor's title")
    with pytest.raises(act.ConcurrentEditError) as error:
        act.do_update_action(user, plan.action1, loaded, title_en="Second editor's title")
    assert error.value.current.title_en == "First editor's title"


@pytest.mark.parametrize(
    ("unit", "target", "message"),
    [
        (KPIUnit.COUNT, "80%", "is in percentage, but this KPI is measured in count"),
        (KPIUnit.PERCENT, "120", "between 0 and 100"),
        (KPIUnit.STAGE, "3.5", "whole number from 1 to 5"),
        (KPIUnit.DAYS, "48 h", "is in hours, but this KPI is measured in days"),
        (KPIUnit.COUNT, "many", "is not a number"),
    ],
)
def test_kpi_target_in_the_wrong_unit_is_refused(
    world: World, plan: Plan, unit: str, target: str, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        act.do_create_kpi(world.users[Role.COORDINATOR], plan.action1, name_en="Handlers", unit=unit, target=target)
    assert message in " ".join(error.value.message_dict["target"])


def test_kpi_value_with_its_own_unit_is_accepted(world: World, plan: Plan) -> None:
    kpi = act.do_create_kpi(
        world.users[Role.COORDINATOR],
        plan.action1,
        name_en="Share of incidents answered in a day",
        unit=KPIUnit.PERCENT,
        baseline="40%",
        target="90 %",
    )
    assert (kpi.baseline, kpi.target) == (40, 90)


def test_kpi_direction_and_automatic_source_must_fit(world: World, plan: Plan) -> None:
    user = world.users[Role.COORDINATOR]
    with pytest.raises(ValidationError, match="below the baseline"):
        act.do_create_kpi(user, plan.action1, name_en="Handlers", unit=KPIUnit.COUNT, baseline=4, target=2)
    act.do_create_kpi(
        user, plan.action1, name_en="Events", unit=KPIUnit.COUNT, baseline=4, target=2, direction=KPIDirection.DECREASE
    )
    with pytest.raises(ValidationError) as error:
        act.do_create_kpi(
            user,
            plan.action1,
            name_en="Stage",
            unit=KPIUnit.PERCENT,
            source=KPISource.ASSESSMENT_STAGE,
            source_detail="1.2",
        )
    assert "measured in maturity stage" in " ".join(error.value.message_dict["unit"])
    with pytest.raises(ValidationError) as bad_spec:
        act.do_create_kpi(
            user,
            plan.action1,
            name_en="Events",
            unit=KPIUnit.COUNT,
            source=KPISource.TREND_METRIC,
            source_detail="logs",
        )
    assert "Unknown figure" in " ".join(bad_spec.value.message_dict["source_detail"])


def test_progress_update_moves_the_action_and_is_audited(world: World, plan: Plan) -> None:
    user = world.users[Role.ANALYST]
    act.do_report_progress(
        user,
        plan.action1,
        date=datetime.date(2025, 6, 30),
        status=ActionStatus.IN_PROGRESS,
        percent_complete=50,
        narrative="Two handlers hired.",
    )
    # An older update entered later does not roll the action back.
    act.do_report_progress(
        user,
        plan.action1,
        date=datetime.date(2025, 3, 31),
        status=ActionStatus.IN_PROGRESS,
        percent_complete=20,
        narrative="Recruitment opened.",
    )
    plan.action1.refresh_from_db()
    assert (plan.action1.status, plan.action1.percent_complete) == (ActionStatus.IN_PROGRESS, 50)
    with pytest.raises(ValidationError, match="give 100 percent"):
        act.do_report_progress(
            user,
            plan.action1,
            date=datetime.date(2025, 7, 1),
            status=ActionStatus.COMPLETED,
            percent_complete=90,
            narrative="x",
        )
    assert AuditEntry.objects.filter(object_repr__contains="2025-06-30").exists()


def test_versions_freeze_the_plan_and_show_differences(world: World, plan: Plan) -> None:
    user = world.users[Role.COORDINATOR]
    first = version_act.do_create_version(user, plan.strategy, note="First draft")
    version_act.do_move_version(user, first, VersionStatus.APPROVED)
    version_act.do_move_version(user, first, VersionStatus.PUBLISHED, legal_reference="Decree 1/2025")
    act.do_update_action(user, plan.action1, None, title_en="Hire six incident handlers", budget=180000)
    act.do_create_element(user, plan.strategy, kind=ElementKind.AXIS, code="3", title_en="Cooperation")
    act.do_delete_action(user, plan.action2)
    second = version_act.do_create_version(user, plan.strategy)
    changes = {(c.kind, c.change, c.label) for c in snapshot.compare(first.snapshot, second.snapshot)}
    assert ("element", "added", "3 Cooperation") in changes
    assert ("action", "removed", "2.1.1 National awareness campaign") in changes
    changed = next(c for c in snapshot.compare(first.snapshot, second.snapshot) if c.key == plan.action1.uid)
    fields = {f.field: f for f in changed.fields}
    assert fields["budget"].before == "120000.00" and fields["budget"].after == "180000.00"
    assert ("-", "four") in fields["title_en"].segments and ("+", "six") in fields["title_en"].segments
    # The published version did not change with the working copy.
    first.refresh_from_db()
    assert snapshot.element_by_uid(first.snapshot, plan.action1.uid)["title_en"] == "Hire four incident handlers"


def test_published_version_is_immutable(world: World, plan: Plan) -> None:
    user = world.users[Role.COORDINATOR]
    version = version_act.do_create_version(user, plan.strategy)
    version_act.do_move_version(user, version, VersionStatus.APPROVED)
    version = version_act.do_move_version(user, version, VersionStatus.PUBLISHED)
    assert version.citation.endswith(f"v1, {timezone.localdate(version.published_at).isoformat()}")
    with pytest.raises(ValidationError, match="published and cannot be changed"):
        version_act.do_move_version(user, version, VersionStatus.DRAFT)
    with pytest.raises(ValidationError, match="published and cannot be changed"):
        version_act.do_refresh_version(user, version, None)
    version.note = "changed behind the workflow's back"
    with pytest.raises(ValidationError, match="cannot be changed"):
        version.save()
    assert StrategyVersion.objects.get(pk=version.pk).note == ""


def test_workflow_refuses_skipping_and_a_second_open_version(world: World, plan: Plan) -> None:
    user = world.users[Role.COORDINATOR]
    version = version_act.do_create_version(user, plan.strategy)
    with pytest.raises(ValidationError, match="draft cannot become published"):
        version_act.do_move_version(user, version, VersionStatus.PUBLISHED)
    with pytest.raises(ValidationError, match="still draft"):
        version_act.do_create_version(user, plan.strategy)


def test_consultation_comments_must_be_resolved_before_approval(world: World, plan: Plan) -> None:
    user = world.users[Role.COORDINATOR]
    plan.strategy.consultees.add(world.org_b)
    version = version_act.do_create_version(user, plan.strategy)
    with pytest.raises(ValidationError, match="only while a version is in consultation"):
        version_act.do_add_comment(world.outsider, version, world.org_b, section="vision", text="Too vague")
    version = version_act.do_move_version(user, version, VersionStatus.CONSULTATION)
    comment = version_act.do_add_comment(
        world.outsider, version, world.org_b, section=plan.action1.uid, text="Six, not four"
    )
    assert comment.section_label.startswith("1.1.1.1 ")
    with pytest.raises(ValidationError, match="not part of version 1"):
        version_act.do_add_comment(world.outsider, version, world.org_b, section="nonsense", text="x")
    with pytest.raises(ValidationError, match="1 consultation comments are not resolved"):
        version_act.do_move_version(user, version, VersionStatus.APPROVED)
    with pytest.raises(ValidationError, match="Say why"):
        version_act.do_resolve_comment(user, comment, comment.version, resolution=Resolution.REJECTED)
    version_act.do_resolve_comment(
        user, comment, comment.version, resolution=Resolution.ACCEPTED, note="Changed to six."
    )
    version = version_act.do_move_version(user, version, VersionStatus.APPROVED)
    assert version.approved_by == user


def test_citation_keeps_the_title_the_version_was_published_with(world: World, plan: Plan) -> None:
    user = world.users[Role.COORDINATOR]
    version = version_act.do_create_version(user, plan.strategy)
    version_act.do_move_version(user, version, VersionStatus.APPROVED)
    version = version_act.do_move_version(user, version, VersionStatus.PUBLISHED)
    act.do_update_strategy(user, plan.strategy, None, title_en="Renamed strategy")
    version.refresh_from_db()
    assert version.citation.startswith("National Cybersecurity Strategy, v1, ")


def test_links_to_gaps_the_reader_cannot_see_do_not_justify_an_action(world: World, plan: Plan, make_gap) -> None:  # type: ignore[no-untyped-def]
    from cyberplan.gaps.access import gaps_visible_to
    from cyberplan.strategy.traceability import coverage

    red = make_gap(title_en="Secret gap", tlp="red")
    act.do_link_gap(world.users[Role.COORDINATOR], plan.action1, red)
    coordinator_view = coverage(plan.strategy, gaps_visible_to(world.users[Role.COORDINATOR]))
    viewer_view = coverage(plan.strategy, gaps_visible_to(world.users[Role.VIEWER]))
    assert plan.action1 not in coordinator_view.unjustified
    assert plan.action1 in viewer_view.unjustified
    assert viewer_view.links == {}


def test_renumbering_onto_a_taken_code_names_the_field(world: World, plan: Plan) -> None:
    user = world.users[Role.COORDINATOR]
    with pytest.raises(ValidationError) as action_error:
        act.do_update_action(user, plan.action2, None, code=plan.action1.code)
    assert action_error.value.message_dict == {"code": ["Another action of this strategy already has this code."]}
    with pytest.raises(ValidationError) as element_error:
        act.do_update_element(user, plan.axis2, None, code="1")
    assert element_error.value.message_dict == {"code": ["Another element of this strategy already has this code."]}


@pytest.mark.parametrize(
    ("tlp", "consultee_role", "reads"),
    [
        ("amber", "analyst", True),
        ("green", "external_partner", True),
        ("amber", "external_partner", False),
        ("amber+strict", "analyst", False),
        ("red", "administrator", False),
    ],
)
def test_consulted_organisations_read_versions_only_under_a_shareable_tlp(
    world: World, plan: Plan, tlp: str, consultee_role: str, reads: bool
) -> None:
    from cyberplan.core.models import Membership
    from cyberplan.strategy import access

    coordinator = world.users[Role.COORDINATOR]
    act.do_update_strategy(coordinator, plan.strategy, None, tlp=tlp)
    plan.strategy.consultees.add(world.org_b)
    Membership.objects.filter(user=world.outsider).update(role=consultee_role)
    version = version_act.do_move_version(
        coordinator, version_act.do_create_version(coordinator, plan.strategy), VersionStatus.CONSULTATION
    )
    plan.strategy.refresh_from_db()
    assert access.versions_visible_to(world.outsider, plan.strategy).filter(pk=version.pk).exists() is reads
    assert (plan.strategy in access.strategies_consulted_by(world.outsider)) is reads
    may_comment = consultee_role != "external_partner" and reads
    assert (world.org_b in access.commenting_organisations(world.outsider, version)) is may_comment
