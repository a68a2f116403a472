"""Crosswalks to other frameworks and the published peer-benchmark figures: the shipped files are
valid, and broken ones are refused with messages that say where and what."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from cyberplan.assessment.benchmarks import DEFAULT_BENCHMARKS, BenchmarkError, load_benchmarks
from cyberplan.assessment.crosswalk import DEFAULT_CROSSWALKS, CrosswalkError, Crosswalks, express, load_crosswalks
from cyberplan.assessment.framework import Framework, load_framework
from tests.assessment.support import write


@pytest.fixture(scope="module")
def model() -> Framework:
    return load_framework()


@pytest.fixture(scope="module")
def crosswalks(model: Framework) -> Crosswalks:
    return load_crosswalks(model)


def raw(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- crosswalks


def test_crosswalk_targets_are_the_published_structures(crosswalks: Crosswalks) -> None:
    gci = crosswalks.framework("gci-2024")
    assert [t.name for t in gci.targets] == [
        "Legal",
        "Technical",
        "Organizational",
        "Capacity Development",
        "Cooperation",
    ]
    ncsi = crosswalks.framework("ncsi-v2")
    assert len(ncsi.targets) == 12
    assert "version 2" in ncsi.note  # the file says which capacity names it uses
    ncaf = crosswalks.framework("enisa-ncaf-2020")
    assert len(ncaf.targets) == 17
    groups = {t.group for t in ncaf.targets}
    assert groups == {
        "I Governance and standards",
        "II Capacity-building and awareness",
        "III Legal and regulatory",
        "IV Cooperation",
    }
    assert {t.id for t in ncaf.targets if t.basis == "verified"} == {"supply-chain", "digital-identity-trust"}
    for target_framework in crosswalks.frameworks:
        assert target_framework.sources and all(s.startswith("https://") for s in target_framework.sources)


def test_every_factor_is_mapped_and_every_target_is_fed(model: Framework, crosswalks: Crosswalks) -> None:
    assert set(crosswalks.mappings) == {f.id for f in model.factors()}
    for factor_id, per_framework in crosswalks.mappings.items():
        assert set(per_framework) == {"gci-2024", "ncsi-v2", "enisa-ncaf-2020"}, factor_id
        assert per_framework["gci-2024"], f"{factor_id} feeds no GCI pillar"
    for target_framework in crosswalks.frameworks:
        for view in express(crosswalks, target_framework.id, {}):
            assert view.factor_stages, f"{target_framework.id}/{view.target.id} is fed by no factor"
    assert crosswalks.targets_of("4.4", "ncsi-v2") == ("global-contribution", "fight-against-cybercrime")
    assert crosswalks.targets_of("1.4", "enisa-ncaf-2020") == ()


def test_express_lists_factors_and_their_stages_without_converting(crosswalks: Crosswalks) -> None:
    stages = {"4.1": 3, "4.2": 1, "4.3": 2, "1.3": 0}
    views = {v.target.id: v for v in express(crosswalks, "gci-2024", stages)}
    assert list(views) == ["legal", "technical", "organizational", "capacity-development", "cooperation"]
    legal = views["legal"]
    assert legal.factor_stages == {"1.3": 0, "4.1": 3, "4.2": 1, "4.3": 2}
    assert (legal.lowest, legal.highest) == (0, 3)
    cooperation = views["cooperation"]
    assert cooperation.factor_stages == {"1.2": None, "4.4": None}  # not assessed: no stage, not zero
    assert (cooperation.lowest, cooperation.highest) == (None, None)
    with pytest.raises(KeyError, match="no crosswalk to 'cmm-2016'"):
        express(crosswalks, "cmm-2016", stages)


def test_broken_crosswalk_files_are_refused(tmp_path: Path, model: Framework) -> None:
    doc = copy.deepcopy(raw(DEFAULT_CROSSWALKS))
    del doc["mappings"]["5.6"]
    doc["mappings"]["9.9"] = {"gci-2024": [], "ncsi-v2": [], "enisa-ncaf-2020": []}
    doc["mappings"][3.1] = doc["mappings"].pop("3.1")
    doc["mappings"]["1.1"]["gci-2024"] = ["organizational", "diplomacy"]
    doc["mappings"]["1.2"]["ncsi-v2"] = ["incident-response", "incident-response"]
    doc["mappings"]["2.1"]["itu"] = []
    doc["frameworks"][0]["sources"] = ["a note, not an address"]
    path = write(tmp_path, doc, "crosswalks.yaml")
    with pytest.raises(CrosswalkError) as caught:
        load_crosswalks(model, path)
    problems = [str(p) for p in caught.value.problems]
    assert "mappings: factor '5.6' is not mapped" in problems
    assert "mappings.9.9: unknown factor '9.9' (write factor identifiers as quoted text, e.g. '1.1')" in problems
    assert "mappings.3.1: unknown factor 3.1 (write factor identifiers as quoted text, e.g. '1.1')" in problems
    assert "mappings: factor '3.1' is not mapped" in problems
    assert "mappings.1.1.gci-2024[1]: unknown target 'diplomacy' of 'gci-2024'" in problems
    assert "mappings.1.2.ncsi-v2[1]: target 'incident-response' listed twice" in problems
    assert "mappings.2.1.itu: unexpected key 'itu'" in problems
    assert "frameworks[0].sources[0]: expected a web address, found 'a note, not an address'" in problems
    assert str(path) in str(caught.value)


def test_crosswalk_for_another_model_is_refused(tmp_path: Path, model: Framework) -> None:
    doc = raw(DEFAULT_CROSSWALKS)
    doc["model"] = "cmm-2021"
    with pytest.raises(
        CrosswalkError, match="the crosswalk starts from 'cmm-2021', not from the framework 'cyberplan-ncm'"
    ):
        load_crosswalks(model, write(tmp_path, doc))


# --------------------------------------------------------------------------- benchmarks


def test_benchmark_figures_are_external_and_sourced() -> None:
    figures = load_benchmarks()
    assert figures and all(f.external for f in figures)
    assert all(f.source.startswith(("https://", "http://")) or f.candidates for f in figures)
    assert all(f.date is not None or f.note for f in figures)
    by_key = {(f.framework, f.edition, f.country, f.measure): f for f in figures}
    assert by_key[("itu-gci", "2024", "PY", "tier")].value == "T3"
    assert by_key[("itu-gci", "2024", "BR", "tier")].value == "T1"
    assert by_key[("itu-gci", "2020", "PY", "legal-pillar-score")].value == 10.41
    assert by_key[("itu-gci", "2020", "PY", "legal-pillar-score")].maximum == 20
    assert by_key[("ncsi", "3.0", "CL", "score")].value == 85.0
    paraguay_v2 = by_key[("ncsi", "v2", "PY", "policy-development-points")]
    assert (paraguay_v2.value, paraguay_v2.maximum, paraguay_v2.date) == (7, 7, "2022-03-09")
    tiers = [f for f in figures if f.measure == "tier"]
    assert len(tiers) == 16 and {f.value for f in tiers} == {"T1", "T2", "T3", "T4"}


def test_broken_benchmark_files_are_refused(tmp_path: Path) -> None:
    doc = raw(DEFAULT_BENCHMARKS)
    doc["figures"][0]["external"] = False
    doc["figures"][1]["country"] = "Ecuador"
    doc["figures"][2]["date"] = "last spring"
    del doc["figures"][3]["source"]
    doc["figures"][4]["note"] = None
    doc["figures"][4]["date"] = None
    doc["figures"][5]["framework"] = "cmm"
    doc["figures"][7]["value"] = "Tier 2"
    doc["figures"].append(dict(doc["figures"][6]))
    path = write(tmp_path, doc, "benchmarks.yaml")
    with pytest.raises(BenchmarkError) as caught:
        load_benchmarks(path)
    problems = [str(p) for p in caught.value.problems]
    assert "figures[0].external: published figures must be marked 'external: true'" in problems
    assert "figures[1].country: expected an ISO 3166-1 alpha-2 code such as 'PY', found 'Ecuador'" in problems
    assert "figures[2].date: expected a quoted ISO date (YYYY, YYYY-MM or YYYY-MM-DD), found 'last spring'" in problems
    assert "figures[3].source: expected the web address of the source, found None" in problems
    assert "figures[4].date: no date: give the date, or a note saying why the source gives none" in problems
    assert "figures[5].framework: unknown framework 'cmm' (known: itu-gci, ncsi)" in problems
    assert f"figures[{len(doc['figures']) - 1}]: the same figure is already given at figures[6]" in problems
    assert "figures[7].value: a tier is written T1 to T5, found 'Tier 2'" in problems
