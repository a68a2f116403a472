"""Framework files: the shipped capacity model is complete, and broken files are refused with
messages that name the file, the place in the document and what is wrong."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from cyberplan.assessment.framework import (
    DEFAULT_FRAMEWORK,
    EVIDENCE_KINDS,
    INDICATOR_ID,
    SCHEMA,
    Framework,
    FrameworkError,
    load_framework,
)
from cyberplan.assessment.scoring import SCORING_RULES
from tests.assessment.support import document, indicator, write

FACTORS = {
    "1.1": "National Cybersecurity Strategy",
    "1.2": "Incident Response and Crisis Management",
    "1.3": "Critical Infrastructure (CI) Protection",
    "1.4": "Cybersecurity in Defence and National Security",
    "2.1": "Cybersecurity Mindset",
    "2.2": "Trust and Confidence in Online Services",
    "2.3": "User Understanding of Personal Information Protection Online",
    "2.4": "Reporting Mechanisms",
    "2.5": "Media and Online Platforms",
    "3.1": "Building Cybersecurity Awareness",
    "3.2": "Cybersecurity Education",
    "3.3": "Cybersecurity Professional Training",
    "3.4": "Cybersecurity Research and Innovation",
    "4.1": "Legal and Regulatory Provisions",
    "4.2": "Related Legislative Frameworks",
    "4.3": "Legal and Regulatory Capability and Capacity",
    "4.4": "Formal and Informal Cooperation Frameworks to Combat Cybercrime",
    "5.1": "Adherence to Standards",
    "5.2": "Security Controls",
    "5.3": "Software Quality",
    "5.4": "Communications and Internet Infrastructure Resilience",
    "5.5": "Cybersecurity Marketplace",
    "5.6": "Responsible Disclosure",
}


@pytest.fixture(scope="module")
def model() -> Framework:
    return load_framework()


# --------------------------------------------------------------------------- the shipped model


def test_model_has_five_dimensions_and_the_23_factors_numbered_as_in_the_2021_structure(model: Framework) -> None:
    assert [d.id for d in model.dimensions] == ["D1", "D2", "D3", "D4", "D5"]
    assert {f.id: f.name.en for f in model.factors()} == FACTORS
    assert [f.id for f in model.factors()] == list(FACTORS)  # in order, 1.1 to 5.6
    for dimension in model.dimensions:
        assert all(f.id.startswith(f"{dimension.number}.") for f in dimension.factors)
        assert dimension.name.en and dimension.name.es and dimension.name.en != dimension.name.es


def test_model_has_five_named_stages_in_both_languages(model: Framework) -> None:
    assert [(s.ordinal, s.code, s.name.en, s.name.es) for s in model.stages] == [
        (1, "S", "Start-up", "Inicial"),
        (2, "F", "Formative", "Formativa"),
        (3, "E", "Established", "Establecida"),
        (4, "ST", "Strategic", "Estratégica"),
        (5, "D", "Dynamic", "Dinámica"),
    ]
    assert model.scoring == "all-indicators-cumulative"
    assert model.key == "cyberplan-ncm@2026.2"


def test_model_completeness_every_factor_has_two_to_four_indicators_at_every_stage(model: Framework) -> None:
    per_factor_stage = Counter((i.factor_id, i.stage) for i in model.indicators())
    for factor_id in FACTORS:
        for stage in range(1, 6):
            assert 2 <= per_factor_stage[(factor_id, stage)] <= 4, (factor_id, stage)
    assert sum(per_factor_stage.values()) == len(list(model.indicators())) >= 23 * 5 * 2


def test_model_completeness_every_indicator_and_its_evidence_in_english_and_spanish(model: Framework) -> None:
    for ind in model.indicators():
        for text in (ind.text, ind.evidence):
            assert text.en.strip() and text.es.strip(), ind.id
            assert text.en != text.es, f"{ind.id}: the Spanish text is a copy of the English"
        assert ind.text.en.endswith("."), ind.id
        assert ind.text.es.endswith("."), ind.id
        assert set(ind.evidence_kinds) <= set(EVIDENCE_KINDS), ind.id
        assert ind.evidence_kinds, f"{ind.id} names no kind of evidence"


def test_model_identifiers_are_unique_and_well_formed(model: Framework) -> None:
    ids = [i.id for i in model.indicators()]
    assert len(ids) == len(set(ids))
    codes = {s.ordinal: s.code for s in model.stages}
    for ind in model.indicators():
        match = INDICATOR_ID.match(ind.id)
        assert match is not None, ind.id
        assert match["factor"] == ind.factor_id
        assert match["stage"] == codes[ind.stage]
        assert int(match["number"]) == ind.number
    # numbers rise within each factor and stage; an indicator moved away leaves its number unused
    # (docs/reference/capacity-model.md lists the moves), so an identifier never changes meaning
    numbers: dict[tuple[str, int], list[int]] = {}
    for ind in model.indicators():
        numbers.setdefault((ind.factor_id, ind.stage), []).append(ind.number)
    assert all(n == sorted(set(n)) and n[-1] <= 5 for n in numbers.values())


def test_model_spanish_uses_the_domain_vocabulary(model: Framework) -> None:
    spanish = " ".join(i.text.es + " " + i.evidence.es for i in model.indicators())
    for word in ("ciberseguridad", "CSIRT nacional", "infraestructura crítica", "Convenio de Budapest", "decreto"):
        assert word in spanish
    assert "cybersecurity" not in spanish.lower()


def test_model_lookups(model: Framework) -> None:
    assert model.factor("4.4").name.es == "Marcos de Cooperación Formal e Informal para Combatir la Ciberdelincuencia"
    assert model.indicator("4.4.E1").text.get("es").startswith("El país es Parte del Convenio de Budapest")
    assert model.indicator("4.4.E1").text.get("en-GB").startswith("The country is a Party")
    assert [i.id for i in model.factor("1.1").indicators_at(3)] == ["1.1.E1", "1.1.E2", "1.1.E3"]
    assert model.stage(4).name.en == "Strategic"
    assert DEFAULT_FRAMEWORK.name == "cyberplan-ncm-2026-2.yaml"


def test_a_valid_small_framework_loads(tmp_path: Path) -> None:
    framework = load_framework(write(tmp_path, document()))
    assert [f.id for f in framework.factors()] == ["1.1", "1.2", "2.1"]
    assert len(list(framework.indicators())) == 3 * 5 * 2


# --------------------------------------------------------------------------- broken files


def problems_of(tmp_path: Path, doc: Any) -> list[str]:
    path = write(tmp_path, doc)
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    error = caught.value
    assert error.file == str(path)
    assert str(error).startswith(f"{path}: {len(error.problems)} problem(s)")
    assert all(line.startswith(f"  {path}: ") for line in str(error).splitlines()[1:])
    return [str(p) for p in error.problems]


def test_malformed_yaml_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: test\nversion: '1'\nstages: [\n  - ordinal: 1\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    (problem,) = caught.value.problems
    assert re.match(r"malformed YAML at line \d+, column \d+: ", problem.message)
    assert str(path) in str(caught.value)


def test_a_key_written_twice_is_refused_with_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    path.write_text("id: a\nversion: '1'\nid: b\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    assert "found the key 'id' twice (first on line 1)" in str(caught.value)
    assert "line 3" in str(caught.value)


def test_a_file_that_is_not_a_mapping_or_missing(tmp_path: Path) -> None:
    assert problems_of(tmp_path, ["a", "list"]) == ["(document): expected a mapping, found a list"]
    with pytest.raises(FrameworkError, match="cannot be read"):
        load_framework(tmp_path / "absent.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"\(document\): expected a mapping, found nothing"):
        load_framework(empty)
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("title: {es: Estrat\u00e9gica}".encode("latin-1"))
    with pytest.raises(FrameworkError, match="is not UTF-8 text"):
        load_framework(latin1)


def test_missing_stage(tmp_path: Path) -> None:
    doc = document()
    del doc["stages"][2]
    problems = problems_of(tmp_path, doc)
    assert "stages: stage 3 is missing (a framework has exactly 5 stages, 1 to 5)" in problems
    # with the stages broken, the indicators' stages are not reported again
    assert not any("unknown stage" in p for p in problems)


def test_extra_stage(tmp_path: Path) -> None:
    doc = document()
    doc["stages"].append({"ordinal": 6, "code": "X", "name": {"en": "Beyond", "es": "Más allá"}})
    problems = problems_of(tmp_path, doc)
    assert "stages[5].ordinal: expected a whole number from 1 to 5, found 6" in problems
    assert "stages: 6 stages given; a framework has exactly 5" in problems


def test_stage_order(tmp_path: Path) -> None:
    doc = document()
    doc["stages"][1], doc["stages"][2] = doc["stages"][2], doc["stages"][1]
    assert problems_of(tmp_path, doc) == [
        "stages: stages must be listed in order 1 to 5; found the order [1, 3, 2, 4, 5]"
    ]


def test_duplicate_stage_ordinal_and_code(tmp_path: Path) -> None:
    doc = document()
    doc["stages"][4]["ordinal"] = 4
    doc["stages"][4]["code"] = "ST"
    problems = problems_of(tmp_path, doc)
    assert "stages[4].ordinal: duplicate stage ordinal 4" in problems
    assert "stages[4].code: duplicate stage code 'ST'" in problems
    assert "stages: stage 5 is missing (a framework has exactly 5 stages, 1 to 5)" in problems


def test_duplicate_identifiers_anywhere(tmp_path: Path) -> None:
    doc = document()
    doc["dimensions"][1]["id"] = "D1"  # a dimension twice
    doc["dimensions"][0]["factors"][1]["id"] = "1.1"  # a factor twice
    doc["dimensions"][1]["factors"][0]["indicators"][1] = indicator("2.1", "S", 1)  # an indicator twice
    problems = problems_of(tmp_path, doc)
    assert "dimensions[1].id: duplicate identifier 'D1' (first used at dimensions[0].id)" in problems
    assert (
        "dimensions[0].factors[1].id: duplicate identifier '1.1' (first used at dimensions[0].factors[0].id)"
        in problems
    )
    assert (
        "dimensions[1].factors[0].indicators[1].id: duplicate identifier '2.1.S1' "
        "(first used at dimensions[1].factors[0].indicators[0].id)"
    ) in problems


def test_indicator_id_that_does_not_match_its_factor_or_stage(tmp_path: Path) -> None:
    doc = document()
    indicators = doc["dimensions"][0]["factors"][0]["indicators"]
    indicators[0]["id"] = "1.2.S9"  # in factor 1.1
    indicators[3]["id"] = "1.1.E7"  # at stage F
    indicators[4]["id"] = "1-1-E1"
    problems = problems_of(tmp_path, doc)
    assert "dimensions[0].factors[0].indicators[0].id: indicator '1.2.S9' does not match its factor '1.1'" in problems
    assert "dimensions[0].factors[0].indicators[3].id: indicator '1.1.E7' does not match its stage 'F'" in problems
    assert (
        "dimensions[0].factors[0].indicators[4].id: '1-1-E1' is not an indicator identifier like '1.1.E2' "
        "(factor, stage code, number)"
    ) in problems


def test_factor_in_the_wrong_dimension_and_unquoted_factor_id(tmp_path: Path) -> None:
    doc = document()
    doc["dimensions"][1]["factors"][0]["id"] = "3.1"
    doc["dimensions"][0]["factors"][0]["id"] = 1.1
    problems = problems_of(tmp_path, doc)
    assert "dimensions[1].factors[0].id: factor '3.1' does not belong to dimension 'D2'" in problems
    assert "dimensions[0].factors[0].id: write the factor identifier as a quoted text, e.g. '1.1'" in problems


def test_factor_without_indicators_at_a_stage(tmp_path: Path) -> None:
    doc = document()
    factor = doc["dimensions"][0]["factors"][1]
    factor["indicators"] = [i for i in factor["indicators"] if i["stage"] != "ST"]
    assert problems_of(tmp_path, doc) == [
        "dimensions[0].factors[1].indicators: factor '1.2' has no indicators at stage 4 (Strategic, code ST)"
    ]


def test_missing_language_names_the_exact_path(tmp_path: Path) -> None:
    doc = document()
    del doc["dimensions"][1]["factors"][0]["indicators"][4]["text"]["es"]
    doc["dimensions"][0]["factors"][1]["indicators"][2]["evidence"]["en"] = "  "
    doc["title"]["pt"] = "Modelo de teste"
    problems = problems_of(tmp_path, doc)
    assert "dimensions[1].factors[0].indicators[4].text.es: missing language 'es'" in problems
    assert (
        "dimensions[0].factors[1].indicators[2].evidence.en: expected a non-empty text, found an empty text" in problems
    )
    assert "title.pt: unexpected language 'pt' (expected en, es)" in problems


def test_unknown_scoring_rule(tmp_path: Path) -> None:
    assert problems_of(tmp_path, document(scoring="average-of-everything")) == [
        "scoring: unknown scoring rule 'average-of-everything' (known: all-indicators-cumulative, majority-cumulative)"
    ]


def test_unknown_evidence_kind(tmp_path: Path) -> None:
    doc = document()
    doc["dimensions"][0]["factors"][0]["indicators"][1]["evidence_kinds"] = ["legal_act", "rumour", "legal_act"]
    problems = problems_of(tmp_path, doc)
    assert problems[0].startswith(
        "dimensions[0].factors[0].indicators[1].evidence_kinds[1]: unknown evidence kind 'rumour' (known: legal_act,"
    )
    assert (
        problems[1]
        == "dimensions[0].factors[0].indicators[1].evidence_kinds[2]: evidence kind 'legal_act' listed twice"
    )


def test_missing_and_unexpected_keys(tmp_path: Path) -> None:
    doc = document()
    del doc["source_note"]
    doc["dimensions"][0]["factors"][0]["indicators"][0]["weight"] = 3
    doc["version"] = 2026
    problems = problems_of(tmp_path, doc)
    assert "source_note: missing" in problems
    assert "dimensions[0].factors[0].indicators[0].weight: unexpected key 'weight'" in problems
    assert "version: write the version as a quoted text, e.g. '2026'" in problems


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    doc = document(scoring="nope")
    del doc["stages"][0]["name"]["es"]
    doc["dimensions"][0]["factors"][0]["indicators"][0]["evidence_kinds"] = ["gossip"]
    doc["dimensions"][1]["factors"][0]["indicators"][9]["id"] = "2.1.S2"
    problems = problems_of(tmp_path, doc)
    assert len(problems) >= 4
    assert any(p.startswith("scoring:") for p in problems)
    assert any(p.startswith("stages[0].name.es: missing language") for p in problems)
    assert any("unknown evidence kind 'gossip'" in p for p in problems)
    assert any(p.startswith("dimensions[1].factors[0].indicators[9].id:") for p in problems)


def test_the_reference_page_gives_the_model_s_real_counts(model: Framework) -> None:
    page = (Path(__file__).parents[2] / "docs" / "reference" / "capacity-model.md").read_text(encoding="utf-8")
    total = len(list(model.indicators()))
    assert f"23 factors, 5 stages, {total} indicators" in page
    for dimension in model.dimensions:
        count = sum(len(f.indicators) for f in dimension.factors)
        row = next(line for line in page.splitlines() if line.startswith(f"| {dimension.id} "))
        assert row.endswith(f"| {count} |"), dimension.id


# --------------------------------------------------------------------------- the JSON Schema shipped beside the data


@pytest.mark.slow
def test_the_json_schema_accepts_the_model_and_agrees_with_the_loader(tmp_path: Path) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    validator.check_schema(schema)
    shipped = yaml.safe_load(DEFAULT_FRAMEWORK.read_text(encoding="utf-8"))
    assert list(validator.iter_errors(shipped)) == []
    assert validator.is_valid(document())
    assert schema["properties"]["scoring"]["enum"] == list(SCORING_RULES)
    assert schema["$defs"]["indicator"]["properties"]["evidence_kinds"]["items"]["enum"] == list(EVIDENCE_KINDS)
    broken = document()
    broken["dimensions"][0]["factors"][0]["indicators"][0]["evidence_kinds"] = ["rumour"]
    del broken["dimensions"][0]["factors"][0]["indicators"][1]["text"]["es"]
    assert len(list(validator.iter_errors(broken))) == 2
