"""The trends app's edges: what it imports and how it reads the threats app.

Read from the source with :mod:`ast`, without importing it, so each check takes milliseconds. The
size of its modules and functions is checked with the rest of the package in ``tests/test_code_shape.py``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from cyberplan.core.models import Organisation
from cyberplan.threats.access import constituency_networks, finished_imports_for_report
from cyberplan.threats.models import ConstituencyEntry, Import
from tests.conftest import World

TRENDS = Path(__file__).resolve().parents[2] / "cyberplan" / "trends"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(TRENDS.parent.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(path: Path) -> Iterator[str]:
    """The modules a file imports when it runs (imports under ``if TYPE_CHECKING:`` left out)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    pending: list[ast.AST] = [ast.parse(path.read_text())]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        pending.extend(ast.iter_child_nodes(node))


def _files() -> list[Path]:
    return sorted(TRENDS.rglob("*.py"))


def test_the_jobs_do_not_import_the_views() -> None:
    imported = set(_runtime_imports(TRENDS / "jobs.py"))
    assert "cyberplan.trends.figures.warm" in imported
    assert not [name for name in imported if name.startswith("cyberplan.trends.views")]


def test_trends_reads_the_threats_app_through_its_access_functions() -> None:
    direct = {
        f"{path.relative_to(TRENDS)}: {name}"
        for path in _files()
        for name in _runtime_imports(path)
        if name.startswith("cyberplan.threats.models")
    }
    assert direct == set()


@pytest.mark.django_db
def test_a_report_reads_the_finished_imports_at_its_labels_and_the_constituency(world: World) -> None:
    def record(organisation: Organisation, status: str, tlp: str) -> Import:
        return Import.objects.create(
            organisation=organisation, file_name="f.csv", file_sha256="a" * 64, status=status, tlp=tlp
        )

    succeeded, failed = record(world.org_a, "succeeded", "amber"), record(world.org_a, "failed", "clear")
    record(world.org_a, "running", "amber")  # not finished
    record(world.org_a, "succeeded", "red")  # above the labels
    record(world.org_b, "succeeded", "amber")  # another organisation
    ConstituencyEntry.objects.create(organisation=world.org_a, network="192.0.2.0/24", holder="Holder")
    ConstituencyEntry.objects.create(organisation=world.org_b, network="203.0.113.0/24", holder="Other")

    assert list(finished_imports_for_report(world.org_a, ["clear", "amber"])) == [succeeded, failed]
    assert constituency_networks(world.org_a) == ["192.0.2.0/24"]
