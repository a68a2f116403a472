"""The 2026.2 review of the model: indicators moved to the stage they belong to, countable wording,
stage meanings, and the earlier version kept whole for the assessments made on it."""

from __future__ import annotations

import re

import pytest

from cyberplan.assessment.framework import DEFAULT_FRAMEWORK, SHIPPED_FRAMEWORKS, Framework, load_framework
from cyberplan.assessment.scoring import score_framework

#: indicator of 2026.1 -> (its successor in 2026.2, the successor's stage)
MOVES = {
    "1.2.S3": ("1.3.E4", 3),  # operators' own incident teams: critical infrastructure, Established
    "1.2.ST1": ("1.2.E4", 3),  # membership of CSIRTAmericas or FIRST follows a CSIRT created by an official act
    "4.4.ST1": ("4.4.E4", 3),  # signing CETS 224, beside being a Party to ETS 185
    "5.2.F2": ("5.2.E4", 3),  # notifying institutions from external feeds is a CSIRT in regular operation
}
VAGUE = re.compile(r"\b(some|several|algun[oa]s?|vari[oa]s)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def new() -> Framework:
    return load_framework()


@pytest.fixture(scope="module")
def old() -> Framework:
    return load_framework(SHIPPED_FRAMEWORKS[0])


def test_both_shipped_versions_load_and_the_newest_is_the_default(old: Framework, new: Framework) -> None:
    assert (old.key, new.key) == ("cyberplan-ncm@2026.1", "cyberplan-ncm@2026.2")
    assert SHIPPED_FRAMEWORKS[-1] == DEFAULT_FRAMEWORK
    assert [f.id for f in old.factors()] == [f.id for f in new.factors()]


def test_moved_indicators_leave_their_identifier_unused_and_sit_at_their_new_stage(
    old: Framework, new: Framework
) -> None:
    new_ids = {i.id for i in new.indicators()}
    for before, (after, stage) in MOVES.items():
        assert before in {i.id for i in old.indicators()}
        assert before not in new_ids, f"{before} must not be reused in 2026.2"
        moved = new.indicator(after)
        assert moved.stage == stage and moved.text.en.endswith(".") and moved.text.es.endswith(".")
        assert after not in {i.id for i in old.indicators()}  # a new identifier, never an old one reused
    assert "CSIRTAmericas" in new.indicator("1.2.E4").text.en
    assert "CETS 224" in new.indicator("4.4.E4").text.en and "STCE 224" in new.indicator("4.4.E4").text.es
    ratified = new.indicator("4.4.ST4")
    assert ratified.stage == 4 and "ratified" in ratified.text.en and "ratificó" in ratified.text.es


def test_start_up_and_formative_indicators_are_countable(new: Framework) -> None:
    vague = [(i.id, t) for i in new.indicators() for t in (i.text.en, i.text.es) if VAGUE.search(t)]
    assert vague == []
    # the old version had them: the test would fail on it
    assert any(VAGUE.search(i.text.en) for i in load_framework(SHIPPED_FRAMEWORKS[0]).indicators())


def test_a_national_csirt_created_by_decree_reaches_formative_without_private_teams(
    old: Framework, new: Framework
) -> None:
    answers = dict.fromkeys(("1.2.S1", "1.2.S2", "1.2.F1", "1.2.F2", "1.2.F3"), "met")
    assert score_framework(new, answers)["1.2"].stage == 2
    # on 2026.1 the banks' own incident staff (1.2.S3) held the same country at the floor
    assert score_framework(old, answers)["1.2"].stage == 1


def test_a_party_to_budapest_that_signed_cets_224_is_not_held_back_by_ratification(new: Framework) -> None:
    below = [i.id for s in (1, 2, 3) for i in new.factor("4.4").indicators_at(s)]
    assert "4.4.E4" in below and "4.4.ST4" not in below
    answers = dict.fromkeys(below, "met") | {"4.4.ST4": "not_met"}
    assert score_framework(new, answers)["4.4"].stage == 3


def test_every_stage_says_what_it_means_in_both_languages(new: Framework) -> None:
    for stage in new.stages:
        assert stage.meaning is not None
        assert stage.meaning.en.strip() and stage.meaning.es.strip() and stage.meaning.en != stage.meaning.es
    assert "floor" in new.stage(1).meaning.en  # type: ignore[union-attr]
