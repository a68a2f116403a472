"""The demo's regional programme: an illustrative programme with its officer, five synthetic member states labelled
as such with their own synthetic events, assessment and strategy, and the members' packages built by the real
builder and received by the real intake; building it again adds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cyberplan.assessment.models import Answer, Assessment
from cyberplan.core.choices import OrganisationType, Role
from cyberplan.core.models import Organisation, User
from cyberplan.regional.demo import (
    OFFICER,
    PERIOD,
    SHARING_MEMBERS,
    SYNTHETIC_MEMBERS,
    build_demo_members,
    prepare_demo_programme,
    synthetic_stages,
)
from cyberplan.regional.models import Member, PackageRefusal, PooledBatch, ReceivedPackage
from cyberplan.strategy.models import Action, ProgressUpdate, Strategy, StrategyVersion
from cyberplan.threats.models import Import

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _events_dir(settings: Any, tmp_path: Path) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"


def test_the_demo_programme_receives_the_synthetic_members_packages() -> None:
    said: list[str] = []
    programme = prepare_demo_programme(said.append, password="demo-password")
    steps: list[tuple[int, int, str]] = []
    received = build_demo_members(
        programme, said.append, events=60, step=lambda n, of, what: steps.append((n, of, what))
    )
    assert programme.type == OrganisationType.REGIONAL_BODY and programme.is_demo
    assert "illustrative" in programme.name.lower()
    assert programme.memberships.get(user__username=OFFICER).role == Role.COORDINATOR
    synthetic = Organisation.objects.filter(slug__endswith="-synthetic")
    assert sorted(str(o.country) for o in synthetic) == sorted(code for code, _name in SYNTHETIC_MEMBERS)
    assert all(o.is_demo and "(synthetic)" in o.name for o in synthetic)
    assert all(Import.objects.filter(organisation=o).exists() for o in synthetic)
    assert received == 5 and not PackageRefusal.objects.exists()  # MITIC is not in this workspace
    packages = ReceivedPackage.objects.filter(programme=programme).select_related("member")
    assert sorted(p.member.country for p in packages) == sorted(code for code, _name in SYNTHETIC_MEMBERS)
    assert all("threats" in p.package() for p in packages)  # each member's own events are in its package
    assert steps[-1][0] == steps[-1][1] == 11
    _assert_records_shared(list(packages))
    _assert_pooled_section(programme)
    counts = _record_counts()
    again = build_demo_members(prepare_demo_programme(said.append, password="x"), said.append, events=60)
    assert again == 5 and ReceivedPackage.objects.count() == 5 and Member.objects.count() == 5
    assert _record_counts() == counts  # no second import, assessment, answer, strategy or progress report


def _assert_pooled_section(programme: Organisation) -> None:
    """Two synthetic members share their events: the pool holds them and the dashboard's section shows them."""
    assert sorted(m.country for m in Member.objects.filter(programme=programme, shares_events=True)) == sorted(
        SHARING_MEMBERS
    )
    batches = PooledBatch.objects.filter(programme=programme)
    assert sorted(b.claimed_country for b in batches) == sorted(SHARING_MEMBERS)
    assert all(b.accepted and b.added == 60 for b in batches)
    client = Client()
    client.force_login(User.objects.get(username=OFFICER))
    html = client.get(reverse("regional:programme_overview"), {"period": PERIOD}).content.decode()
    section = html[html.index('id="pooled"') :]
    by_country = section[section.index('id="pooled-by-country"') : section.index("</table>")]
    assert all(f"<td>{code}</td><td>60</td>" in by_country for code in SHARING_MEMBERS)
    assert "pooled-missing" not in section and "pooled-stale" not in section


def _record_counts() -> list[int]:
    kinds = (
        Import,
        Assessment,
        Answer,
        Strategy,
        StrategyVersion,
        Action,
        ProgressUpdate,
        ReceivedPackage,
        PooledBatch,
    )
    return [kind.objects.count() for kind in kinds]


def _assert_records_shared(packages: list[ReceivedPackage]) -> None:
    """Each synthetic member's package carries its assessment and strategy; stages and shares differ."""
    profiles, shares = set(), set()
    for received in packages:
        package = received.package()
        member = Organisation.objects.get(slug=f"authority-{received.member.country.lower()}-synthetic")
        assessment = Assessment.objects.get(organisation=member)
        strategy = Strategy.objects.get(organisation=member)
        assert "(synthetic)" in assessment.title and "(synthetic)" in strategy.title_en
        factors = {row["factor"]: row["stage"] for row in package["assessment"]["factors"]}
        every_factor = [factor.id for factor in assessment.framework.structure().factors()]
        assert factors == synthetic_stages(received.member.country, every_factor)
        assert 0 < len(factors) < len(every_factor)  # some factors stay not assessed
        assert len(set(factors.values())) > 1  # the stages vary within a member too
        part = package["strategy"]
        assert part["adopted"] and part["instrument"] == "Decree (synthetic)" and len(part["axes"]) >= 3
        assert part["start_year"] == strategy.start_year and part["actions"] >= 5
        profiles.add(tuple(sorted(factors.items())))
        shares.add(part["actions_completed_share"])
    assert len(profiles) == 5  # every member's maturity profile is its own
    assert len(shares) == 5 and 0.0 in shares  # as is the share of its actions completed
