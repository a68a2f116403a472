"""The API keeps its contract: requests generated from the committed schema get the answers it promises.

Schemathesis reads ``docs/reference/openapi.yaml`` (the committed copy is the contract, not the schema
the code would generate now) and, for every operation, generates requests that follow it. Each is sent
in-process to the Django WSGI application with an administrator's token, over the data of
``contract_world``. Every answer is checked: no server error, a status code the operation documents, the
documented content type and headers, a body that matches the documented schema, and no refusal (400) of
a request the schema calls valid.

The run is bounded and repeatable: a fixed number of examples per operation, derandomized. It prints one
line for the CI log: ``API contract: operations N, cases N, failures N``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, models
from hypothesis import HealthCheck, Phase
from rest_framework import serializers
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi import checks as openapi_checks

import cyberplan
from tests.api.conftest import SUMMARY, ContractWorld

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "reference" / "openapi.yaml"

# Examples generated per operation and mode. Enough to reach nulls, empty lists and every enum value of
# a small body; small enough that the whole run stays within seconds.
EXAMPLES = 10

CHECKS = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.positive_data_acceptance,
]


# Operations whose valid-looking requests may be refused (400) by a rule of the domain that a schema
# cannot state; each says which. A 400 of any other operation, for a request the schema calls valid,
# fails the test: the schema must then say what the code requires (a required field, an enum, a
# format, a bound). The 400 stays documented, and its body is still checked against the schema.
DOMAIN_RULES = {
    "POST /api/gaps/": "a title in English or in Spanish (either one)",
    "PATCH /api/gaps/{id}/": "the version being edited is required on update",
    "POST /api/strategies/": "a title in English or in Spanish; the end year not before the start year",
    "PATCH /api/strategies/{id}/": "a title in English or in Spanish; the end year not before the start year",
    "POST /api/strategy-elements/": "a title in either language; a parent of the right kind",
    "PATCH /api/strategy-elements/{id}/": "a title in either language; a parent of the right kind",
    "POST /api/strategy-actions/": "a title in either language; gaps named by identifiers of the register",
    "PATCH /api/strategy-actions/{id}/": "gaps and institutions named by identifiers that exist",
    "POST /api/strategy-actions/{id}/progress/": "no date in the future; a completed action at 100 percent",
    "POST /api/strategy-kpis/": "a name in either language; baseline and target in the KPI's unit",
    "PATCH /api/strategy-kpis/{id}/": "an automatic KPI's unit follows its source (a share is in percentage)",
    "POST /api/strategy-kpis/{id}/measurements/": "a value in the KPI's unit",
    "POST /api/strategy-kpis/{id}/compute/": "only automatic KPIs are computed",
    "POST /api/strategy-versions/": "one open version at a time",
    "GET /api/strategy-budget-lines/": "the action filter names an action that exists",
    "POST /api/strategy-budget-lines/": "a year of the strategy, an amount from 0, an ISO 4217 currency with a stated rate",
    "PATCH /api/strategy-budget-lines/{id}/": "a year of the strategy, an amount from 0, an ISO 4217 currency",
    "GET /api/strategy-exchange-rates/": "the strategy filter names a strategy that exists",
    "POST /api/strategy-exchange-rates/": "two different ISO 4217 currencies, a positive rate and a source",
    "POST /api/strategy-versions/{id}/transition/": "the workflow's allowed moves",
    "GET /api/strategy-axis-owners/": "the axis filter names an axis that exists",
    "POST /api/strategy-axis-owners/": "an axis that exists, of a strategy one may edit",
    "GET /api/strategy-recommendations/": "the evaluation filter names an evaluation that exists",
    "POST /api/strategy-recommendations/": "an evaluation that exists, of a strategy one may edit",
    "GET /api/strategy-risks/": "the objective filter names an objective that exists",
    "POST /api/strategy-risks/": "an objective that exists, of a strategy one may edit",
    "PATCH /api/assessment-answers/{id}/": "the version being edited and the answer are required",
    "POST /api/assessment-answers/{id}/evidence/": "each kind of evidence needs its own field (url, citation ...)",
    "POST /api/assessments/import/": "the document is a complete exchange file",
    "PATCH /api/assessments/{id}/factors/{factor_id}/": "a target stage within the framework's stages",
    # Text is trimmed before it is checked: text of spaces only is blank (the schema says minLength 1).
    "POST /api/assessments/": "a title that is not only spaces",
    "POST /api/assessments/{id}/factors/{factor_id}/comments/": "a comment that is not only spaces",
    "POST /api/imports/": "the file is a report of a known format",
    "GET /api/events/": "the address filter is an IP address",
    "GET /api/trends/metrics/": "a period and a country code in their documented forms",
    "POST /api/tokens/": "networks are addresses or CIDR networks; a life within CYBERPLAN_API_TOKEN_MAX_DAYS",
    "GET /api/store-grants/": "owner and recipient name organisations that exist",
    "POST /api/legal-instruments/import/": "the file is UTF-8 CSV text with the documented columns",
    "POST /api/legal-reviews/": "copy_from names a review one may read, of the same organisation and country",
    "POST /api/legal-reviews/{id}/state/": "the review workflow's allowed moves",
    "POST /api/legal-reviews/{id}/gaps/": "only an approved review feeds the gap register",
    "PATCH /api/legal-reviews/{id}/findings/{provision}/": "national articles of the review's country and organisation",
    "POST /api/training-providers/": "a provider's name is unique in its organisation",
    "POST /api/training-programmes/": "a provider of the same organisation; the end not before the start",
    "PATCH /api/training-programmes/{id}/": "a provider of the same organisation; the end not before the start",
    "POST /api/training-programmes/{id}/import/": "the file is a participant list (CSV or XLSX) with the documented columns",
    "POST /api/training-courses/": "a course title unique in its programme",
    "PATCH /api/training-courses/{id}/": "a course title unique in its programme",
    "POST /api/training-sessions/": "one session per course and start date; the end not before the start",
    "PATCH /api/training-sessions/{id}/": "one session per course and start date; the end not before the start",
    "POST /api/training-participants/": "a key unique in the organisation, not only spaces",
    "PATCH /api/training-participants/{id}/": "a key unique in the organisation, not only spaces",
    "POST /api/training-attendance/": "the key names a participant of the session's organisation; completed only if attended",
    "POST /api/training-audience-sizes/": "an institution name that is not only spaces",
    "POST /api/regional-packages/receive/": "a period of the documented forms and a file that is not empty",
    "GET /api/training-coverage/": "the organisation is an id and the topic a key of the topic catalogue",
    # The filters by a related record refuse a record that does not exist (as the store grants' filters do).
    "GET /api/training-providers/": "the organisation filter names an organisation that exists",
    "GET /api/training-programmes/": "the organisation and provider filters name records that exist",
    "GET /api/training-courses/": "the programme filter names a programme that exists",
    "GET /api/training-sessions/": "the course filter names a course that exists",
    "GET /api/training-participants/": "the organisation filter names an organisation that exists",
    "GET /api/training-attendance/": "the session and participant filters name records that exist",
    "GET /api/training-audience-sizes/": "the organisation filter names an organisation that exists",
    "GET /api/training-imports/": "the programme filter names a programme that exists",
}

REFUSED = "Schema-valid request rejected"


@dataclass
class Tally:
    operations: int = 0
    cases: int = 0
    failures: dict[tuple[str, str], str] = field(default_factory=dict)  # (operation, failure title) -> report


def _real_references(case: Any, world: ContractWorld) -> None:
    """Point path parameters and references at records of the contract world.

    A generated id almost never names a record, so without this every detail endpoint would only be
    asked for records that do not exist.
    """
    path = case.operation.path.removeprefix("/api/")
    collection = path.split("/", 1)[0]
    params = case.path_parameters or {}
    for name in params:
        if name == "id" and collection in world.ids:
            params[name] = world.ids[collection]
        elif name in world.ids:
            params[name] = world.ids[name]
    for container in (case.query, case.body):
        if isinstance(container, dict):
            for name, value in container.items():
                # Only ids: a field of the same name that holds text or a choice keeps its generated value.
                if name in world.references and isinstance(value, int) and not isinstance(value, bool):
                    container[name] = world.references[name]


def _media_type(operation: Any) -> str | None:
    """JSON, the API's format, where the operation takes it: form bodies cannot carry null or nesting."""
    offered = [body.media_type for body in operation.body]
    return "application/json" if "application/json" in offered else None


def _describe(case: Any, response: Any, failure: Any) -> str:
    """The failure with the request that caused it and the answer, short enough to read in a CI log."""
    sent = f"path {case.path_parameters or {}}, query {case.query or {}}, body {case.body!r}"[:600]
    return (
        f"{case.operation.label}: {failure.title}\n{failure.message}\n"
        f"Sent: {sent}\nAnswer {response.status_code}: {response.text[:600]}"
    )


def _run_operation(operation: Any, mode: GenerationMode, world: ContractWorld, app: Any, tally: Tally) -> None:
    headers = {"Authorization": f"Bearer {world.token}", "Accept-Language": "en"}
    media_type = _media_type(operation)

    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        if media_type is not None:
            case.media_type = media_type  # the body's schema is the same for each media type here
        _real_references(case, world)
        response = case.call(app=app, headers=headers)
        tally.cases += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                if failure.title == REFUSED and response.status_code == 400 and operation.label in DOMAIN_RULES:
                    continue
                key = (operation.label, failure.title)
                tally.failures.setdefault(key, _describe(case, response, failure))

    run()


def run_contract(world: ContractWorld, report: Callable[[str], None]) -> Tally:
    # Text never carries NUL characters: the API refuses them (400) in every field, as documented.
    config = schemathesis.Config.from_dict({"generation": {"allow-x00": False}})
    schema = schemathesis.openapi.from_path(COMMITTED, config=config)
    app = get_wsgi_application()
    tally = Tally()
    # As Django's test client does: the test's transaction holds the database connection, so the end of
    # a request must not close it (it would on a file database, which the browser tests switch to).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            tally.operations += 1
            cache.clear()  # throttle counters start afresh for each operation
            _run_operation(operation, GenerationMode.POSITIVE, world, app, tally)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    report(f"API contract: operations {tally.operations}, cases {tally.cases}, failures {len(tally.failures)}")
    return tally


def test_api_keeps_its_contract(contract_world: ContractWorld) -> None:
    tally = run_contract(contract_world, SUMMARY.append)
    assert tally.cases >= tally.operations
    assert not tally.failures, "\n\n".join(tally.failures.values())


def _model_serializers() -> list[type[serializers.ModelSerializer[Any]]]:
    found = []
    for module_name in sorted(m.name for m in pkgutil.iter_modules(cyberplan.__path__)):
        try:
            module = importlib.import_module(f"cyberplan.{module_name}.api.serializers")
        except ModuleNotFoundError:
            continue
        found += [
            cls
            for cls in vars(module).values()
            if isinstance(cls, type)
            and issubclass(cls, serializers.ModelSerializer)
            and cls.__module__ == module.__name__
        ]
    return found


def test_references_that_may_be_empty_are_nullable(db: None) -> None:
    """A field reading a foreign key that may be empty says so, even before a record shows it empty."""
    missing = []
    for serializer_class in _model_serializers():
        model = serializer_class.Meta.model
        for name, serializer_field in serializer_class().fields.items():
            try:
                model_field = model._meta.get_field(serializer_field.source)
            except FieldDoesNotExist:
                continue
            if isinstance(model_field, models.ForeignKey) and model_field.null and not serializer_field.allow_null:
                missing.append(f"{serializer_class.__name__}.{name}")
    assert not missing, f"Give these fields allow_null=True (their foreign key may be empty): {missing}"
