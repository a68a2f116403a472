"""The import graph of the ``cyberplan`` package, checked on every test run.

Two checks: the import-linter contracts in ``pyproject.toml`` (the layers, from the workspace down
to the pipeline, and no cycle between the apps or between the files of one package), and no cycle
between any two modules, listed file by file when there is one. Imports under ``TYPE_CHECKING``
are left out: they never run, and type hints may name what a module's callers define.
"""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def module_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The groups of modules that import each other in a loop (strongly connected components)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(start: str) -> None:
        # Tarjan's algorithm, iterative so that a long chain of imports cannot exhaust the stack.
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = lowest[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = lowest[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.find_modules_directly_imported_by(target)))))
                elif target in on_stack:
                    lowest[module] = min(lowest[module], index[target])
                continue
            work.pop()
            if work:
                lowest[work[-1][0]] = min(lowest[work[-1][0]], lowest[module])
            if lowest[module] == index[module]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    cycles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return sorted(cycles)


def describe(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    members = set(cycle)
    lines = [f"cycle of {len(cycle)} modules:"]
    for importer in cycle:
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & members):
            where = graph.get_import_details(importer=importer, imported=imported)
            line = f" (line {where[0]['line_number']})" if where else ""
            lines.append(f"  {importer} -> {imported}{line}")
    return "\n".join(lines)


def test_no_module_imports_another_in_a_cycle() -> None:
    graph = grimp.build_graph("cyberplan", cache_dir=None, exclude_type_checking_imports=True)
    cycles = module_cycles(graph)
    assert not cycles, "\n".join(describe(graph, cycle) for cycle in cycles)


def test_the_import_contracts_hold(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert result == 0, capsys.readouterr().out
