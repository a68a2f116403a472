"""The demo's regional programme: an illustrative programme with its officer, five synthetic member states labelled
as such with their own synthetic events, and the members' packages built by the real builder and received by the
real intake; building it again adds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cyberplan.core.choices import OrganisationType, Role
from cyberplan.core.models import Organisation
from cyberplan.regional.demo import OFFICER, SYNTHETIC_MEMBERS, build_demo_members, prepare_demo_programme
from cyberplan.regional.models import Member, PackageRefusal, ReceivedPackage
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
    assert steps[-1][0] == steps[-1][1] == 10
    imports = Import.objects.count()
    again = build_demo_members(prepare_demo_programme(said.append, password="x"), said.append, events=60)
    assert again == 5 and ReceivedPackage.objects.count() == 5 and Member.objects.count() == 5
    assert Import.objects.count() == imports  # no second import either
