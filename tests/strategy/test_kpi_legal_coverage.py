"""The legal coverage KPI source: the share of a treaty's chapter or section covered in the latest approved review."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cyberplan.core.choices import TLP, Role
from cyberplan.core.models import Organisation
from cyberplan.legal.actions import do_create_review, do_set_review_state, do_update_finding
from cyberplan.legal.choices import Coverage, ReviewState
from cyberplan.legal.models import Review
from cyberplan.strategy import actions as act
from cyberplan.strategy import kpis
from cyberplan.strategy.choices import KPISource, KPIUnit
from cyberplan.strategy.models import KPI, KPIMeasurement
from tests.conftest import World

from .conftest import Plan

pytestmark = pytest.mark.django_db

SUBSTANTIVE = [f"ets-185:{n}" for n in range(2, 14)]  # articles 2 to 13


def _approved_review(
    world: World,
    coverage: dict[str, str],
    date: datetime.date,
    organisation: Organisation | None = None,
    tlp: str = TLP.AMBER,
    copy_from: Review | None = None,
) -> Review:
    """A review of Paraguay whose substantive articles have the given coverage (none otherwise), approved."""
    coordinator = world.users[Role.COORDINATOR]
    review = do_create_review(
        coordinator, organisation or world.org_a, title="Review", country="PY", date=date, tlp=tlp, copy_from=copy_from
    )
    for finding in review.provisions.filter(provision__in=SUBSTANTIVE):
        wanted = coverage.get(finding.provision, finding.coverage or Coverage.NONE)
        do_update_finding(coordinator, finding, coverage=wanted, reasoning="Reasons.", national_articles=[])
    review.provisions.filter(provision__startswith="ets-185:", coverage="").update(coverage=Coverage.NOT_APPLICABLE)
    do_set_review_state(coordinator, review, ReviewState.IN_REVIEW)
    return do_set_review_state(coordinator, review, ReviewState.APPROVED)


def _kpi(plan: Plan, detail: str = "") -> KPI:
    return act.do_create_kpi(
        None,
        plan.action1,
        name_en="Substantive law fully covered",
        unit=KPIUnit.PERCENT,
        source=KPISource.LEGAL_COVERAGE,
        source_detail=detail,
    )


def _measure(plan: Plan, as_of: str) -> str:
    out = io.StringIO()
    call_command("strategy", "measure", "--strategy", str(plan.strategy.pk), "--as-of", as_of, stdout=out)
    return out.getvalue()


def test_measure_computes_the_share_fully_covered_then_follows_a_newer_approved_review(
    world: World, plan: Plan
) -> None:
    first = _approved_review(
        world,
        {
            "ets-185:2": Coverage.FULL,
            "ets-185:3": Coverage.FULL,
            "ets-185:4": Coverage.FULL,
            "ets-185:5": Coverage.PARTIAL,
            "ets-185:6": Coverage.PARTIAL,
            "ets-185:13": Coverage.NOT_APPLICABLE,
        },
        datetime.date(2026, 3, 1),
    )
    kpi = _kpi(plan)
    covered = _kpi(plan, "ets-185 II.1 covered")
    output = _measure(plan, "2026-06-30")
    row = next(line for line in output.splitlines() if "Substantive law fully covered" in line)
    assert row.split()[-2:] == ["27.27", "ok"]  # 3 of the 11 applicable articles (13 is not applicable)
    measurement = KPIMeasurement.objects.get(kpi=kpi, date=datetime.date(2026, 6, 30))
    assert measurement.value == Decimal("27.27")
    assert measurement.detail["review"] == first.pk
    assert (measurement.detail["counted"], measurement.detail["applicable"]) == (3, 11)
    assert KPIMeasurement.objects.get(kpi=covered).value == Decimal("45.45")  # partial counted too: 5 of 11

    # A newer approved review covers three more articles fully: the next measurement follows it.
    second = _approved_review(
        world,
        {"ets-185:5": Coverage.FULL, "ets-185:6": Coverage.FULL, "ets-185:7": Coverage.FULL},
        datetime.date(2026, 9, 1),
        copy_from=first,
    )
    _measure(plan, "2026-12-31")
    later = KPIMeasurement.objects.get(kpi=kpi, date=datetime.date(2026, 12, 31))
    assert later.value == Decimal("54.55") and later.detail["review"] == second.pk  # 6 of 11
    # A measurement dated before the newer review still reads the first one.
    assert kpis.compute(kpi, datetime.date(2026, 6, 30)).value == Decimal("27.27")

    # The monitoring page shows the source and each computed value with the review it came from.
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    page = client.get(reverse("strategy:monitoring_kpi", args=[plan.strategy.pk, kpi.pk])).content.decode()
    assert "Share of treaty provisions covered by national law" in page
    assert "54.55" in page and "27.27" in page
    assert f"review_title: {second}" in page


def test_a_draft_review_is_not_counted(world: World, plan: Plan) -> None:
    do_create_review(
        world.users[Role.COORDINATOR],
        world.org_a,
        title="Draft",
        country="PY",
        date=datetime.date(2026, 1, 1),
        tlp="amber",
    )
    with pytest.raises(ValidationError, match="There is no approved alignment review of Paraguay"):
        kpis.compute(_kpi(plan), datetime.date(2026, 6, 30))


def test_another_organisations_review_counts_only_when_the_strategys_organisation_may_read_it(
    world: World, plan: Plan
) -> None:
    kpi = _kpi(plan, "org=csirt-b")
    amber = _approved_review(world, {"ets-185:2": Coverage.FULL}, datetime.date(2026, 2, 1), world.org_b, TLP.AMBER)
    with pytest.raises(
        ValidationError, match=r"by CSIRT B \(CB\) dated on or before 2026-06-30 that Authority A \(AA\) may read"
    ):
        kpis.compute(kpi, datetime.date(2026, 6, 30))
    green = _approved_review(world, {"ets-185:2": Coverage.FULL}, datetime.date(2026, 1, 1), world.org_b, TLP.GREEN)
    computed = kpis.compute(kpi, datetime.date(2026, 6, 30))
    assert computed.detail["review"] == green.pk != amber.pk  # the later AMBER review stays unread
    assert computed.value == Decimal("8.33")  # 1 of 12


@pytest.mark.parametrize(
    ("detail", "message"),
    [
        ("ets-185 IX", "'IX' is not a chapter or section of ETS 185"),
        ("ets-185 II.1 full full", "'full' repeats the measure"),
        ("org=", "Write the organisation as org=short name"),
    ],
)
def test_a_wrong_source_detail_is_refused_naming_the_field(plan: Plan, detail: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _kpi(plan, detail)
    assert message in " ".join(caught.value.message_dict["source_detail"])


def test_an_unknown_organisation_is_named(world: World, plan: Plan) -> None:
    _approved_review(world, {}, datetime.date(2026, 1, 1))
    with pytest.raises(ValidationError) as caught:
        kpis.compute(_kpi(plan, "org=nowhere"), datetime.date(2026, 6, 30))
    assert caught.value.message_dict["source_detail"] == ["There is no organisation with the short name 'nowhere'."]
