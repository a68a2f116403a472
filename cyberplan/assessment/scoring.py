"""Scoring rules: from answers per indicator to a stage per factor, without Django.

The rules themselves are in :mod:`cyberplan.assessment.rules`. The framework file names the rule it
uses (``scoring: all-indicators-cumulative``); another rule can be chosen by naming it there, or
by passing ``rule=`` to ``score_framework`` to compare. Every rule sees the same per-stage
counts and returns the highest stage it finds met (0 when not even the first).

The floor is the same for every rule, as in the CMM, which has no stage below Start-up:

- a factor with no **assessed** indicator (none answered met, partly or not met) has no stage:
  it is *not assessed* (``stage is None``), which is not the same as "nothing is met";
- a factor with at least one assessed indicator is at Start-up (1) at least.

How answers count (``met`` only; ``partly``, ``not_met`` and ``unknown`` do not) is set out in
:mod:`cyberplan.assessment.rules`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .framework import Dimension, Factor, Framework
from .rules import (
    ANSWERS,
    DEFAULT_RULE,
    SCORING_RULES,
    Answer,
    RuleFunction,
    ScoringRule,
    StageCounts,
    all_indicators_cumulative,
    majority_cumulative,
)

__all__ = [
    "ANSWERS",
    "DEFAULT_RULE",
    "SCORING_RULES",
    "Answer",
    "DimensionSummary",
    "FactorResult",
    "RuleFunction",
    "ScoringRule",
    "StageCounts",
    "all_indicators_cumulative",
    "floored",
    "majority_cumulative",
    "score_factor",
    "score_framework",
    "summarise",
    "summarise_dimension",
]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class FactorResult:
    factor_id: str
    stage: int | None  # 1..5; None = not assessed (no indicator answered met, partly or not met)
    rule: str
    counts: tuple[StageCounts, ...]  # one per stage, stage 1 first
    claimed_without_evidence: tuple[str, ...]  # indicator ids answered met or partly with no evidence

    def at(self, stage: int) -> StageCounts:
        return self.counts[stage - 1]

    @property
    def assessed(self) -> int:
        """How many of the factor's indicators have a definite answer (met, partly or not met)."""
        return sum(c.assessed for c in self.counts)

    @property
    def indicators(self) -> int:
        return sum(c.total for c in self.counts)


def floored(found: int, assessed: int) -> int | None:
    """The factor's stage from what a rule found: None when nothing was assessed, Start-up at least otherwise."""
    if assessed == 0:
        return None
    return max(1, found)


@dataclass(frozen=True)
class DimensionSummary:
    """The factor stages of one dimension, side by side: no hidden averaging.

    Factors not assessed keep their place in ``factor_stages`` (as ``None``) and are counted in
    ``not_assessed``; ``distribution``, ``lowest`` and ``highest`` read only the assessed ones
    (``lowest`` and ``highest`` are ``None`` when no factor of the dimension was assessed).
    """

    dimension_id: str
    factor_stages: dict[str, int | None]  # factor id -> stage (None: not assessed), in the framework's order
    distribution: dict[int, int]  # stage (1..5) -> number of assessed factors at that stage; every stage present
    not_assessed: int
    lowest: int | None
    highest: int | None

    def unweighted_mean_stage(self) -> float | None:
        """The arithmetic mean of the assessed factors' stages, every factor weighing the same.

        Only on request, and named for what it is: stages are ordinal, so a mean hides the
        spread that ``distribution``, ``lowest`` and ``highest`` show. ``None`` when no factor
        of the dimension was assessed.
        """
        known = [s for s in self.factor_stages.values() if s is not None]
        return sum(known) / len(known) if known else None


def _normalise(
    framework: Framework, answers: Mapping[str, str], evidence: Mapping[str, bool] | None
) -> tuple[dict[str, Answer], dict[str, bool]]:
    known = {i.id for i in framework.indicators()}
    for what, given in (("answers", answers), ("evidence", evidence or {})):
        unknown_ids = sorted(set(given) - known)
        if unknown_ids:
            raise ValueError(f"{what} name indicators that {framework.key} does not have: {', '.join(unknown_ids)}")
    out: dict[str, Answer] = {}
    for iid, answer in answers.items():
        if answer not in ANSWERS:
            raise ValueError(f"indicator {iid}: answer {answer!r} is not one of {', '.join(ANSWERS)}")
        out[iid] = answer
    return out, {iid: bool(has) for iid, has in (evidence or {}).items()}


def _rule(framework: Framework, rule: str | None) -> ScoringRule:
    name = rule or framework.scoring
    try:
        return SCORING_RULES[name]
    except KeyError:
        raise ValueError(f"unknown scoring rule {name!r} (known: {', '.join(sorted(SCORING_RULES))})") from None


def _score(
    framework: Framework, factor: Factor, given: Mapping[str, Answer], backed: Mapping[str, bool], rule: ScoringRule
) -> FactorResult:
    counts: list[StageCounts] = []
    claimed: list[str] = []
    for stage in framework.stages:
        tally = dict.fromkeys(ANSWERS, 0)
        met_with_evidence = 0
        for indicator in factor.indicators_at(stage.ordinal):
            answer = given.get(indicator.id, "unknown")
            tally[answer] += 1
            has_evidence = backed.get(indicator.id, False)
            if answer == "met" and has_evidence:
                met_with_evidence += 1
            if answer in ("met", "partly") and not has_evidence:
                claimed.append(indicator.id)
        counts.append(
            StageCounts(
                stage=stage.ordinal,
                met=tally["met"],
                partly=tally["partly"],
                not_met=tally["not_met"],
                unknown=tally["unknown"],
                met_with_evidence=met_with_evidence,
            )
        )
    return FactorResult(
        factor_id=factor.id,
        stage=floored(rule(counts), sum(c.assessed for c in counts)),
        rule=rule.name,
        counts=tuple(counts),
        claimed_without_evidence=tuple(claimed),
    )


def score_factor(
    framework: Framework,
    factor: Factor,
    answers: Mapping[str, str],
    evidence: Mapping[str, bool] | None = None,
    rule: str | None = None,
) -> FactorResult:
    """Score one factor. ``answers`` maps indicator ids to met, partly, not_met or unknown
    (a missing answer is unknown); ``evidence`` says which indicators have evidence attached.
    ``rule`` overrides the framework's own rule. Unknown indicator ids or answers raise ``ValueError``."""
    given, backed = _normalise(framework, answers, evidence)
    return _score(framework, factor, given, backed, _rule(framework, rule))


def score_framework(
    framework: Framework,
    answers: Mapping[str, str],
    evidence: Mapping[str, bool] | None = None,
    rule: str | None = None,
) -> dict[str, FactorResult]:
    """Score every factor of ``framework``; by default with the rule the framework names."""
    given, backed = _normalise(framework, answers, evidence)
    chosen = _rule(framework, rule)
    return {f.id: _score(framework, f, given, backed, chosen) for f in framework.factors()}


def summarise_dimension(
    framework: Framework, dimension: Dimension, results: Mapping[str, FactorResult]
) -> DimensionSummary:
    stages = {f.id: results[f.id].stage for f in dimension.factors}
    known = [s for s in stages.values() if s is not None]
    distribution = dict.fromkeys(range(1, len(framework.stages) + 1), 0)
    for stage in known:
        distribution[stage] += 1
    return DimensionSummary(
        dimension_id=dimension.id,
        factor_stages=stages,
        distribution=distribution,
        not_assessed=len(stages) - len(known),
        lowest=min(known) if known else None,
        highest=max(known) if known else None,
    )


def summarise(framework: Framework, results: Mapping[str, FactorResult]) -> dict[str, DimensionSummary]:
    return {d.id: summarise_dimension(framework, d, results) for d in framework.dimensions}
