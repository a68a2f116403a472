"""The shape of the code: one rule set for the whole ``cyberplan`` package (issue 13).

Read from the source with the standard :mod:`ast` module, without importing it, so the whole
check takes about a second. The rules:

- ``module-size``: no module longer than 800 lines;
- ``function-size``: no function longer than 80 lines (from its ``def``, or its first decorator,
  to its last line, docstring included), unless a line of its docstring starts with
  ``Long: over 80 lines because`` and says why;
- ``flat-prefix``: no two modules of one folder named with the same ``views_``, ``urls_``,
  ``forms_`` or ``report_`` prefix: such a family belongs in a subpackage (``report/views.py``,
  ``report/urls.py``, ...);
- ``type-ignore``: every ``# type: ignore[...]`` says after it why the checker is wrong there;
- ``hidden-import``: in the packages of :data:`NO_HIDDEN_IMPORTS`, no project import inside a
  function unless a comment on its line says why (a cycle it would make, models not loaded
  yet, ...): an import at the top of the file shows what the file depends on.

Each finding reads ``path:line: rule: what is wrong``, with the path from the repository root.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cyberplan"
LONGEST_MODULE = 800
LONGEST_FUNCTION = 80
LONG_REASON = "Long: over 80 lines because"
FLAT_PREFIXES = ("views", "urls", "forms", "report")
#: The packages held to the hidden-import rule; add a package once it keeps it.
NO_HIDDEN_IMPORTS = ("assessment", "strategy", "gaps", "legal", "training")

_TYPE_IGNORE = re.compile(r"#\s*type:\s*ignore(\[[^\]]*\])?(?P<rest>.*)$")


def _files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


def _where(root: Path, path: Path, line: int) -> str:
    return f"{path.relative_to(root.parent)}:{line}"


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def giant_modules(root: Path) -> list[str]:
    found = []
    for path in _files(root):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > LONGEST_MODULE:
            found.append(f"{_where(root, path, 1)}: module-size: {lines} lines (at most {LONGEST_MODULE})")
    return found


def _says_why_it_is_long(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    docstring = ast.get_docstring(function) or ""
    return any(line.strip().startswith(LONG_REASON) for line in docstring.splitlines())


def long_functions(root: Path) -> list[str]:
    found = []
    for path in _files(root):
        for function in _functions(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            start = min([function.lineno, *(d.lineno for d in function.decorator_list)])
            length = (function.end_lineno or function.lineno) - start + 1
            if length > LONGEST_FUNCTION and not _says_why_it_is_long(function):
                found.append(
                    f"{_where(root, path, function.lineno)}: function-size: {function.name} has {length} lines "
                    f"(split it, or start a docstring line with '{LONG_REASON} ...')"
                )
    return found


def flat_prefix_families(root: Path) -> list[str]:
    found = []
    folders: dict[tuple[Path, str], list[Path]] = defaultdict(list)
    for path in _files(root):
        prefix = path.stem.split("_", 1)[0]
        if "_" in path.stem and prefix in FLAT_PREFIXES:
            folders[(path.parent, prefix)].append(path)
    for (folder, prefix), paths in sorted(folders.items()):
        if len(paths) > 1:
            names = ", ".join(path.name for path in paths)
            found.extend(
                f"{_where(root, path, 1)}: flat-prefix: {names} in {folder.relative_to(root.parent)} "
                f"share the prefix '{prefix}_'; move them into a subpackage"
                for path in paths
            )
    return found


def bare_type_ignores(root: Path) -> list[str]:
    found = []
    for path in _files(root):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = _TYPE_IGNORE.search(line)
            if match and not match.group("rest").strip(" #-:"):
                found.append(f"{_where(root, path, number)}: type-ignore: '{line.strip()}' gives no reason after it")
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


def hidden_imports(root: Path, packages: tuple[str, ...] | None = None) -> list[str]:
    found = set()
    folders = [root] if packages is None else [root / package for package in packages]
    for path in [path for folder in folders for path in _files(folder)]:
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for function in _functions(ast.parse(source)):
            for node in ast.walk(function):
                if isinstance(node, ast.stmt) and _is_project_import(node) and not _reason(lines[node.lineno - 1]):
                    found.add(
                        f"{_where(root, path, node.lineno)}: hidden-import: in {function.name}, "
                        f"'{lines[node.lineno - 1].strip()}' has no comment saying why it is not at the top"
                    )
    return sorted(found)


def _none(findings: list[str]) -> None:
    """Fail listing every finding, one a line, so the whole list reads without ``-v``."""
    if findings:
        pytest.fail("\n".join([f"{len(findings)} finding(s):", *findings]), pytrace=False)


def test_no_module_is_over_800_lines() -> None:
    _none(giant_modules(PACKAGE))


def test_no_function_is_over_80_lines_without_a_reason() -> None:
    _none(long_functions(PACKAGE))


def test_no_folder_holds_a_flat_prefix_family() -> None:
    _none(flat_prefix_families(PACKAGE))


def test_every_type_ignore_gives_its_reason() -> None:
    _none(bare_type_ignores(PACKAGE))


def test_no_project_import_is_hidden_in_a_function_without_a_reason() -> None:
    _none(hidden_imports(PACKAGE, NO_HIDDEN_IMPORTS))


# -- the checks find what they look for, in a package written for the purpose ----------------------


@pytest.fixture
def package(tmp_path: Path) -> Path:
    root = tmp_path / "cyberplan"
    (root / "app" / "report").mkdir(parents=True)
    return root


def test_a_giant_module_is_named_with_its_size(package: Path) -> None:
    (package / "app" / "big.py").write_text("x = 1\n" * 801, encoding="utf-8")
    (package / "app" / "fits.py").write_text("x = 1\n" * 800, encoding="utf-8")
    assert giant_modules(package) == ["cyberplan/app/big.py:1: module-size: 801 lines (at most 800)"]


def test_a_long_function_passes_only_with_a_long_line_in_its_docstring(package: Path) -> None:
    body = "".join(f"    x{n} = {n}\n" for n in range(LONGEST_FUNCTION))
    decorated = f"@decorator\ndef decorated():\n{body}"  # 80 lines of its own, 82 with the decorator
    vague = f'def vague():\n    """Runs over 80 lines."""\n{body}'
    reasoned = f'def reasoned():\n    """A table.\n\n    {LONG_REASON} one table reads best whole.\n    """\n{body}'
    (package / "app" / "code.py").write_text(f"{decorated}\n{vague}\n{reasoned}", encoding="utf-8")
    found = long_functions(package)
    assert [finding.split(" (")[0] for finding in found] == [
        "cyberplan/app/code.py:2: function-size: decorated has 82 lines",
        f"cyberplan/app/code.py:{LONGEST_FUNCTION + 4}: function-size: vague has 82 lines",
    ]


def test_a_flat_prefix_family_is_named_but_a_single_prefixed_file_or_a_subpackage_is_not(package: Path) -> None:
    for name in ("app/views_plan.py", "app/views_import.py", "app/report_jobs.py", "app/report/views.py"):
        (package / name).write_text("", encoding="utf-8")
    assert [finding.split(":")[0] for finding in flat_prefix_families(package)] == [
        "cyberplan/app/views_import.py",
        "cyberplan/app/views_plan.py",
    ]
    assert "flat-prefix: views_import.py, views_plan.py in cyberplan/app" in flat_prefix_families(package)[0]


def test_a_type_ignore_without_a_reason_is_named(package: Path) -> None:
    lines = [
        "a = f()  # type: ignore[arg-type]",
        "b = f()  # type: ignore",
        "c = f()  # type: ignore[arg-type]  # the stubs miss the overload",
        "d = f()  # type: ignore  -- untyped library",
    ]
    (package / "app" / "typed.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [finding.split(": type-ignore")[0] for finding in bare_type_ignores(package)] == [
        "cyberplan/app/typed.py:1",
        "cyberplan/app/typed.py:2",
    ]


def test_a_hidden_import_without_a_reason_is_named(package: Path) -> None:
    source = (
        "def f():\n"
        "    from cyberplan.core import access\n"
        "    from . import jobs  # noqa: F401\n"
        "    from . import signals  # noqa: F401 -- registers the receivers\n"
        "    import json\n"
    )
    (package / "app" / "late.py").write_text(source, encoding="utf-8")
    assert [finding.split(": hidden-import")[0] for finding in hidden_imports(package)] == [
        "cyberplan/app/late.py:2",
        "cyberplan/app/late.py:3",
    ]
