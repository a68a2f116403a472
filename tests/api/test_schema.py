"""The OpenAPI schema is part of the contract: the committed copy must match the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "reference" / "openapi.yaml"


def test_committed_schema_is_current(tmp_path: Path) -> None:
    generated = tmp_path / "openapi.yaml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cyberplan.cli",
            "spectacular",
            "--file",
            str(generated),
            "--validate",
            "--fail-on-warn",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert COMMITTED.exists(), "docs/reference/openapi.yaml is missing: run `make schema`"
    assert yaml.safe_load(generated.read_text()) == yaml.safe_load(COMMITTED.read_text()), (
        "The API changed but docs/reference/openapi.yaml did not: run `make schema` and commit the result."
    )


def test_schema_covers_the_api() -> None:
    schema = yaml.safe_load(COMMITTED.read_text())
    paths = set(schema["paths"])
    for expected in [
        "/api/gaps/",
        "/api/gaps/{id}/",
        "/api/gaps/{id}/evidence/",
        "/api/gaps/{id}/history/",
        "/api/gaps/{id}/status/",
        "/api/organisations/",
        "/api/memberships/",
        "/api/audit-entries/",
        "/api/jobs/",
        "/api/countries/",
        "/api/sectors/",
        "/api/tokens/",
        "/api/tokens/{id}/revoke/",
    ]:
        assert expected in paths, expected
    assert "tokenAuth" in schema["components"]["securitySchemes"]
