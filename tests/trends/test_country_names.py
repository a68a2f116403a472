"""Countries by name, in the reader's language, on the trends dashboard (not as ISO codes)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from cyberplan.threats.store import event_store
from tests.analytics.support import event, write_store
from tests.conftest import World


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings: Settings) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }


def _country_cells(world: World, language: str) -> list[str]:
    rows = [event("2026-10-02T10:00:00", ip=f"198.51.100.{i}", country="BR", tlp="green") for i in range(3)]
    rows += [event("2026-10-03T10:00:00", ip=f"203.0.113.{i}", country="US", tlp="green") for i in range(2)]
    write_store(event_store(world.org_a).root, rows)
    client = Client()
    client.force_login(world.users["coordinator"])
    client.cookies["cyberplan_language"] = language
    html = client.get(reverse("trends:dashboard"), {"organisation": world.org_a.pk, "period": "2026-10"})
    assert html.status_code == 200
    # each country row links to the event browser filtered on it; the link's text is what the reader sees
    return re.findall(r"victim_country=[A-Z]{2}[^>]*>([^<]+)<", html.content.decode())


def test_the_dashboard_names_countries_in_spanish(world: World) -> None:
    cells = " ".join(_country_cells(world, "es"))
    assert "Brasil" in cells and "Estados Unidos" in cells
    assert not re.search(r"\bBR\b|\bUS\b", cells)


def test_the_dashboard_names_countries_in_english(world: World) -> None:
    cells = " ".join(_country_cells(world, "en"))
    assert "Brazil" in cells and "United States" in cells
