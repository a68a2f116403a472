"""Coverage attached as evidence to the assessment's training indicators: once, within the assessment's marking."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from cyberplan.assessment.actions import do_create_assessment, do_lock_assessment
from cyberplan.assessment.choices import EvidenceKind, Method
from cyberplan.assessment.models import AnswerEvidence, Assessment, Framework
from cyberplan.core.choices import TLP, Role
from cyberplan.core.models import AuditEntry
from cyberplan.training import spine
from tests.conftest import World
from tests.training.conftest import TrainingWorld
from tests.training.report_support import NAMES, report_records


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def assessment(world: World, tlp: str = TLP.AMBER) -> Assessment:
    framework = Framework.objects.get(framework_id="cyberplan-ncm", version="2026.1")
    return do_create_assessment(
        world.users[Role.COORDINATOR],
        world.org_a,
        framework,
        title="National assessment 2026",
        country="PY",
        date=dt.date(2026, 3, 1),
        method=Method.EXPERT_REVIEW,
        tlp=tlp,
    )


def evidence(target: Assessment) -> list[AnswerEvidence]:
    return list(AnswerEvidence.objects.filter(answer__assessment=target).order_by("answer__indicator_id"))


def post(client: Client, target: Assessment, *indicators: str) -> None:
    client.post(
        reverse("training:attach_evidence"),
        {
            "evidence-assessment": target.pk,
            "evidence-audience": "judges",
            "evidence-topic": "electronic-evidence",
            "evidence-year": 2026,
            "evidence-indicators": indicators,
        },
    )


def test_the_button_attaches_the_figure_once_and_it_is_audited(world: World, training: TrainingWorld) -> None:
    report_records(world, training)
    target = assessment(world)
    client = Client()
    client.force_login(world.users[Role.ANALYST])
    page = client.get(reverse("training:spine")).content.decode()
    assert "4.3." in page and "Attach as evidence" in page
    audited = AuditEntry.objects.count()
    post(client, target, "4.3.S1", "3.3.S1")
    attached = evidence(target)
    assert [e.answer.indicator_id for e in attached] == ["3.3.S1", "4.3.S1"]
    assert all(e.kind == EvidenceKind.PLATFORM and "/training/coverage/" in e.url for e in attached)
    # The AMBER assessment counts the GREEN programme, not the RED one: 1 judge of 10.
    assert "1 of 10 (10.0 %)" in attached[0].label and not any(n in attached[0].label for n in NAMES)
    assert AuditEntry.objects.count() > audited
    post(client, target, "4.3.S1", "3.3.S1")
    assert len(evidence(target)) == 2


def test_only_training_indicators_of_an_unlocked_assessment(world: World, training: TrainingWorld) -> None:
    report_records(world, training)
    target = assessment(world, TLP.RED)
    actor = world.users[Role.COORDINATOR]
    with pytest.raises(ValidationError, match="training indicators"):
        spine.do_attach_coverage_evidence(
            actor, target, audience="judges", topic=None, year=2026, indicator_ids=["1.1.S1"]
        )
    attached = spine.do_attach_coverage_evidence(
        actor, target, audience="judges", topic=None, year=2026, indicator_ids=["3.1.S1"]
    )
    assert "2 of 10 (20.0 %)" in attached[0].label  # a RED assessment counts the RED programme too
    do_lock_assessment(actor, target)
    target.refresh_from_db()
    with pytest.raises(ValidationError, match="locked"):
        spine.do_attach_coverage_evidence(
            actor, target, audience="prosecutors", topic=None, year=2026, indicator_ids=["3.1.S1"]
        )


def test_a_viewer_or_an_outsider_attaches_nothing(world: World, training: TrainingWorld) -> None:
    report_records(world, training)
    target = assessment(world)
    for user in (world.users[Role.VIEWER], world.outsider):
        client = Client()
        client.force_login(user)
        post(client, target, "4.3.S1")
    assert evidence(target) == []


def test_the_command_attaches_once(world: World, training: TrainingWorld) -> None:
    report_records(world, training)
    target = assessment(world)
    arguments = ["evidence", "--assessment", str(target.pk), "--audience", "judges", "--year", "2026"]
    out = io.StringIO()
    call_command("training_spine", *arguments, "--indicator", "4.3.S1", stdout=out)
    call_command("training_spine", *arguments, "--indicator", "4.3.S1", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Attached to 1 indicator(s), 0 had it") and "1 of 10" in lines[0]
    assert lines[1].startswith("Attached to 0 indicator(s), 1 had it")
    assert len(evidence(target)) == 1
    with pytest.raises(CommandError, match="training indicators"):
        call_command("training_spine", *arguments, "--indicator", "1.1.S1")
    with pytest.raises(CommandError, match="no assessment number 999"):
        call_command(
            "training_spine",
            "evidence",
            "--assessment",
            "999",
            "--audience",
            "judges",
            "--year",
            "2026",
            "--indicator",
            "4.3.S1",
        )
