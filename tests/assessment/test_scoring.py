"""Scoring rules, worked by hand on a small framework: 3 factors (1.1, 1.2 in D1; 2.1 in D2),
each with the same number of indicators at each of the 5 stages."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from cyberplan.assessment.framework import Framework, load_framework
from cyberplan.assessment.scoring import (
    SCORING_RULES,
    StageCounts,
    all_indicators_cumulative,
    majority_cumulative,
    score_factor,
    score_framework,
    summarise,
)
from tests.assessment.support import CODES, document, write


@pytest.fixture
def two_per_stage(tmp_path: Path) -> Framework:
    return load_framework(write(tmp_path, document(per_stage=2)))


@pytest.fixture
def three_per_stage(tmp_path: Path) -> Framework:
    return load_framework(write(tmp_path, document(per_stage=3)))


def answers_for(factor: str, per_stage: list[list[str]]) -> dict[str, str]:
    """``per_stage[k]`` lists the answers to indicators 1, 2, ... at stage k+1."""
    return {
        f"{factor}.{code}{n}": answer
        for code, answers in zip(CODES, per_stage, strict=True)
        for n, answer in enumerate(answers, start=1)
    }


# --------------------------------------------------------------------------- the rules themselves


def counts(*rows: tuple[int, int, int, int]) -> list[StageCounts]:
    return [StageCounts(stage=n, met=m, partly=p, not_met=x, unknown=u) for n, (m, p, x, u) in enumerate(rows, 1)]


def test_rule_functions_on_counts() -> None:
    # stage:        1             2             3             4             5
    c = counts((2, 0, 0, 0), (2, 0, 0, 0), (1, 1, 0, 0), (2, 0, 0, 0), (0, 0, 2, 0))
    assert all_indicators_cumulative(c) == 2  # stage 3 has a partly: the rule stops at 2
    assert majority_cumulative(c) == 2  # 1 of 2 at stage 3 is not more than half
    c = counts((3, 0, 0, 0), (2, 0, 1, 0), (2, 0, 0, 1), (1, 1, 1, 0), (3, 0, 0, 0))
    assert all_indicators_cumulative(c) == 1
    assert majority_cumulative(c) == 3  # 3/3, 2/3, 2/3, then 1/3 stops it; stage 5 full does not count
    assert SCORING_RULES["all-indicators-cumulative"](counts((0, 0, 0, 0))) == 0  # a stage with nothing never counts


# --------------------------------------------------------------------------- the default rule, worked by hand


def test_all_met_up_to_established_gives_established(two_per_stage: Framework) -> None:
    answers = answers_for(
        "1.1",
        [["met", "met"], ["met", "met"], ["met", "met"], ["met", "not_met"], ["met", "met"]],
    )
    result = score_framework(two_per_stage, answers)["1.1"]
    assert result.rule == "all-indicators-cumulative"
    assert result.stage == 3  # Strategic has one not met; Dynamic fully met does not count above it
    assert result.at(4) == StageCounts(stage=4, met=1, partly=0, not_met=1, unknown=0, met_with_evidence=0)
    assert result.at(4).total == 2


def test_startup_not_all_met_stays_at_the_startup_floor(two_per_stage: Framework) -> None:
    answers = answers_for(
        "1.2",
        [["met", "partly"], ["met", "met"], ["met", "met"], ["met", "met"], ["met", "met"]],
    )
    result = score_framework(two_per_stage, answers)["1.2"]
    # "partly" does not count as met, so Formative is not reached; the CMM has no stage below Start-up.
    assert result.stage == 1
    assert (result.at(1).met, result.at(1).partly) == (1, 1)
    assert (result.assessed, result.indicators) == (10, 10)


def test_one_not_met_answer_is_enough_to_be_assessed_at_startup(two_per_stage: Framework) -> None:
    result = score_framework(two_per_stage, {"1.2.ST1": "not_met"})["1.2"]
    assert (result.stage, result.assessed) == (1, 1)
    # the majority rule has the same floor
    assert score_framework(two_per_stage, {"1.2.S1": "not_met"}, rule="majority-cumulative")["1.2"].stage == 1


def test_a_factor_without_a_definite_answer_is_not_assessed(two_per_stage: Framework) -> None:
    answers = {"1.1.S1": "unknown", "1.1.F2": "unknown"}
    results = score_framework(two_per_stage, answers)
    assert results["1.1"].stage is None and results["1.1"].assessed == 0
    assert results["1.2"].stage is None  # nothing answered at all
    partly = score_framework(two_per_stage, {"1.1.S1": "partly"})["1.1"]
    assert (partly.stage, partly.assessed) == (1, 1)  # partly is a definite answer: assessed, at the floor


def test_unknown_and_unanswered_do_not_count_as_met(two_per_stage: Framework) -> None:
    answers = {"2.1.S1": "met", "2.1.S2": "met", "2.1.F1": "met", "2.1.F2": "unknown"}
    result = score_framework(two_per_stage, answers)["2.1"]
    assert result.stage == 1
    assert result.at(2) == StageCounts(stage=2, met=1, unknown=1)
    assert result.at(3) == StageCounts(stage=3, unknown=2)  # never answered: unknown
    # a factor nobody answered is not assessed, with every indicator unknown
    untouched = score_framework(two_per_stage, answers)["1.1"]
    assert untouched.stage is None and untouched.assessed == 0
    assert [c.unknown for c in untouched.counts] == [2, 2, 2, 2, 2]


def test_everything_met_gives_dynamic(two_per_stage: Framework) -> None:
    answers = {i.id: "met" for i in two_per_stage.indicators()}
    assert {f: r.stage for f, r in score_framework(two_per_stage, answers).items()} == {"1.1": 5, "1.2": 5, "2.1": 5}


# --------------------------------------------------------------------------- the alternative rule, worked by hand


def test_majority_rule_with_three_indicators_per_stage(three_per_stage: Framework) -> None:
    answers = answers_for(
        "1.1",
        [
            ["met", "met", "not_met"],  # 2 of 3: more than half
            ["met", "partly", "met"],  # 2 of 3
            ["met", "unknown", "partly"],  # 1 of 3: stops here
            ["met", "met", "met"],
            ["met", "met", "met"],
        ],
    )
    assert score_framework(three_per_stage, answers, rule="majority-cumulative")["1.1"].stage == 2
    assert score_framework(three_per_stage, answers)["1.1"].stage == 1  # the default rule: Start-up not all met


def test_majority_rule_exactly_half_is_not_enough(two_per_stage: Framework) -> None:
    answers = answers_for("1.1", [["met", "not_met"]] + [["met", "met"]] * 4)
    assert score_framework(two_per_stage, answers, rule="majority-cumulative")["1.1"].stage == 1  # the floor


def test_the_framework_file_chooses_the_rule(tmp_path: Path) -> None:
    answers = answers_for(
        "1.1",
        [["met", "met", "not_met"], ["met", "met", "met"], ["met", "met", "met"], ["not_met"] * 3, ["met"] * 3],
    )
    default = load_framework(write(tmp_path, document(per_stage=3), "default.yaml"))
    majority = load_framework(write(tmp_path, document(per_stage=3, scoring="majority-cumulative"), "majority.yaml"))
    assert score_framework(default, answers)["1.1"].stage == 1
    result = score_framework(majority, answers)["1.1"]
    assert (result.stage, result.rule) == (3, "majority-cumulative")
    with pytest.raises(ValueError, match="unknown scoring rule 'median'"):
        score_framework(default, answers, rule="median")


# --------------------------------------------------------------------------- evidence


def test_evidence_coverage_and_claims_without_evidence(two_per_stage: Framework) -> None:
    answers = answers_for(
        "1.1",
        [["met", "met"], ["met", "partly"], ["not_met", "unknown"], ["met", "met"], ["partly", "not_met"]],
    )
    evidence = {"1.1.S1": True, "1.1.S2": True, "1.1.F1": False, "1.1.ST1": True, "1.1.E1": True}
    result = score_factor(two_per_stage, two_per_stage.factor("1.1"), answers, evidence)
    assert result.stage == 1
    assert result.at(1).evidence_coverage == Fraction(1)  # 2 met, both backed
    assert result.at(2).evidence_coverage == Fraction(0)  # 1 met, not backed
    assert result.at(3).evidence_coverage is None  # nothing met: no share to give
    assert result.at(4).evidence_coverage == Fraction(1, 2)
    assert result.at(4).met_with_evidence == 1
    # met or partly without evidence; not_met and unknown are not claims, evidence on them changes nothing
    assert result.claimed_without_evidence == ("1.1.F1", "1.1.F2", "1.1.ST2", "1.1.D1")


def test_evidence_never_changes_the_stage(two_per_stage: Framework) -> None:
    answers = {i.id: "met" for i in two_per_stage.factor("1.2").indicators}
    without = score_framework(two_per_stage, answers)["1.2"]
    with_all = score_framework(two_per_stage, answers, dict.fromkeys(answers, True))["1.2"]
    assert without.stage == with_all.stage == 5
    assert len(without.claimed_without_evidence) == 10
    assert with_all.claimed_without_evidence == ()


# --------------------------------------------------------------------------- dimension summaries


def test_dimension_summary_shows_the_distribution_without_averaging(two_per_stage: Framework) -> None:
    answers = answers_for("1.1", [["met", "met"]] * 4 + [["not_met", "met"]])  # 1.1 at stage 4
    answers |= answers_for("1.2", [["met", "met"], ["met", "unknown"]] + [["met", "met"]] * 3)  # 1.2 at stage 1
    summaries = summarise(two_per_stage, score_framework(two_per_stage, answers))
    d1 = summaries["D1"]
    assert d1.factor_stages == {"1.1": 4, "1.2": 1}
    assert d1.distribution == {1: 1, 2: 0, 3: 0, 4: 1, 5: 0}
    assert (d1.lowest, d1.highest, d1.not_assessed) == (1, 4, 0)
    assert not hasattr(d1, "mean")
    assert d1.unweighted_mean_stage() == 2.5  # only when asked for, by that name
    d2 = summaries["D2"]  # 2.1 not assessed: counted apart, never as a stage
    assert d2.factor_stages == {"2.1": None}
    assert d2.distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    assert (d2.lowest, d2.highest, d2.not_assessed) == (None, None, 1)
    assert d2.unweighted_mean_stage() is None


# --------------------------------------------------------------------------- bad input


def test_unknown_answers_and_indicators_are_refused(two_per_stage: Framework) -> None:
    with pytest.raises(
        ValueError, match=r"indicator 1\.1\.S1: answer 'yes' is not one of met, partly, not_met, unknown"
    ):
        score_framework(two_per_stage, {"1.1.S1": "yes"})
    with pytest.raises(ValueError, match=r"test-model@1 does not have: 9\.9\.S1"):
        score_framework(two_per_stage, {"9.9.S1": "met"})
    with pytest.raises(ValueError, match=r"evidence name indicators that test-model@1 does not have: 1\.1\.S7"):
        score_framework(two_per_stage, {"1.1.S1": "met"}, {"1.1.S7": True})


def test_the_shipped_model_scores_with_both_rules() -> None:
    model = load_framework()
    nothing = score_framework(model, {})
    assert len(nothing) == 23 and {r.stage for r in nothing.values()} == {None}
    everything = {i.id: "met" for i in model.indicators()}
    for rule in SCORING_RULES:
        assert {r.stage for r in score_framework(model, everything, rule=rule).values()} == {5}
    summaries = summarise(model, nothing)
    assert [s.not_assessed for s in summaries.values()] == [4, 5, 4, 4, 6]
    floor = score_framework(model, dict.fromkeys((i.id for i in model.indicators()), "not_met"))
    assert {r.stage for r in floor.values()} == {1}  # everything not met: every factor at Start-up, none below
