"""The request pages list the requester's own report files with one shared table."""

from __future__ import annotations

from django.test import Client

from cyberplan.core.choices import Role
from cyberplan.jobs.actions import do_start_job
from tests.conftest import World


def test_the_recent_reports_name_each_file_its_organisation_and_status_and_only_the_requesters(world: World) -> None:
    analyst = world.users[Role.ANALYST]
    mine = do_start_job(
        analyst, world.org_a, "trends_report", {"period": "2026-Q3", "language": "es", "format": "docx", "tlp": "green"}
    )
    theirs = do_start_job(
        world.users[Role.COORDINATOR],
        world.org_a,
        "trends_report",
        {"period": "2026", "language": "en", "format": "pdf", "tlp": "amber"},
    )
    client = Client()
    client.force_login(analyst)
    page = client.get("/trends/reports/").content.decode()
    row = page[page.index(f'href="/jobs/{mine.pk}/"') :]
    row = row[: row.index("</tr>")]
    assert "2026-Q3 · ES · DOCX · TLP:GREEN</a>" in row
    assert f"<td>{world.org_a}</td>" in row and "<td>Queued</td>" in row and "<td>—</td>" in row
    assert f"/jobs/{theirs.pk}/" not in page
    assert "No report yet." not in page
