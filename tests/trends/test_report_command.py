"""``cyberplan report trends`` on the command line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pytest_django import Settings

from cyberplan.core.choices import OrganisationType
from cyberplan.core.models import Organisation
from tests.conftest import World
from tests.trends.report_support import docx_text, sample_events, write_org_store

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def isolated_stores(tmp_path: Path, settings: Settings) -> Path:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def test_command_writes_the_report(world: World, tmp_path: Path) -> None:
    write_org_store(world.org_a, sample_events())
    output = tmp_path / "informe.docx"
    out = io.StringIO()
    call_command(
        "report",
        "trends",
        "--period",
        "2026-Q3",
        "--lang",
        "es",
        "--format",
        "docx",
        "--output",
        str(output),
        "--organisation",
        "authority-a",
        "--tlp",
        "amber",
        stdout=out,
    )
    assert "authority-a" in out.getvalue() and "21 events" in out.getvalue()
    document = docx_text(output.read_bytes())
    assert "1 de julio de 2026" in document.body and "61,9" in document.body
    assert all("TLP:AMBER" in header for header in document.headers)
    html = tmp_path / "report.html"
    call_command(
        "report", "trends", "--period", "2026-07-01..2026-07-31", "--format", "html", "--output", str(html),
        "--organisation", "authority-a", "--tlp", "clear", stdout=io.StringIO(),
    )  # fmt: skip
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "TLP:CLEAR" in text
    assert "No event was recorded for Authority A" in text  # every sample event is AMBER


def test_command_refuses_bad_input_in_one_sentence(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not a period"):
        call_command("report", "trends", "--period", "Q3-2026", "--output", str(tmp_path / "r.pdf"))
    with pytest.raises(CommandError, match="Say which organisation with --organisation: authority-a, csirt-b"):
        call_command("report", "trends", "--period", "2026-Q3", "--output", str(tmp_path / "r.pdf"))
    with pytest.raises(CommandError, match="no organisation with the short name 'nowhere'"):
        call_command(
            "report", "trends", "--period", "2026", "--organisation", "nowhere", "--output", str(tmp_path / "r.pdf")
        )
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "report", "trends", "--period", "2026", "--organisation", "authority-a",
            "--output", str(tmp_path / "missing" / "r.pdf"),
        )  # fmt: skip


def test_command_picks_the_only_organisation(db: None, tmp_path: Path) -> None:
    Organisation.objects.create(name="Solo", slug="solo", type=OrganisationType.NATIONAL_CSIRT, country="PY")
    output = tmp_path / "r.pdf"
    out = io.StringIO()
    call_command("report", "trends", "--period", "2026-11", "--output", str(output), stdout=out)
    assert output.read_bytes().startswith(b"%PDF")
    assert "solo" in out.getvalue() and "TLP:AMBER" in out.getvalue()
