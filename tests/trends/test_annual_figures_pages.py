"""The figures an annual report needs on the dashboard, in the API and in the national report.

Authority A's store, counted by hand:

=========  ==================================  ========  =====  ==========================
month      what                                sector    TLP    addresses
=========  ==================================  ========  =====  ==========================
2024-05    vulnerable                          health    amber  198.51.100.9
2026-09    vulnerable                          health    amber  198.51.100.1-4 (PY)
2026-09    vulnerable                          energy    red    198.51.100.20 (PY)
2026-10    vulnerable                          health    amber  198.51.100.1 (PY)
2026-10    VERIS incidents (3): 2, 4, 30 hours           amber  none; Confirmed, Confirmed, hostile status
=========  ==================================  ========  =====  ==========================
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django import Settings
from rest_framework.test import APIClient

from cyberplan.analytics.periods import parse_period
from cyberplan.core.choices import Role
from cyberplan.core.models import User
from cyberplan.pipeline.registry import registry_version
from cyberplan.reports.document import Table
from cyberplan.threats.store import event_store
from cyberplan.trends.report.content import build_report
from tests.analytics.support import event, write_store
from tests.conftest import World

pytestmark = pytest.mark.slow

HOSTILE = "<script>alert(3)</script>"
#: what the registry count would give, set in the cache so that no test scans the address space
ANNOUNCED = {"PY": 2_000}


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings: Settings) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }


def incident(hours: float, status: str) -> dict[str, Any]:
    return event("2026-10-05T10:00:00", ip=None, taxonomy="fraud", type_="phishing", feed="veris", provider="vcdb",
                 extra={"response_hours": hours, "security_incident": status}, canonical_extra=True)  # fmt: skip


@pytest.fixture
def store(world: World) -> None:
    rows = [event("2024-05-02T10:00:00", ip="198.51.100.9", sector="health")]
    rows += [event("2026-09-02T10:00:00", ip=f"198.51.100.{i}", sector="health", country="PY") for i in range(1, 5)]
    rows += [event("2026-09-03T10:00:00", ip="198.51.100.20", sector="energy", country="PY", tlp="red")]
    rows += [event("2026-10-02T10:00:00", ip="198.51.100.1", sector="health", country="PY")]
    rows += [incident(2.0, "Confirmed"), incident(4.0, "Confirmed"), incident(30.0, HOSTILE)]
    write_store(event_store(world.org_a).root, rows)
    cache.set(f"trends:announced-ipv4:{registry_version()}", ANNOUNCED, timeout=None)


def page(user: User, organisation: int) -> str:
    client = Client()
    client.force_login(user)
    with translation.override("en"):
        response = client.get(reverse("trends:dashboard"), {"organisation": str(organisation), "period": "2026-10"})
    assert response.status_code == 200
    return response.content.decode()


def table(html: str, table_id: str) -> str:
    """The dashboard table ``table_id``'s markup."""
    [found] = [
        part for part in html.split('<div class="dashboard-table"') if part.startswith(f' id="table-{table_id}"')
    ]
    return found


def test_dashboard_shows_the_annual_figures(world: World, store: None) -> None:
    html = page(world.users[Role.COORDINATOR], world.org_a.pk)
    # Remediation: September's five addresses (health 4, energy 1 at red), October has 198.51.100.1 only.
    remediation = table(html, "remediation")
    assert "Threat class: Vulnerable" in remediation and "80.0&nbsp;%" in remediation  # 4 of 5 gone
    assert "75.0&nbsp;%" in remediation and "100.0&nbsp;%" in remediation  # health 3 of 4, energy 1 of 1
    # Exposure: one distinct source in PY among 2,000 addresses: 0.5 per 1,000.
    exposure = table(html, "exposure")
    assert "Paraguay" in exposure and "2,000" in exposure and "0.500" in exposure
    # Time to close: 2, 4 and 30 hours: mean 12, median 4 (2nd of 3), 90th percentile 30 (3rd of 3).
    times = table(html, "incident_times")
    assert "All incidents" in times and "12.00" in times and "4.00" in times and "30.00" in times
    statuses = table(html, "incidents_by_status")
    assert "confirmed" in statuses and HOSTILE not in html and "&lt;script&gt;alert(3)&lt;/script&gt;" in statuses
    # History: 2024 and 2026, whatever the month shown.
    history = table(html, "history")
    assert "2024" in history and "2026" in history and "2025" not in history
    assert 'id="panel-history"' in html and 'id="panel-remediation"' in html


def test_a_reader_of_fewer_labels_sees_fewer_addresses(world: World, store: None) -> None:
    # An analyst does not read TLP:RED: the energy address is not counted, 3 of 4 are gone.
    remediation = table(page(world.users[Role.ANALYST], world.org_a.pk), "remediation")
    assert "75.0&nbsp;%" in remediation and "100.0&nbsp;%" not in remediation and "Energy" not in remediation


def test_the_api_gives_the_exposure_figure(world: World, store: None) -> None:
    api = APIClient()
    api.force_authenticate(world.users[Role.COORDINATOR])
    body = api.get("/api/trends/metrics/", {"organisation": str(world.org_a.pk), "period": "2026-10"}).json()
    assert body["metrics"]["exposure"]["rows"] == [{"country": "PY", "sources": 1, "announced": 2000, "per_1000": 0.5}]
    assert body["metrics"]["history"]["title"] == "Events per year since the first imported year"


def test_the_report_has_the_annual_section(world: World, store: None) -> None:
    with translation.override("en"):
        report = build_report(world.org_a, event_store(world.org_a), parse_period("2026-10"), "amber")
    [section] = [s for s in report.sections if s.id == "annual"]
    tables = {block.metric: block for block in section.blocks if isinstance(block, Table)}
    assert tables["incident_times"].rows[0] == ["All incidents", "3", "3", "12.00", "4.00", "30.00"]
    assert tables["remediation"].rows == [["Health", "4", "3", "75.0%"], ["Vulnerable", "4", "3", "75.0%"]]
    assert tables["exposure"].rows == [["Paraguay", "1", "2,000", "0.500"]]
    assert tables["history"].rows == [["2024", "1"], ["2026", "8"]]
    # Amber report: the red address is not counted anywhere; every chart names its query.
    assert {chart.metric for chart in report.charts()} >= {"remediation", "exposure", "history"}
    assert {"incident_times", "remediation", "exposure", "history"} <= {q.metric for q in report.queries}
