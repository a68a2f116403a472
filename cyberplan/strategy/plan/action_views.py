"""Web pages of a strategy's actions: each action, the gaps it addresses and its KPIs, and the
traceability from gaps to actions.

Thin: reads go through ``access.py`` (organisation and TLP), writes through ``actions.py``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.core.access import Permission
from cyberplan.core.forms import attach_errors
from cyberplan.gaps.access import access_gap_by_id, gaps_visible_to
from cyberplan.gaps.models import Gap

from .. import actions, traceability
from ..access import (
    access_action_by_id,
    strategies_visible_to,
)
from ..models import KPI, Action, Strategy
from .common import confirm_delete, form_status, get_or_404, plan_page, plan_url, request_user, save_edit, strategy_for
from .forms import (
    ActionForm,
    GapLinkForm,
    KPIForm,
)

# --------------------------------------------------------------------------- actions


def _strategy_gaps(request: HttpRequest, strategy: Strategy) -> models.QuerySet[Gap]:
    return traceability.strategy_gaps(strategy, gaps_visible_to(request_user(request)))


def _suggested_initial(request: HttpRequest, strategy: Strategy, gap_id: str) -> dict[str, Any]:
    """The action form filled from the suggestion for an uncovered gap (or just the gap, if covered)."""
    gap = _strategy_gaps(request, strategy).filter(pk=int(gap_id)).first() if gap_id.isdigit() else None
    if gap is None:
        return {}
    initial: dict[str, Any] = {"gaps": [gap.pk]}
    for suggestion in traceability.suggestions(strategy, gaps_visible_to(request_user(request))):
        if suggestion.gap.pk == gap.pk:
            initial.update(title_en=suggestion.title_en, title_es=suggestion.title_es, gap_note=suggestion.reason[:500])
            if suggestion.parent is not None:
                initial["parent"] = suggestion.parent.pk
            break
    return initial


@login_required
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    strategy = strategy_for(request, pk, Permission.EDIT)
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
    return plan_page(request, "action_form.html", strategy, "plan", form_status(form), form=form)


@login_required
def action_detail(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    return _action_page(request, pk, action_pk)


def _action_page(
    request: HttpRequest, pk: int, action_pk: int, link_form: GapLinkForm | None = None, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    strategy = strategy_for(request, pk)
    action = access_action_by_id(user, strategy, action_pk)
    visible = _strategy_gaps(request, strategy)
    links = action.gap_links.filter(gap__in=visible).select_related("gap", "linked_by")
    if link_form is None:
        link_form = GapLinkForm(gaps=visible.exclude(pk__in=action.gap_links.values("gap_id")))
    return plan_page(
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
    user = request_user(request)
    strategy = strategy_for(request, pk, Permission.EDIT)
    action = access_action_by_id(user, strategy, action_pk)

    def save(data: dict[str, Any], version: int) -> None:
        supporting = list(data.pop("supporting"))
        actions.do_update_action(user, action, version, supporting=supporting, **data)

    form, conflict, saved = save_edit(
        request,
        ActionForm(request.POST or None, instance=action, strategy=strategy),
        save,
        _("action"),
        strategy=strategy,
    )
    if saved:
        messages.success(request, _("Action %(code)s was updated.") % {"code": action.code})
        return redirect("strategy:action_detail", pk=strategy.pk, action_pk=action.pk)
    return plan_page(
        request,
        "action_form.html",
        strategy,
        "plan",
        form_status(form, conflict),
        form=form,
        action=action,
        conflict=conflict,
    )


@login_required
def action_delete(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    action = access_action_by_id(request_user(request), strategy, action_pk)
    return confirm_delete(
        request,
        strategy,
        action,
        what=_("action"),
        back=reverse("strategy:action_detail", args=[strategy.pk, action.pk]),
        delete=lambda: actions.do_delete_action(request_user(request), action),
        done=_("Action %(code)s was deleted.") % {"code": action.code},
        done_url=plan_url(strategy),
    )


@login_required
@require_POST
def gap_link(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    user = request_user(request)
    strategy = strategy_for(request, pk, Permission.EDIT)
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
    user = request_user(request)
    strategy = strategy_for(request, pk, Permission.EDIT)
    action = access_action_by_id(user, strategy, action_pk)
    gap = get_or_404(_strategy_gaps(request, strategy), gap_pk)
    actions.do_unlink_gap(user, action, gap)
    messages.success(request, _("%(action)s no longer cites %(gap)s.") % {"action": action.code, "gap": gap.identifier})
    return redirect(reverse("strategy:action_detail", args=[strategy.pk, action.pk]) + "#gaps")


# --------------------------------------------------------------------------- KPIs


@login_required
def kpi_create(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    action = access_action_by_id(request_user(request), strategy, action_pk)
    form = KPIForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_create_kpi(request_user(request), action, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The KPI was added."))
            return redirect(reverse("strategy:action_detail", args=[strategy.pk, action.pk]) + "#kpis")
    return plan_page(request, "kpi_form.html", strategy, "plan", form_status(form), form=form, action=action)


@login_required
def kpi_edit(request: HttpRequest, pk: int, action_pk: int, kpi_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    action = access_action_by_id(request_user(request), strategy, action_pk)
    kpi: KPI = get_or_404(action.kpis.all(), kpi_pk)
    form, conflict, saved = save_edit(
        request,
        KPIForm(request.POST or None, instance=kpi),
        lambda data, version: actions.do_update_kpi(request_user(request), kpi, version, **data),
        _("KPI"),
    )
    if saved:
        messages.success(request, _("The KPI was updated."))
        return redirect(reverse("strategy:action_detail", args=[strategy.pk, action.pk]) + "#kpis")
    return plan_page(
        request,
        "kpi_form.html",
        strategy,
        "plan",
        form_status(form, conflict),
        form=form,
        action=action,
        kpi=kpi,
        conflict=conflict,
    )


@login_required
def kpi_delete(request: HttpRequest, pk: int, action_pk: int, kpi_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    action = access_action_by_id(request_user(request), strategy, action_pk)
    kpi: KPI = get_or_404(action.kpis.all(), kpi_pk)
    back = reverse("strategy:action_detail", args=[strategy.pk, action.pk])
    return confirm_delete(
        request,
        strategy,
        kpi,
        what=_("KPI"),
        back=back,
        delete=lambda: actions.do_delete_kpi(request_user(request), kpi),
        done=_("The KPI was deleted."),
        done_url=back + "#kpis",
    )


# --------------------------------------------------------------------------- traceability


@login_required
def traceability_view(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk)
    visible = gaps_visible_to(request_user(request))
    coverage = traceability.coverage(strategy, visible)
    rows = [(gap, {a.pk for a in coverage.actions_of(gap)}) for gap in coverage.gaps]
    return plan_page(
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
    user = request_user(request)
    gap = access_gap_by_id(user, gap_pk)
    addressed = (
        Action.objects.filter(gap_links__gap=gap, strategy__in=strategies_visible_to(user))
        .select_related("strategy", "lead")
        .order_by("strategy_id", "code")
    )
    fragment = request.headers.get("HX-Request") == "true"
    template = "strategy/plan/_gap_actions.html" if fragment else "strategy/plan/gap_actions.html"
    return render(request, template, {"gap": gap, "addressed": addressed})
