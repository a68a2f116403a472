"""The pipeline stays readable: no module over 800 lines, no function over 80 lines without a reason.

A function may run longer when its docstring says why, in a sentence containing "over 80 lines"
(for example a table of cases that reads best in one place). Counted with :mod:`ast`, so a
function's length runs from its ``def`` (or first decorator) to its last line, docstring included.
"""

from __future__ import annotations

import ast
from pathlib import Path

PIPELINE = Path(__file__).resolve().parents[2] / "cyberplan" / "pipeline"
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80


def giant_modules(root: Path) -> list[str]:
    """``path: lines`` of each module of ``root`` over :data:`MAX_MODULE_LINES` lines."""
    found = []
    for path in sorted(root.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{path.relative_to(root.parent)}: {lines} lines")
    return found


def long_functions(root: Path) -> list[str]:
    """``path:line name (lines)`` of each function over :data:`MAX_FUNCTION_LINES` lines with no reason given."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            lines = (node.end_lineno or node.lineno) - start + 1
            if lines > MAX_FUNCTION_LINES and "over 80 lines" not in (ast.get_docstring(node) or ""):
                found.append(f"{path.relative_to(root.parent)}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_module_of_the_pipeline_is_a_giant() -> None:
    assert giant_modules(PIPELINE) == []


def test_no_function_of_the_pipeline_runs_over_80_lines_without_a_reason() -> None:
    assert long_functions(PIPELINE) == []


def test_the_checks_see_a_giant(tmp_path: Path) -> None:
    package = tmp_path / "pipeline"
    package.mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(85))
    (package / "long.py").write_text(f"def long() -> None:\n{body}" + "\n" * 800, encoding="utf-8")
    reasoned = f'def reasoned() -> None:\n    """Runs over 80 lines: one table."""\n{body}'
    (package / "reasoned.py").write_text(reasoned, encoding="utf-8")
    assert giant_modules(package) == ["pipeline/long.py: 886 lines"]
    assert long_functions(package) == ["pipeline/long.py:1 long (86 lines)"]
