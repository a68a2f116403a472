"""A collection of published documents: a published strategy version is shared as a STIX ``report`` at the
strategy's label, within the group's ceiling; drafts and labels above the ceiling are not."""

from __future__ import annotations

import pytest

from cyberplan.core.choices import Role
from cyberplan.sharing.actions import do_create_collection
from cyberplan.sharing.choices import CollectionContent
from cyberplan.sharing.publishing import do_publish
from cyberplan.sharing.stix_out import problems_of
from cyberplan.strategy import actions as strategy_actions
from cyberplan.strategy.choices import VersionStatus
from cyberplan.strategy.versions import actions as version_actions
from tests.conftest import World
from tests.sharing.conftest import Net

pytestmark = pytest.mark.django_db


def strategy(world: World, tlp: str, title: str) -> object:
    coordinator = world.users[Role.COORDINATOR]
    return strategy_actions.do_create_strategy(
        coordinator, world.org_a, title_en=title, country="PY", start_year=2025, end_year=2028, tlp=tlp
    )


def publish_version(world: World, plan: object) -> None:
    coordinator = world.users[Role.COORDINATOR]
    version = version_actions.do_create_version(coordinator, plan, "First version")
    version = version_actions.do_move_version(coordinator, version, VersionStatus.CONSULTATION)
    version = version_actions.do_move_version(coordinator, version, VersionStatus.APPROVED)
    version_actions.do_move_version(coordinator, version, VersionStatus.PUBLISHED, legal_reference="Decree 1/2026")


def test_published_versions_become_reports_within_the_ceiling(world: World, net: Net) -> None:
    publish_version(world, strategy(world, "green", "National Cybersecurity Strategy"))
    publish_version(world, strategy(world, "red", "Classified annex"))
    strategy(world, "clear", "Draft only")  # no published version
    collection = do_create_collection(None, net.group, title="Documents", content=CollectionContent.DOCUMENTS)
    summary = do_publish(None, collection)
    assert summary.failed == []
    reports = [row for row in collection.shared_objects.all() if row.stix_type == "report"]
    assert len(reports) == 1
    body = reports[0].body
    assert body["name"].startswith("National Cybersecurity Strategy, v1")
    assert body["description"] == "Decree 1/2026" and reports[0].tlp == "green"
    assert problems_of(body) is None
    assert do_publish(None, collection).added == 0


def test_finished_trends_reports_become_threat_reports(world: World, net: Net) -> None:
    import datetime as dt

    from cyberplan.jobs.models import Job

    finished = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    common = {"organisation": world.org_a, "kind": "trends_report", "finished_at": finished}
    Job.objects.create(status="succeeded", parameters={"period": "2026-11", "tlp": "clear"}, **common)
    Job.objects.create(status="failed", parameters={"period": "2026-10", "tlp": "clear"}, **common)
    Job.objects.create(status="succeeded", parameters={"period": "2026-09", "tlp": "amber+strict"}, **common)
    collection = do_create_collection(None, net.group, title="Reports", content=CollectionContent.DOCUMENTS)
    do_publish(None, collection)
    reports = [row.body for row in collection.shared_objects.all() if row.stix_type == "report"]
    assert [(r["name"], r["report_types"]) for r in reports] == [("Threat trends report 2026-11", ["threat-report"])]
