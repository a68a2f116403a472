"""The legal alignment report: its content in both languages and every format, escaping, and change over time."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.utils import translation

from cyberplan.legal.choices import Coverage
from cyberplan.legal.models import Instrument, Review
from cyberplan.legal.report.content import build_report
from cyberplan.legal.report.service import produce
from cyberplan.reports.document import Table
from tests.conftest import World
from tests.legal.report_support import approved_review
from tests.trends.report_support import docx_text, pdf_text

HOSTILE = '<script>alert("x")</script> & <b>bold</b>\x07'


def _matrix_table(review: Review, treaty_code: str) -> Table:
    with translation.override("en"):
        report = build_report(review)
    section = next(s for s in report.sections if s.id == "matrix")
    return next(t for t in section.tables if t.caption.startswith(treaty_code))


def test_the_matrix_lists_every_article_of_the_convention(
    world: World, make_review: Callable[..., Review], instruments: list[Instrument]
) -> None:
    review = approved_review(
        world,
        make_review,
        instruments,
        {"ets-185:2": (Coverage.FULL, "Article 174 b of the Penal Code.")},
        approve=False,
    )
    table = _matrix_table(review, "ETS 185")
    assert [row[0] for row in table.rows] == [str(n) for n in range(1, 49)]
    assert table.rows[1][2] == "Fully covered" and "174 b" in table.rows[1][3]
    assert table.rows[1][4] == "Article 174 b of the Penal Code."
    assert table.rows[2][2] == "Not assessed"


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "es"])
def test_both_languages_in_every_format(
    language: str, world: World, make_review: Callable[..., Review], instruments: list[Instrument]
) -> None:
    review = approved_review(
        world,
        make_review,
        instruments,
        {"ets-185:2": (Coverage.FULL, "Penal Code 174 b."), "ets-185:3": (Coverage.PARTIAL, "Only in part.")},
        title="Review for the report",
        contact="Unidad Especializada de Delitos Informáticos",
    )
    # Strings the Spanish catalogue already holds, and the treaty catalogue's own Spanish titles.
    words = {
        "en": (
            "Coverage matrix",
            "Treaty status",
            "Convention on Cybercrime",
            "Substantive criminal law",
            "March 1, 2026",
        ),
        "es": (
            "Matriz de cobertura",
            "Situación de los tratados",
            "Convenio sobre la Ciberdelincuencia",
            "Derecho penal sustantivo",
            "1 de marzo de 2026",
        ),
    }[language]
    covered = {"en": ("Fully covered", "Partly covered"), "es": ("Cubierta totalmente", "Cubierta parcialmente")}[
        language
    ]
    html = produce(review, language=language, fmt="html").content.decode()
    text = re.sub(r"<[^>]+>", " ", html)
    assert f'<html lang="{language}">' in html and "TLP:AMBER" in html and html.count("data:image/svg+xml") >= 1
    assert "Review for the report" in text and "Unidad Especializada de Delitos Informáticos" in text
    document = docx_text(produce(review, language=language, fmt="docx").content)
    assert "Review for the report" in document.body and "Penal Code 174 b." in document.body
    assert document.pictures >= 1 and all("TLP:AMBER" in h for h in document.headers)
    pdf = produce(review, language=language, fmt="pdf").content
    assert pdf.startswith(b"%PDF")
    pages = pdf_text(pdf)
    assert len(pages.pages) > 3 and all("TLP:AMBER" in page for page in pages.pages)
    for word in (*words, *covered):
        assert word in text and word in document.body and word in pages.text.replace("\n", " "), word


def test_user_text_is_escaped_in_html_and_kept_in_docx(
    world: World, make_review: Callable[..., Review], instruments: list[Instrument]
) -> None:
    review = approved_review(world, make_review, instruments, {"ets-185:2": (Coverage.PARTIAL, HOSTILE)}, title=HOSTILE)
    html = produce(review, language="en", fmt="html").content.decode()
    assert "<script>" not in html and "<b>bold</b>" not in html and "\x07" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    body = docx_text(produce(review, language="en", fmt="docx").content).body
    assert '<script>alert("x")</script> & <b>bold</b>' in body


def test_change_since_the_previous_review_provision_by_provision(
    world: World, make_review: Callable[..., Review], instruments: list[Instrument]
) -> None:
    earlier = approved_review(
        world,
        make_review,
        instruments,
        {"ets-185:2": (Coverage.PARTIAL, "Before."), "ets-185:3": (Coverage.FULL, "Before.")},
        title="Earlier review",
    )
    later = approved_review(
        world,
        make_review,
        instruments,
        {"ets-185:2": (Coverage.FULL, "After."), "ets-185:3": (Coverage.NONE, "After.")},
        title="Later review",
        date=earlier.date.replace(year=2027),
    )
    with translation.override("en"):
        report = build_report(later)
        first = build_report(earlier)
    changes = next(s for s in report.sections if s.id == "changes")
    assert any("Earlier review" in p.text for p in changes.paragraphs("text"))
    rows = {row[0].split(" · ")[0]: row[1:] for row in changes.tables[0].rows}
    assert rows["ETS 185 2"] == ["Partly covered", "Fully covered", "Better"]
    assert rows["ETS 185 3"] == ["Fully covered", "Not covered", "Worse"]
    none = next(s for s in first.sections if s.id == "changes")
    assert none.paragraphs("nodata") and not none.tables


def test_gaps_and_reservations_of_the_review(
    world: World, make_review: Callable[..., Review], instruments: list[Instrument]
) -> None:
    from cyberplan.core.choices import Role
    from cyberplan.legal.actions import do_push_review_gaps, do_update_finding

    review = make_review()
    finding = review.provisions.get(provision="ets-185:6")
    do_update_finding(
        world.users[Role.ANALYST],
        finding,
        coverage=Coverage.PARTIAL,
        reasoning="Devices only.",
        national_articles=[],
        reservation="Reserves article 6.1.a.ii.",
    )
    review = approved_review(world, lambda **_: review, instruments, {})
    do_push_review_gaps(world.users[Role.COORDINATOR], review)
    with translation.override("en"):
        report = build_report(review)
    sections = {s.id: s for s in report.sections}
    gap_rows = sections["gaps"].tables[0].rows
    assert len(gap_rows) == 1 and "ETS 185 art. 6" in gap_rows[0][1]
    reservations = sections["reservations"].tables[0].rows
    assert reservations == [["ETS 185 6 · Misuse of devices", "Reserves article 6.1.a.ii."]]
