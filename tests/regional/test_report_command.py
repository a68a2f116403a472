"""``cyberplan report regional`` on the command line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cyberplan.core.choices import OrganisationType
from cyberplan.core.models import Organisation
from tests.regional.report_support import regional_world
from tests.trends.report_support import docx_text

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", "regional", *args, stdout=out)
    return out.getvalue()


def test_writes_the_report_of_the_only_programme(tmp_path: Path) -> None:
    regional_world()
    output = tmp_path / "regional.docx"
    printed = run("--period", "2026", "--lang", "es", "--format", "docx", "--output", str(output))
    assert "regional report of programme for 2026" in printed and "docx, es" in printed
    assert "TLP:AMBER" in printed and "2 member states" in printed
    document = docx_text(output.read_bytes())
    assert "Uruguay" in document.body and all("TLP:AMBER" in h for h in document.headers)
    html = tmp_path / "r.html"
    run("--period", "2025", "--format", "html", "--programme", "programme", "--output", str(html))
    assert "Paraguay" in html.read_text(encoding="utf-8")


def test_refusals_say_why(tmp_path: Path) -> None:
    output = str(tmp_path / "x.pdf")
    with pytest.raises(CommandError, match="No regional programme organisation exists"):
        run("--period", "2026", "--output", output)
    regional_world()
    for wrong in ("2026-11", "next", "2026-Q5"):
        with pytest.raises(CommandError, match="--period"):
            run("--period", wrong, "--output", output)
    with pytest.raises(CommandError, match="no regional programme with the short name 'nowhere'"):
        run("--period", "2026", "--programme", "nowhere", "--output", output)
    with pytest.raises(CommandError, match="does not exist"):
        run("--period", "2026", "--output", str(tmp_path / "no" / "x.pdf"))
    Organisation.objects.create(name="Second", slug="second", type=OrganisationType.REGIONAL_BODY)
    with pytest.raises(CommandError, match="--programme: programme, second"):
        run("--period", "2026", "--output", output)
    assert not (tmp_path / "x.pdf").exists()
