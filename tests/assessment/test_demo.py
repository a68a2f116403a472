"""The demo's illustrative assessment of Paraguay: labelled, sourced, with targets and gaps, built once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from cyberplan.assessment.demo import ANSWERS, TARGETS, TITLE, build_demo_assessment_for_workspace
from cyberplan.assessment.models import Answer, AnswerEvidence, Assessment
from cyberplan.assessment.report.service import produce
from cyberplan.assessment.results import factor_stages
from cyberplan.core.models import AuditEntry, User
from cyberplan.gaps.choices import GapSource, GapStatus
from cyberplan.gaps.models import Gap
from cyberplan.workspace.demo import build_demo_workspace
from tests.trends.report_support import pdf_text

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow


def counts() -> tuple[int, int, int, int, int]:
    return (
        Assessment.objects.count(),
        Answer.objects.exclude(value="").count(),
        AnswerEvidence.objects.count(),
        Gap.objects.filter(source=GapSource.ASSESSMENT).count(),
        AuditEntry.objects.count(),
    )


def test_built_twice_without_duplicates_and_with_its_gaps(db: None) -> None:
    build_demo_workspace()
    assessment = build_demo_assessment_for_workspace()
    first = counts()
    again = build_demo_assessment_for_workspace()
    assert again.pk == assessment.pk and counts() == first
    assert "Illustrative" in assessment.title and assessment.organisation.slug == "mitic"
    assert assessment.organisation.is_demo and assessment.country == "PY"
    # Every answer met cites a source; the laws and decrees of the facts file are cited.
    assert first[1] == len(ANSWERS)
    citations = set(AnswerEvidence.objects.values_list("citation", flat=True))
    assert {"Decreto 7052/2017, art. 4", "Ley 5994/2017 (15 December 2017)", "Decreto 11624/2013"} <= citations
    for answer in Answer.objects.filter(assessment=assessment, value="met"):
        assert answer.evidence.exists(), answer.indicator_id
    # The cumulative rule: 1.1 has an Established indicator met but stops at Start-up; 1.2 is at the
    # floor, Start-up; a factor without an answer is not assessed and has no stage.
    stages = factor_stages(assessment)
    assert stages["1.1"] == 1 and stages["1.2"] == 1
    assert set(stages) == {"1.1", "1.2", "4.1", "4.4"}
    # Every factor below its target has an open gap in the register, linked by its source key.
    gaps = Gap.objects.filter(organisation=assessment.organisation, source=GapSource.ASSESSMENT)
    assert {g.source_key for g in gaps} == {f"cyberplan-ncm:PY:{factor}" for factor in TARGETS}
    assert all(g.status == GapStatus.OPEN for g in gaps)
    assert all(g.evidence.filter(url__startswith=f"/assessment/{assessment.pk}/factors/").exists() for g in gaps)


def test_demo_command_builds_it_once_and_its_report_says_illustrative(db: None) -> None:
    out = io.StringIO()
    call_command("demo", "--no-serve", "--no-events", stdout=out)
    assert "Built the illustrative assessment of Paraguay" in out.getvalue()
    first = counts()
    out = io.StringIO()
    call_command("demo", "--no-serve", "--no-events", stdout=out)
    assert "exists already" in out.getvalue()
    assert counts()[:4] == first[:4]
    assessment = Assessment.objects.get(title=TITLE)
    text = " ".join(pdf_text(produce(assessment, language="en", fmt="pdf").content).text.split())
    assert "Illustrative: built from public facts" in text and "TLP:CLEAR" in text
    assert "Decreto 7052/2017, art. 4" in text.replace(" ,", ",") or "Decreto7052/2017,art.4" in text.replace(" ", "")


@pytest.mark.parametrize("language", ["es"])
def test_demo_report_in_spanish(db: None, language: str) -> None:
    build_demo_workspace()
    assessment = build_demo_assessment_for_workspace()
    html = produce(assessment, language=language, fmt="html").content.decode()
    assert "Estrategia Nacional de Ciberseguridad" in html and "Ley 4439/2011" in html
    # The demo's own texts read in Spanish too: the title, the evidence labels, citations and notes.
    assert "Evaluación ilustrativa del Paraguay" in html
    assert "Creación del CERT-PY" in html and "Decreto 11624/2013 (12 de agosto de 2013)" in html
    assert "CERT-PY created" not in html and "Illustrative reading of a public source" not in html


def test_demo_texts_on_the_pages_in_each_readers_language(db: None) -> None:
    build_demo_workspace()
    assessment = build_demo_assessment_for_workspace()
    client = Client()
    client.force_login(User.objects.get(username="demo-coordinator"))
    factor = f"/assessment/{assessment.pk}/factors/1.1/"
    spanish = client.get(factor, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Evaluación ilustrativa del Paraguay" in spanish
    assert "La SENATICs condujo el trabajo nacional de ciberseguridad antes de 2018" in spanish
    assert "Respuesta ilustrativa construida con hechos públicos." in spanish
    assert "SENATICs led national" not in spanish
    english = client.get(factor, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "SENATICs led national cybersecurity work before 2018" in english
    assert "Illustrative answer built from public facts." in english and "Evaluación ilustrativa" not in english
    listed = client.get("/assessment/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Evaluación ilustrativa del Paraguay" in listed
