"""What every process pays when it starts: the IRI syntax package jsonschema would load is kept out."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import stix2validator

import cyberplan


def test_loading_django_does_not_build_the_iri_grammar() -> None:
    code = (
        "import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'cyberplan.settings');"
        "import django; django.setup(); import jsonschema, jsonschema._format as f;"
        "print(sys.modules.get('rfc3987_syntax') is None, 'iri' in f.draft202012_format_checker.checkers)"
    )
    env = {"CYBERPLAN_ENV": "test", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.split() == ["True", "False"]


def _formats(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("format"), str):
            yield node["format"]
        for value in node.values():
            yield from _formats(value)
    elif isinstance(node, list):
        for value in node:
            yield from _formats(value)


def test_no_schema_asks_for_the_formats_left_unchecked() -> None:
    """The formats jsonschema no longer checks are asked for by no schema the project validates with."""
    folders = [Path(cyberplan.__file__).parent, Path(stix2validator.__file__).parent]
    schemas = [p for folder in folders for p in folder.rglob("*.json") if "schema" in p.as_posix().lower()]
    assert len(schemas) > 50  # the validator's STIX schemas and the project's own are all read
    used = {fmt for path in schemas for fmt in _formats(json.loads(path.read_text(encoding="utf-8")))}
    assert "date-time" in used or "uri" in used  # formats are found where a schema has them
    assert not used & {"iri", "iri-reference"}
    assert jsonschema.FormatChecker().checkers  # every other format keeps its checker
