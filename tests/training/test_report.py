"""The capacity-building report: both languages, three formats, counts only (never a name), the marking."""

from __future__ import annotations

import pytest
from django.utils import translation

from cyberplan.core.choices import TLP, Role
from cyberplan.training import actions
from cyberplan.training.report.content import build_report
from cyberplan.training.report.service import produce
from tests.conftest import World
from tests.training.conftest import TrainingWorld
from tests.training.report_support import EMAIL, KEYS, NAMES, report_records
from tests.trends.report_support import docx_text, pdf_text


def text_of(content: bytes, fmt: str) -> str:
    if fmt == "pdf":
        return " ".join(pdf_text(content).pages).replace("\n", " ")
    if fmt == "docx":
        document = docx_text(content)
        return " ".join([document.body, *document.headers, *document.footers])
    return content.decode("utf-8")


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_format_and_language_holds_no_name_key_or_contact(
    world: World, training: TrainingWorld, language: str, fmt: str
) -> None:
    report_records(world, training)
    produced = produce(world.org_a, 2026, tlp=TLP.GREEN, language=language, fmt=fmt)
    text = text_of(produced.content, fmt)
    assert produced.file_name == f"training-authority-a-2026-{language}.{fmt}"
    for secret in (*NAMES, *KEYS, EMAIL):
        assert secret not in text
    assert "TLP:GREEN" in text and "Evidence for judges" in text
    assert "2.026" not in text and "2,026" not in text  # a year is written whole, never grouped
    # Words the Spanish catalogue already holds (this report's own strings are merged into it centrally).
    assert ("Método" in text and "Sesiones" in text) == (language == "es")
    if fmt == "pdf":
        assert all("TLP:GREEN" in page for page in pdf_text(produced.content).pages)
    if fmt == "docx":
        assert all("TLP:GREEN" in header for header in docx_text(produced.content).headers)


def test_figures_count_each_person_once_and_say_when_there_is_no_size(world: World, training: TrainingWorld) -> None:
    report_records(world, training)
    with translation.override("en"):
        report = build_report(world.org_a, 2026, TLP.GREEN)
    sections = {s.id: s for s in report.sections}
    coverage = sections["coverage"].tables[0].rows
    judges = next(r for r in coverage if r[0] == "Judges" and r[1] == "Any topic")
    # One judge completed in 2026 (the other only attended); the 2025 completer is the same person: 1 of 10.
    assert judges[2:] == ["1", "1", "10", "10.0%"]
    prosecutors = next(r for r in coverage if r[0] == "Prosecutors" and r[1] == "Any topic")
    assert prosecutors[4:] == ["—", "no audience size"]
    audiences = {r[0]: r[1:] for r in sections["audiences"].tables[0].rows}
    assert audiences == {"Judges": ["2", "1"], "Prosecutors": ["1", "1"]}
    trends = {r[0]: r[1:] for r in sections["trends"].tables[0].rows}
    assert set(trends) == {"2025", "2026"} and trends["2025"][0] == "1"
    assert sections["coverage"].charts[0].spec is not None and sections["trends"].charts[0].spec is not None


def test_the_marking_leaves_out_more_restricted_programmes(world: World, training: TrainingWorld) -> None:
    records = report_records(world, training)
    with translation.override("en"):
        green = build_report(world.org_a, 2026, TLP.GREEN)
        red = build_report(world.org_a, 2026, TLP.RED)
    green_titles = [row[0] for row in green.sections[2].tables[0].rows]
    red_titles = [row[0] for row in red.sections[2].tables[0].rows]
    assert records.red.title not in green_titles and records.red.title in red_titles
    assert green.marking == "TLP:GREEN" and red.marking == "TLP:RED"


def test_a_reader_counts_only_what_they_read(world: World, training: TrainingWorld) -> None:
    records = report_records(world, training)
    with translation.override("en"):
        report = build_report(world.org_a, 2026, TLP.RED, reader=world.users[Role.EXTERNAL_PARTNER])
    titles = [row[0] for row in report.sections[2].tables[0].rows]
    assert records.red.title not in titles and training.programme.title in titles


def test_user_text_is_escaped_in_html(world: World, training: TrainingWorld) -> None:
    report_records(world, training)
    actions.do_update_programme(world.users[Role.COORDINATOR], training.programme, title="<script>alert(1)</script>")
    html = produce(world.org_a, 2026, tlp=TLP.GREEN, language="en", fmt="html").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
