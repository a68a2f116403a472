"""Record numbers in pages are written as they are, never grouped like figures.

Figures are localised with thousands grouped (``USE_THOUSAND_SEPARATOR``): a record number
rendered the same way reads "1,347" or "1.347", which breaks the forms, links and element ids that
carry it once a table passes a thousand rows (as PostgreSQL's sequences do early).
"""

from __future__ import annotations

import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

TEMPLATES = Path(__file__).resolve().parents[2] / "cyberplan"
BARE_PK = re.compile(r"\{\{\s*[a-z_][\w.]*\.pk\s*\}\}")


def test_no_template_writes_a_record_number_as_a_figure() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in BARE_PK.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, 'write record numbers with |stringformat:"s":\n' + "\n".join(found)


def test_the_way_templates_write_a_record_number_keeps_it_whole() -> None:
    class Record:
        pk = 1347

    for language in ("en", "es"):
        with translation.override(language):
            assert Template('{{ r.pk|stringformat:"s" }}').render(Context({"r": Record()})) == "1347"
            assert Template("{{ r.pk }}").render(Context({"r": Record()})) != "1347"  # why the rule exists
