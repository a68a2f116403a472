"""Evaluations, recommendations, risks and assumptions, responsible bodies and the review cycle.

The review cycle counts from the adoption date; a recommendation becomes a gap in the owner's
register or a planned action, linked both ways and audited; another organisation reads nothing and
a viewer writes nothing, through the pages or the API; the M&E report carries the sections in
both languages.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from cyberplan.analytics.periods import Period
from cyberplan.core.audit import history_of
from cyberplan.core.choices import AuditAction, Role
from cyberplan.core.models import AuditEntry, User
from cyberplan.gaps.models import Gap
from cyberplan.strategy import actions as act
from cyberplan.strategy.choices import (
    EvaluationKind,
    EvaluatorType,
    RecommendationPriority,
    RecommendationResponse,
    RiskKind,
)
from cyberplan.strategy.models import Action, AxisOwner, Evaluation, ObjectiveRisk, Recommendation
from cyberplan.strategy.monitoring import overview as monitoring
from cyberplan.strategy.oversight import actions as oversight
from cyberplan.strategy.oversight.cycle import add_months, review_cycle
from cyberplan.strategy.report.common import day
from cyberplan.strategy.report.content import build_monitoring_document
from cyberplan.strategy.report.service import produce
from tests.conftest import World

from .conftest import Plan, signed_in, url

pytestmark = pytest.mark.django_db

ADOPTED = datetime.date(2025, 5, 22)


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def adopt(plan: Plan, day: datetime.date | None = ADOPTED, months: int = 36) -> None:
    act.do_update_strategy(None, plan.strategy, None, adopted_on=day, review_months=months)
    plan.strategy.refresh_from_db()


def evaluation(plan: Plan, day: datetime.date, kind: str = EvaluationKind.MID_TERM) -> Evaluation:
    return oversight.do_create_evaluation(
        None,
        plan.strategy,
        kind=kind,
        date=day,
        evaluator="Independent panel",
        evaluator_type=EvaluatorType.INDEPENDENT,
        findings="Incident response on track.",
    )


def recommendation(plan: Plan, text: str = "Train more incident handlers in the regions.") -> Recommendation:
    held = evaluation(plan, datetime.date(2026, 11, 30))
    return oversight.do_create_recommendation(None, held, text=text, priority=RecommendationPriority.HIGH)


# -- the review cycle ------------------------------------------------------------------------------


def test_month_arithmetic_keeps_the_day_or_takes_the_last_of_a_shorter_month() -> None:
    assert add_months(datetime.date(2025, 5, 22), 36) == datetime.date(2028, 5, 22)
    assert add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2027, 1, 31), 13) == datetime.date(2028, 2, 29)
    assert add_months(datetime.date(2025, 12, 15), 1) == datetime.date(2026, 1, 15)


def test_next_review_counts_from_adoption_and_from_the_last_evaluation_held(plan: Plan) -> None:
    adopt(plan)
    cycle = review_cycle(plan.strategy, datetime.date(2026, 12, 1))
    assert (cycle.next_due, cycle.overdue, cycle.number) == (datetime.date(2028, 5, 22), False, 1)
    late = review_cycle(plan.strategy, datetime.date(2028, 6, 1))
    assert late.overdue and late.days_overdue == 10
    # A scheduled evaluation (dated later) is not a review held.
    evaluation(plan, datetime.date(2028, 7, 1))
    assert review_cycle(plan.strategy, datetime.date(2028, 6, 1)).overdue
    # Held on 10 June 2028: the next review is the second due date from adoption, not 36 months after 10 June.
    evaluation(plan, datetime.date(2028, 6, 10), EvaluationKind.AD_HOC)
    held = review_cycle(plan.strategy, datetime.date(2028, 6, 20))
    assert (held.next_due, held.overdue, held.number) == (datetime.date(2031, 5, 22), False, 2)
    assert held.last_review is not None and held.last_review.date == datetime.date(2028, 6, 10)
    # A review every 12 months, held early (before the first due date): the next one is the second.
    adopt(plan, months=12)
    early = review_cycle(plan.strategy, datetime.date(2026, 6, 1))
    assert early.next_due == datetime.date(2026, 5, 22) and early.overdue


def test_without_adoption_date_the_cycle_says_so_and_guesses_nothing(world: World, plan: Plan) -> None:
    cycle = review_cycle(plan.strategy, datetime.date(2030, 1, 1))
    assert cycle.next_due is None and not cycle.overdue and not cycle.known
    view = monitoring.overview(plan.strategy, datetime.date(2030, 1, 1))
    assert view.review_due_on is None
    assert [a.kind for a in view.alerts if a.kind in ("no_adoption", "review_due")] == ["no_adoption"]
    page = signed_in(world.users[Role.VIEWER]).get(url("monitoring", plan)).content.decode()
    assert gettext("unknown: no adoption date") in page
    page = signed_in(world.users[Role.VIEWER]).get(url("evaluation", plan)).content.decode()
    assert gettext("Unknown: the strategy's adoption date is not recorded.") in page


def test_monitoring_page_shows_the_overdue_review(world: World, plan: Plan) -> None:
    adopt(plan, datetime.date(2020, 1, 15), 12)
    view = monitoring.overview(plan.strategy, datetime.date(2021, 2, 1))
    assert view.review_due_on == datetime.date(2021, 1, 15)
    alert = next(a for a in view.alerts if a.kind == "review_due")
    assert "12 months" in alert.message
    page = signed_in(world.users[Role.VIEWER]).get(url("monitoring", plan)).content.decode()
    assert 'class="review-due text-danger"' in page and gettext("overdue") in page
    assert gettext("Review due") in page


# -- recommendations become gaps and actions -------------------------------------------------------


def test_recommendation_becomes_a_gap_in_the_owners_register_once(world: World, plan: Plan) -> None:
    rec = recommendation(plan)
    analyst = signed_in(world.users[Role.ANALYST])
    address = url("recommendation_to_gap", plan, rec.pk)
    assert analyst.post(address).status_code == 302
    rec.refresh_from_db()
    gap = rec.gap
    assert gap is not None and gap.organisation == world.org_a and gap.severity == "high"
    assert gap.title_en == "Train more incident handlers in the regions." and gap.tlp == plan.strategy.tlp
    assert list(gap.recommendations.all()) == [rec]
    assert AuditEntry.objects.filter(
        object_id=str(gap.pk), action=AuditAction.CREATE, organisation=world.org_a
    ).exists()
    changed = AuditEntry.objects.get(object_id=str(rec.pk), action=AuditAction.UPDATE, changes__has_key="gap")
    assert changed.changes["gap"] == [None, gap.pk] and changed.actor == world.users[Role.ANALYST]
    # Asked again: the same gap, nothing new.
    assert analyst.post(address).status_code == 302
    assert Gap.objects.filter(organisation=world.org_a).count() == 1
    page = analyst.get(url("evaluation", plan)).content.decode()
    assert reverse("gaps:gap_detail", args=[gap.pk]) in page and gap.identifier in page


def test_recommendation_becomes_a_planned_action_citing_its_gap(world: World, plan: Plan) -> None:
    rec = recommendation(plan)
    oversight.do_recommendation_to_gap(world.users[Role.ANALYST], rec)
    analyst = signed_in(world.users[Role.ANALYST])
    response = analyst.post(url("recommendation_to_action", plan, rec.pk), {"objective": plan.objective11.pk})
    assert response.status_code == 302
    rec.refresh_from_db()
    action = rec.action
    assert action is not None and action.parent == plan.objective11 and action.status == "planned"
    assert action.code == "1.1.1" or action.code.startswith("1.1.")
    assert "Independent panel" in action.description_en and list(action.recommendations.all()) == [rec]
    assert list(action.gaps.all()) == [rec.gap]
    assert AuditEntry.objects.filter(object_id=str(action.pk), action=AuditAction.CREATE).exists()
    # An axis is not a place for an action; an element of another strategy is not offered.
    other = recommendation(plan, "Publish the progress twice a year.")
    refused = analyst.post(url("recommendation_to_action", plan, other.pk), {"objective": plan.axis1.pk})
    assert refused.status_code == 400 and Action.objects.filter(strategy=plan.strategy).count() == 3


def test_recommendation_response_is_versioned_and_audited(world: World, plan: Plan) -> None:
    rec = recommendation(plan)
    analyst = signed_in(world.users[Role.ANALYST])
    address = url("recommendation_response", plan, rec.pk)
    data = {"response": RecommendationResponse.PARTLY, "response_note": "Only in two regions.", "version": rec.version}
    assert analyst.post(address, data).status_code == 302
    rec.refresh_from_db()
    assert (rec.response, rec.response_note, rec.version) == ("partly", "Only in two regions.", 2)
    stale = analyst.post(address, data | {"response": RecommendationResponse.REJECTED})
    assert stale.status_code == 409
    rec.refresh_from_db()
    assert rec.response == "partly"


# -- access ------------------------------------------------------------------------------------------


def test_another_organisation_reads_nothing_and_a_viewer_writes_nothing(world: World, plan: Plan) -> None:
    rec = recommendation(plan)
    risk = oversight.do_create_risk(
        None, plan.objective11, kind=RiskKind.RISK, text="Handlers leave.", likelihood=4, impact=3
    )
    outsider = signed_in(world.outsider)
    assert outsider.get(url("evaluation", plan)).status_code == 404
    for name, args, data in (
        ("recommendation_to_gap", [rec.pk], {}),
        ("recommendation_to_action", [rec.pk], {"objective": plan.objective11.pk}),
        ("risk_status", [risk.pk], {"status": "closed"}),
        ("evaluation_create", [], {"kind": "final", "date": "2028-12-31", "evaluator": "x", "evaluator_type": "peer"}),
    ):
        assert outsider.post(url(name, plan, *args), data).status_code == 404, name
        assert signed_in(world.users[Role.VIEWER]).post(url(name, plan, *args), data).status_code == 403, name
    assert rec.evaluation.strategy.evaluations.count() == 1 and Gap.objects.count() == 0
    viewer_page = signed_in(world.users[Role.VIEWER]).get(url("evaluation", plan)).content.decode()
    assert "Handlers leave." in viewer_page and url("recommendation_to_gap", plan, rec.pk) not in viewer_page

    stranger = api(world.outsider)
    for address in (
        "/api/strategy-evaluations/",
        "/api/strategy-recommendations/",
        "/api/strategy-risks/",
        "/api/strategy-axis-owners/",
    ):
        assert stranger.get(address).json()["count"] == 0, address
    assert stranger.get(f"/api/strategy-recommendations/{rec.pk}/").status_code == 404
    assert stranger.patch(f"/api/strategy-risks/{risk.pk}/", {"status": "closed"}, format="json").status_code == 404
    assert stranger.post(f"/api/strategy-recommendations/{rec.pk}/to-gap/").status_code == 404
    created = stranger.post("/api/strategy-risks/", {"objective": plan.objective11.pk, "text": "x"}, format="json")
    assert created.status_code == 400 and "objective" in created.json()
    viewer = api(world.users[Role.VIEWER])
    assert viewer.get(f"/api/strategy-risks/{risk.pk}/").json()["score"] == 12
    assert viewer.patch(f"/api/strategy-risks/{risk.pk}/", {"status": "closed"}, format="json").status_code == 403
    assert viewer.post(f"/api/strategy-recommendations/{rec.pk}/to-gap/").status_code == 403
    risk.refresh_from_db()
    assert risk.status == "open"


# -- the API ---------------------------------------------------------------------------------------


def test_api_writes_evaluations_risks_and_owners_with_clear_errors(world: World, plan: Plan) -> None:
    analyst = api(world.users[Role.ANALYST])
    made = analyst.post(
        "/api/strategy-evaluations/",
        {
            "strategy": plan.strategy.pk,
            "kind": "mid_term",
            "date": "2027-03-31",
            "evaluator": "OAS/CICTE peer team",
            "evaluator_type": "peer",
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    rec = analyst.post(
        "/api/strategy-recommendations/",
        {"evaluation": made.json()["id"], "text": "Name a lead for axis 2.", "priority": "low"},
        format="json",
    )
    assert rec.status_code == 201 and rec.json()["order"] == 1
    to_action = analyst.post(
        f"/api/strategy-recommendations/{rec.json()['id']}/to-action/",
        {"objective": plan.objective21.pk},
        format="json",
    )
    assert to_action.status_code == 200 and to_action.json()["action_code"].startswith("2.1.")
    listed = analyst.get("/api/strategy-evaluations/", {"strategy": plan.strategy.pk}).json()["results"]
    assert listed[0]["recommendations"][0]["action_code"] == to_action.json()["action_code"]

    bad = analyst.post(
        "/api/strategy-risks/", {"objective": plan.objective11.pk, "text": "x", "likelihood": 6}, format="json"
    )
    assert bad.status_code == 400 and "likelihood" in bad.json()
    on_axis = analyst.post("/api/strategy-risks/", {"objective": plan.axis1.pk, "text": "x"}, format="json")
    assert on_axis.status_code == 400 and "objective" in on_axis.json()
    risk = analyst.post(
        "/api/strategy-risks/",
        {"objective": plan.objective11.pk, "kind": "assumption", "text": "Budget is voted.", "review_on": "2027-01-31"},
        format="json",
    )
    assert risk.status_code == 201 and risk.json()["score"] is None
    stale = analyst.patch(
        f"/api/strategy-risks/{risk.json()['id']}/", {"status": "closed", "version": 7}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["current"]["status"] == "open"

    nobody = analyst.post("/api/strategy-axis-owners/", {"axis": plan.axis1.pk}, format="json")
    assert nobody.status_code == 400 and "body" in nobody.json()
    owner = analyst.post(
        "/api/strategy-axis-owners/",
        {"axis": plan.axis1.pk, "body": "Subcommittee on incident response", "contact_role": "Chair"},
        format="json",
    )
    assert owner.status_code == 201 and owner.json()["name"] == "Subcommittee on incident response"
    again = analyst.post(
        "/api/strategy-axis-owners/", {"axis": plan.axis1.pk, "organisation": world.org_b.pk}, format="json"
    )
    assert again.status_code == 201 and AxisOwner.objects.count() == 1
    assert AxisOwner.objects.get().organisation == world.org_b
    assert sorted(e.action for e in history_of(AxisOwner.objects.get())) == ["create", "update"]


# -- the pages -------------------------------------------------------------------------------------


def test_editor_records_an_axis_owner_and_a_risk_shown_on_plan_and_page(world: World, plan: Plan) -> None:
    analyst = signed_in(world.users[Role.ANALYST])
    response = analyst.post(
        url("axis_owner", plan),
        {"axis": plan.axis1.pk, "body": "Subcommittee <b>one</b>", "contact_role": "Coordinator"},
    )
    assert response.status_code == 302
    plan_page = analyst.get(url("plan", plan)).content.decode()
    assert "Subcommittee &lt;b&gt;one&lt;/b&gt; (Coordinator)" in plan_page
    missing = analyst.post(url("risk_create", plan), {"objective": plan.objective11.pk, "kind": "risk", "text": ""})
    assert missing.status_code == 400
    made = analyst.post(
        url("risk_create", plan),
        {
            "objective": plan.objective21.pk,
            "kind": "risk",
            "text": "Media refuse the spots.",
            "likelihood": 2,
            "impact": 5,
        },
    )
    assert made.status_code == 302
    risk = ObjectiveRisk.objects.get()
    assert (risk.objective, risk.score, risk.status) == (plan.objective21, 10, "open")
    closed = analyst.post(url("risk_status", plan, risk.pk), {"status": "closed", "version": risk.version})
    assert closed.status_code == 302
    risk.refresh_from_db()
    assert risk.status == "closed"
    page = analyst.get(url("evaluation", plan)).content.decode()
    assert "Media refuse the spots." in page and 'data-objective="2.1"' in page


# -- the M&E report ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es"])
def test_report_has_the_review_owners_evaluations_and_risks(world: World, plan: Plan, language: str) -> None:
    adopt(plan)
    rec = recommendation(plan, "Train <more> handlers.")
    oversight.do_recommendation_to_gap(None, rec)
    oversight.do_create_evaluation(
        None,
        plan.strategy,
        kind=EvaluationKind.FINAL,
        date=datetime.date(2029, 3, 1),
        evaluator="External evaluator",
        evaluator_type=EvaluatorType.INDEPENDENT,
    )
    oversight.do_set_axis_owner(None, plan.axis2, body="Awareness subcommittee", contact_role="Chair")
    oversight.do_create_risk(None, plan.objective11, kind=RiskKind.RISK, text="Handlers leave.", likelihood=4, impact=3)
    period = Period(datetime.date(2026, 10, 1), datetime.date(2027, 1, 1), "quarter")
    with translation.override(language):
        document = build_monitoring_document(plan.strategy, period)
        titles = [s.title for s in document.contents]
        for heading in (
            gettext("Review cycle"),
            gettext("Responsible body per axis"),
            gettext("Evaluations and recommendations"),
            gettext("Risks and assumptions per objective"),
        ):
            assert heading in titles, heading
        review = next(s for s in document.contents if s.id == "review-cycle")
        due = gettext("The next review is due on %(date)s.") % {"date": day(datetime.date(2028, 5, 22))}
        assert due in [p.text for p in review.paragraphs()]
        assert any(s.title.startswith(str(EvaluationKind.FINAL.label)) and s.level == 2 for s in document.contents)
        scheduled = gettext("Scheduled: not held on the last day of the period.")
        assert any(p.text == scheduled for s in document.contents for p in s.paragraphs())
        rows = [row for s in document.contents for t in s.tables for row in t.rows]
        gap = Gap.objects.get()
        assert [
            "1",
            "Train <more> handlers.",
            gettext("High"),
            gettext("No response yet"),
            gettext("gap %(identifier)s") % {"identifier": gap.identifier},
        ] in rows
        assert any(row[0] == "2 Awareness" and row[1] == "Awareness subcommittee" for row in rows)
        html = produce(plan.strategy, "monitoring", language, "html", period="2026-Q4").content.decode()
    assert "Train &lt;more&gt; handlers." in html and "Train <more>" not in html


def test_editor_records_an_evaluation_and_its_recommendations_on_the_page(world: World, plan: Plan) -> None:
    analyst = signed_in(world.users[Role.ANALYST])
    made = analyst.post(
        url("evaluation_create", plan),
        {"kind": "mid_term", "date": "2027-03-31", "evaluator": "Peer team", "evaluator_type": "peer", "scope": ""},
    )
    assert made.status_code == 302
    held = Evaluation.objects.get()
    refused = analyst.post(url("evaluation_create", plan), {"kind": "mid_term", "date": "", "evaluator": " "})
    assert refused.status_code == 400 and Evaluation.objects.count() == 1
    assert (
        analyst.post(url("recommendation_create", plan, held.pk), {"text": "", "priority": "high"}).status_code == 400
    )
    added = analyst.post(url("recommendation_create", plan, held.pk), {"text": "Fund the SOC.", "priority": "high"})
    assert added.status_code == 302
    assert [(r.text, r.priority, r.order) for r in held.recommendations.all()] == [("Fund the SOC.", "high", 1)]
    page = analyst.get(url("evaluation", plan)).content.decode()
    assert "Fund the SOC." in page and gettext("Scheduled") in page
