from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django import Settings

SAMPLES = Path(__file__).resolve().parent / "samples"


@pytest.fixture(autouse=True)
def isolated_stores(tmp_path: Path, settings: Settings) -> Path:
    """Every test gets its own event stores and media folder."""
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path
