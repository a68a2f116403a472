"""The member side: the command, the pages (who may build, preview, approve, download) and their audit."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.jobs.models import Job
from cyberplan.jobs.tasks import run_job
from cyberplan.pipeline import synth
from cyberplan.regional.actions import do_approve, do_build_draft
from cyberplan.regional.jobs import REGIONAL_BUILD, describe
from cyberplan.regional.models import StatisticsPackage
from cyberplan.regional.package import PACKAGE_TYPE, text_hash
from cyberplan.regional.receiving import KnownMember, validate_package
from cyberplan.sharing.stix_out import stix_id
from cyberplan.threats.actions import do_register_import, do_run_import
from tests.conftest import World, make_user

pytestmark = pytest.mark.django_db

# Paraguayan /24 blocks (181.120.0.0/18), so that the events' country is the member's.
BLOCKS = [(181 << 24) + (120 << 16) + (k << 8) for k in range(64)]


@pytest.fixture(autouse=True)
def _events_dir(settings: Any, tmp_path: Path) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"


def import_events(world: World, tmp_path: Path, month: str, events: int, seed: int = 7) -> None:
    feed = tmp_path / f"feed-{month}-{seed}"
    for path in synth.generate(feed, events=events, country="PY", month=month, networks=BLOCKS, daily=False, seed=seed):
        record = do_register_import(
            world.users[Role.ADMINISTRATOR], world.org_a, path, file_name=path.name, tlp="green"
        )
        do_run_import(record, path)


@pytest.fixture
def member(world: World, tmp_path: Path) -> World:
    import_events(world, tmp_path, "2026-03", 400)
    return world


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def package_of(bundle: dict[str, Any]) -> dict[str, Any]:
    return next(o for o in bundle["objects"] if o["type"] == PACKAGE_TYPE)


def test_the_command_writes_a_package_the_regional_side_accepts(member: World, tmp_path: Path) -> None:
    out, target = StringIO(), tmp_path / "pkg.json"
    call_command(
        "regional", "package", "--period", "2026", "--output", str(target), "--organisation", "authority-a", stdout=out
    )
    text = target.read_text()
    stored = StatisticsPackage.objects.get()
    assert stored.state == "draft" and stored.content == text and stored.content_hash == text_hash(text)
    said = out.getvalue()
    assert "authority-a 2026 version 1 (draft), TLP:GREEN, threshold 10: threats, exposure" in said
    assert stored.content_hash in said
    bundle = json.loads(text)
    package = package_of(bundle)
    assert package["threats"]["total"]["events"] == {"value": 400}
    assert package["exposure"]["announced_ipv4"] > 0 and package["exposure"]["per_1000"] > 0
    known = {"PY": KnownMember("PY", stix_id("identity", "organisation", "authority-a"))}
    assert validate_package(bundle, "2026", known, {}).package["id"] == package["id"]


def test_the_command_refuses_bad_input_naming_the_option(member: World, tmp_path: Path) -> None:
    target = str(tmp_path / "pkg.json")
    with pytest.raises(CommandError, match="--period"):
        call_command("regional", "package", "--period", "2026-03", "--output", target, "--organisation", "authority-a")
    with pytest.raises(CommandError, match="--organisation"):
        call_command("regional", "package", "--period", "2026", "--output", target, "--organisation", "nowhere")
    with pytest.raises(CommandError, match="--approve"):
        call_command(
            "regional", "package", "--period", "2026", "--output", target, "--approve", "--organisation", "authority-a"
        )
    assert not StatisticsPackage.objects.exists()
    for label in ("red", "amber+strict"):
        with pytest.raises(ValidationError, match="never TLP:AMBER"):
            do_build_draft(None, member.org_a, "2026", tlp=label)


def test_who_may_build_preview_and_approve(member: World) -> None:
    users = member.users
    viewer = signed_in(users[Role.VIEWER])
    assert "Build the draft" not in viewer.get("/regional/packages/").content.decode()
    form = {"organisation": member.org_a.pk, "period": "2026", "tlp": "green", "threshold": 10}
    assert viewer.post("/regional/packages/", form).status_code == 403
    analyst = signed_in(users[Role.ANALYST])
    refused = analyst.post("/regional/packages/", {**form, "period": "2026-13"})
    assert refused.status_code == 200 and "month 13 does not exist" in refused.content.decode()
    assert not Job.objects.exists()
    built = analyst.post("/regional/packages/", form)
    job = Job.objects.get(kind=REGIONAL_BUILD)
    assert built.status_code == 302 and built["Location"] == f"/jobs/{job.pk}/"
    assert describe(job.parameters)[0] == ("Period", "2026")
    run_job.call(str(job.pk))
    job.refresh_from_db()
    package = StatisticsPackage.objects.get()
    assert job.status == "succeeded" and job.result["package"] == package.pk, job.message
    assert package.created_by == users[Role.ANALYST]
    page = analyst.get(f"/regional/packages/{package.pk}/").content.decode()
    assert "Events and distinct sources" in page and "Approve this package" not in page
    assert analyst.post(f"/regional/packages/{package.pk}/approve/").status_code == 403
    assert analyst.get(f"/regional/packages/{package.pk}/download/").status_code == 403  # not approved yet
    assert signed_in(member.outsider).get(f"/regional/packages/{package.pk}/").status_code == 404
    assert signed_in(member.outsider).post(f"/regional/packages/{package.pk}/approve/").status_code == 404
    coordinator = signed_in(users[Role.COORDINATOR])
    assert "Approve this package" in coordinator.get(f"/regional/packages/{package.pk}/").content.decode()
    assert coordinator.post(f"/regional/packages/{package.pk}/approve/").status_code == 302
    package.refresh_from_db()
    assert package.state == "approved" and package.approved_by == users[Role.COORDINATOR]
    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(StatisticsPackage), object_id=str(package.pk), action="update"
    ).get()
    assert entry.changes["content_hash"] == [None, package.content_hash] and entry.actor == users[Role.COORDINATOR]
    download = viewer.get(f"/regional/packages/{package.pk}/download/")
    assert download.status_code == 200 and download.content.decode() == package.content
    assert package.file_name in download["Content-Disposition"]


def test_the_preview_shows_suppressed_cells_as_such(member: World) -> None:
    package = do_build_draft(None, member.org_a, "2026", threshold=150)
    content = package_of(package.bundle())
    hidden = [row for row in content["threats"]["rows"] if row["events"] == {"suppressed": True}]
    assert hidden, "with a threshold of 150, some of the 400 events' cells are small"
    page = signed_in(member.users[Role.VIEWER]).get(f"/regional/packages/{package.pk}/").content.decode()
    assert page.count(">suppressed</span>") >= len(hidden)


def test_only_the_national_authority_approves(member: World) -> None:
    package = do_build_draft(None, member.org_b, "2026")
    csirt_coordinator = make_user("b-coordinator", member.org_b, Role.COORDINATOR)
    client = signed_in(csirt_coordinator)
    assert client.get(f"/regional/packages/{package.pk}/").status_code == 200
    assert client.post(f"/regional/packages/{package.pk}/approve/").status_code == 403
    assert (
        signed_in(member.users[Role.ADMINISTRATOR]).post(f"/regional/packages/{package.pk}/approve/").status_code == 404
    )


def test_an_approved_package_is_frozen_and_a_new_approval_supersedes_it(member: World, tmp_path: Path) -> None:
    coordinator = member.users[Role.COORDINATOR]
    first = do_approve(coordinator, do_build_draft(coordinator, member.org_a, "2026"))
    first.content = first.content.replace("400", "401")
    with pytest.raises(ValidationError):
        first.save()
    with pytest.raises(ValidationError, match="have not changed since approved version 1"):
        do_build_draft(coordinator, member.org_a, "2026")
    import_events(member, tmp_path, "2026-04", 200, seed=8)
    second = do_approve(coordinator, do_build_draft(coordinator, member.org_a, "2026"))
    first.refresh_from_db()
    assert (first.state, second.state, second.version) == ("superseded", "approved", 2)
    one, two = package_of(first.bundle()), package_of(second.bundle())
    assert two["id"] == one["id"] and two["created"] == one["created"] and two["modified"] > one["modified"]
    assert two["threats"]["total"]["events"] == {"value": 600}
    known = {"PY": KnownMember("PY", one["created_by_ref"])}
    assert validate_package(second.bundle(), "2026", known, {"PY": one["modified"]}).package["package_version"] == 2


def test_a_package_is_seen_within_its_label_as_any_record(member: World) -> None:
    coordinator = member.users[Role.COORDINATOR]
    green = do_approve(coordinator, do_build_draft(coordinator, member.org_a, "2026-Q1"))
    amber = do_approve(coordinator, do_build_draft(coordinator, member.org_a, "2026", tlp="amber"))
    partner = signed_in(member.users[Role.EXTERNAL_PARTNER])
    assert partner.get(f"/regional/packages/{green.pk}/").status_code == 200
    assert partner.get(f"/regional/packages/{green.pk}/download/").status_code == 200
    assert partner.get(f"/regional/packages/{amber.pk}/").status_code == 404
    assert partner.get(f"/regional/packages/{amber.pk}/download/").status_code == 404
    listed = partner.get("/regional/packages/").content.decode()
    assert "2026-Q1" in listed and f"/regional/packages/{amber.pk}/" not in listed
    assert f"/regional/packages/{green.pk}/" not in signed_in(member.nobody).get("/regional/packages/").content.decode()
    assert Client().get("/regional/packages/").status_code == 302


def test_only_what_is_marked_at_most_as_the_package_leaves_and_each_part_only_where_it_exists(
    member: World, tmp_path: Path
) -> None:
    import datetime as dt

    from cyberplan.legal.actions import do_set_treaty_status
    from cyberplan.strategy import actions as strategy_actions
    from cyberplan.strategy.choices import ActionStatus, ElementKind
    from cyberplan.strategy.models import Action

    coordinator = member.users[Role.COORDINATOR]
    feed = tmp_path / "amber-feed"
    for path in synth.generate(feed, events=100, country="PY", month="2026-05", networks=BLOCKS, daily=False, seed=9):
        record = do_register_import(coordinator, member.org_a, path, file_name=path.name, tlp="amber")
        do_run_import(record, path)
    green = package_of(do_build_draft(coordinator, member.org_a, "2026").bundle())
    assert green["threats"]["total"]["events"] == {"value": 400}
    assert [m["month"] for m in green["threats"]["months"]] == ["2026-03"]
    assert not {"strategy", "legal", "training", "assessment", "incidents"} & set(green)

    strategy = strategy_actions.do_create_strategy(
        coordinator,
        member.org_a,
        title_en="National strategy",
        country="PY",
        start_year=2025,
        end_year=2028,
        tlp="amber",
    )
    axis = strategy_actions.do_create_element(
        coordinator, strategy, kind=ElementKind.AXIS, code="1", title_en="Resilience"
    )
    objective = strategy_actions.do_create_element(
        coordinator, strategy, kind=ElementKind.OBJECTIVE, parent=axis, code="1.1", title_en="Respond"
    )
    for title in ("Hire handlers", "Run exercises"):
        strategy_actions.do_create_action(coordinator, strategy, parent=objective, title_en=title, lead=member.org_a)
    Action.objects.filter(title_en="Hire handlers").update(status=ActionStatus.COMPLETED)
    do_set_treaty_status(None, "PY", "ets-185", signed=dt.date(2017, 1, 1), ratified=dt.date(2018, 1, 1))
    amber = package_of(do_build_draft(coordinator, member.org_a, "2026", tlp="amber").bundle())
    assert amber["threats"]["total"]["events"] == {"value": 500}
    assert amber["strategy"] == {
        "adopted": False,
        "start_year": 2025,
        "end_year": 2028,
        "phase": "initiation",
        "axes": ["Resilience"],
        "actions": 2,
        "actions_completed_share": 0.5,
    }
    assert amber["legal"]["treaties"] == [
        {"treaty": "ets-185", "signed": "2017-01-01", "ratified": "2018-01-01", "accession": False}
    ]
    # The strategy is TLP:AMBER: a TLP:GREEN package leaves it out, and keeps the public treaty status.
    again = package_of(do_build_draft(coordinator, member.org_a, "2026", tlp="green").bundle())
    assert "strategy" not in again and again["legal"]["treaties"][0]["treaty"] == "ets-185"


def test_the_worker_refuses_a_requester_who_may_no_longer_build(member: World) -> None:
    from cyberplan.jobs.actions import do_start_job

    job = do_start_job(member.users[Role.VIEWER], member.org_a, REGIONAL_BUILD, {"period": "2026"})
    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and "may no longer build" in job.message
    assert not StatisticsPackage.objects.exists()


def test_a_national_authority_counts_the_stores_granted_to_it_at_green_at_most(member: World, tmp_path: Path) -> None:
    """The authority (organisation B here) holds no events of its own: CSIRT A grants it its store up to
    TLP:AMBER. A TLP:AMBER package of B counts A's GREEN events and names A's store, never A's AMBER ones."""
    from cyberplan.core.choices import OrganisationType
    from cyberplan.threats.actions import do_grant_store_access

    authority = member.org_b
    authority.type = OrganisationType.NATIONAL_AUTHORITY
    authority.country = "PY"
    authority.save()
    coordinator = make_user("b-coordinator", authority, Role.COORDINATOR)
    feed = tmp_path / "amber-feed"
    for path in synth.generate(feed, events=100, country="PY", month="2026-05", networks=BLOCKS, daily=False, seed=9):
        record = do_register_import(
            member.users[Role.COORDINATOR], member.org_a, path, file_name=path.name, tlp="amber"
        )
        do_run_import(record, path)

    alone = package_of(do_build_draft(coordinator, authority, "2026", tlp="amber").bundle())
    assert "threats" not in alone  # nothing granted yet, nothing of its own

    do_grant_store_access(
        member.users[Role.ADMINISTRATOR], member.org_a, authority, ceiling="amber", reason="The national picture"
    )
    package = package_of(do_build_draft(coordinator, authority, "2026", tlp="amber").bundle())
    assert package["threats"]["total"]["events"] == {"value": 400}  # the 400 GREEN events; the 100 AMBER stay
    assert package["threats"]["stores"] == [
        {"organisation": authority.name, "granted": False, "labels": ["clear", "green", "amber"]},
        {"organisation": member.org_a.name, "granted": True, "labels": ["clear", "green"]},
    ]
    page = signed_in(coordinator).get(f"/regional/packages/{StatisticsPackage.objects.latest('pk').pk}/")
    assert member.org_a.name in page.content.decode()
