"""Web pages of the strategy's plan side: the list of strategies, creating and editing one, and the
lifecycle workspace with its phase and tasks.

Thin: reads go through ``access.py`` (organisation and TLP), writes through ``actions.py`` (which
validate and audit). The structure's pages are in :mod:`.structure_views`, the actions' and KPIs'
in :mod:`.action_views`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.assessment.access import assessments_visible_to
from cyberplan.core.access import Permission, organisations_where
from cyberplan.core.forms import attach_errors
from cyberplan.core.models import User
from cyberplan.gaps.access import gaps_visible_to
from cyberplan.gaps.choices import GapStatus

from .. import actions, lifecycle_state, traceability
from ..access import (
    strategies_consulted_by,
    strategies_visible_to,
    versions_visible_to,
)
from ..choices import ActionStatus, ElementKind, Phase
from ..models import PhaseTask, Strategy
from .common import form_status, get_or_404, maybe_reverse, plan_page, request_user, save_edit, strategy_for
from .forms import (
    PhaseForm,
    StrategyForm,
    TaskDoneForm,
    TaskForm,
)

# --------------------------------------------------------------------------- strategies


@login_required
def strategy_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "strategy/plan/strategy_list.html",
        {
            "strategies": strategies_visible_to(user),
            "consulted": strategies_consulted_by(user),
            "can_create": organisations_where(user, Permission.DECIDE).exists(),
        },
    )


@login_required
def strategy_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    owners = organisations_where(user, Permission.DECIDE)
    if not owners.exists():
        raise PermissionDenied
    form = StrategyForm(request.POST or None, organisations=owners)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        consultees = list(data.pop("consultees"))
        try:
            with transaction.atomic():
                strategy = actions.do_create_strategy(user, organisation, **data)
                actions.do_set_consultees(user, strategy, consultees)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The strategy was created with the tasks of each lifecycle phase."))
            return redirect("strategy:workspace", pk=strategy.pk)
    return render(request, "strategy/plan/strategy_form.html", {"form": form}, status=form_status(form))


@login_required
def strategy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    strategy = strategy_for(request, pk, Permission.EDIT)

    def save(data: dict[str, Any], version: int) -> None:
        consultees = list(data.pop("consultees"))
        with transaction.atomic():
            updated = actions.do_update_strategy(user, strategy, version, **data)
            actions.do_set_consultees(user, updated, consultees)

    form, conflict, saved = save_edit(
        request, StrategyForm(request.POST or None, instance=strategy), save, _("strategy")
    )
    if saved:
        messages.success(request, _("The strategy was updated."))
        return redirect("strategy:workspace", pk=strategy.pk)
    return plan_page(
        request, "strategy_form.html", strategy, "workspace", form_status(form, conflict), form=form, conflict=conflict
    )


# --------------------------------------------------------------------------- lifecycle workspace


@dataclass
class EvidenceLink:
    label: str
    detail: str
    url: str | None


def _phase_evidence(request: HttpRequest, strategy: Strategy) -> dict[str, list[EvidenceLink]]:
    """What the other capabilities already hold for each phase, with links to it."""
    user = request_user(request)
    evidence: dict[str, list[EvidenceLink]] = {phase: [] for phase in Phase.values}

    evidence[Phase.INITIATION].append(
        EvidenceLink(
            _("Governance and consulted organisations"),
            _("%(count)d organisations consulted") % {"count": strategy.consultees.count()},
            reverse("strategy:strategy_edit", args=[strategy.pk]),
        )
    )

    coverage = traceability.coverage(strategy, gaps_visible_to(user))
    evidence[Phase.STOCKTAKING].extend(_stocktaking_evidence(user, strategy))
    evidence[Phase.PRODUCTION].extend(_production_evidence(user, strategy, coverage))
    evidence[Phase.IMPLEMENTATION].extend(_implementation_evidence(strategy, coverage))
    evidence[Phase.MONITORING].extend(_monitoring_evidence(strategy))
    return evidence


def _stocktaking_evidence(user: User, strategy: Strategy) -> list[EvidenceLink]:
    """The latest capacity assessment the user may see, the trends and the gap register."""
    links: list[EvidenceLink] = []
    assessment = (
        assessments_visible_to(user)
        .filter(organisation_id=strategy.organisation_id, country=strategy.country)
        .order_by("-date", "-id")
        .first()
    )
    if assessment is None:
        links.append(
            EvidenceLink(
                _("Capacity assessment"),
                _("No capacity assessment of this country yet."),
                maybe_reverse("assessment:assessment_list"),
            )
        )
    else:
        links.append(
            EvidenceLink(
                _("Latest capacity assessment"),
                f"{assessment.title} · {assessment.date.isoformat()}",
                maybe_reverse("assessment:assessment_detail", assessment.pk),
            )
        )
    links.append(
        EvidenceLink(
            _("Threat trends"), _("The trends dashboard of the event store."), maybe_reverse("trends:dashboard")
        )
    )
    gaps = traceability.strategy_gaps(strategy, gaps_visible_to(user))
    counts = Counter(gaps.values_list("status", flat=True))
    gap_url = maybe_reverse("gaps:gap_list")
    links.append(
        EvidenceLink(
            _("Gap register"),
            _("%(open)d open gaps of %(total)d")
            % {"open": counts.get(GapStatus.OPEN, 0), "total": sum(counts.values())},
            f"{gap_url}?organisation={strategy.organisation_id}" if gap_url else None,
        )
    )
    return links


def _production_evidence(user: User, strategy: Strategy, coverage: traceability.Coverage) -> list[EvidenceLink]:
    """The plan, its traceability to the gaps and its latest version the user may see."""
    links: list[EvidenceLink] = []
    links.append(
        EvidenceLink(
            _("Plan"),
            _("%(axes)d axes, %(actions)d actions")
            % {"axes": strategy.elements.filter(kind=ElementKind.AXIS).count(), "actions": len(coverage.actions)},
            reverse("strategy:plan", args=[strategy.pk]),
        )
    )
    links.append(
        EvidenceLink(
            _("Traceability"),
            _("%(percent)d%% of open gaps have an action") % {"percent": coverage.percent},
            reverse("strategy:traceability", args=[strategy.pk]),
        )
    )
    latest = versions_visible_to(user, strategy).order_by("-number").first()
    links.append(
        EvidenceLink(
            _("Versions"),
            _("Version %(number)d: %(status)s") % {"number": latest.number, "status": latest.get_status_display()}
            if latest
            else _("No version yet."),
            maybe_reverse("strategy:version_list", strategy.pk),
        )
    )
    return links


def _implementation_evidence(strategy: Strategy, coverage: traceability.Coverage) -> list[EvidenceLink]:
    links: list[EvidenceLink] = []
    statuses = Counter(a.status for a in coverage.actions)
    links.append(
        EvidenceLink(
            _("Actions"),
            ", ".join(f"{ActionStatus(s).label}: {n}" for s, n in sorted(statuses.items())) or _("No action yet."),
            reverse("strategy:plan", args=[strategy.pk]),
        )
    )
    return links


def _monitoring_evidence(strategy: Strategy) -> list[EvidenceLink]:
    links: list[EvidenceLink] = []
    links.append(
        EvidenceLink(
            _("Monitoring"),
            _("Action status, KPI measurements and progress per axis."),
            maybe_reverse("strategy:monitoring", strategy.pk),
        )
    )
    links.append(
        EvidenceLink(
            _("Reports"),
            _("The monitoring and evaluation report."),
            maybe_reverse("strategy:report_list", strategy.pk),
        )
    )
    return links


@login_required
def workspace(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk)
    tasks = lifecycle_state.task_rows(
        strategy, list(strategy.tasks.select_related("responsible").order_by("order", "id")), request_user(request)
    )
    evidence = _phase_evidence(request, strategy)
    phases = []
    for phase in Phase:
        rows = [r for r in tasks if r.task.phase == phase.value]
        phases.append(
            {
                "value": phase.value,
                "label": phase.label,
                "current": strategy.phase == phase.value,
                "tasks": [
                    (r, TaskDoneForm(initial={"done": not r.task.done, "version": r.task.version})) for r in rows
                ],
                "done": sum(1 for r in rows if r.done),
                "evidence": evidence[phase.value],
            }
        )
    return plan_page(
        request,
        "workspace.html",
        strategy,
        "workspace",
        phases=phases,
        phase_form=PhaseForm(initial={"phase": strategy.phase}),
        phase_behind=lifecycle_state.phase_behind(strategy),
    )


@login_required
@require_POST
def set_phase(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.DECIDE)
    form = PhaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the five phases."))
    else:
        actions.do_set_phase(request_user(request), strategy, form.cleaned_data["phase"])
        messages.success(request, _("The current phase was changed."))
    return redirect("strategy:workspace", pk=strategy.pk)


@login_required
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    initial = {"phase": request.GET.get("phase") or strategy.phase}
    form = TaskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_create_task(request_user(request), strategy, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The task was added."))
            return redirect("strategy:workspace", pk=strategy.pk)
    return plan_page(request, "task_form.html", strategy, "workspace", form_status(form), form=form)


@login_required
def task_edit(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    task = get_or_404(strategy.tasks.all(), task_pk)
    form, conflict, saved = save_edit(
        request,
        TaskForm(request.POST or None, instance=task),
        lambda data, version: actions.do_update_task(request_user(request), task, version, **data),
        _("task"),
    )
    if saved:
        messages.success(request, _("The task was updated."))
        return redirect("strategy:workspace", pk=strategy.pk)
    return plan_page(
        request,
        "task_form.html",
        strategy,
        "workspace",
        form_status(form, conflict),
        form=form,
        task=task,
        conflict=conflict,
    )


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.CONTRIBUTE)
    task: PhaseTask = get_or_404(strategy.tasks.all(), task_pk)
    form = TaskDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The task could not be changed; reload the page and try again."))
        return redirect("strategy:workspace", pk=strategy.pk)
    try:
        actions.do_update_task(
            request_user(request), task, form.cleaned_data["version"], done=form.cleaned_data["done"]
        )
    except actions.ConcurrentEditError:
        messages.error(
            request, _("Someone else changed the task “%(title)s” first; look at it again.") % {"title": task.title}
        )
    else:
        messages.success(request, _("The task “%(title)s” was updated.") % {"title": task.title})
    return redirect(f"{reverse('strategy:workspace', args=[strategy.pk])}#phase-{task.phase}")
