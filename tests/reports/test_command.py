"""``cyberplan report KIND``: one command, to which each domain app registers its kinds."""

from __future__ import annotations

import argparse
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command, get_commands

from cyberplan.reports import registry
from cyberplan.reports.command import add_file_arguments, output_path, write
from cyberplan.reports.registry import ReportKind, register, report_kind, report_kinds
from cyberplan.reports.service import Produced


def _add(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--title", required=True)
    add_file_arguments(parser)


def _run(options: dict[str, Any]) -> str:
    output = output_path(options)
    write(output, Produced(f"{options['title']} {options['lang']} {options['format']}".encode(), output.name))
    return f"Wrote {options['title']} to {output}."


EXAMPLE = ReportKind("example", "An example report.", _add, _run)


def test_one_report_command_serves_the_kinds_the_apps_registered() -> None:
    assert get_commands()["report"] == "cyberplan.reports"
    assert [kind.name for kind in report_kinds()] == [
        "trends",
        "assessment",
        "legal",
        "training",
        "strategy",
        "monitoring",
        "regional",
    ]


def test_a_kind_registered_by_an_app_becomes_a_subcommand(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(registry._KINDS, "example", EXAMPLE)
    out = StringIO()
    target = tmp_path / "example.html"
    call_command(
        "report", "example", "--title", "Legal", "--lang", "es", "--format", "html", "--output", target, stdout=out
    )
    assert out.getvalue().strip() == f"Wrote Legal to {target}."
    assert target.read_bytes() == b"Legal es html"
    with pytest.raises(CommandError, match=r"The folder .*missing does not exist"):
        call_command("report", "example", "--title", "x", "--output", tmp_path / "missing" / "x.pdf")
    with pytest.raises(CommandError, match="invalid choice: 'odt'"):
        call_command("report", "example", "--title", "x", "--format", "odt", "--output", target)


def test_two_kinds_of_one_name_are_refused_and_an_unknown_kind_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry._KINDS, "example", EXAMPLE)
    assert register(EXAMPLE) is EXAMPLE  # the same kind again (an app ready twice) is harmless
    with pytest.raises(ImproperlyConfigured, match="Two report kinds are named 'example'"):
        register(ReportKind("example", "Another.", _add, _run))
    with pytest.raises(LookupError, match="unknown report 'nope': use one of trends, assessment"):
        report_kind("nope")
