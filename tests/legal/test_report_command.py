"""``cyberplan report legal`` on the command line."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cyberplan.legal.choices import Coverage
from cyberplan.legal.demo import build_demo_legal_for_workspace
from cyberplan.legal.models import Instrument, Review
from cyberplan.workspace.demo import build_demo_workspace
from tests.conftest import World
from tests.legal.report_support import approved_review
from tests.trends.report_support import docx_text, pdf_text


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", "legal", *args, stdout=out)
    return out.getvalue()


@pytest.mark.slow
def test_latest_on_the_demo_in_spanish_as_pdf(db: None, tmp_path: Path) -> None:
    build_demo_workspace()
    review = build_demo_legal_for_workspace()
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        printed = run("latest", "--lang", "es", "--format", "pdf", "--output", "x.pdf")
    finally:
        os.chdir(cwd)
    assert f"review {review.pk} (PY, " in printed and "TLP:GREEN" in printed
    content = (tmp_path / "x.pdf").read_bytes()
    pages = pdf_text(content)
    assert content.startswith(b"%PDF") and len(pages.pages) > 3
    text = pages.text.replace("\n", " ")
    assert "Convenio sobre la Ciberdelincuencia" in text and "174 b" in text and "TLP:GREEN" in pages.pages[-1]


def test_latest_is_the_latest_approved_review_and_a_number_picks_one(
    world: World, make_review: Callable[..., Review], instruments: list[Instrument], tmp_path: Path
) -> None:
    approved = approved_review(
        world, make_review, instruments, {"ets-185:2": (Coverage.FULL, "Yes.")}, title="Approved"
    )
    draft = make_review(title="Later draft", date=approved.date.replace(year=2027))
    printed = run("latest", "--lang", "en", "--format", "docx", "--output", str(tmp_path / "latest.docx"))
    assert f"review {approved.pk}" in printed
    assert "Approved" in docx_text((tmp_path / "latest.docx").read_bytes()).body
    run(str(draft.pk), "--format", "html", "--organisation", world.org_a.slug, "--output", str(tmp_path / "d.html"))
    assert "Later draft" in (tmp_path / "d.html").read_text(encoding="utf-8")


def test_refusals_say_why(world: World, make_review: Callable[..., Review], tmp_path: Path) -> None:
    output = str(tmp_path / "x.pdf")
    with pytest.raises(CommandError, match="no approved alignment review yet"):
        run("latest", "--output", output)
    review = make_review()
    with pytest.raises(CommandError, match="no approved alignment review yet"):
        run("latest", "--output", output)  # a draft is not the latest approved review
    with pytest.raises(CommandError, match="no alignment review number 999"):
        run("999", "--output", output)
    for wrong in ("first", "-1", "9" * 30):
        with pytest.raises(CommandError, match="number or 'latest'"):
            run(wrong, "--output", output)
    # Another organisation's review, asked for on behalf of organisation B, is refused.
    with pytest.raises(CommandError, match=f"no alignment review number {review.pk} of {world.org_b.slug}"):
        run(str(review.pk), "--organisation", world.org_b.slug, "--output", output)
    with pytest.raises(CommandError, match=f"{world.org_b.slug} has no approved alignment review yet"):
        run("latest", "--organisation", world.org_b.slug, "--output", output)
    with pytest.raises(CommandError, match="no organisation with the short name"):
        run("--organisation", "nowhere", "--output", output)
    assert not (tmp_path / "x.pdf").exists()
