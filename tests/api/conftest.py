"""The contract world: one organisation's data behind every API endpoint, with the empty corners filled in.

``contract_world`` builds, on the shared ``world``, a record behind every collection of the API, including
the values a schema most often gets wrong: records whose creator was deleted (``created_by`` is null), an
import without a job, a KPI without measurements next to one with a measurement, a draft version nobody
approved. The contract test sends its generated requests as an administrator of organisation A.

A new endpoint joins the contract test with two entries here, when it needs them:

* ``CollectionIds``: the id of one record of its collection (the first path segment after ``/api/``), so
  that the test asks for a record that exists instead of a random id (which only ever meets a 404);
* ``references``: the value of a field or query parameter that names another record (``organisation``,
  ``strategy`` ...), when the generated value would never name a real one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from pytest_django import Settings

from cyberplan.assessment.actions import do_create_assessment
from cyberplan.assessment.choices import Method
from cyberplan.assessment.models import Framework
from cyberplan.core.actions import do_create_api_token
from cyberplan.core.choices import TLP, Role
from cyberplan.core.models import AuditEntry, Sector, User
from cyberplan.gaps.actions import do_add_gap_evidence, do_create_gap
from cyberplan.jobs.actions import do_start_job
from cyberplan.legal import actions as legal_act
from cyberplan.legal.models import Instrument
from cyberplan.strategy import actions as act
from cyberplan.strategy import budget_actions
from cyberplan.strategy.choices import ElementKind, FocusArea
from cyberplan.strategy.versions import actions as version_act
from cyberplan.threats.actions import do_register_import
from cyberplan.training import actions as training_act
from cyberplan.training.choices import Audience, ProviderKind
from tests.conftest import World, make_user

# The contract test's summary line, shown at the end of the run for the CI log.
SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in SUMMARY:
        terminalreporter.write_line(line)


@dataclass
class ContractWorld:
    world: World
    user: User  # the caller: administrator of organisation A
    token: str
    # collection (first path segment after /api/) -> id of one record the caller may read
    ids: dict[str, Any] = field(default_factory=dict)
    # field or query parameter naming another record -> a value naming a real one
    references: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def contract_world(world: World, settings: Settings, tmp_path: Path) -> ContractWorld:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    # A cache of the test's own: the generated requests must not share throttle counters with other tests.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "contract"}}

    org = world.org_a
    admin = world.users[Role.ADMINISTRATOR]
    coordinator = world.users[Role.COORDINATOR]
    # A user who creates records and then leaves: their records keep a null creator.
    leaver = make_user("a-leaver", org, Role.COORDINATOR)

    gap = do_create_gap(leaver, org, title_en="No national incident register", tlp=TLP.AMBER)
    do_add_gap_evidence(leaver, gap, kind="citation", label="Decree 1/2025", citation="Decree 1/2025, art. 3")
    upload = tmp_path / "report.csv"
    upload.write_text("ip,timestamp\n192.0.2.1,2026-01-01T00:00:00Z\n")
    imported = do_register_import(leaver, org, upload, file_name="report.csv")  # never run: no job
    job = do_start_job(leaver, org, "audit_export")

    framework = Framework.objects.get(framework_id="cyberplan-ncm", version="2026.1")
    assessment = do_create_assessment(
        leaver,
        org,
        framework,
        title="National assessment 2026",
        country="PY",
        date=dt.date(2026, 3, 1),
        method=Method.EXPERT_REVIEW,
        tlp=TLP.AMBER,
    )
    answer = assessment.answers.order_by("id").first()
    assert answer is not None

    strategy = act.do_create_strategy(
        leaver,
        org,
        title_en="National Cybersecurity Strategy",
        country="PY",
        start_year=2025,
        end_year=2028,
    )
    axis = act.do_create_element(
        coordinator, strategy, kind=ElementKind.AXIS, code="1", title_en="Response", focus_area=FocusArea.PREPAREDNESS
    )
    objective = act.do_create_element(
        coordinator, strategy, kind=ElementKind.OBJECTIVE, parent=axis, code="1.1", title_en="A CSIRT"
    )
    action = act.do_create_action(coordinator, strategy, parent=objective, title_en="Hire incident handlers")
    budget_line = budget_actions.do_add_budget_line(coordinator, action, year=strategy.start_year, amount="1000")
    rate = budget_actions.do_add_rate(
        coordinator, strategy, base="EUR", quote="USD", year=strategy.start_year, rate="1.1", source="test"
    )
    act.do_create_kpi(coordinator, action, name_en="Handlers hired", unit="count")  # never measured: latest is null
    measured = act.do_create_kpi(leaver, action, name_en="Incidents handled", unit="count")
    act.do_record_measurement(leaver, measured, date=dt.date(2025, 6, 30), value="12")
    version = version_act.do_create_version(leaver, strategy, note="First draft")
    legal_csv = "kind,number,title,date,article,heading\nlaw,4439,Delitos informáticos,2011-07-29,1,Acceso\n"
    legal_act.do_import_instruments_csv(leaver, org, "PY", legal_csv.encode())
    instrument = Instrument.objects.get(organisation=org, number="4439")
    review = legal_act.do_create_review(
        leaver, org, title="Alignment review 2026", country="PY", date=dt.date(2026, 3, 1), tlp=TLP.AMBER
    )
    provider = training_act.do_create_provider(leaver, org, name="Judicial school", kind=ProviderKind.JUDICIAL_SCHOOL)
    programme = training_act.do_create_programme(leaver, org, provider=provider, title="Evidence for judges")
    course = training_act.do_create_course(
        leaver, programme, title="Electronic evidence", topics=["electronic-evidence"], hours=12
    )
    session = training_act.do_create_session(leaver, course, start_date=dt.date(2026, 5, 4))
    participant = training_act.do_create_participant(leaver, org, key="J-001", audience=Audience.JUDGES)
    attendance, _changed = training_act.do_record_attendance(leaver, session, participant, completed=True)
    audience_size, _new = training_act.do_set_denominator(
        leaver, org, audience=Audience.JUDGES, year=2026, institution="Poder Judicial", size=180
    )
    listing = training_act.do_import_participants(
        leaver,
        programme,
        "list.csv",
        b"key,audience,course,session_date,completed\nJ-002,judges,Electronic evidence,2026-05-04,yes\n",
    ).record
    leaver.delete()

    # A token for the token endpoints to read and revoke, apart from the one the test signs in with
    # (which lives as long as tokens may, so that a token it creates with the default life is allowed).
    spare, _ = do_create_api_token(admin, admin, name="spare", expires_at=timezone.now() + dt.timedelta(days=30))
    _, token = do_create_api_token(
        admin,
        admin,
        name="contract",
        expires_at=timezone.now() + dt.timedelta(days=django_settings.CYBERPLAN_API_TOKEN_MAX_DAYS),
    )
    audit_entry = AuditEntry.objects.filter(organisation=org).order_by("id").values_list("id", flat=True).first()
    ids: dict[str, Any] = {
        "organisations": org.pk,
        "memberships": admin.memberships.get().pk,
        "sectors": Sector.objects.order_by("id").values_list("id", flat=True).first(),
        "audit-entries": audit_entry,
        "gaps": gap.pk,
        "jobs": str(job.pk),
        "imports": imported.pk,
        "assessments": assessment.pk,
        "assessment-answers": answer.pk,
        "strategies": strategy.pk,
        "strategy-elements": objective.pk,
        "strategy-actions": action.pk,
        "strategy-kpis": measured.pk,
        "strategy-versions": version.pk,
        "strategy-budget-lines": budget_line.pk,
        "strategy-exchange-rates": rate.pk,
        "tokens": spare.pk,
        "legal-instruments": instrument.pk,
        "legal-reviews": review.pk,
        "training-providers": provider.pk,
        "training-programmes": programme.pk,
        "training-courses": course.pk,
        "training-sessions": session.pk,
        "training-participants": participant.pk,
        "training-attendance": attendance.pk,
        "training-audience-sizes": audience_size.pk,
        "training-imports": listing.pk,
        "factor_id": answer.factor_id,
        "provision": "ets-185:2",
    }
    references: dict[str, Any] = {
        "organisation": org.pk,
        "lead": org.pk,
        "strategy": strategy.pk,
        "action": action.pk,
        "element": objective.pk,  # a KPI of an objective; a KPI names an action or an element, not both
        "parent": objective.pk,
        "assessment": assessment.pk,
        "framework": framework.pk,
        "provider": provider.pk,
        "programme": programme.pk,
        "course": course.pk,
        "session": session.pk,
        "participant": participant.pk,
    }
    return ContractWorld(world=world, user=admin, token=token, ids=ids, references=references)
