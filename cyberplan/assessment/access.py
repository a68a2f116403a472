"""Who may read and change assessments: organisation, role and TLP (docs/concepts/access.md).

- read an assessment: ``view`` in its organisation, within the TLP rules;
- create an assessment, change its details, import one: ``edit`` (analysts, coordinators, administrators);
- answer indicators, add evidence, comment: ``edit``, or ``contribute`` on a factor assigned to oneself;
- assign factors, set targets, approve factors, lock, update the gap register: ``decide``;
- unlock a locked assessment: ``administer``.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django_countries.fields import Country

from cyberplan.core.access import Permission, has_permission, visible_q
from cyberplan.core.models import Organisation, User

from .choices import AnswerValue
from .models import Answer, AnswerEvidence, Assessment, AssessmentFactor


def assessments_visible_to(user: User) -> QuerySet[Assessment]:
    return Assessment.objects.filter(visible_q(user)).select_related("organisation", "framework", "created_by")


def access_assessment_by_id(
    user: User, assessment_id: int | str, permission: Permission = Permission.VIEW
) -> Assessment:
    """The assessment if ``user`` may see it and holds ``permission``: 404 if unseen, 403 if not allowed."""
    try:
        assessment = assessments_visible_to(user).get(pk=assessment_id)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not has_permission(user, assessment.organisation_id, permission):
        raise PermissionDenied
    return assessment


def access_factor(assessment: Assessment, factor_id: str) -> AssessmentFactor:
    try:
        return assessment.factors.select_related("assignee", "approved_by").get(factor_id=factor_id)
    except AssessmentFactor.DoesNotExist:
        raise Http404 from None


def can_answer(user: User, assessment: Assessment, factor: AssessmentFactor) -> bool:
    """Answer, add evidence and comment on a factor: ``edit``, or ``contribute`` when assigned to it."""
    if has_permission(user, assessment.organisation_id, Permission.EDIT):
        return True
    return factor.assignee_id == user.pk and has_permission(user, assessment.organisation_id, Permission.CONTRIBUTE)


def require_answer(user: User, assessment: Assessment, factor: AssessmentFactor) -> None:
    if not can_answer(user, assessment, factor):
        raise PermissionDenied


def answers_visible_to(user: User) -> QuerySet[Answer]:
    return Answer.objects.filter(assessment__in=assessments_visible_to(user)).select_related("assessment")


def access_answer_by_id(user: User, answer_id: int | str) -> Answer:
    try:
        return answers_visible_to(user).get(pk=answer_id)
    except (Answer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_evidence_by_id(assessment: Assessment, evidence_id: int | str) -> AnswerEvidence:
    try:
        return AnswerEvidence.objects.select_related("answer").get(pk=evidence_id, answer__assessment=assessment)
    except (AnswerEvidence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def assessments_of(
    organisation: Organisation, country: Country, as_of: datetime.date, framework_key: str | None = None
) -> QuerySet[Assessment]:
    """The organisation's assessments of ``country`` dated on or before ``as_of``, the latest first.

    ``framework_key`` narrows them to one framework. For other apps' computations that run on behalf of
    the organisation itself (a strategy's KPI, a strategy document): it does not filter by a user's role
    or TLP; the caller narrows it to its audience.
    """
    assessments = Assessment.objects.filter(organisation=organisation, country=country, date__lte=as_of)
    if framework_key:
        assessments = assessments.filter(framework__framework_id=framework_key)
    return assessments.select_related("framework").order_by("-date", "-id")


def latest_assessment_of(
    organisation: Organisation, country: Country, as_of: datetime.date, framework_key: str | None = None
) -> Assessment | None:
    """The latest of :func:`assessments_of` (None if there is none)."""
    return assessments_of(organisation, country, as_of, framework_key).first()


def scored_factor_ids(assessment: Assessment) -> set[str]:
    """The assessed factors of ``assessment``: those with at least one answer other than unknown, which
    are the factors with a stage (Start-up at least); the others are not assessed."""
    return set(
        Answer.objects.filter(assessment=assessment)
        .exclude(value__in=["", AnswerValue.UNKNOWN])
        .values_list("factor_id", flat=True)
    )
