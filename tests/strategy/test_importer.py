"""The structure import: every problem found before anything is written, then an idempotent upsert."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import URLResolver, include, path
from django.utils.translation import gettext, override
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cyberplan.urls as root_urls
from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.gaps.models import Gap
from cyberplan.strategy import urls as strategy_urls
from cyberplan.strategy.importing import urls as urls_import
from cyberplan.strategy.importing.importer import import_structure
from cyberplan.strategy.importing.reading import read_csv
from cyberplan.strategy.importing.rows import ALL_COLUMNS, MAX_STRUCTURE_BYTES, template_csv, write_rejects
from cyberplan.strategy.models import KPI, Action, Element, Principle, Strategy
from tests.conftest import World

from .conftest import Plan

# The import page is assembled into the strategy namespace by urls.py; the tests mount it themselves.
urlpatterns = [
    path("strategy/", include(([*urls_import.urlpatterns, *strategy_urls.urlpatterns], "strategy"))),
    *[p for p in root_urls.urlpatterns if not (isinstance(p, URLResolver) and p.namespace == "strategy")],
]

HEADER = "kind,code,parent,title_en,title_es,focus_area,lead,supporting,start,end,budget,currency,gaps,unit,baseline,target,source,source_detail"


def csv_file(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def row(**cells: str) -> str:
    """A line of a file with the HEADER's columns, the cells not given left empty."""
    return ",".join(cells.get(column, "") for column in HEADER.split(","))


GOOD = csv_file(
    "principle,1,,Inclusiveness,Inclusión,,,,,,,,,,,,,",
    "axis,3,,Critical infrastructure,Infraestructuras críticas,critical_infrastructure,,,,,,,,,,,,",
    "objective,3.1,3,Know the operators,Conocer a los operadores,,,,,,,,,,,,,",
    "line,3.1.1,3.1,Register,Registro,,,,,,,,,,,,,",
    "action,3.1.1.1,3.1.1,Build the operator register,Crear el registro de operadores,,AA,CB,2025-01-01,2025-12-31,50000,usd,,,,,,",
    "kpi,,3.1.1.1,Operators registered,Operadores registrados,,,,,,,,,percent,10,80%,manual,",
)


def counts() -> tuple[int, ...]:
    return (
        Strategy.objects.count(),
        Element.objects.count(),
        Action.objects.count(),
        KPI.objects.count(),
        Principle.objects.count(),
        AuditEntry.objects.count(),
    )


def reasons(result: object) -> str:
    return "\n".join(str(p) for p in result.problems)  # type: ignore[attr-defined]


@pytest.fixture
def coordinator(world: World):  # type: ignore[no-untyped-def]
    return world.users[Role.COORDINATOR]


pytestmark = pytest.mark.django_db


def test_a_good_file_is_applied_through_the_actions_and_audited(world: World, plan: Plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    before = AuditEntry.objects.count()
    result = import_structure(coordinator, GOOD, "plan.csv", strategy=plan.strategy)
    assert result.ok, reasons(result)
    assert result.written
    assert result.created == {"principle": 1, "axis": 1, "objective": 1, "line": 1, "action": 1, "kpi": 1}
    action = Action.objects.get(strategy=plan.strategy, code="3.1.1.1")
    assert action.lead == world.org_a and list(action.supporting.all()) == [world.org_b]
    assert action.currency == "USD" and action.budget == 50000
    kpi = action.kpis.get()
    assert kpi.target == 80 and kpi.baseline == 10 and kpi.unit == "percent"
    assert AuditEntry.objects.count() - before >= 6


def test_orphan_names_the_line_and_the_missing_parent(plan: Plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    data = csv_file(
        "axis,2x,,Awareness,,capacity,,,,,,,,,,,,",
        "objective,2.3,9,Reach schools,,,,,,,,,,,,,,",
    )
    result = import_structure(coordinator, data, "plan.csv", strategy=plan.strategy)
    assert (
        "plan.csv: line 3 [parent]: Objective 2.3 names parent 9 which is not in the file or the strategy."
        in reasons(result)
    )


def test_a_missing_or_unknown_parent_is_named_for_each_kind(plan: Plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    data = csv_file(
        row(kind="objective", code="2.4", title_en="No axis"),
        row(kind="line", code="2.1.5", title_en="No objective"),
        row(kind="action", code="2.1.5.1", title_en="No line"),
        row(kind="kpi", title_en="No action", unit="count"),
        row(kind="line", code="2.1.6", parent="9.9", title_en="Unknown objective"),
        row(kind="action", code="2.1.6.1", parent="9.9.9", title_en="Unknown line"),
        row(kind="kpi", parent="9.9.9.9", title_en="Unknown action", unit="count"),
        row(kind="kpi", code="K7", parent="9.9.9.9", title_en="Unknown action with a code", unit="count"),
    )
    result = import_structure(coordinator, data, "plan.csv", strategy=plan.strategy)
    assert reasons(result).splitlines() == [
        "plan.csv: line 2 [parent]: Objective 2.4 needs the axis it belongs to.",
        "plan.csv: line 3 [parent]: Action line 2.1.5 needs the objective it belongs to.",
        "plan.csv: line 4 [parent]: Action 2.1.5.1 needs the action line or objective it belongs to.",
        "plan.csv: line 5 [parent]: The KPI needs the action, objective or axis it measures.",
        "plan.csv: line 6 [parent]: Action line 2.1.6 names parent 9.9 which is not in the file or the strategy.",
        "plan.csv: line 7 [parent]: Action 2.1.6.1 names parent 9.9.9 which is not in the file or the strategy.",
        "plan.csv: line 8 [parent]: The KPI names 9.9.9.9, which is no action, objective or axis in the file or the strategy.",
        "plan.csv: line 9 [parent]: KPI K7 names 9.9.9.9, which is no action, objective or axis in the file or the strategy.",
    ]


def test_a_cycle_among_parents_is_named_with_its_lines(plan: Plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    data = csv_file(
        "axis,5,,Cybercrime,,legislation,,,,,,,,,,,,",
        "objective,5.1,5.1.2,Prosecute,,,,,,,,,,,,,,",
        "line,5.1.2,5.1,Train prosecutors,,,,,,,,,,,,,,",
    )
    result = import_structure(coordinator, data, "plan.csv", strategy=plan.strategy)
    cycle = [p for p in result.problems if "cycle" in p.reason]
    assert len(cycle) == 1
    assert str(cycle[0]) == "plan.csv: lines 3, 4 [parent]: 5.1 -> 5.1.2 -> 5.1 form a cycle."
    assert not result.written


def test_parent_of_the_wrong_kind(plan: Plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    data = csv_file(
        "line,1.9,1,Directly under an axis,,,,,,,,,,,,,,",
        "action,1.0.1,1,Action under an axis,,,,,,,,,,,,,,",
        row(kind="objective", code="1.8", parent="1.1.1", title_en="Under an action line"),
        row(kind="objective", code="1.7", parent="2.1", title_en="Under an objective"),
        row(kind="action", code="1.0.2", parent="1.0.1", title_en="Under an action"),
        row(kind="line", parent="1.1.1", title_en="Under an action line without a code"),
    )
    text = reasons(import_structure(coordinator, data, "plan.csv", strategy=plan.strategy))
    assert text.splitlines() == [
        "plan.csv: line 7 [code]: Give an action line a code, e.g. 1.2.",
        "plan.csv: line 2 [parent]: Action line 1.9 names parent 1, which is an axis; "
        "an action line sits under an objective.",
        "plan.csv: line 3 [parent]: Action 1.0.1 names parent 1, which is an axis; "
        "an action sits under an action line or an objective.",
        "plan.csv: line 4 [parent]: Objective 1.8 names parent 1.1.1, which is an action line; "
        "an objective sits under an axis.",
        "plan.csv: line 5 [parent]: Objective 1.7 names parent 2.1, which is an objective; "
        "an objective sits under an axis.",
        "plan.csv: line 6 [parent]: Action 1.0.2 names parent 1.0.1, which is an action; "
        "an action sits under an action line or an objective.",
        "plan.csv: line 7 [parent]: The action line names parent 1.1.1, which is an action line; "
        "an action line sits under an objective.",
    ]


def test_duplicate_codes_and_a_kind_change_are_refused(plan: Plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    data = csv_file(
        "axis,7,,National system,,governance,,,,,,,,,,,,",
        "axis,7,,National system again,,governance,,,,,,,,,,,,",
        "line,2.1,1.1,Was an objective,,,,,,,,,,,,,,",
        row(kind="objective", code="2", parent="1", title_en="Was an axis"),
        row(kind="axis", code="1.1.1", title_en="Was an action line", focus_area="capacity"),
    )
    text = reasons(import_structure(coordinator, data, "plan.csv", strategy=plan.strategy))
    assert "plan.csv: lines 2, 3 [code]: The code 7 appears 2 times." in text
    assert (
        "plan.csv: line 4 [kind]: 2.1 is an objective in the strategy; an import cannot change the kind of an element."
        in text
    )
    assert (
        "plan.csv: line 5 [kind]: 2 is an axis in the strategy; an import cannot change the kind of an element." in text
    )
    assert (
        "plan.csv: line 6 [kind]: 1.1.1 is an action line in the strategy; "
        "an import cannot change the kind of an element." in text
    )


def test_kpi_target_in_the_wrong_unit_and_other_row_problems(plan: Plan, coordinator, make_gap) -> None:  # type: ignore[no-untyped-def]
    make_gap(title_en="A gap")
    data = csv_file(
        "kpi,,1.1.1.1,Handlers in post,,,,,,,,,,count,2,80%,manual,",
        "action,1.1.1.9,1.1.1,Late,,,ZZ,,2026-05-01,2026-01-01,12.345,dollars,GAP-0001;NOPE-1,,,,,",
        "widget,1,,What,,,,,,,,,,,,,,",
        "axis,8,,Unit on an axis,,,,,,,,,,count,,,,",
    )
    text = reasons(import_structure(coordinator, data, "plan.csv", strategy=plan.strategy))
    assert "line 2 [target]: 80% is in percentage, but this KPI is measured in count." in text
    assert "line 3 [lead]: Unknown organisation 'ZZ'" in text
    assert "line 3 [end]: The dates are out of order" in text
    assert "line 3 [budget]" in text and "line 3 [currency]" in text
    assert "line 3 [gaps]: Unknown gap 'NOPE-1'" in text and "GAP-0001'" not in text
    assert "line 4 [kind]: Unknown kind 'widget'" in text
    assert "line 5 [unit]: unit does not apply to an axis." in text


def test_fields_and_values_that_do_not_fit_the_kind(plan: Plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    data = csv_file(
        row(kind="principle", code="2", title_en="Openness", parent="1"),
        row(kind="objective", code="1.6", parent="1", title_en="Budget on an objective", budget="10"),
        row(kind="line", code="1.1.6", parent="1.1", title_en="Lead on a line", lead="AA"),
        row(kind="action", code="1.1.1.6", parent="1.1.1", title_en="Unit on an action", unit="count"),
        row(kind="kpi", parent="1.1.1.1", title_en="Lead on a KPI", lead="AA", unit="count"),
        row(kind="kpi", parent="1.1.1.1", title_en="Litres", unit="litres"),
        row(kind="kpi", parent="1.1.1.1", title_en="Guessed", unit="count", source="guess"),
        row(kind="axis", title_en="Axis without a code", focus_area="capacity"),
        row(kind="action", parent="1.1.1", title_en="Action without a code"),
    )
    text = reasons(import_structure(coordinator, data, "plan.csv", strategy=plan.strategy))
    assert text.splitlines() == [
        "plan.csv: line 2 [parent]: parent does not apply to a principle.",
        "plan.csv: line 3 [budget]: budget does not apply to an objective.",
        "plan.csv: line 4 [lead]: lead does not apply to an action line.",
        "plan.csv: line 5 [unit]: unit does not apply to an action.",
        "plan.csv: line 6 [lead]: lead does not apply to a KPI.",
        "plan.csv: line 7 [unit]: Unknown unit 'litres'; use count, percent, days, hours, stage, yesno, currency.",
        "plan.csv: line 8 [source]: Unknown source 'guess'; "
        "use manual, trend_metric, assessment_stage, gaps_closed, actions_completed, legal_coverage, "
        "training_coverage.",
        "plan.csv: line 9 [code]: Give an axis a code, e.g. 1.2.",
        "plan.csv: line 10 [code]: Give an action a code, e.g. 1.2.",
    ]


def test_problems_are_reported_in_spanish(plan: Plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    data = csv_file(
        "objective,2.3,9,Reach schools,,,,,,,,,,,,,,",
        "line,1.9,1,Directly under an axis,,,,,,,,,,,,,,",
        "axis,7,,National system,,governance,,,,,,,,,,,,",
        "axis,7,,National system again,,governance,,,,,,,,,,,,",
        row(kind="kpi", title_en="No action", unit="count"),
        row(kind="axis", code="8", title_en="Unit on an axis", unit="count"),
    )
    with override("es"):
        result = import_structure(coordinator, data, "plan.csv", strategy=plan.strategy)
        no_parent = gettext("The KPI needs the action, objective or axis it measures.")  # the catalogue's words
    assert reasons(result).splitlines() == [
        "plan.csv: línea 7 [unit]: unit no se aplica a un eje.",
        "plan.csv: líneas 4, 5 [code]: El código 7 aparece 2 veces.",
        "plan.csv: línea 2 [parent]: El objetivo 2.3 indica como elemento superior 9, "
        "que no está en el archivo ni en la estrategia.",
        "plan.csv: línea 3 [parent]: La línea de acción 1.9 indica como elemento superior 1, que es un eje; "
        "una línea de acción depende de un objetivo.",
        f"plan.csv: línea 6 [parent]: {no_parent}",
    ]


def test_nothing_is_written_when_anything_is_wrong(plan: Plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    before = counts()
    bad = GOOD + b"objective,4.1,4,Orphan,,,,,,,,,,,,,,\n"
    result = import_structure(coordinator, bad, "plan.csv", strategy=plan.strategy)
    assert len(result.problems) == 1 and not result.written
    assert counts() == before


def test_running_the_same_import_twice_gives_the_same_strategy(plan: Plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    first = import_structure(coordinator, GOOD, "plan.csv", strategy=plan.strategy)
    assert first.ok, reasons(first)
    after_first = counts()
    again = import_structure(coordinator, GOOD, "plan.csv", strategy=plan.strategy)
    assert again.ok and not again.created and not again.updated
    assert counts() == after_first  # not even an audit entry
    renamed = GOOD.replace(b"Build the operator register", b"Build and publish the operator register")
    third = import_structure(coordinator, renamed, "plan.csv", strategy=plan.strategy)
    assert third.updated == {"action": 1}
    assert (
        Action.objects.get(strategy=plan.strategy, code="3.1.1.1").title_en == "Build and publish the operator register"
    )
    assert counts()[:5] == after_first[:5]


def test_yaml_nested_creates_a_strategy_and_refuses_aliases(world: World, coordinator) -> None:  # type: ignore[no-untyped-def]
    document = b"""
strategy:
  title_en: Imported strategy
  country: PY
  start_year: "2025"
  end_year: "2028"
  illustrative: "true"
principles:
  - {code: "1", title_en: Vision}
items:
  - kind: axis
    code: "1"
    title_en: Response
    focus_area: preparedness
    children:
      - code: "1.1"
        title_en: CSIRT
        children:
          - code: "1.1.1"
            title_en: Staff
            actions:
              - code: "1.1.1.1"
                title_en: Hire
                lead: authority-a
                supporting: [CB]
                kpis:
                  - {title_en: Handlers, unit: count, baseline: "2", target: "6"}
"""
    result = import_structure(coordinator, document, "plan.yaml", organisation=world.org_a, create={})
    assert result.ok, reasons(result)
    strategy = result.strategy
    assert strategy is not None and strategy.illustrative and strategy.start_year == 2025
    assert strategy.elements.count() == 3 and strategy.actions.get().kpis.count() == 1
    again = import_structure(coordinator, document, "plan.yaml", strategy=strategy)
    assert again.ok and not again.created and not again.updated
    bomb = b"a: &x [1, 2]\nitems: *x\n"
    refused = import_structure(coordinator, bomb, "bomb.yaml", strategy=strategy)
    assert reasons(refused) == "bomb.yaml: line 2: The YAML cannot be read: aliases (*name) are not accepted."
    wrong = document.replace(
        b'title_en: Handlers, unit: count, baseline: "2", target: "6"',
        b'title_en: Handlers, unit: count, target: "6 days"',
    )
    assert "items[0].children[0].children[0].actions[0].kpis[0] (line 27) [target]: 6 days is in days" in reasons(
        import_structure(coordinator, wrong, "plan.yaml", strategy=strategy)
    )


@pytest.mark.parametrize(
    ("document", "line", "english", "spanish"),
    [
        (b"items:\n\t- kind: axis\n", 2, "a tab character: indent with spaces", "un tabulador: sangre con espacios"),
        (b"items:\n  - kind: axis\n    title_en: Risk: high\n", 3, "a colon where a value was expected", "dos puntos"),
        (b'items:\n  - title_en: "open\n', 3, "the file ends inside a quoted value", "entre comillas"),
        (b"items: [1, 2\n", 2, "a list in square brackets is not closed", "corchetes"),
    ],
    ids=["tab", "colon", "quote", "bracket"],
)
def test_yaml_mistakes_are_explained_in_the_users_language(  # type: ignore[no-untyped-def]
    plan: Plan, coordinator, document: bytes, line: int, english: str, spanish: str
) -> None:
    result = import_structure(coordinator, document, "plan.yaml", strategy=plan.strategy)
    assert reasons(result).startswith(f"plan.yaml: line {line}: The YAML cannot be read: {english}")
    with override("es"):
        result = import_structure(coordinator, document, "plan.yaml", strategy=plan.strategy)
        text = reasons(result)
    assert spanish in text
    assert "cannot" not in text and "found" not in text


def test_size_limit_and_file_type(plan: Plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    big = GOOD + b"#" * MAX_STRUCTURE_BYTES
    assert "the limit for a structure file is" in reasons(
        import_structure(coordinator, big, "plan.csv", strategy=plan.strategy)
    )
    assert "Give a .csv, .yaml or .yml file" in reasons(
        import_structure(coordinator, GOOD, "plan.xlsx", strategy=plan.strategy)
    )
    assert "not UTF-8" in reasons(
        import_structure(coordinator, "kind;código\n".encode("latin-1"), "plan.csv", strategy=plan.strategy)
    )


def test_rejects_csv_lists_each_rejected_row_with_its_reason(plan: Plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    data = csv_file("objective,2.3,9,=HYPERLINK(1),,,,,,,,,,,,,,")
    result = import_structure(coordinator, data, "plan.csv", strategy=plan.strategy)
    out = io.StringIO()
    assert write_rejects(result.problems, out) == 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["where"] == "line 2" and rows[0]["field"] == "parent" and rows[0]["code"] == "2.3"
    assert rows[0]["title_en"] == "'=HYPERLINK(1)"


def test_the_template_is_a_valid_file(world: World, coordinator) -> None:  # type: ignore[no-untyped-def]
    result = import_structure(
        coordinator,
        template_csv().replace("cert-py", "csirt-b").encode(),
        "template.csv",
        organisation=world.org_a,
        create={"title_en": "From the template", "country": "PY", "start_year": 2026, "end_year": 2027},
    )
    assert result.ok, reasons(result)


def test_command_creates_checks_and_writes_rejects(world: World, plan: Plan, tmp_path: Path) -> None:
    good = tmp_path / "plan.csv"
    good.write_bytes(GOOD)
    out = io.StringIO()
    call_command(
        "strategy_import",
        str(good),
        "--create",
        "--organisation",
        "authority-a",
        "--country",
        "PY",
        "--title",
        "CLI strategy",
        "--years",
        "2025-2028",
        stdout=out,
    )
    created = Strategy.objects.get(title_en="CLI strategy")
    assert "created: 1 principle, 1 axis" in out.getvalue() and created.actions.count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file("objective,2.3,9,Orphan,,,,,,,,,,,,,,"))
    rejects = tmp_path / "rejects.csv"
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"1 problems in bad\.csv; nothing was written"):
        call_command(
            "strategy_import", str(bad), "--strategy", str(plan.strategy.pk), "--rejects", str(rejects), stderr=err
        )
    assert "names parent 9 which is not in the file or the strategy" in err.getvalue()
    assert "names parent 9" in rejects.read_text()
    with pytest.raises(CommandError, match="either --strategy"):
        call_command("strategy_import", str(good))


@pytest.mark.urls(__name__)
def test_import_page_permissions_problems_and_result(world: World, plan: Plan) -> None:
    url = f"/strategy/{plan.strategy.pk}/import/"

    def client(user) -> Client:  # type: ignore[no-untyped-def]
        c = Client()
        c.force_login(user)
        return c

    assert client(world.outsider).get(url).status_code == 404
    assert client(world.users[Role.VIEWER]).get(url).status_code == 403
    assert client(world.users[Role.CONTRIBUTOR]).get(url).status_code == 403
    analyst = client(world.users[Role.ANALYST])
    assert analyst.get(url).status_code == 200
    bad = SimpleUploadedFile("plan.csv", csv_file("objective,2.3,9,Orphan,,,,,,,,,,,,,,"), content_type="text/csv")
    response = analyst.post(url, {"file": bad})
    assert response.status_code == 400
    assert "Objective 2.3 names parent 9 which is not in the file or the strategy." in response.content.decode()
    checked = analyst.post(url, {"file": SimpleUploadedFile("plan.csv", GOOD), "check_only": "on"})
    assert checked.status_code == 200 and "Nothing was written" in checked.content.decode()
    assert not plan.strategy.actions.filter(code="3.1.1.1").exists()
    done = analyst.post(url, {"file": SimpleUploadedFile("plan.csv", GOOD)})
    assert done.status_code == 200 and "plan.csv was imported" in done.content.decode()
    assert plan.strategy.actions.filter(code="3.1.1.1").exists()
    wrong_type = analyst.post(url, {"file": SimpleUploadedFile("plan.exe", b"MZ")})
    assert wrong_type.status_code == 400 and "Give a .csv, .yaml or .yml file" in wrong_type.content.decode()


def test_gap_references_by_identifier_or_source_key(plan: Plan, coordinator, make_gap) -> None:  # type: ignore[no-untyped-def]
    gap = make_gap(source="legal", source_key="budapest:art-16")
    data = csv_file(f"action,1.1.1.7,1.1.1,Preserve data,,,,,,,,,{gap.identifier};budapest:art-16,,,,,")
    result = import_structure(coordinator, data, "plan.csv", strategy=plan.strategy)
    assert result.ok, reasons(result)
    assert list(Action.objects.get(code="1.1.1.7").gaps.all()) == [gap]
    missing = csv_file("action,1.1.1.8,1.1.1,Other,,,,,,,,,demo:missing,,,,,")
    skipped = import_structure(coordinator, missing, "plan.csv", strategy=plan.strategy, skip_missing_gaps=True)
    assert skipped.ok and "demo:missing" in skipped.notes[0]
    assert Gap.objects.count() == 1


# --------------------------------------------------------------------------- fuzz (no database)

cell = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["axis", "objective", "line", "action", "kpi", "1", "1.1", "", '"', ";", "\r", "\n", "#x"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from(ALL_COLUMNS), min_size=1, max_size=8),
    st.lists(st.lists(cell, max_size=10), max_size=8),
    st.sampled_from([",", ";"]),
)
@pytest.mark.django_db(False)
def test_csv_parser_never_crashes_and_places_every_row(columns: list[str], rows: list[list[str]], sep: str) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(row)
    text = out.getvalue()
    parsed, problems = read_csv(text)
    lines = len(re.split(r"\r\n|\r|\n", text))  # a lone CR ends a line too, as for the csv module
    for row in parsed:
        assert row.line is not None and 2 <= row.line <= lines
        assert set(row.values) <= set(ALL_COLUMNS)
    for problem in problems:
        assert problem.where.startswith("line ")


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
@pytest.mark.django_db(False)
def test_csv_parser_survives_random_text(noise: bytes) -> None:
    text = noise.decode("utf-8", "replace")
    parsed, problems = read_csv("kind,code,parent,title_en\n" + text)
    assert all(r.where.startswith("line ") for r in parsed)
    assert all(p.where.startswith("line ") for p in problems)


def test_the_examples_of_the_how_to_import_cleanly(world: World, coordinator) -> None:  # type: ignore[no-untyped-def]
    text = (Path(__file__).resolve().parents[2] / "docs/how-to/strategy-import.md").read_text()
    gap = Gap.objects.create(
        organisation=world.org_a, identifier="ASM-0001", source="assessment", source_key="cyberplan-ncm:PY:1.2"
    )
    world.org_b.slug, world.org_b.acronym = "cert-py", "CERT-PY"
    world.org_b.save()
    world.org_a.slug = "mitic"
    world.org_a.save()
    for lang, name in (("csv", "plan.csv"), ("yaml", "plan.yaml")):
        block = re.search(rf"```{lang}\n(.*?)```", text, re.S)
        assert block is not None
        result = import_structure(
            coordinator,
            block.group(1).encode(),
            name,
            organisation=world.org_a,
            create={"title_en": "Doc example", "country": "PY", "start_year": 2025, "end_year": 2028},
        )
        assert result.ok, reasons(result)
        assert result.strategy is not None and list(result.strategy.actions.get().gaps.all()) == [gap]
