"""The front-end files served from cyberplan/static/vendor are the versions package.json pins."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "cyberplan" / "static" / "vendor"


def pinned(package: str, kind: str = "dependencies") -> str:
    version = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))[kind][package]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"package.json must pin {package} exactly, not {version!r}"
    return str(version)


def test_package_lock_agrees_with_package_json() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/bootstrap"]["version"] == pinned("bootstrap")
    assert lock["packages"]["node_modules/axe-core"]["version"] == pinned("axe-core", "devDependencies")


@pytest.mark.parametrize("name", ["bootstrap.min.css", "bootstrap.bundle.min.js"])
def test_vendored_bootstrap_is_the_pinned_version(name: str) -> None:
    head = (VENDOR / "bootstrap" / name).read_text(encoding="utf-8")[:300]
    found = re.search(r"Bootstrap\s+v(\d+\.\d+\.\d+)", head)
    assert found, f"{name} does not start with Bootstrap's version banner"
    assert found.group(1) == pinned("bootstrap"), f"{name} is {found.group(1)}: run scripts/vendor-static.sh"
    # The licence travels with the files, and each file's source map is there for the manifest storage.
    assert "MIT License" in (VENDOR / "bootstrap" / "LICENSE").read_text(encoding="utf-8")
    assert (VENDOR / "bootstrap" / f"{name}.map").is_file()


def test_vendored_axe_core_is_the_pinned_version() -> None:
    """The browser tests' accessibility check runs the axe-core that package.json pins."""
    folder = ROOT / "tests" / "browser" / "vendor" / "axe-core"
    found = re.search(r"axe v(\d+\.\d+\.\d+)", (folder / "axe.min.js").read_text(encoding="utf-8")[:200])
    assert found, "axe.min.js does not start with axe-core's version banner"
    assert found.group(1) == pinned("axe-core", "devDependencies"), "run scripts/vendor-static.sh"
    assert "Mozilla Public License" in (folder / "LICENSE").read_text(encoding="utf-8")
