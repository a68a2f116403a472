"""Start-up stays light: setting Django up imports no heavy library, and the URL conf no new one.

Every ``cyberplan`` command, every web worker and every test process starts by calling
``django.setup()``; a web worker also loads the URL conf (and so every view module) before its
first page. The statistics, the event store, the chart and document renderers and the threat
pipeline are loaded only where they are used: the report and job kinds are registered by name and
dotted path (``cyberplan.reports.registry``, ``cyberplan.jobs.kinds``) and imported when they run.

The check runs in a fresh interpreter, since this test process has imported everything already;
it reads which modules are loaded, not how long that took.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cyberplan.jobs.kinds import all_kinds
from cyberplan.reports.registry import report_kinds

# Packages that take seconds to import (or pull in those that do), by top-level name; and the
# threat pipeline, which only the worker and the pages that read the event store need.
HEAVY = (
    "scipy",
    "numpy",
    "pandas",
    "ibis",
    "sqlglot",
    "duckdb",
    "pyarrow",
    "polars",
    "pyspark",
    "vl_convert",
    "altair",
    "weasyprint",
    "docx",
    "cyberplan.pipeline",
)

# What the URL conf still pulls in, through view modules that import it at their top (a debt to pay
# off, not a licence: the test fails when this list grows, and when it shrinks so that it is updated):
# - strategy's views, forms and API (through strategy.actions -> strategy.kpis) and its report
#   forms (strategy.report.content) import the metric set, cyberplan.analytics.metrics: Ibis,
#   SQLGlot, NumPy, SciPy, PyArrow and DuckDB;
# - threats' views, forms and API import the pipeline (importers, query, schema) and DuckDB;
# - assessment's views (report_jobs -> report.service -> report.render) and strategy's monitoring
#   views (reports.svg) import reports.charts, which imports vl-convert.
URL_CONF_DEBT = ["cyberplan.pipeline", "duckdb", "ibis", "numpy", "pyarrow", "scipy", "sqlglot", "vl_convert"]

PROBE = """
import json, sys
import django

heavy = {heavy!r}

def loaded():
    return sorted(
        name for name in sys.modules if any(name == top or name.startswith(top + ".") for top in heavy)
    )

django.setup()
after_setup = loaded()
from django.urls import get_resolver

get_resolver().url_patterns  # imports urls.py and, through it, every view module
print(json.dumps({{"setup": after_setup, "urls": loaded()}}))
"""


def top_modules(names: list[str]) -> list[str]:
    """The heavy packages among ``names``: ``scipy`` for ``scipy.stats``, ``cyberplan.pipeline`` for its modules."""
    return sorted({next(top for top in HEAVY if name == top or name.startswith(top + ".")) for name in names})


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    env = {
        **os.environ,
        "CYBERPLAN_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "cyberplan.settings",
        "CYBERPLAN_DATA_DIR": str(tmp_path_factory.mktemp("startup")),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY)],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, list[str]] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_django_setup_imports_no_heavy_module(loaded: dict[str, list[str]]) -> None:
    assert top_modules(loaded["setup"]) == [], loaded["setup"][:40]


def test_loading_the_url_conf_imports_no_heavy_module_but_the_known_debt(loaded: dict[str, list[str]]) -> None:
    assert top_modules(loaded["urls"]) == URL_CONF_DEBT


def test_every_kind_registered_by_path_is_found() -> None:
    """A dotted path that no longer names its function (a module moved) fails here, not in the worker."""
    for kind in all_kinds():
        assert callable(kind.handler), kind.name
        assert kind.on_stop is None or callable(kind.on_stop), kind.name
    assert [kind.name for kind in report_kinds()] == [
        "trends",
        "assessment",
        "legal",
        "training",
        "strategy",
        "monitoring",
        "regional",
    ]
