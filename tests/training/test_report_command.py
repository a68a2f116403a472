"""``cyberplan report training`` on the command line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import World
from tests.training.conftest import TrainingWorld
from tests.training.report_support import NAMES, report_records
from tests.trends.report_support import docx_text


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", "training", *args, stdout=out)
    return out.getvalue()


def test_writes_the_report_of_the_only_organisation_with_programmes(
    world: World, training: TrainingWorld, tmp_path: Path
) -> None:
    report_records(world, training)
    output = tmp_path / "training.docx"
    printed = run("--period", "2026", "--lang", "es", "--format", "docx", "--output", str(output))
    assert "authority-a for 2026" in printed and "TLP:GREEN" in printed and "docx, es" in printed
    body = docx_text(output.read_bytes()).body
    assert "Evidence for judges" in body and not any(name in body for name in NAMES)
    html = tmp_path / "t.html"
    run("--period", "2026", "--format", "html", "--tlp", "red", "--organisation", "authority-a", "--output", str(html))
    assert "Red programme Zeta" in html.read_text(encoding="utf-8")


def test_refusals_say_why(world: World, tmp_path: Path) -> None:
    output = str(tmp_path / "x.pdf")
    with pytest.raises(CommandError, match="No organisation has a training programme yet"):
        run("--period", "2026", "--output", output)
    for wrong in ("2026-Q1", "1800", "next"):
        with pytest.raises(CommandError, match="as a year between 1990 and 2100"):
            run("--period", wrong, "--output", output)
    with pytest.raises(CommandError, match="no organisation with the short name"):
        run("--period", "2026", "--organisation", "nowhere", "--output", output)
    with pytest.raises(CommandError, match="does not exist"):
        run("--period", "2026", "--organisation", "authority-a", "--output", str(tmp_path / "no" / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()
