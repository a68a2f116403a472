"""Web pages of the strategy's plan side: strategies, the lifecycle workspace, the structure,
actions and KPIs, and the traceability from gaps to actions.

Thin: reads go through ``access.py`` (organisation and TLP), writes through ``actions.py`` (which
validate and audit). Every edit form carries the record's ``version``; when someone else saved
first, the form comes back with what the user typed, their values beside it, and nothing saved.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.assessment.access import assessments_visible_to
from cyberplan.core.access import Permission, has_permission, organisations_where, require
from cyberplan.core.forms import attach_errors
from cyberplan.core.models import User
from cyberplan.gaps.access import access_gap_by_id, gaps_visible_to
from cyberplan.gaps.choices import GapStatus
from cyberplan.gaps.models import Gap

from . import actions, lifecycle_state, traceability
from .access import (
    access_action_by_id,
    access_element_by_id,
    access_strategy_by_id,
    strategies_consulted_by,
    strategies_visible_to,
    versions_visible_to,
)
from .choices import PARENT_KIND, ActionStatus, ElementKind, Phase
from .forms_plan import (
    ActionForm,
    ElementForm,
    GapLinkForm,
    KPIForm,
    PhaseForm,
    PrincipleForm,
    StrategyForm,
    TaskDoneForm,
    TaskForm,
    VersionedForm,
)
from .models import KPI, Action, Element, PhaseTask, Principle, Strategy

M = TypeVar("M", bound=models.Model)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _get(queryset: models.QuerySet[M], pk: int) -> M:
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _maybe_reverse(name: str, *args: Any) -> str | None:
    """The address of a page that may not exist yet (another area of the app), or None."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _status(form: BaseForm, conflict: object = None) -> int:
    return 409 if conflict else 400 if form.errors else 200


def _strategy(request: HttpRequest, pk: int, permission: Permission | None = None) -> Strategy:
    """The strategy whose working copy the user reads (404 otherwise), and ``permission`` in its owner."""
    user = _user(request)
    strategy = access_strategy_by_id(user, pk)
    if permission is not None:
        require(user, strategy.organisation_id, permission)
    return strategy


def _rights(request: HttpRequest, strategy: Strategy) -> dict[str, bool]:
    user, org = _user(request), strategy.organisation_id
    return {
        "can_edit": has_permission(user, org, Permission.EDIT),
        "can_decide": has_permission(user, org, Permission.DECIDE),
        "can_contribute": has_permission(user, org, Permission.CONTRIBUTE),
    }


def _page(
    request: HttpRequest, template: str, strategy: Strategy, tab: str, status: int = 200, **context: Any
) -> HttpResponse:
    return render(
        request,
        f"strategy/plan/{template}",
        {"strategy": strategy, "tab": tab, **_rights(request, strategy), **context},
        status=status,
    )


# --------------------------------------------------------------------------- conflicts


@dataclass
class Conflict:
    """Someone else saved the record first: their values, to show beside what the user typed."""

    message: str
    rows: list[tuple[str, str]]


def _display(instance: models.Model, name: str) -> str:
    display = getattr(instance, f"get_{name}_display", None)
    value = display() if callable(display) else getattr(instance, name, "")
    if hasattr(value, "all"):
        value = ", ".join(str(item) for item in value.all())
    if isinstance(value, Decimal):
        value = format(value.normalize(), "f")
    return "" if value is None else str(value)


def _conflict(
    request: HttpRequest, form_class: type[VersionedForm], current: models.Model, what: str, **kwargs: Any
) -> tuple[VersionedForm, Conflict]:
    """The form again with the user's input, now carrying the current version, and the other person's values."""
    data = request.POST.copy()
    data["version"] = str(getattr(current, "version", ""))
    form = form_class(data, instance=current, **kwargs)
    form.is_valid()
    rows = [
        (str(field.label), _display(current, name))
        for name, field in form.fields.items()
        if name != "version" and hasattr(current, name)
    ]
    message = _(
        "Someone else saved this %(what)s while you were editing it. Your changes were not saved: they are "
        "still in the form below, and the values now stored are shown beside it. Save again to keep yours."
    ) % {"what": what}
    form.add_error(None, message)
    return form, Conflict(message=message, rows=rows)


def _save_edit(
    request: HttpRequest,
    form: VersionedForm,
    save: Callable[[dict[str, Any], int], object],
    what: str,
    **form_kwargs: Any,
) -> tuple[VersionedForm, Conflict | None, bool]:
    """On a valid POST, ``save(data, version)``; the form to show, the conflict if any, and whether it was saved.

    When someone else saved first, the form comes back with the user's input beside the stored values
    (``form_kwargs`` are passed to the form again); the action's ``ValidationError`` goes on the form.
    """
    if request.method != "POST" or not form.is_valid():
        return form, None, False
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        save(data, version)
    except actions.ConcurrentEditError as exc:
        form, conflict = _conflict(request, type(form), exc.current, what, **form_kwargs)
        return form, conflict, False
    except ValidationError as exc:
        attach_errors(form, exc)
        return form, None, False
    return form, None, True


# --------------------------------------------------------------------------- strategies


@login_required
def strategy_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
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
    user = _user(request)
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
    return render(request, "strategy/plan/strategy_form.html", {"form": form}, status=_status(form))


@login_required
def strategy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    strategy = _strategy(request, pk, Permission.EDIT)

    def save(data: dict[str, Any], version: int) -> None:
        consultees = list(data.pop("consultees"))
        with transaction.atomic():
            updated = actions.do_update_strategy(user, strategy, version, **data)
            actions.do_set_consultees(user, updated, consultees)

    form, conflict, saved = _save_edit(
        request, StrategyForm(request.POST or None, instance=strategy), save, _("strategy")
    )
    if saved:
        messages.success(request, _("The strategy was updated."))
        return redirect("strategy:workspace", pk=strategy.pk)
    return _page(
        request, "strategy_form.html", strategy, "workspace", _status(form, conflict), form=form, conflict=conflict
    )


# --------------------------------------------------------------------------- lifecycle workspace


@dataclass
class EvidenceLink:
    label: str
    detail: str
    url: str | None


def _phase_evidence(request: HttpRequest, strategy: Strategy) -> dict[str, list[EvidenceLink]]:
    """What the other capabilities already hold for each phase, with links to it."""
    user = _user(request)
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
                _maybe_reverse("assessment:assessment_list"),
            )
        )
    else:
        links.append(
            EvidenceLink(
                _("Latest capacity assessment"),
                f"{assessment.title} · {assessment.date.isoformat()}",
                _maybe_reverse("assessment:assessment_detail", assessment.pk),
            )
        )
    links.append(
        EvidenceLink(
            _("Threat trends"), _("The trends dashboard of the event store."), _maybe_reverse("trends:dashboard")
        )
    )
    gaps = traceability.strategy_gaps(strategy, gaps_visible_to(user))
    counts = Counter(gaps.values_list("status", flat=True))
    gap_url = _maybe_reverse("gaps:gap_list")
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
            _maybe_reverse("strategy:version_list", strategy.pk),
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
            _maybe_reverse("strategy:monitoring", strategy.pk),
        )
    )
    links.append(
        EvidenceLink(
            _("Reports"),
            _("The monitoring and evaluation report."),
            _maybe_reverse("strategy:report_list", strategy.pk),
        )
    )
    return links


@login_required
def workspace(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = _strategy(request, pk)
    tasks = lifecycle_state.task_rows(
        strategy, list(strategy.tasks.select_related("responsible").order_by("order", "id")), _user(request)
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
    return _page(
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
    strategy = _strategy(request, pk, Permission.DECIDE)
    form = PhaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the five phases."))
    else:
        actions.do_set_phase(_user(request), strategy, form.cleaned_data["phase"])
        messages.success(request, _("The current phase was changed."))
    return redirect("strategy:workspace", pk=strategy.pk)


@login_required
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, Permission.EDIT)
    initial = {"phase": request.GET.get("phase") or strategy.phase}
    form = TaskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_create_task(_user(request), strategy, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The task was added."))
            return redirect("strategy:workspace", pk=strategy.pk)
    return _page(request, "task_form.html", strategy, "workspace", _status(form), form=form)


@login_required
def task_edit(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, Permission.EDIT)
    task = _get(strategy.tasks.all(), task_pk)
    form, conflict, saved = _save_edit(
        request,
        TaskForm(request.POST or None, instance=task),
        lambda data, version: actions.do_update_task(_user(request), task, version, **data),
        _("task"),
    )
    if saved:
        messages.success(request, _("The task was updated."))
        return redirect("strategy:workspace", pk=strategy.pk)
    return _page(
        request,
        "task_form.html",
        strategy,
        "workspace",
        _status(form, conflict),
        form=form,
        task=task,
        conflict=conflict,
    )


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, Permission.CONTRIBUTE)
    task: PhaseTask = _get(strategy.tasks.all(), task_pk)
    form = TaskDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The task could not be changed; reload the page and try again."))
        return redirect("strategy:workspace", pk=strategy.pk)
    try:
        actions.do_update_task(_user(request), task, form.cleaned_data["version"], done=form.cleaned_data["done"])
    except actions.ConcurrentEditError:
        messages.error(
            request, _("Someone else changed the task “%(title)s” first; look at it again.") % {"title": task.title}
        )
    else:
        messages.success(request, _("The task “%(title)s” was updated.") % {"title": task.title})
    return redirect(f"{reverse('strategy:workspace', args=[strategy.pk])}#phase-{task.phase}")


# --------------------------------------------------------------------------- the plan


@dataclass
class Node:
    element: Element
    children: list[Node]
    actions: list[Action]


def _tree(strategy: Strategy) -> tuple[list[Node], list[Element]]:
    """Axes > objectives > action lines with their actions; and elements no axis reaches (orphans)."""
    elements = list(strategy.elements.order_by("order", "code", "id"))
    by_parent: dict[int | None, list[Element]] = {}
    for element in elements:
        by_parent.setdefault(element.parent_id, []).append(element)
    acts: dict[int, list[Action]] = {}
    for action in strategy.actions.select_related("lead").order_by("order", "code", "id"):
        acts.setdefault(action.parent_id, []).append(action)
    seen: set[int] = set()

    def build(element: Element) -> Node:
        seen.add(element.pk)
        children = [build(c) for c in by_parent.get(element.pk, []) if c.pk not in seen]
        return Node(element, children, acts.get(element.pk, []))

    roots = [build(e) for e in by_parent.get(None, []) if e.kind == ElementKind.AXIS]
    return roots, [e for e in elements if e.pk not in seen]


@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = _strategy(request, pk)
    roots, orphans = _tree(strategy)
    return _page(
        request,
        "plan.html",
        strategy,
        "plan",
        principles=strategy.principles.all(),
        roots=roots,
        orphans=orphans,
    )


def _plan_url(strategy: Strategy, anchor: str = "") -> str:
    return reverse("strategy:plan", args=[strategy.pk]) + (f"#{anchor}" if anchor else "")


@login_required
def principle_create(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, Permission.EDIT)
    form = PrincipleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_add_principle(_user(request), strategy, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The principle was added."))
            return redirect(_plan_url(strategy, "principles"))
    return _page(request, "principle_form.html", strategy, "plan", _status(form), form=form)


@login_required
def principle_edit(request: HttpRequest, pk: int, principle_pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, Permission.EDIT)
    principle: Principle = _get(strategy.principles.all(), principle_pk)
    form, conflict, saved = _save_edit(
        request,
        PrincipleForm(request.POST or None, instance=principle),
        lambda data, version: actions.do_update_principle(_user(request), principle, version, **data),
        _("principle"),
    )
    if saved:
        messages.success(request, _("The principle was updated."))
        return redirect(_plan_url(strategy, "principles"))
    return _page(
        request,
        "principle_form.html",
        strategy,
        "plan",
        _status(form, conflict),
        form=form,
        principle=principle,
        conflict=conflict,
    )


def _confirm_delete(
    request: HttpRequest,
    strategy: Strategy,
    record: Any,
    *,
    what: str,
    back: str,
    delete: Callable[[], None],
    done: str,
    done_url: str,
    refused_url: str | None = None,
) -> HttpResponse:
    """Ask before deleting ``record``; on POST delete it, or show why it may not be deleted."""
    if request.method != "POST":
        return _page(request, "confirm_delete.html", strategy, "plan", record=record, what=what, back=back)
    try:
        delete()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(refused_url or back)
    messages.success(request, done)
    return redirect(done_url)


@login_required
def principle_delete(request: HttpRequest, pk: int, principle_pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, Permission.EDIT)
    principle: Principle = _get(strategy.principles.all(), principle_pk)
    return _confirm_delete(
        request,
        strategy,
        principle,
        what=_("principle"),
        back=_plan_url(strategy),
        delete=lambda: actions.do_delete_principle(_user(request), principle),
        done=_("The principle was deleted."),
        done_url=_plan_url(strategy, "principles"),
    )


@login_required
def element_create(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, Permission.EDIT)
    kind = request.POST.get("kind") or request.GET.get("kind") or ElementKind.AXIS
    if kind not in ElementKind.values:
        raise Http404
    initial: dict[str, Any] = {}
    parent_id = request.GET.get("parent")
    if parent_id and parent_id.isdigit():
        initial["parent"] = int(parent_id)
    form = ElementForm(request.POST or None, strategy=strategy, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        parent = data.pop("parent", None)
        try:
            element = actions.do_create_element(_user(request), strategy, kind=kind, parent=parent, **data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request, _("%(kind)s %(code)s was added.") % {"kind": element.get_kind_display(), "code": element.code}
            )
            return redirect(_plan_url(strategy, f"e-{element.pk}"))
    return _page(
        request,
        "element_form.html",
        strategy,
        "plan",
        _status(form),
        form=form,
        kind=kind,
        kind_label=ElementKind(kind).label,
        parent_kind=PARENT_KIND[ElementKind(kind)],
    )


@login_required
def element_edit(request: HttpRequest, pk: int, element_pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, Permission.EDIT)
    element = access_element_by_id(_user(request), strategy, element_pk)
    form_kwargs: dict[str, Any] = {"strategy": strategy, "kind": element.kind}
    form, conflict, saved = _save_edit(
        request,
        ElementForm(request.POST or None, instance=element, **form_kwargs),
        lambda data, version: actions.do_update_element(_user(request), element, version, **data),
        _("element"),
        **form_kwargs,
    )
    if saved:
        messages.success(request, _("%(code)s was updated.") % {"code": element.code})
        return redirect(_plan_url(strategy, f"e-{element.pk}"))
    return _page(
        request,
        "element_form.html",
        strategy,
        "plan",
        _status(form, conflict),
        form=form,
        element=element,
        kind=element.kind,
        kind_label=element.get_kind_display(),
        parent_kind=PARENT_KIND[ElementKind(element.kind)],
        conflict=conflict,
    )


@login_required
def element_delete(request: HttpRequest, pk: int, element_pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, Permission.EDIT)
    element = access_element_by_id(_user(request), strategy, element_pk)
    return _confirm_delete(
        request,
        strategy,
        element,
        what=element.get_kind_display().lower(),
        back=_plan_url(strategy),
        delete=lambda: actions.do_delete_element(_user(request), element),
        done=_("%(code)s was deleted.") % {"code": element.code},
        done_url=_plan_url(strategy),
        refused_url=_plan_url(strategy, f"e-{element.pk}"),
    )


# --------------------------------------------------------------------------- actions


def _strategy_gaps(request: HttpRequest, strategy: Strategy) -> models.QuerySet[Gap]:
    return traceability.strategy_gaps(strategy, gaps_visible_to(_user(request)))


def _suggested_initial(request: HttpRequest, strategy: Strategy, gap_id: str) -> dict[str, Any]:
    """The action form filled from the suggestion for an uncovered gap (or just the gap, if covered)."""
    gap = _strategy_gaps(request, strategy).filter(pk=int(gap_id)).first() if gap_id.isdigit() else None
    if gap is None:
        return {}
    initial: dict[str, Any] = {"gaps": [gap.pk]}
    for suggestion in traceability.suggestions(strategy, gaps_visible_to(_user(request))):
        if suggestion.gap.pk == gap.pk:
            initial.update(title_en=suggestion.title_en, title_es=suggestion.title_es, gap_note=suggestion.reason[:500])
            if suggestion.parent is not None:
                initial["parent"] = suggestion.parent.pk
            break
    return initial


@login_required
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    strategy = _strategy(request, pk, Permission.EDIT)
    initial: dict[str, Any] = {"lead": strategy.organisation_id}
    initial.update(_suggested_initial(request, strategy, request.GET.get("gap", "")))
    parent_id = request.GET.get("parent", "")
    if parent_id.isdigit():
        initial["parent"] = int(parent_id)
    gaps = _strategy_gaps(request, strategy)
    form = ActionForm(request.POST or None, strategy=strategy, gaps=gaps, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        linked, note = list(data.pop("gaps")), data.pop("gap_note")
        supporting = list(data.pop("supporting"))
        parent = data.pop("parent")
        try:
            if parent is None:
                # actions.py numbers the action under its parent before checking it: say what is missing first.
                raise ValidationError(
                    {"parent": _("Choose the action line or objective of this strategy the action serves.")}
                )
            with transaction.atomic():
                action = actions.do_create_action(user, strategy, parent=parent, supporting=supporting, **data)
                for gap in linked:
                    actions.do_link_gap(user, action, gap, note)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Action %(code)s was created.") % {"code": action.code})
            return redirect("strategy:action_detail", pk=strategy.pk, action_pk=action.pk)
    return _page(request, "action_form.html", strategy, "plan", _status(form), form=form)


@login_required
def action_detail(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    return _action_page(request, pk, action_pk)


def _action_page(
    request: HttpRequest, pk: int, action_pk: int, link_form: GapLinkForm | None = None, status: int = 200
) -> HttpResponse:
    user = _user(request)
    strategy = _strategy(request, pk)
    action = access_action_by_id(user, strategy, action_pk)
    visible = _strategy_gaps(request, strategy)
    links = action.gap_links.filter(gap__in=visible).select_related("gap", "linked_by")
    if link_form is None:
        link_form = GapLinkForm(gaps=visible.exclude(pk__in=action.gap_links.values("gap_id")))
    return _page(
        request,
        "action_detail.html",
        strategy,
        "plan",
        status,
        action=action,
        links=links,
        kpis=action.kpis.all(),
        link_form=link_form,
    )


@login_required
def action_edit(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    user = _user(request)
    strategy = _strategy(request, pk, Permission.EDIT)
    action = access_action_by_id(user, strategy, action_pk)

    def save(data: dict[str, Any], version: int) -> None:
        supporting = list(data.pop("supporting"))
        actions.do_update_action(user, action, version, supporting=supporting, **data)

    form, conflict, saved = _save_edit(
        request,
        ActionForm(request.POST or None, instance=action, strategy=strategy),
        save,
        _("action"),
        strategy=strategy,
    )
    if saved:
        messages.success(request, _("Action %(code)s was updated.") % {"code": action.code})
        return redirect("strategy:action_detail", pk=strategy.pk, action_pk=action.pk)
    return _page(
        request,
        "action_form.html",
        strategy,
        "plan",
        _status(form, conflict),
        form=form,
        action=action,
        conflict=conflict,
    )


@login_required
def action_delete(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, Permission.EDIT)
    action = access_action_by_id(_user(request), strategy, action_pk)
    return _confirm_delete(
        request,
        strategy,
        action,
        what=_("action"),
        back=reverse("strategy:action_detail", args=[strategy.pk, action.pk]),
        delete=lambda: actions.do_delete_action(_user(request), action),
        done=_("Action %(code)s was deleted.") % {"code": action.code},
        done_url=_plan_url(strategy),
    )


@login_required
@require_POST
def gap_link(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    user = _user(request)
    strategy = _strategy(request, pk, Permission.EDIT)
    action = access_action_by_id(user, strategy, action_pk)
    form = GapLinkForm(request.POST, gaps=_strategy_gaps(request, strategy))
    if form.is_valid():
        try:
            actions.do_link_gap(user, action, form.cleaned_data["gap"], form.cleaned_data["note"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(action)s now addresses %(gap)s.")
                % {"action": action.code, "gap": form.cleaned_data["gap"].identifier},
            )
            return redirect(reverse("strategy:action_detail", args=[strategy.pk, action.pk]) + "#gaps")
    return _action_page(request, pk, action_pk, link_form=form, status=400)


@login_required
@require_POST
def gap_unlink(request: HttpRequest, pk: int, action_pk: int, gap_pk: int) -> HttpResponse:
    user = _user(request)
    strategy = _strategy(request, pk, Permission.EDIT)
    action = access_action_by_id(user, strategy, action_pk)
    gap = _get(_strategy_gaps(request, strategy), gap_pk)
    actions.do_unlink_gap(user, action, gap)
    messages.success(request, _("%(action)s no longer cites %(gap)s.") % {"action": action.code, "gap": gap.identifier})
    return redirect(reverse("strategy:action_detail", args=[strategy.pk, action.pk]) + "#gaps")


# --------------------------------------------------------------------------- KPIs


@login_required
def kpi_create(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, Permission.EDIT)
    action = access_action_by_id(_user(request), strategy, action_pk)
    form = KPIForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_create_kpi(_user(request), action, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The KPI was added."))
            return redirect(reverse("strategy:action_detail", args=[strategy.pk, action.pk]) + "#kpis")
    return _page(request, "kpi_form.html", strategy, "plan", _status(form), form=form, action=action)


@login_required
def kpi_edit(request: HttpRequest, pk: int, action_pk: int, kpi_pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, Permission.EDIT)
    action = access_action_by_id(_user(request), strategy, action_pk)
    kpi: KPI = _get(action.kpis.all(), kpi_pk)
    form, conflict, saved = _save_edit(
        request,
        KPIForm(request.POST or None, instance=kpi),
        lambda data, version: actions.do_update_kpi(_user(request), kpi, version, **data),
        _("KPI"),
    )
    if saved:
        messages.success(request, _("The KPI was updated."))
        return redirect(reverse("strategy:action_detail", args=[strategy.pk, action.pk]) + "#kpis")
    return _page(
        request,
        "kpi_form.html",
        strategy,
        "plan",
        _status(form, conflict),
        form=form,
        action=action,
        kpi=kpi,
        conflict=conflict,
    )


@login_required
def kpi_delete(request: HttpRequest, pk: int, action_pk: int, kpi_pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, Permission.EDIT)
    action = access_action_by_id(_user(request), strategy, action_pk)
    kpi: KPI = _get(action.kpis.all(), kpi_pk)
    back = reverse("strategy:action_detail", args=[strategy.pk, action.pk])
    return _confirm_delete(
        request,
        strategy,
        kpi,
        what=_("KPI"),
        back=back,
        delete=lambda: actions.do_delete_kpi(_user(request), kpi),
        done=_("The KPI was deleted."),
        done_url=back + "#kpis",
    )


# --------------------------------------------------------------------------- traceability


@login_required
def traceability_view(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = _strategy(request, pk)
    visible = gaps_visible_to(_user(request))
    coverage = traceability.coverage(strategy, visible)
    rows = [(gap, {a.pk for a in coverage.actions_of(gap)}) for gap in coverage.gaps]
    return _page(
        request,
        "traceability.html",
        strategy,
        "traceability",
        coverage=coverage,
        rows=rows,
        suggestions=traceability.suggestions(strategy, visible),
    )


@login_required
def gap_actions(request: HttpRequest, gap_pk: int) -> HttpResponse:
    """The actions, in strategies the user reads, that address a gap (shown on the gap's page)."""
    user = _user(request)
    gap = access_gap_by_id(user, gap_pk)
    addressed = (
        Action.objects.filter(gap_links__gap=gap, strategy__in=strategies_visible_to(user))
        .select_related("strategy", "lead")
        .order_by("strategy_id", "code")
    )
    fragment = request.headers.get("HX-Request") == "true"
    template = "strategy/plan/_gap_actions.html" if fragment else "strategy/plan/gap_actions.html"
    return render(request, template, {"gap": gap, "addressed": addressed})
