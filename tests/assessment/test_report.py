"""The assessment report: HTML, PDF and DOCX in English and Spanish, chart, marking, annex, gaps, escaping."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import translation

from cyberplan.assessment.actions import (
    do_add_answer_evidence,
    do_answer_indicator,
    do_set_target_stage,
    do_sync_assessment_gaps,
)
from cyberplan.assessment.models import Answer, Assessment
from cyberplan.assessment.report.content import build_report
from cyberplan.assessment.report.render import render_report
from cyberplan.assessment.report.service import produce
from cyberplan.core.choices import TLP, Role
from tests.conftest import World
from tests.trends.report_support import docx_text, pdf_text

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

MALICIOUS = '<script>alert("x")</script><img src="https://evil.example/x.png">'


def answer(assessment: Assessment, indicator_id: str, value: str = "met") -> Answer:
    row = Answer.objects.get(assessment=assessment, indicator_id=indicator_id)
    return do_answer_indicator(None, row, None, value=value)


@pytest.fixture
def answered(world: World, make_assessment: Callable[..., Assessment]) -> Assessment:
    """Factor 1.1 at Start-up (1.1.S1-S3 met, S1 and S2 with evidence, S3 claimed without), target Established."""
    assessment = make_assessment(title="National assessment 2026", tlp=TLP.AMBER)
    for code in ("1.1.S1", "1.1.S2", "1.1.S3"):
        answer(assessment, code)
    answer(assessment, "1.1.F1", "partly")
    answer(assessment, "4.1.S1", "not_met")
    do_add_answer_evidence(
        None,
        Answer.objects.get(assessment=assessment, indicator_id="1.1.S1"),
        kind="url",
        label="Published strategy",
        url="https://example.org/strategy.pdf",
    )
    do_add_answer_evidence(
        None,
        Answer.objects.get(assessment=assessment, indicator_id="1.1.S2"),
        kind="citation",
        label="Decree",
        citation="Decreto 1234/2020, art. 4",
    )
    do_set_target_stage(None, assessment.factors.get(factor_id="1.1"), 3)
    do_sync_assessment_gaps(world.users[Role.COORDINATOR], assessment)
    return assessment


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("language", ["en", "es"])
def test_pdf_has_stages_marking_chart_annex_and_gaps(answered: Assessment, language: str) -> None:
    pdf = pdf_text(produce(answered, language=language, fmt="pdf").content)
    text = words(pdf.text)
    assert len(pdf.pages) >= 5
    assert all(page.count("TLP:AMBER") >= 2 for page in pdf.pages)  # top and bottom margin of every page
    assert pdf.forms >= 1  # the radar chart, drawn as vector graphics
    joined = text.replace(" ", "")  # table cells wrap long words across lines
    assert "ASM-0001" in joined and "cyberplan-ncm:PY:1.1" in joined
    assert "https://example.org/strategy.pdf" in joined and "Decreto1234/2020,art.4" in joined
    assert "1.1.S3" in text
    if language == "en":
        assert "National cybersecurity capacity assessment" in text
        assert "1 · Start-up" in text and "3 · Established" in text
        assert "Evidence annex" in text and "no evidence attached" in text  # 1.1.S3 is claimed without evidence
        assert "2 of 3 met answers backed by evidence" in text
        assert "D2: not assessed" in text  # the chart says so in its label
        # the whole scale, even the stages no factor reached, with what each means
        assert "4 Strategic" in text and "5 Dynamic" in text  # the chart's rings
        assert "The scale: five stages, Start-up to Dynamic" in text
        assert "reviewed and adapted through documented decisions" in text
    else:
        # Stage and factor names come from the framework, dates from the locale, sentences from the catalogue.
        assert "1 · Inicial" in text and "1 de marzo de 2026" in text
        assert "Estrategia Nacional de Ciberseguridad" in text
        assert "4 Estratégica" in text and "5 Dinámica" in text
        assert "se adapta mediante decisiones documentadas" in text


@pytest.mark.parametrize("language", ["en", "es"])
def test_docx_has_marking_in_header_and_footer_and_the_chart(answered: Assessment, language: str) -> None:
    document = docx_text(produce(answered, language=language, fmt="docx").content)
    assert all("TLP:AMBER" in header for header in document.headers)
    assert all("TLP:AMBER" in footer for footer in document.footers)
    assert document.pictures == 1
    assert "ASM-0001" in document.body and "https://example.org/strategy.pdf" in document.body
    assert "Decreto 1234/2020, art. 4" in document.body
    stage = "1 · Start-up" if language == "en" else "1 · Inicial"
    assert stage in document.body
    top = "5 · Dynamic: 0" if language == "en" else "5 · Dinámica: 0"
    assert top in document.body  # every stage of the scale is counted, those no factor reached too


@pytest.mark.parametrize("language", ["en", "es"])
def test_html_is_one_offline_file_with_banner_and_chart(answered: Assessment, language: str) -> None:
    html = produce(answered, language=language, fmt="html").content.decode()
    assert html.count('class="tlp-mark">TLP:AMBER') >= 3  # top banner, cover, bottom banner
    assert 'src="data:image/svg+xml;base64,' in html
    assert '<a href="https://example.org/strategy.pdf">' in html
    assert f'<html lang="{language}">' in html
    assert "ASM-0001" in html and "<link" not in html and "<script" not in html


def test_user_text_is_escaped_in_every_format(world: World, make_assessment: Callable[..., Assessment]) -> None:
    world.org_a.name = MALICIOUS
    world.org_a.save()
    assessment = make_assessment(title=f"Title {MALICIOUS}")
    row = answer(assessment, "1.1.S1")
    do_add_answer_evidence(
        None, row, kind="citation", label=f"Label {MALICIOUS}", citation=f"Cite {MALICIOUS}", note="note\x07bell"
    )
    html = produce(assessment, language="en", fmt="html").content.decode()
    assert "<script>" not in html and '<img src="https://evil' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    pdf = words(pdf_text(produce(assessment, language="en", fmt="pdf").content).text)
    assert '<script>alert("x")</script>' in pdf  # shown as text, never run or fetched
    document = docx_text(produce(assessment, language="en", fmt="docx").content)
    assert f"Cite {MALICIOUS}" in document.body and "notebell" in document.body


def test_assessment_without_answers(make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    with translation.override("en"):
        report = build_report(assessment, "en")
        assert "No indicator has been answered yet, so no factor has a stage." in report.summary
        assert any("5 dimensions have no assessed factor" in s for s in report.summary)
        assert "without an assessed factor" in report.chart_note and "D1" in report.chart_note
        for fmt in ("pdf", "docx", "html"):
            assert render_report(report, fmt)
    html = produce(assessment, language="en", fmt="html").content.decode()
    assert "No indicator has been answered yet." in html
    assert "The gap register holds no gap from this country&#x27;s assessments." in html


def test_illustrative_assessment_says_so(make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment(title="Illustrative assessment of Paraguay")
    text = words(pdf_text(produce(assessment, language="en", fmt="pdf").content).text)
    assert "Illustrative: built from public facts" in text
    es = words(pdf_text(produce(assessment, language="es", fmt="pdf").content).text)
    assert "TLP:AMBER" in es


def test_unknown_format_or_language_is_refused(make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    with pytest.raises(ValueError, match="format"):
        produce(assessment, language="en", fmt="odt")
    with pytest.raises(ValueError, match="language"):
        produce(assessment, language="fr", fmt="pdf")


def test_dimension_summaries_keep_unassessed_factors_apart(answered: Assessment) -> None:
    with translation.override("en"):
        report = build_report(answered, "en")
    table = next(s for s in report.sections if s.id == "dimensions").tables[0]
    rows = {row[0].split()[0]: row for row in table.rows}
    assert rows["D1"][1] == "1.1: 1, 1.2: —, 1.3: —, 1.4: —"
    scale = "2 · Formative: 0; 3 · Established: 0; 4 · Strategic: 0; 5 · Dynamic: 0"
    assert rows["D1"][2:] == [f"1 · Start-up: 1; {scale}; not assessed: 3", "1 · Start-up", "1 · Start-up"]
    # 4.1 was answered (not met), so it is assessed, and sits at the floor, Start-up; nothing is averaged.
    assert rows["D4"][2:] == [f"1 · Start-up: 1; {scale}; not assessed: 3", "1 · Start-up", "1 · Start-up"]
    assert rows["D2"][2:] == [f"1 · Start-up: 0; {scale}; not assessed: 5", "—", "—"]
    factors = {row[0]: row for row in next(s for s in report.sections if s.id == "factors").tables[0].rows}
    total = len(answered.framework.structure().factor("1.1").indicators)
    assert factors["1.1"][2:6] == [
        "1 · Start-up",
        f"4 of {total}",  # S1-S3 met, F1 partly
        "3 · Established",
        "2 of 3 met answers backed by evidence",
    ]
    assert factors["1.1"][6] == "1.1.S3, 1.1.F1"
    assert factors["1.2"][2:4] == [
        "not assessed",
        f"0 of {len(answered.framework.structure().factor('1.2').indicators)}",
    ]
    assert factors["4.1"][2] == "1 · Start-up"


@pytest.mark.parametrize(
    ("language", "names", "floor_words"),
    [
        ("en", ["Start-up", "Formative", "Established", "Strategic", "Dynamic"], "The floor of the scale"),
        ("es", ["Inicial", "Formativa", "Establecida", "Estratégica", "Dinámica"], "El piso de la escala"),
    ],
)
def test_the_method_section_and_the_chart_show_the_whole_scale(
    answered: Assessment, language: str, names: list[str], floor_words: str
) -> None:
    with translation.override(language):
        report = build_report(answered, language)
    method = next(s for s in report.sections if s.id == "method")
    scale = method.tables[0]
    assert [row[1] for row in scale.rows] == [*names, "not assessed" if language == "en" else scale.rows[-1][1]]
    assert [row[0] for row in scale.rows[:5]] == ["1", "2", "3", "4", "5"]
    assert scale.rows[0][2].startswith(floor_words)  # the meaning comes from the framework, in the language
    assert all(row[2] for row in scale.rows)
    # 1.1 and 4.1 are assessed, both at Start-up; the other 21 factors are not assessed
    assert [row[3] for row in scale.rows] == ["2", "0", "0", "0", "0", "21"]
    rings = next(layer for layer in report.chart_spec["layer"] if layer["mark"].get("type") == "text")
    assert [v["text"] for v in rings["data"]["values"]] == [f"{n} {name}" for n, name in enumerate(names, 1)]
