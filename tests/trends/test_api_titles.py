"""The trends API gives each metric's title in the request's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation
from pytest_django import Settings
from rest_framework.test import APIClient

from cyberplan.analytics.metrics import METRICS
from cyberplan.core.choices import Role
from cyberplan.threats.store import event_store
from cyberplan.trends.report.common import METRIC_TITLES
from tests.analytics.support import event, write_store
from tests.conftest import World

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings: Settings) -> None:
    """Own event stores and an own in-memory cache for every test."""
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }


@pytest.fixture
def store(world: World) -> Path:
    root = event_store(world.org_a).root
    write_store(
        root,
        [
            event(
                f"2026-10-{1 + i:02d}T10:00:00", ip=f"198.51.100.{i}", taxonomy="vulnerable", type_="vulnerable-system"
            )
            for i in range(5)
        ],
    )
    return root


def titles(world: World, language: str) -> dict[str, str]:
    api = APIClient()
    api.force_authenticate(world.users[Role.COORDINATOR])
    response = api.get(
        "/api/trends/metrics/",
        {"organisation": str(world.org_a.pk), "period": "2026-10"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200, response.content
    assert response["Content-Language"] == language
    return {metric_id: metric["title"] for metric_id, metric in response.json()["metrics"].items()}


def test_every_metric_has_a_translatable_title_with_its_english_wording() -> None:
    # The API and the report take their titles from the same mapping; its English text is the
    # analytics package's, so no wording drifts apart.
    with translation.override("en"):
        assert {metric.id: str(METRIC_TITLES.get(metric.id)) for metric in METRICS} == {
            metric.id: metric.title for metric in METRICS
        }


def test_titles_are_in_english_for_an_english_request(world: World, store: Path) -> None:
    english = titles(world, "en")
    assert english == {metric.id: metric.title for metric in METRICS}
    assert english["by_country"] == "Events by victim country"


def test_titles_are_in_spanish_for_a_spanish_request(world: World, store: Path) -> None:
    spanish = titles(world, "es")
    assert set(spanish) == {metric.id for metric in METRICS}
    assert spanish["totals"] == "Cifras clave"
    assert spanish["by_country"] == "Eventos por país de la víctima"
    assert spanish["change_year"] == "Variación respecto del mismo período del año anterior"
    with translation.override("es"):
        assert spanish == {metric.id: str(METRIC_TITLES[metric.id]) for metric in METRICS}
    # Every title is translated: none is left in English.
    english = {metric.id: metric.title for metric in METRICS}
    assert not [metric_id for metric_id, title in spanish.items() if title == english[metric_id]]
