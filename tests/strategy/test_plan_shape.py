"""The shape of Paraguay's 2017 plan fits: 7 axes, 20 objectives, 60 action lines, one strategy document."""

from __future__ import annotations

import csv
import io

import pytest

from cyberplan.core.choices import Role
from cyberplan.strategy import actions as act
from cyberplan.strategy import snapshot
from cyberplan.strategy.choices import ElementKind
from cyberplan.strategy.importing.importer import import_structure
from cyberplan.strategy.report.service import produce
from cyberplan.strategy.versions import actions as version_act
from tests.conftest import World

pytestmark = pytest.mark.django_db

# Objectives per axis adding up to 20, and action lines per objective adding up to 60.
OBJECTIVES_PER_AXIS = [3, 3, 3, 3, 3, 3, 2]


def plan_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "code", "parent", "title_en", "title_es"])
    for axis, objectives in enumerate(OBJECTIVES_PER_AXIS, start=1):
        writer.writerow(["axis", axis, "", f"Axis {axis}", f"Eje {axis}"])
        for objective in range(1, objectives + 1):
            code = f"{axis}.{objective}"
            writer.writerow(["objective", code, axis, f"Objective {code}", f"Objetivo {code}"])
            for line in range(1, 4):
                writer.writerow(["line", f"{code}.{line}", code, f"Line {code}.{line}", f"Línea {code}.{line}"])
    return out.getvalue().encode()


@pytest.mark.slow
def test_a_plan_of_seven_axes_twenty_objectives_and_sixty_lines(world: World) -> None:
    coordinator = world.users[Role.COORDINATOR]
    strategy = act.do_create_strategy(
        coordinator, world.org_a, title_en="Plan 2017", country="PY", start_year=2017, end_year=2020
    )
    result = import_structure(coordinator, plan_csv(), "plan-2017.csv", strategy=strategy)
    assert not result.problems
    counts = {kind: strategy.elements.filter(kind=kind).count() for kind in ElementKind.values}
    assert counts == {"axis": 7, "objective": 20, "line": 60}
    # The whole shape goes into a version and into the document.
    version = version_act.do_create_version(coordinator, strategy)
    assert len(version.snapshot["elements"]) == 87
    assert len(snapshot.sections(version.snapshot)) == 4 + 87
    document = produce(strategy, "strategy", "es", "html").content.decode()
    assert "Línea 7.2.3" in document and "Eje 7" in document
