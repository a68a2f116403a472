"""The strategy API: reads filtered like the pages, writes through the actions, 403/404/409/400 as documented."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from cyberplan.core.choices import TLP, Role
from cyberplan.core.models import AuditEntry, User
from cyberplan.gaps.models import Gap
from cyberplan.strategy import actions as act
from cyberplan.strategy.choices import VersionStatus
from cyberplan.strategy.models import StrategyVersion
from tests.conftest import World, make_user

from .conftest import Plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_reads_are_limited_to_the_owner_and_its_tlp(world: World, plan: Plan) -> None:
    member = api(world.users[Role.VIEWER])
    listing = member.get("/api/strategies/").json()
    assert [s["id"] for s in listing["results"]] == [plan.strategy.pk]
    assert (
        member.get(f"/api/strategies/{plan.strategy.pk}/").json()["title_es"] == "Estrategia Nacional de Ciberseguridad"
    )
    elements = member.get("/api/strategy-elements/", {"strategy": plan.strategy.pk}).json()
    assert elements["count"] == 5
    outsider = api(world.outsider)
    assert outsider.get("/api/strategies/").json()["count"] == 0
    for url in (
        f"/api/strategies/{plan.strategy.pk}/",
        f"/api/strategies/{plan.strategy.pk}/traceability/",
        f"/api/strategy-elements/{plan.axis1.pk}/",
        f"/api/strategy-actions/{plan.action1.pk}/",
    ):
        assert outsider.get(url).status_code == 404, url
        assert outsider.patch(url, {"title_en": "x"}, format="json").status_code in (404, 405), url
    # An external partner reads only CLEAR and GREEN: the default AMBER strategy is hidden.
    assert api(world.users[Role.EXTERNAL_PARTNER]).get(f"/api/strategies/{plan.strategy.pk}/").status_code == 404
    assert api(world.nobody).get("/api/strategy-actions/").json()["count"] == 0
    assert APIClient().get("/api/strategies/").status_code == 401


def test_strategy_create_and_update_are_for_coordinators(world: World, plan: Plan) -> None:
    body = {
        "organisation": world.org_a.pk,
        "title_en": "Second strategy",
        "country": "PY",
        "start_year": 2029,
        "end_year": 2032,
    }
    assert api(world.users[Role.ANALYST]).post("/api/strategies/", body, format="json").status_code == 400
    created = api(world.users[Role.COORDINATOR]).post("/api/strategies/", body, format="json")
    assert created.status_code == 201, created.content
    url = f"/api/strategies/{plan.strategy.pk}/"
    assert api(world.users[Role.ANALYST]).patch(url, {"title_en": "x"}, format="json").status_code == 403
    coordinator = api(world.users[Role.COORDINATOR])
    ok = coordinator.patch(url, {"review_months": 24, "version": plan.strategy.version}, format="json")
    assert ok.status_code == 200 and ok.json()["review_months"] == 24
    stale = coordinator.patch(url, {"review_months": 12, "version": plan.strategy.version}, format="json")
    assert stale.status_code == 409 and stale.json()["current"]["review_months"] == 24
    bad = coordinator.patch(url, {"start_year": 2030}, format="json")
    assert bad.status_code == 400 and "end_year" in bad.json()


def test_plan_edits_need_edit_and_are_audited(world: World, plan: Plan) -> None:
    viewer, contributor, analyst = (api(world.users[r]) for r in (Role.VIEWER, Role.CONTRIBUTOR, Role.ANALYST))
    element = {
        "strategy": plan.strategy.pk,
        "kind": "objective",
        "parent": plan.axis2.pk,
        "code": "2.2",
        "title_en": "Teachers",
    }
    assert viewer.post("/api/strategy-elements/", element, format="json").status_code == 403
    assert contributor.post("/api/strategy-elements/", element, format="json").status_code == 403
    assert api(world.outsider).post("/api/strategy-elements/", element, format="json").status_code == 400
    before = AuditEntry.objects.count()
    created = analyst.post("/api/strategy-elements/", element, format="json")
    assert created.status_code == 201, created.content
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.latest("id").source == "api"
    wrong = analyst.post(
        "/api/strategy-elements/", {**element, "code": "2.3", "parent": plan.line111.pk}, format="json"
    )
    assert wrong.status_code == 400 and "parent" in wrong.json()
    url = f"/api/strategy-elements/{plan.axis1.pk}/"
    assert viewer.patch(url, {"title_en": "Response"}, format="json").status_code == 403
    renamed = analyst.patch(url, {"title_en": "Incident response and recovery"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["version"] == 2
    assert analyst.patch(url, {"title_en": "Older", "version": 1}, format="json").status_code == 409


def test_actions_with_institutions_gaps_and_kpis(world: World, plan: Plan, make_gap: Callable[..., Gap]) -> None:
    gap = make_gap(title_en="No CSIRT staff plan")
    other = make_gap(title_en="No exercises")
    analyst = api(world.users[Role.ANALYST])
    body = {
        "strategy": plan.strategy.pk,
        "parent": plan.line111.pk,
        "title_en": "Run a national exercise",
        "lead": world.org_b.slug,
        "supporting": [world.org_a.slug],
        "start_date": "2026-01-01",
        "end_date": "2026-06-30",
        "budget": "25000.00",
        "funding_source": "international",
        "gaps": [gap.identifier],
    }
    created = analyst.post("/api/strategy-actions/", body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["code"] == "1.1.1.2" and data["lead"] == "csirt-b" and data["gaps"] == [gap.identifier]
    unknown = analyst.post("/api/strategy-actions/", {**body, "gaps": ["GAP-9999"]}, format="json")
    assert unknown.status_code == 400 and "gaps" in unknown.json()
    dates = analyst.post("/api/strategy-actions/", {**body, "gaps": [], "end_date": "2025-01-01"}, format="json")
    assert dates.status_code == 400 and "end_date" in dates.json()
    url = f"/api/strategy-actions/{data['id']}/"
    relinked = analyst.patch(url, {"gaps": [other.identifier], "version": data["version"]}, format="json")
    assert relinked.status_code == 200 and relinked.json()["gaps"] == [other.identifier]
    kpi = analyst.post(
        "/api/strategy-kpis/",
        {"action": data["id"], "name_en": "Exercise held", "unit": "yesno", "baseline": "0", "target": "1"},
        format="json",
    )
    assert kpi.status_code == 201, kpi.content
    read = analyst.get(url).json()
    assert read["kpis"][0]["name"] == "Exercise held" and read["kpis"][0]["target"] == "1"
    kpi_url = f"/api/strategy-kpis/{kpi.json()['id']}/"
    # Editing a KPI is checked against the strategy of its action.
    assert api(world.users[Role.VIEWER]).patch(kpi_url, {"name_en": "x"}, format="json").status_code == 403
    renamed = analyst.patch(kpi_url, {"name_en": "National exercise held"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "National exercise held"
    wrong_unit = analyst.post(
        "/api/strategy-kpis/",
        {"action": data["id"], "name_en": "Coverage", "unit": "count", "target": "80%"},
        format="json",
    )
    assert wrong_unit.status_code == 400
    assert wrong_unit.json()["target"] == ["80% is in percentage, but this KPI is measured in count."]


def test_measurements_and_progress_need_contribute_and_units(world: World, plan: Plan) -> None:
    kpi = act.do_create_kpi(world.users[Role.COORDINATOR], plan.action1, name_en="Handlers in post", unit="count")
    url = f"/api/strategy-kpis/{kpi.pk}/measurements/"
    viewer, contributor = api(world.users[Role.VIEWER]), api(world.users[Role.CONTRIBUTOR])
    assert viewer.get(url).status_code == 200
    assert viewer.post(url, {"date": "2026-01-31", "value": "3"}, format="json").status_code == 403
    assert api(world.outsider).post(url, {"date": "2026-01-31", "value": "3"}, format="json").status_code == 404
    wrong = contributor.post(url, {"date": "2026-01-31", "value": "80%"}, format="json")
    assert wrong.status_code == 400
    assert wrong.json() == {"value": ["80% is in percentage, but this KPI is measured in count."]}
    assert contributor.post(url, {"date": "2026-01-31", "value": "2.5"}, format="json").json() == {
        "value": ["A count is a whole number."]
    }
    ok = contributor.post(url, {"date": "2026-01-31", "value": "3"}, format="json")
    assert ok.status_code == 201 and ok.json()["value"] == "3" and ok.json()["origin"] == "entered"
    assert viewer.get(f"/api/strategy-kpis/{kpi.pk}/").json()["latest"]["value"] == "3"
    manual = contributor.post(f"/api/strategy-kpis/{kpi.pk}/compute/", {}, format="json")
    assert manual.status_code == 400
    progress = f"/api/strategy-actions/{plan.action1.pk}/progress/"
    update = {"date": "2026-01-31", "status": "in_progress", "percent_complete": 40, "narrative": "Two hired."}
    assert viewer.post(progress, update, format="json").status_code == 403
    created = contributor.post(progress, update, format="json")
    assert created.status_code == 201, created.content
    plan.action1.refresh_from_db()
    assert plan.action1.status == "in_progress" and plan.action1.percent_complete == 40
    future = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    assert "date" in contributor.post(progress, {**update, "date": future}, format="json").json()
    assert len(viewer.get(progress).json()) == 1
    with_file = contributor.post(
        progress,
        {**update, "percent_complete": 50, "evidence_document": SimpleUploadedFile("minutes.txt", b"Hiring minutes")},
        format="multipart",
    )
    assert with_file.status_code == 201 and with_file.json()["has_document"] is True
    refused = contributor.post(
        progress, {**update, "evidence_document": SimpleUploadedFile("x.exe", b"MZ")}, format="multipart"
    )
    assert refused.status_code == 400 and "evidence_document" in refused.json()


def test_versions_workflow_published_is_409_and_consultees_see_only_out_of_draft(world: World, plan: Plan) -> None:
    coordinator, analyst = api(world.users[Role.COORDINATOR]), api(world.users[Role.ANALYST])
    assert analyst.post("/api/strategy-versions/", {"strategy": plan.strategy.pk}, format="json").status_code == 403
    created = coordinator.post(
        "/api/strategy-versions/", {"strategy": plan.strategy.pk, "note": "First"}, format="json"
    )
    assert created.status_code == 201, created.content
    version = created.json()
    assert version["number"] == 1 and version["status"] == "draft"
    second = coordinator.post("/api/strategy-versions/", {"strategy": plan.strategy.pk}, format="json")
    assert second.status_code == 400
    url = f"/api/strategy-versions/{version['id']}/"
    detail = coordinator.get(url).json()
    assert [e["code"] for e in detail["snapshot"]["elements"]][:1] == ["1"]
    # A member of a consulted organisation sees nothing while the version is a draft.
    consultee = make_user("b-contributor", world.org_b, Role.CONTRIBUTOR)
    act.do_set_consultees(world.users[Role.COORDINATOR], plan.strategy, [world.org_b])
    assert api(consultee).get(url).status_code == 404
    transition = f"{url}transition/"
    assert analyst.post(transition, {"status": "consultation"}, format="json").status_code == 403
    skipped = coordinator.post(transition, {"status": "published"}, format="json")
    assert skipped.status_code == 400 and "status" in skipped.json()
    stale = coordinator.post(transition, {"status": "consultation", "version": 99}, format="json")
    assert stale.status_code == 409
    assert coordinator.post(transition, {"status": "consultation"}, format="json").status_code == 200
    assert api(consultee).get(url).status_code == 200
    assert api(consultee).get("/api/strategies/").json()["count"] == 0
    assert api(consultee).post(transition, {"status": "approved"}, format="json").status_code == 403
    assert coordinator.post(transition, {"status": "approved"}, format="json").status_code == 200
    published = coordinator.post(transition, {"status": "published", "legal_reference": "Decree 1/2026"}, format="json")
    assert published.status_code == 200 and published.json()["legal_reference"] == "Decree 1/2026"
    refused = coordinator.post(transition, {"status": "draft"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Version 1 is published and cannot be changed; create a new version from the working copy."
    )
    assert coordinator.post(f"{url}refresh/", {}, format="json").status_code == 409
    assert StrategyVersion.objects.get(pk=version["id"]).status == VersionStatus.PUBLISHED
    assert api(world.nobody).get(url).status_code == 404


def test_traceability_summary_and_suggestions(world: World, plan: Plan, make_gap: Callable[..., Gap]) -> None:
    covered = make_gap(title_en="Covered gap")
    uncovered = make_gap(title_en="Uncovered gap", severity="high")
    make_gap(title_en="Secret gap", tlp=TLP.RED)
    act.do_link_gap(world.users[Role.COORDINATOR], plan.action1, covered)
    data = api(world.users[Role.VIEWER]).get(f"/api/strategies/{plan.strategy.pk}/traceability/").json()
    assert data["open_gaps"] == 2 and data["covered_open_gaps"] == 1 and data["percent"] == 50
    assert [g["identifier"] for g in data["uncovered_gaps"]] == [uncovered.identifier]
    assert [a["code"] for a in data["actions_without_gap"]] == [plan.action2.code]
    assert data["links"][0]["actions"][0]["code"] == plan.action1.code
    suggestion = data["suggestions"][0]
    assert suggestion["gap"]["identifier"] == uncovered.identifier
    assert "no action addresses it" in suggestion["reason"]


def test_schema_lists_the_strategy_endpoints() -> None:
    from pathlib import Path

    import yaml

    schema = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs/reference/openapi.yaml").read_text())
    for path in (
        "/api/strategies/",
        "/api/strategies/{id}/traceability/",
        "/api/strategy-elements/",
        "/api/strategy-actions/{id}/progress/",
        "/api/strategy-kpis/{id}/measurements/",
        "/api/strategy-versions/{id}/transition/",
    ):
        assert path in schema["paths"], path
