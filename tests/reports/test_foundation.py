"""The reports app: the pieces every report shares, and the rule that it imports no domain app."""

from __future__ import annotations

import ast
import io
import zipfile
from pathlib import Path

import pytest
from django.utils import translation

import cyberplan.reports
from cyberplan.reports import docx as word
from cyberplan.reports.document import Chart, Paragraph, Section, Table, clean
from cyberplan.reports.html import css_string, html_to_pdf
from cyberplan.reports.marking import TLP_COLOURS, marking
from cyberplan.reports.service import FORMATS, Produced, in_language, render
from cyberplan.reports.svg import chart_markup, chart_uri, safe_svg

#: The apps whose reports are built on this one; it must never import them (they import it).
DOMAINS = ("trends", "assessment", "strategy", "gaps", "threats")

SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
    "data": {"values": [{"label": "<b>x</b>", "value": 1200}]},
    "mark": "bar",
    "encoding": {"x": {"field": "label", "type": "nominal"}, "y": {"field": "value", "type": "quantitative"}},
}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_reports_app_imports_no_domain_app() -> None:
    root = Path(cyberplan.reports.__file__).parent
    files = sorted(root.rglob("*.py"))
    assert files, "the reports app has no module"
    upward = [
        f"{path.relative_to(root)} imports {module}"
        for path in files
        for module in sorted(_imported_modules(path))
        if any(module == f"cyberplan.{app}" or module.startswith(f"cyberplan.{app}.") for app in DOMAINS)
    ]
    assert upward == []


def test_clean_removes_only_what_no_document_format_can_hold() -> None:
    assert clean("AS\x0b64500 <b>Prov</b>\x00 · ñ") == "AS64500 <b>Prov</b> · ñ"
    section = Section("s", "S").add(Paragraph("p"), Table("t", ["a"], [["1"]]), Chart("c", None, "no data"))
    assert [type(block).__name__ for block in section.blocks] == ["Paragraph", "Table", "Chart"]
    assert section.charts == [Chart("c", None, "no data")]
    assert section.tables == [Table("t", ["a"], [["1"]])]
    assert section.paragraphs("note") == [] and section.paragraphs() == [Paragraph("p")]


def test_marking_is_first_tlp_and_every_label_has_a_colour() -> None:
    assert marking("amber+strict") == "TLP:AMBER+STRICT"
    assert set(TLP_COLOURS) == {"clear", "green", "amber", "amber+strict", "red"}


def test_render_gives_html_pdf_and_docx_from_one_document_and_refuses_other_formats() -> None:
    def html(text: str, for_pdf: bool) -> str:
        return f"<html><body><p>{text}{' (pdf)' if for_pdf else ''}</p></body></html>"

    def docx(text: str) -> bytes:
        document = word.new_document(title=text, subject="s", keywords="TLP:RED", language="en", author="a")
        word.marking_run(word.right_aligned(document.sections[0].header.paragraphs[0]), "red")
        word.simple_field(document.sections[0].footer.paragraphs[0], "PAGE")
        document.add_paragraph(text)
        word.page_break(document)
        return word.to_bytes(document)

    assert render("hello", "html", html=html, docx=docx) == b"<html><body><p>hello</p></body></html>"
    assert render("hello", "pdf", html=html, docx=docx).startswith(b"%PDF")
    package = zipfile.ZipFile(io.BytesIO(render("hello", "docx", html=html, docx=docx)))
    body = package.read("word/document.xml").decode()
    assert "hello" in body and 'w:type="page"' in body
    assert "TLP:RED" in package.read("word/header1.xml").decode()
    with pytest.raises(ValueError, match="unknown report format 'odt'"):
        render("hello", "odt", html=html, docx=docx)
    assert set(FORMATS) == {"pdf", "html", "docx"}


def test_the_pdf_renderer_fetches_nothing() -> None:
    page = '<html><body><img src="file:///etc/hostname"><img src="http://example.invalid/x.png"><p>ok</p></body></html>'
    assert html_to_pdf(page).startswith(b"%PDF")


def test_a_request_in_an_unknown_language_or_format_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="unknown format 'odt': use one of pdf, html, docx"):
        in_language("en", "odt", lambda: Produced(b"", "x"))
    with pytest.raises(LookupError, match="unknown language 'fr'"):
        in_language("fr", "pdf", lambda: Produced(b"", "x"), LookupError)
    made = in_language("es", "pdf", lambda: Produced(b"", translation.get_language() or ""))
    assert made.file_name == "es" and made.details == {}


def test_charts_are_drawn_as_safe_markup_and_as_data_urls() -> None:
    markup = chart_markup(SPEC)
    assert markup is not None and markup.startswith("<svg") and 'width="100%"' in markup
    assert "<b>" not in markup and "&lt;b&gt;" in markup
    assert chart_markup(None) is None
    assert chart_uri(SPEC).startswith("data:image/svg+xml;base64,")
    assert safe_svg('<svg viewBox="0 0 2 2"><script>alert(1)</script></svg>') is None
    assert safe_svg('<svg viewBox="0 0 2 2"><a href="javascript:x()"/></svg>') is None


def test_css_string_escapes_everything_but_letters_digits_and_spaces() -> None:
    assert css_string('TLP:RED "x"') == '"TLP\\00003aRED \\000022x\\000022"'


def test_numbers_shares_and_periods_are_written_in_the_readers_language() -> None:
    from cyberplan.analytics.periods import parse_period
    from cyberplan.reports.words import number, period_name, share, signed_percent

    assert share(3, 0) is None  # no share of nothing
    with translation.override("en"):
        assert number(1234567) == "1,234,567"
        assert share(1, 4) == "25.0%" and share(1, 100000) == "less than 0.1%"
        assert signed_percent(-0.5) == "\N{MINUS SIGN}50.0%"
        assert period_name(parse_period("2026-Q3")) == "quarter 3 of 2026"
    with translation.override("es"):
        assert number(1234567) == "1.234.567"
