"""The demo's illustrative assessment of Paraguay: labelled, sourced, with targets and gaps, built once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from cyberplan.assessment.demo import ANSWERS, TARGETS, TITLE, build_demo_assessment_for_workspace
from cyberplan.assessment.models import Answer, AnswerEvidence, Assessment
from cyberplan.assessment.report.service import produce
from cyberplan.assessment.results import factor_stages, score_assessment
from cyberplan.core.models import AuditEntry, Organisation, User
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
    assert {"Decreto 3900/2025 (22 May 2025)", "Ley 7593/2025 (27 November 2025)", "Ley 6534/2020"} <= citations
    for answer in Answer.objects.filter(assessment=assessment, value="met"):
        assert answer.evidence.exists(), answer.indicator_id
    # The cumulative rule: 1.1 has an Established indicator met but stops at Start-up; 1.2 reaches
    # Formative from CERT-PY's facts; a factor without an answer is not assessed and has no stage.
    stages = factor_stages(assessment)
    assert stages["1.1"] == 1 and stages["1.2"] == 2
    assert set(stages) == {"1.1", "1.2", "4.1", "4.2", "4.4"}
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


def test_the_answers_agree_with_the_verified_facts(db: None) -> None:
    """CERT-PY since 2013; ETS 185 and 189 by Law 5994/2017; CETS 224 signed in 2024; Law 7593/2025 not yet in force."""
    build_demo_workspace()
    assessment = build_demo_assessment_for_workspace()
    answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment).exclude(value="")}

    def cited(indicator: str) -> set[str]:
        evidence = answers[indicator].evidence.all()
        return {e.citation for e in evidence} | {e.url for e in evidence}

    # 1.2: CERT-PY created by Decree 11624/2013, receiving reports, publishing yearly statistics by
    # type and sector with response times: every Start-up and Formative indicator met, so Formative.
    for indicator in ("1.2.S1", "1.2.S2", "1.2.F1", "1.2.F2", "1.2.F3", "1.2.E2", "1.2.ST3"):
        assert answers[indicator].value == "met" and answers[indicator].evidence.exists(), indicator
    assert "Decreto 11624/2013 (12 August 2013)" in cited("1.2.S1")
    results = score_assessment(assessment)[1]
    assert results["1.2"].stage == 2
    # 4.4: a Party to ETS 185 and ETS 189 (Law 5994/2017), listed as such; CETS 224 signed on
    # 24 September 2024 but not ratified, so the Strategic indicator is not claimed.
    assert answers["4.4.E1"].value == "met" and "Ley 5994/2017 (15 December 2017)" in cited("4.4.E1")
    assert "https://coe.int/en/web/octopus/-/paraguay" in cited("4.4.E1")
    assert answers["4.4.E4"].value == "met"
    assert "https://verdragen.nl/en/Treaty/Details/013833_p.html" in cited("4.4.E4")
    assert answers["4.4.E4"].evidence.get().label.endswith("signed on 24 September 2024")
    assert "4.4.ST4" not in answers
    # The Start-up indicators of 4.4 need case records no public source shows: it stays at Start-up,
    # with three indicators above it met, and the report shows that.
    assert results["4.4"].stage == 1 and sum(c.met for c in results["4.4"].counts) == 3
    # Law 7593/2025: promulgated, with a 24-month regulation period: partly met, not "no law".
    assert answers["4.2.E1"].value == "partly" and "Ley 7593/2025 (27 November 2025)" in cited("4.2.E1")
    assert "24-month" in answers["4.2.E1"].evidence.get().note
    assert answers["4.2.S2"].value == "met" and answers["4.2.F1"].value == "met"
    # The ENC 2025-2028 replaced the 2017 plan (Decree 3900/2025); no evaluation report was checked.
    assert answers["1.1.D1"].value == "partly" and "Decreto 3900/2025 (22 May 2025)" in cited("1.1.D1")
    # Every evidence text of the demo reads in Spanish too.
    for item in AnswerEvidence.objects.filter(answer__assessment=assessment):
        spanish = item.translations.get("es", {})
        assert spanish.get("label"), item.label
        assert not item.note or spanish.get("note"), item.note
    assert Organisation.objects.get(slug="cert-py").name == "Centro de Respuestas ante Incidentes Cibernéticos"
