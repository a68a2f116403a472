"""A gap raised for an audience below its target: once per audience, topic and year; none without a share."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from cyberplan.core.choices import TLP, Role
from cyberplan.gaps.choices import GapSource, Severity
from cyberplan.gaps.models import Gap
from cyberplan.training import spine
from tests.conftest import World
from tests.training.conftest import TrainingWorld
from tests.training.report_support import report_records


def post(client: Client, **values: object) -> str:
    data = {
        "gap-organisation": values.get("organisation"),
        "gap-audience": values.get("audience", "judges"),
        "gap-topic": values.get("topic", "electronic-evidence"),
        "gap-year": 2026,
        "gap-target": values.get("target", "50"),
        "gap-tlp": values.get("tlp", "green"),
    }
    return client.post(reverse("training:raise_gaps"), data, follow=True).content.decode()


def test_the_button_raises_the_gap_once_and_again_updates_it(world: World, training: TrainingWorld) -> None:
    report_records(world, training)
    client = Client()
    client.force_login(world.users[Role.ANALYST])
    page = post(client, organisation=world.org_a.pk)
    gap = Gap.objects.get(source=GapSource.TRAINING)
    assert gap.identifier in page and "raised" in page
    assert gap.source_key == "judges:electronic-evidence:2026" and gap.tlp == TLP.GREEN
    assert "10.0 %" in gap.title_en and "50 %" in gap.title_en and "Judges" in gap.title_en
    assert "formados" in gap.title_es and gap.severity == Severity.HIGH
    again = post(client, organisation=world.org_a.pk)
    assert "updated" in again and Gap.objects.filter(source=GapSource.TRAINING).count() == 1
    # At RED the RED programme counts too (2 of 10), still below a 50 % target: the same gap, changed.
    client.force_login(world.users[Role.COORDINATOR])  # a coordinator reads TLP:RED
    post(client, organisation=world.org_a.pk, tlp="red")
    gap.refresh_from_db()
    assert Gap.objects.filter(source=GapSource.TRAINING).count() == 1 and "20.0 %" in gap.title_en


def test_at_or_above_the_target_no_gap_and_without_a_size_no_share(world: World, training: TrainingWorld) -> None:
    report_records(world, training)
    actor = world.users[Role.COORDINATOR]
    reached = spine.do_raise_coverage_gap(
        actor, world.org_a, audience="judges", topic=None, year=2026, target=Decimal("10")
    )
    assert reached.gap is None and reached.share == pytest.approx(10.0)
    with pytest.raises(ValidationError, match="No audience size"):
        spine.do_raise_coverage_gap(
            actor, world.org_a, audience="prosecutors", topic=None, year=2026, target=Decimal("50")
        )
    for target in (Decimal("0"), Decimal("101")):
        with pytest.raises(ValidationError, match="between 0 and 100"):
            spine.do_raise_coverage_gap(actor, world.org_a, audience="judges", topic=None, year=2026, target=target)
    assert not Gap.objects.filter(source=GapSource.TRAINING).exists()


def test_a_viewer_and_an_outsider_raise_nothing(world: World, training: TrainingWorld) -> None:
    report_records(world, training)
    viewer = Client()
    viewer.force_login(world.users[Role.VIEWER])
    assert viewer.post(reverse("training:raise_gaps"), {}).status_code == 403
    outsider = Client()
    outsider.force_login(world.outsider)
    post(outsider, organisation=world.org_a.pk)
    assert not Gap.objects.filter(source=GapSource.TRAINING).exists()


def test_the_command_raises_once_and_names_what_is_wrong(world: World, training: TrainingWorld) -> None:
    report_records(world, training)
    arguments = ["gap", "--organisation", "authority-a", "--audience", "judges", "--year", "2026", "--target", "50"]
    out = io.StringIO()
    call_command("training_spine", *arguments, stdout=out)
    call_command("training_spine", *arguments, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Raised gap TRN-") and lines[1].startswith("Updated gap TRN-")
    assert Gap.objects.filter(source=GapSource.TRAINING).count() == 1
    with pytest.raises(CommandError, match="No audience size"):
        call_command("training_spine", *arguments[:4], "prosecutors", *arguments[5:])
    with pytest.raises(CommandError, match="as a number"):
        call_command("training_spine", *arguments[:-1], "half")


def test_an_analyst_may_not_raise_a_gap_counting_red_programmes(world: World, training: TrainingWorld) -> None:
    report_records(world, training)
    client = Client()
    client.force_login(world.users[Role.ANALYST])  # analysts do not read TLP:RED
    page = post(client, organisation=world.org_a.pk, tlp="red")
    assert "You may not read records marked" in page
    assert not Gap.objects.filter(source=GapSource.TRAINING).exists()
