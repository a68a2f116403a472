"""The lifecycle tasks agree with the strategy's state: what the records show done is shown done."""

from __future__ import annotations

import datetime
import re

from cyberplan.assessment.actions import do_create_assessment
from cyberplan.assessment.choices import Method
from cyberplan.assessment.models import Framework
from cyberplan.core.choices import TLP, Role
from cyberplan.strategy import actions as act
from cyberplan.strategy.choices import VersionStatus
from cyberplan.strategy.models import PhaseTask
from cyberplan.strategy.versions import actions as version_actions
from tests.conftest import World

from .conftest import Plan, signed_in, url


def _row(page: str, task: PhaseTask) -> str:
    match = re.search(rf'<tr id="task-{task.pk}">(.*?)</tr>', page, re.S)
    assert match, task.title
    return match.group(1)


def _publish(plan: Plan, world: World) -> None:
    coordinator = world.users[Role.COORDINATOR]
    version = version_actions.do_create_version(coordinator, plan.strategy, "First version")
    version = version_actions.do_move_version(coordinator, version, VersionStatus.CONSULTATION)
    version = version_actions.do_move_version(coordinator, version, VersionStatus.APPROVED)
    version_actions.do_move_version(coordinator, version, VersionStatus.PUBLISHED, legal_reference="Decree 1/2026")


def test_published_strategy_is_not_offered_publication(plan: Plan, world: World) -> None:
    _publish(plan, world)
    publish = plan.strategy.tasks.get(key="publication")
    consult = plan.strategy.tasks.get(key="consultation")
    assert not publish.done  # nobody ticked it: the state alone shows it done
    page = signed_in(world.users[Role.COORDINATOR]).get(url("workspace", plan)).content.decode()
    row = _row(page, publish)
    assert "Done" in row and "Not done" not in row
    assert "Version 1 was published" in row
    assert "Mark as done" not in row
    assert "Version 1 went to consultation" in _row(page, consult)
    # Production: draft, consultation and publication are all shown by the state.
    assert "3 of 3 tasks done" in page
    # Publication moves the phase on; set back by hand, the page says it disagrees.
    assert "A version of the strategy is published" not in page
    act.do_set_phase(world.users[Role.COORDINATOR], plan.strategy, "stocktaking")
    page = signed_in(world.users[Role.COORDINATOR]).get(url("workspace", plan)).content.decode()
    assert "A version of the strategy is published, but its current phase is still Stocktaking and analysis" in page


def test_task_ticked_against_the_state_is_flagged(plan: Plan, world: World) -> None:
    publish = plan.strategy.tasks.get(key="publication")
    client = signed_in(world.users[Role.COORDINATOR])
    response = client.post(url("task_done", plan, publish.pk), {"done": "on", "version": publish.version})
    assert response.status_code == 302
    row = _row(client.get(url("workspace", plan)).content.decode(), publish)
    assert "Marked done, but: No version is published yet." in row
    assert "Mark as not done" in row


def test_tasks_the_state_cannot_see_follow_their_checkbox(plan: Plan, world: World) -> None:
    lead = plan.strategy.tasks.get(key="lead_authority")
    page = signed_in(world.users[Role.COORDINATOR]).get(url("workspace", plan)).content.decode()
    row = _row(page, lead)
    assert "Not done" in row and "Mark as done" in row
    assert "A version of the strategy is published" not in page


def test_assessment_task_reads_the_assessments_the_reader_sees(plan: Plan, world: World) -> None:
    shipped = Framework.objects.get(framework_id="cyberplan-ncm", version="2026.1")
    task = plan.strategy.tasks.get(key="assessment")
    coordinator = world.users[Role.COORDINATOR]
    do_create_assessment(
        coordinator,
        world.org_a,
        shipped,
        title="Secret national assessment",
        country="PY",
        date=datetime.date(2026, 3, 1),
        method=Method.EXPERT_REVIEW,
        tlp=TLP.RED,
    )
    row = _row(signed_in(coordinator).get(url("workspace", plan)).content.decode(), task)
    assert "Capacity assessment of" in row and "Mark as done" not in row
    # An analyst does not read the RED assessment: for them the task is still open.
    row = _row(signed_in(world.users[Role.ANALYST]).get(url("workspace", plan)).content.decode(), task)
    assert "Not done" in row and "Capacity assessment of" not in row
