"""``cyberplan report strategy`` and ``cyberplan report monitoring`` on the command line."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pytest_django import Settings

from cyberplan.core.choices import Role
from cyberplan.strategy import actions as act
from cyberplan.strategy.choices import ActionStatus, VersionStatus
from cyberplan.strategy.versions import actions as version_act
from tests.conftest import World
from tests.strategy.conftest import Plan
from tests.trends.report_support import docx_text, pdf_text

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def isolated_files(tmp_path: Path, settings: Settings) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_strategy_document_latest_by_number_and_by_version(plan: Plan, world: World, tmp_path: Path) -> None:
    coordinator = world.users[Role.COORDINATOR]
    strategy = plan.strategy
    printed = run("strategy", "--lang", "es", "--format", "docx", "--output", str(tmp_path / "latest.docx"))
    assert f"strategy document of strategy {strategy.pk}" in printed and "TLP:AMBER" in printed
    assert "Borrador — no adoptado" in printed  # no version yet: the working copy, as a draft (in Spanish)
    document = docx_text((tmp_path / "latest.docx").read_bytes())
    assert "Estrategia Nacional de Ciberseguridad" in document.body and "1.1.1.1" in document.body

    version = version_act.do_create_version(coordinator, strategy)
    version_act.do_move_version(coordinator, version, VersionStatus.APPROVED)
    version_act.do_move_version(coordinator, version, VersionStatus.PUBLISHED, legal_reference="Decree 7/2026")
    printed = run("strategy", str(strategy.pk), "--format", "pdf", "--output", str(tmp_path / "v1.pdf"))
    assert "Draft" not in printed and "Cite as" in printed
    pdf = pdf_text((tmp_path / "v1.pdf").read_bytes())
    assert "Decree 7/2026" in pdf.text and "Draft" not in pdf.text
    run(
        "strategy",
        "--strategy",
        str(strategy.pk),
        "--version",
        "1",
        "--format",
        "html",
        "--output",
        str(tmp_path / "v1.html"),
    )
    html = (tmp_path / "v1.html").read_text(encoding="utf-8")
    assert "National Cybersecurity Strategy" in html and "Action plan" in html
    run("strategy", "latest", "--organisation", world.org_a.slug, "--output", str(tmp_path / "default.pdf"))
    assert (tmp_path / "default.pdf").read_bytes().startswith(b"%PDF")


def test_monitoring_report_of_a_period(plan: Plan, world: World, tmp_path: Path) -> None:
    act.do_report_progress(
        world.users[Role.CONTRIBUTOR],
        plan.action1,
        date=dt.date(2025, 5, 10),
        status=ActionStatus.IN_PROGRESS,
        percent_complete=25,
        narrative="Recruitment opened.",
    )
    output = tmp_path / "me.pdf"
    printed = run("monitoring", str(plan.strategy.pk), "--period", "2025-Q2", "--output", str(output))
    assert f"monitoring report of strategy {plan.strategy.pk} for 2025-Q2" in printed
    pdf = pdf_text(output.read_bytes())
    assert "Monitoring and evaluation report" in pdf.text and "Recruitment opened." in pdf.text
    assert pdf.forms >= 2  # progress and timeline charts
    run("monitoring", "--period", "2025", "--lang", "es", "--format", "docx", "--output", str(tmp_path / "me.docx"))
    document = docx_text((tmp_path / "me.docx").read_bytes())
    assert document.pictures == 2 and "Recruitment opened." in document.body


def test_refusals_say_why(world: World, tmp_path: Path) -> None:
    output = str(tmp_path / "x.pdf")
    with pytest.raises(CommandError, match="no strategy yet"):
        run("strategy", "--output", output)
    with pytest.raises(CommandError, match=f"{world.org_b.slug} has no strategy yet"):
        run("strategy", "--organisation", world.org_b.slug, "--output", output)
    with pytest.raises(CommandError, match="no organisation with the short name"):
        run("strategy", "--organisation", "nowhere", "--output", output)


def test_refusals_about_a_strategy(plan: Plan, tmp_path: Path) -> None:
    output = str(tmp_path / "x.pdf")
    pk = str(plan.strategy.pk)
    with pytest.raises(CommandError, match="no strategy number 999"):
        run("strategy", "999", "--output", output)
    for wrong in ("first", "-1", "9" * 30):
        with pytest.raises(CommandError, match="strategy number or 'latest'"):
            run("strategy", "--strategy", wrong, "--output", output)
    with pytest.raises(CommandError, match="Name the strategy once"):
        run("strategy", pk, "--strategy", "12345", "--output", output)
    with pytest.raises(CommandError, match=r"no version 3 \(versions: none yet\)"):
        run("strategy", pk, "--version", "3", "--output", output)
    with pytest.raises(CommandError, match="Give a version number"):
        run("strategy", pk, "--version", "v1", "--output", output)
    with pytest.raises(CommandError, match="--period is for the monitoring report"):
        run("strategy", pk, "--period", "2025", "--output", output)
    with pytest.raises(CommandError, match="--version is for the strategy document"):
        run("monitoring", pk, "--period", "2025", "--version", "1", "--output", output)
    with pytest.raises(CommandError, match="--period"):
        run("monitoring", pk, "--output", output)  # required
    with pytest.raises(CommandError, match="Write the period as a year"):
        run("monitoring", pk, "--period", "summer 2025", "--output", output)
    with pytest.raises(CommandError, match="does not exist"):
        run("monitoring", pk, "--period", "2025", "--output", str(tmp_path / "missing" / "x.pdf"))
    with pytest.raises(CommandError, match="invalid choice"):
        run("strategy", pk, "--format", "odt", "--output", output)
    assert not Path(output).exists()
