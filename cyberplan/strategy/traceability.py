"""From evidence to action: which gaps the plan covers, which it does not, and what to do about them.

``coverage`` is the traceability matrix (gaps without an action, actions without a gap, each
link). ``suggestions`` proposes a candidate action for each uncovered gap with the reason in
plain words, placed under the axis whose focus area matches the gap's source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import override

from cyberplan.assessment.models import Assessment
from cyberplan.assessment.results import score_assessment
from cyberplan.gaps.choices import GapSource, GapStatus
from cyberplan.gaps.models import Gap

from .choices import ElementKind, FocusArea
from .models import Action, ActionGap, Element, Strategy

# The focus area that usually covers each factor of the shipped capacity model.
FACTOR_FOCUS: dict[str, str] = {
    "1.1": FocusArea.GOVERNANCE,
    "1.2": FocusArea.PREPAREDNESS,
    "1.3": FocusArea.CRITICAL_INFRASTRUCTURE,
    "1.4": FocusArea.PREPAREDNESS,
    "2.1": FocusArea.CAPACITY,
    "2.2": FocusArea.CAPACITY,
    "2.3": FocusArea.CAPACITY,
    "2.4": FocusArea.PREPAREDNESS,
    "2.5": FocusArea.CAPACITY,
    "3.1": FocusArea.CAPACITY,
    "3.2": FocusArea.CAPACITY,
    "3.3": FocusArea.CAPACITY,
    "3.4": FocusArea.CAPACITY,
    "4.1": FocusArea.LEGISLATION,
    "4.2": FocusArea.LEGISLATION,
    "4.3": FocusArea.LEGISLATION,
    "4.4": FocusArea.COOPERATION,
    "5.1": FocusArea.RISK,
    "5.2": FocusArea.RISK,
    "5.3": FocusArea.RISK,
    "5.4": FocusArea.CRITICAL_INFRASTRUCTURE,
    "5.5": FocusArea.RISK,
    "5.6": FocusArea.RISK,
}
SOURCE_FOCUS: dict[str, str] = {
    GapSource.THREAT_TREND: FocusArea.PREPAREDNESS,
    GapSource.LEGAL: FocusArea.LEGISLATION,
    GapSource.TRAINING: FocusArea.CAPACITY,
}


def strategy_gaps(strategy: Strategy, visible: QuerySet[Gap]) -> QuerySet[Gap]:
    """The gaps of the strategy's owner organisation that the reader may see."""
    return visible.filter(organisation_id=strategy.organisation_id).order_by("identifier")


@dataclass
class Coverage:
    gaps: list[Gap]
    actions: list[Action]
    links: dict[int, list[int]]  # gap id -> action ids
    uncovered: list[Gap]  # open gaps without an action
    unjustified: list[Action]  # actions citing no gap
    covered_open: int
    open_total: int

    @property
    def percent(self) -> int:
        return round(100 * self.covered_open / self.open_total) if self.open_total else 100

    def actions_of(self, gap: Gap) -> list[Action]:
        wanted = set(self.links.get(gap.pk, []))
        return [a for a in self.actions if a.pk in wanted]


def coverage(strategy: Strategy, visible: QuerySet[Gap]) -> Coverage:
    gaps = list(strategy_gaps(strategy, visible))
    actions = list(
        Action.objects.filter(strategy=strategy).select_related("parent", "lead").order_by("order", "code", "id")
    )
    links: dict[int, list[int]] = {}
    cited: set[int] = set()
    # Only links to gaps the reader sees count: otherwise an action would look justified by a gap
    # the reader cannot find in the matrix.
    seen = [g.pk for g in gaps]
    for action_id, gap_id in ActionGap.objects.filter(action__strategy=strategy, gap_id__in=seen).values_list(
        "action_id", "gap_id"
    ):
        links.setdefault(gap_id, []).append(action_id)
        cited.add(action_id)
    open_gaps = [g for g in gaps if g.status == GapStatus.OPEN]
    uncovered = [g for g in open_gaps if g.pk not in links]
    return Coverage(
        gaps=gaps,
        actions=actions,
        links=links,
        uncovered=uncovered,
        unjustified=[a for a in actions if a.pk not in cited],
        covered_open=len(open_gaps) - len(uncovered),
        open_total=len(open_gaps),
    )


@dataclass
class Suggestion:
    gap: Gap
    reason: str
    title_en: str
    title_es: str
    focus_area: str
    parent: Element | None  # where the action would go (an action line or objective), if any
    extra: dict[str, Any] = field(default_factory=dict)


def _assessment_reason(gap: Gap, scored: dict[int, Any]) -> tuple[str, str, str, str] | None:
    """(reason, title en, title es, factor id) for a gap from an assessment, or None if it cannot be read.

    ``scored`` keeps each assessment's scores for the other gaps of the same call.
    """
    framework_id, _sep, rest = gap.source_key.partition(":")
    country, _sep, factor_id = rest.partition(":")
    if not factor_id:
        return None
    assessment = (
        Assessment.objects.filter(
            organisation_id=gap.organisation_id, country=country, framework__framework_id=framework_id
        )
        .select_related("framework")
        .order_by("-date", "-id")
        .first()
    )
    if assessment is None:
        return None
    row = assessment.factors.filter(factor_id=factor_id).first()
    if row is None or row.target_stage is None:
        return None
    if assessment.pk not in scored:
        scored[assessment.pk] = score_assessment(assessment)
    structure, results = scored[assessment.pk]
    if factor_id not in results:
        return None
    factor = structure.factor(factor_id)
    stage = results[factor_id].stage
    target = structure.stage(row.target_stage).name
    reached = structure.stage(stage).name if stage else None
    reason = _("Factor %(factor)s %(name)s is at %(stage)s and the target is %(target)s (%(assessment)s).") % {
        "factor": factor_id,
        "name": factor.name.es if _is_spanish() else factor.name.en,
        "stage": (reached.es if _is_spanish() else reached.en) if reached else _("no stage yet"),
        "target": target.es if _is_spanish() else target.en,
        "assessment": str(assessment),
    }
    title_en = f"Bring {factor.name.en} (factor {factor_id}) to the {target.en} stage"
    title_es = f"Llevar {factor.name.es} (factor {factor_id}) a la etapa {target.es}"
    return reason, title_en, title_es, factor_id


def _is_spanish() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "en").startswith("es")


def _gap_titles(gap: Gap) -> tuple[str, str]:
    with override("en"):
        en = gap.title
    with override("es"):
        es = gap.title
    return en, es


def _place(strategy: Strategy, focus_area: str) -> Element | None:
    """The first action line (or objective) under the first axis covering ``focus_area``."""
    axes = list(strategy.elements.filter(kind=ElementKind.AXIS).order_by("order", "code"))
    axis = next((a for a in axes if a.focus_area == focus_area), None)
    if axis is None:
        return None
    objective = axis.children.order_by("order", "code").first()
    if objective is None:
        return None
    line = objective.children.order_by("order", "code").first()
    return line or objective


def suggestions(strategy: Strategy, visible: QuerySet[Gap]) -> list[Suggestion]:
    """A candidate action for each open gap no action addresses yet, with the reason."""
    out: list[Suggestion] = []
    scored: dict[int, Any] = {}
    for gap in coverage(strategy, visible).uncovered:
        title_en_gap, title_es_gap = _gap_titles(gap)
        focus = SOURCE_FOCUS.get(gap.source, FocusArea.GOVERNANCE)
        reason = ""
        title_en = f"Address {gap.identifier}: {title_en_gap}"
        title_es = f"Atender {gap.identifier}: {title_es_gap}"
        extra: dict[str, Any] = {}
        if gap.source == GapSource.ASSESSMENT:
            found = _assessment_reason(gap, scored)
            if found is not None:
                reason, title_en, title_es, factor_id = found
                focus = FACTOR_FOCUS.get(factor_id, focus)
                extra["factor"] = factor_id
        if not reason:
            reason = _("%(identifier)s (%(source)s, severity %(severity)s) is open and no action addresses it.") % {
                "identifier": gap.identifier,
                "source": gap.get_source_display().lower(),
                "severity": gap.get_severity_display().lower(),
            }
        out.append(
            Suggestion(
                gap=gap,
                reason=reason,
                title_en=title_en[:300],
                title_es=title_es[:300],
                focus_area=focus,
                parent=_place(strategy, focus),
                extra=extra,
            )
        )
    return out
