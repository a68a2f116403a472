"""JSON export and import: round trip, another framework version refused, malformed files named by field."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cyberplan.assessment import actions
from cyberplan.assessment.exchange import ExchangeError, export_assessment, import_assessment
from cyberplan.assessment.models import Assessment
from cyberplan.assessment.results import factor_scores
from cyberplan.core.choices import Role
from tests.conftest import World


@pytest.fixture
def filled(world: World, make_assessment: Callable[..., Assessment]) -> Assessment:
    assessment = make_assessment(stakeholder_groups=["government", "academia"])
    for indicator in assessment.framework.structure().factor("1.1").indicators_at(1):
        answer = assessment.answers.get(indicator_id=indicator.id)
        actions.do_answer_indicator(None, answer, None, value="met", note="Seen")
        actions.do_add_answer_evidence(None, answer, kind="url", label="Page", url="https://example.gov.py/")
    actions.do_answer_indicator(None, assessment.answers.get(indicator_id="2.1.S1"), None, value="partly")
    row = assessment.factors.get(factor_id="1.1")
    actions.do_set_target_stage(None, row, 3)
    actions.do_add_factor_comment(None, row, "Strategy under review.")
    return assessment


def test_round_trip(world: World, filled: Assessment) -> None:
    data = export_assessment(filled)
    assert data["framework"] == {"id": "cyberplan-ncm", "version": "2026.2"}
    copy_ = import_assessment(world.users[Role.ANALYST], world.org_b, json.dumps(data).encode())
    assert copy_.organisation == world.org_b
    assert (copy_.title, copy_.stakeholder_groups) == (filled.title, ["government", "academia"])
    assert export_assessment(copy_) == data
    assert [s["stage"] for s in factor_scores(copy_)] == [s["stage"] for s in factor_scores(filled)]


def _bad(data: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(data)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["format"], "something-else", "format: expected 'cyberplan-assessment'"),
        (["format_version"], 9, "format_version"),
        (["framework", "version"], "2020.1", "made on cyberplan-ncm@2020.1, which is not loaded here"),
        (["framework", "id"], "other-model", "other-model@2026.2"),
        (["assessment", "date"], "yesterday", "assessment.date"),
        (["assessment", "country"], "XX", "assessment.country"),
        (["assessment", "method"], "guess", "assessment.method"),
        (["assessment", "title"], KeyError, "assessment.title: missing"),
        (["assessment", "stakeholder_groups"], ["aliens"], "assessment.stakeholder_groups[0]"),
        (["answers", 0, "indicator"], "9.9.S1", "answers[0].indicator"),
        (["answers", 0, "value"], "yes", "answers[0].value"),
        (["answers", 0, "evidence", 0, "kind"], "document", "answers[0].evidence[0].kind"),
        (["answers", 0, "evidence", 0, "url"], "javascript:x", "answers[0].evidence[0].url"),
        (["answers", 0, "surprise"], 1, "answers[0].surprise: unexpected field"),
        (["factors", 0, "target_stage"], 7, "factors[0].target_stage"),
        (["factors", 0, "factor"], "1.99", "factors[0].factor"),
    ],
)
def test_bad_files_are_named_by_field(
    world: World, filled: Assessment, path: list[Any], value: Any, message: str
) -> None:
    before = Assessment.objects.count()
    with pytest.raises(ExchangeError) as info:
        import_assessment(None, world.org_a, _bad(export_assessment(filled), path, value))
    assert message in str(info.value)
    assert Assessment.objects.count() == before


def test_malformed_json_and_duplicates(world: World, filled: Assessment) -> None:
    for raw, message in (
        (b"{not json", "malformed JSON at line 1"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[]", "(file): expected an object"),
        (b"{}", "(file).answers: missing"),
    ):
        with pytest.raises(ExchangeError, match=message.replace("(", r"\(").replace(")", r"\)")):
            import_assessment(None, world.org_a, raw)
    data = export_assessment(filled)
    data["answers"].append(copy.deepcopy(data["answers"][0]))
    with pytest.raises(ExchangeError, match="answered twice"):
        import_assessment(None, world.org_a, data)


def test_commands(world: World, filled: Assessment, tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    call_command("assessment", "export", str(filled.pk), "--output", str(out), stdout=StringIO())
    assert json.loads(out.read_text("utf-8"))["framework"]["version"] == "2026.2"
    stdout = StringIO()
    call_command("assessment", "import", str(out), "--organisation", "csirt-b", stdout=stdout)
    assert "Imported assessment" in stdout.getvalue()
    assert Assessment.objects.filter(organisation=world.org_b).count() == 1
    with pytest.raises(CommandError, match="no organisation"):
        call_command("assessment", "import", str(out), "--organisation", "nope")
    with pytest.raises(CommandError, match="no assessment"):
        call_command("assessment", "export", "999999", "--output", str(out))
    data = json.loads(out.read_text("utf-8"))
    data["framework"]["version"] = "1999.1"
    out.write_text(json.dumps(data), "utf-8")
    with pytest.raises(CommandError, match="not loaded here"):
        call_command("assessment", "import", str(out), "--organisation", "csirt-b")


def test_web_and_api(world: World, filled: Assessment) -> None:
    client = Client()
    client.force_login(world.users[Role.ANALYST])
    download = client.get(reverse("assessment:assessment_export", args=[filled.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    data = json.loads(download.content)
    response = client.post(
        reverse("assessment:assessment_import"),
        {"organisation": world.org_a.pk, "file": SimpleUploadedFile("a.json", json.dumps(data).encode())},
    )
    assert response.status_code == 302
    bad = dict(data, framework={"id": "cyberplan-ncm", "version": "2099.1"})
    response = client.post(
        reverse("assessment:assessment_import"),
        {"organisation": world.org_a.pk, "file": SimpleUploadedFile("a.json", json.dumps(bad).encode())},
    )
    assert response.status_code == 400
    assert "not loaded here" in response.content.decode()
    api = APIClient()
    api.force_authenticate(world.users[Role.ANALYST])
    assert api.get(f"/api/assessments/{filled.pk}/export/").json() == data
    created = api.post("/api/assessments/import/", {"organisation": world.org_a.pk, "document": data}, format="json")
    assert created.status_code == 201
    refused = api.post("/api/assessments/import/", {"organisation": world.org_a.pk, "document": bad}, format="json")
    assert refused.status_code == 400 and "not loaded here" in refused.json()["document"][0]
    viewer = APIClient()
    viewer.force_authenticate(world.users[Role.VIEWER])
    denied = viewer.post("/api/assessments/import/", {"organisation": world.org_a.pk, "document": data}, format="json")
    assert denied.status_code == 400 and "organisation" in denied.json()
