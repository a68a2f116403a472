"""Settings: production needs its values, says so in one sentence, and passes Django's deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ" * 2


def run_cli(args: list[str], env_overrides: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CYBERPLAN_ENV"}
    }
    env.update({"CYBERPLAN_DATA_DIR": str(tmp_path / "data"), **env_overrides})
    return subprocess.run(
        [sys.executable, "-m", "cyberplan.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_in_production(tmp_path: Path) -> None:
    result = run_cli(
        ["check", "--deploy", "--fail-level", "DEBUG"],
        {"CYBERPLAN_ENV": "production", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "cyberplan.example.org"},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "sentence"),
    [
        ({"ALLOWED_HOSTS": "cyberplan.example.org"}, "SECRET_KEY is required in production"),
        ({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS is required in production"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "x.example.org"}, "SECRET_KEY must be a random value"),
        (
            {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "x.example.org", "DATABASE_URL": "nonsense://"},
            "DATABASE_URL is not a database address",
        ),
        (
            {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "x.example.org", "CYBERPLAN_MAX_UPLOAD_MB": "lots"},
            "CYBERPLAN_MAX_UPLOAD_MB must be a whole number",
        ),
        (
            {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "x.example.org", "CYBERPLAN_TIME_ZONE": "Mars/Olympus"},
            "CYBERPLAN_TIME_ZONE must be a time zone name",
        ),
        (
            {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "x.example.org", "CYBERPLAN_LOG_LEVEL": "chatty"},
            "CYBERPLAN_LOG_LEVEL must be DEBUG",
        ),
        (
            {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "x.example.org", "CYBERPLAN_API_USER_RATE": "lots"},
            "CYBERPLAN_API_USER_RATE must look like 100/hour",
        ),
    ],
)
def test_production_stops_with_one_clear_sentence(tmp_path: Path, overrides: dict[str, str], sentence: str) -> None:
    result = run_cli(["check"], {"CYBERPLAN_ENV": "production", **overrides}, tmp_path)
    assert result.returncode == 2
    assert sentence in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_environment_is_refused(tmp_path: Path) -> None:
    result = run_cli(["check"], {"CYBERPLAN_ENV": "staging"}, tmp_path)
    assert result.returncode == 2
    assert "CYBERPLAN_ENV must be one of development, production, test" in result.stderr


def test_development_defaults_need_no_configuration(tmp_path: Path) -> None:
    result = run_cli(["check"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    # The generated development key is kept private in the data directory.
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
