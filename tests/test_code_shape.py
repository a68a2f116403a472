"""The shape of the code in the packages that keep the house rules (issue 13, points 3 and 4).

Two rules, checked file by file with the standard ``ast`` module:

- no function longer than 80 lines, unless a line of its docstring starts with ``Long:`` and says why;
- no project import inside a function, unless a comment on its line says why (a cycle it would make,
  models not loaded yet, ...): an import at the top of the file shows what the file depends on.

Only the packages in ``CHECKED`` are held to them; add a package once it keeps both rules.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "cyberplan"
CHECKED = ("assessment", "strategy", "gaps", "legal")
LONGEST = 80


def _files() -> Iterator[Path]:
    for package in CHECKED:
        yield from sorted((PACKAGE / package).rglob("*.py"))


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(PACKAGE.parent)}:{line}"


def long_functions_without_reason() -> list[str]:
    found = []
    for path in _files():
        for function in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            length = (function.end_lineno or function.lineno) - function.lineno + 1
            docstring = ast.get_docstring(function) or ""
            has_reason = any(line.strip().startswith("Long:") for line in docstring.splitlines())
            if length > LONGEST and not has_reason:
                found.append(f"{_where(path, function.lineno)} {function.name} ({length} lines)")
    return found


def _is_project_import(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "cyberplan"
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "cyberplan" for alias in node.names)
    return False


def _reason(line: str) -> str:
    """The comment on ``line`` without its ``noqa`` marks: empty when it gives no reason."""
    if "#" not in line:
        return ""
    comment = line.split("#", 1)[1]
    return re.sub(r"noqa(:\s*[A-Z]+[0-9]+(,\s*[A-Z]+[0-9]+)*)?", "", comment).strip(" -:")


def hidden_imports_without_reason() -> list[str]:
    found = []
    for path in _files():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for function in _functions(ast.parse(source)):
            for node in ast.walk(function):
                if isinstance(node, ast.stmt) and _is_project_import(node) and not _reason(lines[node.lineno - 1]):
                    found.append(f"{_where(path, node.lineno)} in {function.name}: {lines[node.lineno - 1].strip()}")
    return sorted(set(found))


def test_no_function_is_longer_than_80_lines_without_a_reason() -> None:
    assert long_functions_without_reason() == []


def test_no_project_import_is_hidden_in_a_function_without_a_reason() -> None:
    assert hidden_imports_without_reason() == []


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    """The two checks find a long function and a hidden import in a file written for the purpose."""
    body = "\n".join(f"    x{n} = {n}" for n in range(LONGEST))
    tree = ast.parse(f"def long():\n{body}\n    from cyberplan.core import access\n")
    function = next(_functions(tree))
    assert (function.end_lineno or 0) - function.lineno + 1 > LONGEST
    hidden = [node for node in ast.walk(function) if _is_project_import(node)]
    assert len(hidden) == 1
    assert _reason("    from . import jobs  # noqa: F401") == ""
    assert _reason("    from . import jobs  # noqa: F401 -- registers the job kind") == "registers the job kind"
