"""What the strategy's own state says about its lifecycle tasks, so the workspace never contradicts it.

A standard task (one with a ``key``, see ``lifecycle.py``) whose outcome the platform can see is shown
done when the state shows it (a published version for "Approve and publish the strategy"), whatever its
checkbox says; a task ticked by hand while the state shows the opposite is shown with a warning. Tasks
the platform cannot see (naming the lead authority, agreeing the calendar, ...) follow their checkbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cyberplan.assessment.access import assessments_visible_to
from cyberplan.assessment.models import Assessment
from cyberplan.core.models import User

from .choices import PHASE_ORDER, ElementKind, Phase, VersionStatus
from .models import KPI, Action, PhaseTask, ProgressUpdate, Strategy


@dataclass(frozen=True)
class Observed:
    """Whether the strategy's state shows a task done, and the words that say why (or what is missing)."""

    done: bool
    reason: str


@dataclass(frozen=True)
class TaskRow:
    """A task as the workspace shows it."""

    task: PhaseTask
    done: bool  # done by hand or shown done by the state
    by_state: bool  # the state shows it done: no "mark as done" is offered
    note: str  # what shows it done, or why a ticked task is doubtful
    doubtful: bool  # ticked by hand while the state shows the opposite


def _stakeholders(strategy: Strategy, reader: User | None = None) -> Observed:
    count = strategy.consultees.count()
    if count:
        return Observed(
            True, ngettext("%(n)d organisation consulted", "%(n)d organisations consulted", count) % {"n": count}
        )
    return Observed(False, _("No consulted organisation is named yet."))


def _draft(strategy: Strategy, reader: User | None = None) -> Observed:
    axes = strategy.elements.filter(kind=ElementKind.AXIS).count()
    actions = strategy.actions.count()
    if axes and actions:
        return Observed(
            True, _("The plan has %(axes)d axes and %(actions)d actions.") % {"axes": axes, "actions": actions}
        )
    return Observed(False, _("The plan has no axis or no action yet."))


def _consultation(strategy: Strategy, reader: User | None = None) -> Observed:
    version = strategy.versions.filter(consultation_opened_at__isnull=False).order_by("consultation_opened_at").first()
    if version is not None and version.consultation_opened_at is not None:
        when = formats.date_format(version.consultation_opened_at, "SHORT_DATE_FORMAT")
        return Observed(
            True, _("Version %(number)d went to consultation on %(date)s.") % {"number": version.number, "date": when}
        )
    return Observed(False, _("No version has been in consultation yet."))


def _publication(strategy: Strategy, reader: User | None = None) -> Observed:
    version = strategy.versions.filter(status=VersionStatus.PUBLISHED).order_by("number").first()
    if version is not None:
        when = formats.date_format(version.published_at, "SHORT_DATE_FORMAT") if version.published_at else ""
        return Observed(
            True, _("Version %(number)d was published %(date)s.") % {"number": version.number, "date": when}
        )
    return Observed(False, _("No version is published yet."))


def _leads_budgets(strategy: Strategy, reader: User | None = None) -> Observed:
    actions = Action.objects.filter(strategy=strategy)
    total = actions.count()
    missing = actions.filter(
        Q(lead__isnull=True) | Q(budget__isnull=True) | Q(start_date__isnull=True) | Q(end_date__isnull=True)
    ).count()
    if total and not missing:
        return Observed(True, _("Every action has a lead institution, a budget and dates."))
    if not total:
        return Observed(False, _("The plan has no action yet."))
    return Observed(
        False,
        _("%(missing)d of %(total)d actions lack a lead institution, a budget or dates.")
        % {"missing": missing, "total": total},
    )


def _kpi_baselines(strategy: Strategy, reader: User | None = None) -> Observed:
    kpis = KPI.objects.of_strategies(strategy)
    total = kpis.count()
    missing = kpis.filter(baseline__isnull=True).count()
    if total and not missing:
        return Observed(True, _("Every KPI has its baseline."))
    if not total:
        return Observed(False, _("The plan has no KPI yet."))
    return Observed(False, _("%(missing)d of %(total)d KPIs have no baseline.") % {"missing": missing, "total": total})


def _progress_updates(strategy: Strategy, reader: User | None = None) -> Observed:
    updates = ProgressUpdate.objects.filter(action__strategy=strategy)
    latest = updates.order_by("-date").first()
    if latest is not None:
        count = updates.count()
        when = formats.date_format(latest.date, "SHORT_DATE_FORMAT")
        return Observed(
            True,
            ngettext(
                "%(n)d progress report, the latest of %(date)s.",
                "%(n)d progress reports, the latest of %(date)s.",
                count,
            )
            % {"n": count, "date": when},
        )
    return Observed(False, _("No progress report yet."))


def _assessments(strategy: Strategy, reader: User | None) -> QuerySet[Assessment]:
    """The owner's assessments of the strategy's country that the reader may see (none without a reader)."""
    if reader is None:
        return Assessment.objects.none()
    return assessments_visible_to(reader).filter(organisation_id=strategy.organisation_id, country=strategy.country)


def _assessment(strategy: Strategy, reader: User | None = None) -> Observed:
    latest = _assessments(strategy, reader).order_by("-date", "-id").first()
    if latest is not None:
        when = formats.date_format(latest.date, "SHORT_DATE_FORMAT")
        return Observed(True, _("Capacity assessment of %(date)s.") % {"date": when})
    return Observed(False, _("No capacity assessment of this country yet."))


def _review_assessment(strategy: Strategy, reader: User | None = None) -> Observed:
    published = strategy.versions.filter(status=VersionStatus.PUBLISHED).order_by("number").first()
    if published is None or published.published_at is None:
        return Observed(False, _("No version is published yet."))
    newer = _assessments(strategy, reader).filter(date__gt=published.published_at.date()).order_by("-date").first()
    if newer is not None:
        when = formats.date_format(newer.date, "SHORT_DATE_FORMAT")
        return Observed(True, _("Capacity assessment of %(date)s, after publication.") % {"date": when})
    return Observed(False, _("No capacity assessment since the strategy was published."))


# The standard tasks whose outcome the strategy's own records show.
CHECKS: dict[str, Callable[[Strategy, User | None], Observed]] = {
    "assessment": _assessment,
    "review_assessment": _review_assessment,
    "stakeholders": _stakeholders,
    "draft": _draft,
    "consultation": _consultation,
    "publication": _publication,
    "leads_budgets": _leads_budgets,
    "kpi_baselines": _kpi_baselines,
    "progress_updates": _progress_updates,
}


def observed(strategy: Strategy, keys: set[str], reader: User | None = None) -> dict[str, Observed]:
    """What the state shows for each standard task of ``keys`` it can see. Assessments count only when
    ``reader`` may see them, so the page tells nobody about an assessment they may not read."""
    return {key: CHECKS[key](strategy, reader) for key in keys if key in CHECKS}


def task_rows(strategy: Strategy, tasks: list[PhaseTask], reader: User | None = None) -> list[TaskRow]:
    """The tasks as they should read beside the strategy's state."""
    seen = observed(strategy, {t.key for t in tasks if t.key}, reader)
    rows = []
    for task in tasks:
        state = seen.get(task.key)
        if state is None:
            rows.append(TaskRow(task, task.done, False, "", False))
        elif state.done:
            rows.append(TaskRow(task, True, True, state.reason, False))
        else:
            rows.append(TaskRow(task, task.done, False, state.reason if task.done else "", task.done))
    return rows


def phase_behind(strategy: Strategy) -> str:
    """Why the current phase is earlier than the state shows, or "" when it agrees.

    A published version means production is over; progress reports mean implementation has begun.
    """
    current = PHASE_ORDER.index(strategy.phase)
    if current < PHASE_ORDER.index(Phase.IMPLEMENTATION) and _publication(strategy).done:
        return _(
            "A version of the strategy is published, but its current phase is still %(phase)s: "
            "set it to Implementation or later."
        ) % {"phase": Phase(strategy.phase).label}
    return ""
