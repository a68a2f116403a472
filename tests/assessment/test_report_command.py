"""``cyberplan report assessment`` on the command line."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cyberplan.assessment.models import Assessment
from tests.conftest import World
from tests.trends.report_support import docx_text


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", "assessment", *args, stdout=out)
    return out.getvalue()


@pytest.mark.slow
def test_latest_and_by_number_in_every_format(
    world: World, make_assessment: Callable[..., Assessment], tmp_path: Path
) -> None:
    old = make_assessment(title="Earlier assessment")
    latest = make_assessment(title="Later assessment", date=old.date.replace(year=2027))
    printed = run("latest", "--lang", "es", "--format", "docx", "--output", str(tmp_path / "latest.docx"))
    assert f"assessment {latest.pk}" in printed and "TLP:AMBER" in printed
    assert "Later assessment" in docx_text((tmp_path / "latest.docx").read_bytes()).body
    run(str(old.pk), "--lang", "en", "--format", "html", "--output", str(tmp_path / "old.html"))
    assert "Earlier assessment" in (tmp_path / "old.html").read_text(encoding="utf-8")
    run("--format", "pdf", "--organisation", world.org_a.slug, "--output", str(tmp_path / "default.pdf"))
    assert (tmp_path / "default.pdf").read_bytes().startswith(b"%PDF")


def test_refusals_say_why(world: World, make_assessment: Callable[..., Assessment], tmp_path: Path) -> None:
    output = str(tmp_path / "x.pdf")
    with pytest.raises(CommandError, match="no assessment yet"):
        run("latest", "--output", output)
    assessment = make_assessment()
    with pytest.raises(CommandError, match="no assessment number 999"):
        run("999", "--output", output)
    for wrong in ("first", "-1", "9" * 30):
        with pytest.raises(CommandError, match="number or 'latest'"):
            run(wrong, "--output", output)
    with pytest.raises(CommandError, match="no organisation with the short name"):
        run("--organisation", "nowhere", "--output", output)
    with pytest.raises(CommandError, match=f"{world.org_b.slug} has no assessment yet"):
        run("--organisation", world.org_b.slug, "--output", output)
    with pytest.raises(CommandError, match="does not exist"):
        run(str(assessment.pk), "--output", str(tmp_path / "missing" / "x.pdf"))
