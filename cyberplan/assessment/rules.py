"""Scoring rules: from the answers to one factor's indicators, stage by stage, to the factor's stage.

A rule is a named, documented function that sees the answers counted per stage and returns the
highest stage it finds met, from 0 (not even the first stage's indicators are all met) to 5. The rule
does not decide the floor: :mod:`cyberplan.assessment.scoring` gives a factor with at least one
assessed indicator Start-up (1) at least, as the CMM has no stage below Start-up, and a factor with
no assessed indicator no stage at all ("not assessed"). A framework file names the rule it uses, and
the framework checks that name against :data:`SCORING_RULES`; :mod:`cyberplan.assessment.scoring`
applies the rule to a framework's answers.

How answers count, for every rule:

- ``met`` counts as met;
- ``partly`` does **not** count as met (it is reported in its own column, so an assessor
  can see how close a stage is);
- ``not_met`` does not count as met;
- ``unknown`` does not count as met: a stage is never awarded on what nobody checked. An
  indicator with no answer at all is counted as ``unknown``.

An indicator is **assessed** when its answer is ``met``, ``partly`` or ``not_met``; ``unknown`` and
no answer leave it unassessed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

Answer = Literal["met", "partly", "not_met", "unknown"]
ANSWERS: tuple[Answer, ...] = ("met", "partly", "not_met", "unknown")


@dataclass(frozen=True)
class StageCounts:
    """The answers to one factor's indicators at one stage."""

    stage: int
    met: int = 0
    partly: int = 0
    not_met: int = 0
    unknown: int = 0
    met_with_evidence: int = 0

    @property
    def total(self) -> int:
        return self.met + self.partly + self.not_met + self.unknown

    @property
    def assessed(self) -> int:
        """Indicators of this stage with a definite answer (met, partly or not met)."""
        return self.met + self.partly + self.not_met

    @property
    def all_met(self) -> bool:
        return self.total > 0 and self.met == self.total

    @property
    def evidence_coverage(self) -> Fraction | None:
        """Share of the ``met`` answers backed by evidence; ``None`` when nothing is met."""
        return Fraction(self.met_with_evidence, self.met) if self.met else None


RuleFunction = Callable[[Sequence[StageCounts]], int]


@dataclass(frozen=True)
class ScoringRule:
    name: str
    description: str
    function: RuleFunction

    def __call__(self, counts: Sequence[StageCounts]) -> int:
        return self.function(counts)


def _cumulative(counts: Sequence[StageCounts], reached: Callable[[StageCounts], bool]) -> int:
    stage = 0
    for c in sorted(counts, key=lambda c: c.stage):
        if not reached(c):
            break
        stage = c.stage
    return stage


def all_indicators_cumulative(counts: Sequence[StageCounts]) -> int:
    """The stage is the highest stage whose indicators, and those of every lower stage, are all met.

    If the first stage's own indicators are not all met, the rule finds no stage (0); scoring then
    gives an assessed factor the floor, Start-up. A stage met in full above an unmet one does not
    count: stages are cumulative.
    """
    return _cumulative(counts, lambda c: c.all_met)


def majority_cumulative(counts: Sequence[StageCounts]) -> int:
    """The stage is the highest stage at which more than half of the indicators are met, and
    more than half are met at every lower stage too.

    Exactly half is not enough (2 of 4 does not reach the stage). A gentler rule for early
    self-assessments; it is cumulative in the same way as ``all-indicators-cumulative``.
    """
    return _cumulative(counts, lambda c: c.total > 0 and 2 * c.met > c.total)


SCORING_RULES: dict[str, ScoringRule] = {
    rule.name: rule
    for rule in (
        ScoringRule(
            "all-indicators-cumulative",
            "Highest stage whose indicators, and those of every lower stage, are all met; Start-up at least once assessed.",
            all_indicators_cumulative,
        ),
        ScoringRule(
            "majority-cumulative",
            "Highest stage at which more than half of the indicators are met, and at every lower stage too; Start-up at least once assessed.",
            majority_cumulative,
        ),
    )
}
DEFAULT_RULE = "all-indicators-cumulative"
