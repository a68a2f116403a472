"""NCSI, indicator by indicator: the criteria file, its checks, and the page that lists, for an
assessment, the NCSI criteria its answers and public evidence support; benchmark snapshots and areas."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from django.urls import reverse

from cyberplan.assessment.actions import do_add_answer_evidence, do_answer_indicator
from cyberplan.assessment.benchmarks import DEFAULT_BENCHMARKS, BenchmarkError, load_benchmarks
from cyberplan.assessment.crosswalk import load_crosswalks
from cyberplan.assessment.framework import SHIPPED_FRAMEWORKS, load_framework
from cyberplan.assessment.models import Answer, Assessment
from cyberplan.assessment.ncsi import DEFAULT_NCSI_CRITERIA, NcsiCriteriaError, load_ncsi_criteria
from tests.assessment.support import write
from tests.conftest import World


def raw(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_shipped_criteria_match_one_indicator_each_in_every_shipped_version() -> None:
    for path in SHIPPED_FRAMEWORKS:
        model = load_framework(path)
        criteria = load_ncsi_criteria(model, load_crosswalks(model))
        assert criteria.version == "v2" and criteria.crosswalk.id == "ncsi-v2"
        by_id = {c.id: c for c in criteria.criteria}
        # NCSI v2 indicator 4.1 is the Budapest Convention (reference facts, ncsi.ega.ee/indicators)
        assert by_id["4.1"].indicator == "4.4.E1" and by_id["4.1"].area == "global-contribution"
        assert "Budapest" in model.indicator("4.4.E1").text.en
        indicators = [c.indicator for c in criteria.criteria]
        assert len(indicators) == len(set(indicators))


def test_a_broken_criteria_file_lists_every_problem(tmp_path: Path) -> None:
    doc = raw(DEFAULT_NCSI_CRITERIA)
    doc["crosswalk"] = "gci-2024"
    first = doc["criteria"][0]
    doc["criteria"].append({**first, "id": "4.2", "indicator": "9.9.S1", "area": "nowhere"})
    doc["criteria"].append({**first, "id": "4.3"})
    doc["criteria"][1]["criterion"] = {"en": "No Spanish."}
    model = load_framework()
    with pytest.raises(NcsiCriteriaError) as caught:
        load_ncsi_criteria(model, load_crosswalks(model), write(tmp_path, doc, "ncsi.yaml"))
    problems = [str(p) for p in caught.value.problems]
    assert "crosswalk: 'gci-2024' does not name NCSI v2: the area names must be of the same version" in problems
    assert "criteria[1].criterion.es: missing language 'es'" in problems
    assert "criteria[1].indicator: cyberplan-ncm@2026.2 has no indicator '9.9.S1'" in problems
    assert "criteria[2].indicator: 4.4.E1 already matches another criterion: the match must be one to one" in problems


def _page(world: World, assessment: Assessment, language: str) -> str:
    client = Client()
    client.force_login(world.users["coordinator"])
    client.cookies["cyberplan_language"] = language
    response = client.get(reverse("assessment:assessment_crosswalk", args=[assessment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _row(html: str, criterion: str) -> str:
    found = re.search(rf'<tr data-criterion="{re.escape(criterion)}">(.*?)</tr>', html, re.S)
    assert found is not None
    return found.group(1)


def test_the_page_lists_the_criteria_and_what_is_ready_to_submit(
    world: World, make_assessment: Callable[..., Assessment]
) -> None:
    assessment = make_assessment()
    row = _row(_page(world, assessment, "en"), "4.1")
    assert "4.4.E1" in row and "Contribution to global cyber security" in row
    assert re.search(r'data-value="ready">no<', row)
    answer = Answer.objects.get(assessment=assessment, indicator_id="4.4.E1")
    answer = do_answer_indicator(None, answer, None, value="met")
    do_add_answer_evidence(None, answer, kind="platform", label="Scanned copy <b>", url="/gaps/")
    row = _row(_page(world, assessment, "en"), "4.1")
    assert re.search(r'data-value="ready">no<', row)  # met, but a platform page is not public evidence
    do_add_answer_evidence(None, answer, kind="citation", label="Approval law", citation="Ley 5994/2017")
    html = _page(world, assessment, "en")
    row = _row(html, "4.1")
    assert "Approval law: Ley 5994/2017" in row and re.search(r'data-value="ready">yes<', row)
    assert "Scanned copy" not in row
    assert "1 of 1 criterion ready to submit." in html
    spanish = _row(_page(world, assessment, "es"), "4.1")
    assert "Contribución a la ciberseguridad mundial" in spanish and "Convenio de Budapest" in spanish


# --------------------------------------------------------------------------- benchmark snapshots and areas


def test_every_figure_names_its_snapshot_and_a_live_index_never_shares_one() -> None:
    figures = load_benchmarks()
    for f in figures:
        assert f.snapshot or len(f.candidates) >= 2, f
        assert f.source or f.candidates
    live = [(f.snapshot, f.country) for f in figures if f.framework == "ncsi" and f.snapshot]
    owners: dict[str, set[str]] = {}
    for snapshot, country in live:
        owners.setdefault(snapshot, set()).add(country)
    assert all(len(c) == 1 for c in owners.values())
    # NCSI 3.0: the reference facts do not say which of the three pages each figure is on
    chile = next(f for f in figures if (f.framework, f.edition, f.country, f.measure) == ("ncsi", "3.0", "CL", "score"))
    assert chile.snapshot is None and len(chile.candidates) == 3 and chile.source == ""


def test_an_area_figure_names_an_area_of_its_own_ncsi_version() -> None:
    model = load_framework()
    walks = load_crosswalks(model)
    with_area = [f for f in load_benchmarks() if f.area]
    assert with_area
    for f in with_area:
        walk_id, area = f.area.split(":")  # type: ignore[union-attr]
        assert walk_id == f"{f.framework}-{f.edition}"  # v2 figure, v2 names
        assert area in {t.id for t in walks.framework(walk_id).targets}


def test_a_shared_live_snapshot_or_a_figure_without_one_is_refused(tmp_path: Path) -> None:
    doc = raw(DEFAULT_BENCHMARKS)
    ncsi = [n for n, f in enumerate(doc["figures"]) if f.get("framework", "ncsi") == "ncsi" and "country" in f]
    paraguay = next(n for n, f in enumerate(doc["figures"]) if f.get("edition") == "v2")
    copy = dict(doc["figures"][paraguay], country="AR", measure="other")
    doc["figures"].append(copy)
    doc["figures"][0]["snapshot"] = None
    assert ncsi
    with pytest.raises(BenchmarkError) as caught:
        load_benchmarks(write(tmp_path, doc, "benchmarks.yaml"))
    problems = [str(p) for p in caught.value.problems]
    last = len(doc["figures"]) - 1
    assert any(p.startswith(f"figures[{last}].snapshot:") and "PY's snapshot" in p for p in problems), problems
    assert any(p.startswith("figures[0].snapshot: no snapshot") for p in problems), problems


def test_the_benchmark_page_shows_snapshots_and_the_v2_area_name(
    world: World, make_assessment: Callable[..., Assessment]
) -> None:
    client = Client()
    client.force_login(world.users["coordinator"])
    html = client.get(reverse("assessment:assessment_benchmark", args=[make_assessment().pk])).content.decode()
    assert "NCSI version 2 country page of Paraguay (py_2022), dated 2022-03-09" in html
    assert "area: Policy development (v2)" in html
    assert "Snapshot not recorded; one of:" in html and "version_id=1121" in html
