"""Writes to evaluations, recommendations, risks and axis owners. All validated and audited.

As in ``cyberplan.strategy.actions``: a ``ValidationError`` names the field, updates take the
version the editor loaded and raise ``ConcurrentEditError`` when someone saved in between. The
caller checks that the user may edit the strategy (``Permission.EDIT`` in its owner organisation).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cyberplan.core import audit
from cyberplan.core.models import Organisation, User
from cyberplan.gaps import actions as gap_actions
from cyberplan.gaps.choices import GapSource, Severity
from cyberplan.gaps.models import Gap

from .. import actions as strategy_actions
from ..choices import ElementKind, RecommendationPriority
from ..models import Action, AxisOwner, Element, Evaluation, ObjectiveRisk, Recommendation, Strategy

R = TypeVar("R", Evaluation, Recommendation, ObjectiveRisk, AxisOwner)

EVALUATION_FIELDS = frozenset({"kind", "date", "evaluator", "evaluator_type", "scope", "findings"})
RECOMMENDATION_FIELDS = frozenset({"text", "priority", "response", "response_note", "order"})
RISK_FIELDS = frozenset({"kind", "text", "likelihood", "impact", "mitigation", "owner", "status", "review_on"})
OWNER_FIELDS = frozenset({"organisation", "body", "contact_role"})

# The severity of a gap made from a recommendation of this priority.
GAP_SEVERITY = {
    RecommendationPriority.LOW: Severity.LOW,
    RecommendationPriority.MEDIUM: Severity.MEDIUM,
    RecommendationPriority.HIGH: Severity.HIGH,
}
# Where a gap made from a recommendation comes from: its source key (unique in the organisation's register).
GAP_SOURCE_KEY = "evaluation-recommendation:{pk}"


def _check(values: dict[str, Any], allowed: frozenset[str], what: str) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not {what} fields: {sorted(unknown)}")


def _create(actor: User | None, instance: R, organisation: Organisation) -> R:
    instance.full_clean()
    instance.save()
    audit.record_create(actor, instance, organisation=organisation)
    return instance


def _update(
    actor: User | None, instance: R, expected_version: int | None, values: dict[str, Any], organisation: Organisation
) -> R:
    current: R = strategy_actions.locked(type(instance), instance.pk, expected_version)
    before = audit.snapshot(current)
    for name, value in values.items():
        setattr(current, name, value)
    _validate(current)
    audit.save_versioned_update(actor, current, before, organisation)
    return current


def _delete(actor: User | None, instance: Any, organisation: Organisation) -> None:
    audit.record_delete(actor, instance, audit.snapshot(instance), organisation=organisation)
    instance.delete()


def _validate(instance: Any) -> None:
    if isinstance(instance, Recommendation) and not instance.text.strip():
        raise ValidationError({"text": _("Write the recommendation.")})
    if isinstance(instance, ObjectiveRisk):
        if not instance.text.strip():
            raise ValidationError({"text": _("Describe the risk or the assumption.")})
        if instance.objective.kind != ElementKind.OBJECTIVE:
            raise ValidationError({"objective": _("Risks and assumptions belong to an objective.")})
    if isinstance(instance, Evaluation) and not instance.evaluator.strip():
        raise ValidationError({"evaluator": _("Name the evaluator (a person, a team or an institution).")})
    if isinstance(instance, AxisOwner):
        if instance.axis.kind != ElementKind.AXIS:
            raise ValidationError({"axis": _("A responsible body is given for an axis.")})
        if instance.organisation_id is None and not instance.body.strip():
            raise ValidationError(
                {"body": _("Choose an organisation or name the body (e.g. a subcommittee) responsible for the axis.")}
            )


# --------------------------------------------------------------------------- evaluations


@transaction.atomic
def do_create_evaluation(actor: User | None, strategy: Strategy, **values: Any) -> Evaluation:
    _check(values, EVALUATION_FIELDS, "evaluation")
    evaluation = Evaluation(strategy=strategy, created_by=strategy_actions.who(actor), **values)
    _validate(evaluation)
    return _create(actor, evaluation, strategy.organisation)


@transaction.atomic
def do_update_evaluation(
    actor: User | None, evaluation: Evaluation, expected_version: int | None, **values: Any
) -> Evaluation:
    _check(values, EVALUATION_FIELDS, "evaluation")
    return _update(actor, evaluation, expected_version, values, evaluation.strategy.organisation)


@transaction.atomic
def do_delete_evaluation(actor: User | None, evaluation: Evaluation) -> None:
    organisation = evaluation.strategy.organisation
    for recommendation in evaluation.recommendations.all():
        _delete(actor, recommendation, organisation)
    _delete(actor, evaluation, organisation)


# --------------------------------------------------------------------------- recommendations


@transaction.atomic
def do_create_recommendation(actor: User | None, evaluation: Evaluation, **values: Any) -> Recommendation:
    _check(values, RECOMMENDATION_FIELDS, "recommendation")
    if "order" not in values:
        values["order"] = evaluation.recommendations.count() + 1
    recommendation = Recommendation(evaluation=evaluation, **values)
    _validate(recommendation)
    return _create(actor, recommendation, evaluation.strategy.organisation)


@transaction.atomic
def do_update_recommendation(
    actor: User | None, recommendation: Recommendation, expected_version: int | None, **values: Any
) -> Recommendation:
    _check(values, RECOMMENDATION_FIELDS, "recommendation")
    organisation = recommendation.evaluation.strategy.organisation
    return _update(actor, recommendation, expected_version, values, organisation)


@transaction.atomic
def do_delete_recommendation(actor: User | None, recommendation: Recommendation) -> None:
    _delete(actor, recommendation, recommendation.evaluation.strategy.organisation)


def _link(actor: User | None, recommendation: Recommendation, **values: Any) -> Recommendation:
    current = strategy_actions.locked(Recommendation, recommendation.pk, None)
    before = audit.snapshot(current)
    for name, value in values.items():
        setattr(current, name, value)
    audit.save_versioned_update(actor, current, before, current.evaluation.strategy.organisation)
    recommendation.refresh_from_db()
    return recommendation


@transaction.atomic
def do_link_recommendation(
    actor: User | None, recommendation: Recommendation, *, gap: Gap | None = None, action: Action | None = None
) -> Recommendation:
    """Record that the recommendation is followed up by an existing gap or action of the same strategy's owner."""
    strategy = recommendation.evaluation.strategy
    if gap is not None and gap.organisation_id != strategy.organisation_id:
        raise ValidationError({"gap": _("Choose a gap of the strategy owner's register.")})
    if action is not None and action.strategy_id != strategy.pk:
        raise ValidationError({"action": _("Choose an action of this strategy.")})
    values: dict[str, Any] = {}
    if gap is not None:
        values["gap"] = gap
    if action is not None:
        values["action"] = action
    return _link(actor, recommendation, **values)


def _recommendation_title(recommendation: Recommendation) -> str:
    text = " ".join(recommendation.text.split())
    return text if len(text) <= 240 else text[:239].rstrip() + "…"


def _origin(recommendation: Recommendation) -> str:
    evaluation = recommendation.evaluation
    return _("From a recommendation of the %(kind)s of %(date)s by %(evaluator)s.") % {
        "kind": evaluation.get_kind_display().lower(),
        "date": evaluation.date.isoformat(),
        "evaluator": evaluation.evaluator,
    }


@transaction.atomic
def do_recommendation_to_gap(actor: User | None, recommendation: Recommendation) -> Gap:
    """Record the recommendation as a gap in the owner organisation's register, and link both ways.

    Made once: asked again, the gap already made is returned (the gap's source key names the
    recommendation), so a repeated click or request creates nothing new.
    """
    if recommendation.gap_id is not None and recommendation.gap is not None:
        return recommendation.gap
    strategy = recommendation.evaluation.strategy
    organisation = strategy.organisation
    key = GAP_SOURCE_KEY.format(pk=recommendation.pk)
    gap = Gap.objects.filter(organisation=organisation, source=GapSource.OTHER, source_key=key).first()
    if gap is None:
        text = recommendation.text.strip()
        gap = gap_actions.do_create_gap(
            actor,
            organisation,
            title_en=_recommendation_title(recommendation) if _lang_is("en") else "",
            title_es=_recommendation_title(recommendation) if not _lang_is("en") else "",
            description_en=(f"{text}\n\n{_origin(recommendation)}" if _lang_is("en") else ""),
            description_es=(f"{text}\n\n{_origin(recommendation)}" if not _lang_is("en") else ""),
            severity=GAP_SEVERITY.get(RecommendationPriority(recommendation.priority), Severity.MEDIUM),
            tlp=strategy.tlp,
            source=GapSource.OTHER,
            source_key=key,
        )
    _link(actor, recommendation, gap=gap)
    if recommendation.action is not None and not recommendation.action.gaps.filter(pk=gap.pk).exists():
        strategy_actions.do_link_gap(actor, recommendation.action, gap)
    return gap


@transaction.atomic
def do_recommendation_to_action(actor: User | None, recommendation: Recommendation, objective: Element) -> Action:
    """Make a planned action under ``objective`` from the recommendation, and link both ways.

    The action is a draft for the plan's editors to complete (lead, dates, budget, KPIs); when the
    recommendation already became a gap, the action cites it. Asked again, the action already made
    is returned.
    """
    if recommendation.action_id is not None and recommendation.action is not None:
        return recommendation.action
    strategy = recommendation.evaluation.strategy
    if objective.strategy_id != strategy.pk or objective.kind == ElementKind.AXIS:
        raise ValidationError({"objective": _("Choose an objective or action line of this strategy.")})
    title = _recommendation_title(recommendation)
    description = f"{recommendation.text.strip()}\n\n{_origin(recommendation)}"
    language = "en" if _lang_is("en") else "es"
    texts: dict[str, Any] = {f"title_{language}": title, f"description_{language}": description}
    action = strategy_actions.do_create_action(
        actor,
        strategy,
        parent=objective,
        gaps=[recommendation.gap] if recommendation.gap is not None else None,
        **texts,
    )
    _link(actor, recommendation, action=action)
    return action


def _lang_is(code: str) -> bool:
    return (get_language() or "en")[:2] == code


# --------------------------------------------------------------------------- risks and assumptions


@transaction.atomic
def do_create_risk(actor: User | None, objective: Element, **values: Any) -> ObjectiveRisk:
    _check(values, RISK_FIELDS, "risk")
    risk = ObjectiveRisk(objective=objective, **values)
    _validate(risk)
    return _create(actor, risk, objective.strategy.organisation)


@transaction.atomic
def do_update_risk(
    actor: User | None, risk: ObjectiveRisk, expected_version: int | None, **values: Any
) -> ObjectiveRisk:
    _check(values, RISK_FIELDS, "risk")
    return _update(actor, risk, expected_version, values, risk.objective.strategy.organisation)


@transaction.atomic
def do_delete_risk(actor: User | None, risk: ObjectiveRisk) -> None:
    _delete(actor, risk, risk.objective.strategy.organisation)


# --------------------------------------------------------------------------- responsible body per axis


@transaction.atomic
def do_set_axis_owner(
    actor: User | None, axis: Element, expected_version: int | None = None, **values: Any
) -> AxisOwner:
    """Create or change the body responsible for ``axis``."""
    _check(values, OWNER_FIELDS, "axis owner")
    existing = AxisOwner.objects.filter(axis=axis).first()
    if existing is None:
        owner = AxisOwner(axis=axis, **values)
        _validate(owner)
        return _create(actor, owner, axis.strategy.organisation)
    return _update(actor, existing, expected_version, values, axis.strategy.organisation)


@transaction.atomic
def do_clear_axis_owner(actor: User | None, owner: AxisOwner) -> None:
    _delete(actor, owner, owner.axis.strategy.organisation)
