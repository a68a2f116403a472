"""Web pages of the plan's budget: an action's budget lines, the plan currency and the exchange rates.

Thin: reads go through ``access.py`` (organisation and TLP), writes through ``budget_actions.py``
(checked and audited); only an editor of the owner organisation changes anything.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.core.access import Permission
from cyberplan.core.forms import attach_errors

from .. import budget_actions
from ..access import access_action_by_id
from ..models import BudgetLine, ExchangeRate
from .budget_forms import BudgetLineForm, ExchangeRateForm, PlanCurrencyForm
from .common import confirm_delete, form_status, get_or_404, plan_page, request_user, strategy_for


def _line_values(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in ("year", "funding_source", "amount", "currency", "note")}


@login_required
def budget_line_create(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    action = access_action_by_id(request_user(request), strategy, action_pk)
    form = BudgetLineForm(request.POST or None, strategy=strategy)
    if request.method == "POST" and form.is_valid():
        try:
            budget_actions.do_add_budget_line(request_user(request), action, **_line_values(form.cleaned_data))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The budget line was added."))
            return redirect(reverse("strategy:action_detail", args=[strategy.pk, action.pk]) + "#budget")
    return plan_page(request, "budget_line_form.html", strategy, "plan", form_status(form), form=form, action=action)


@login_required
def budget_line_edit(request: HttpRequest, pk: int, action_pk: int, line_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    action = access_action_by_id(request_user(request), strategy, action_pk)
    line: BudgetLine = get_or_404(action.budget_lines.all(), line_pk)
    form = BudgetLineForm(request.POST or None, strategy=strategy, line=line)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            budget_actions.do_update_budget_line(
                request_user(request), line, form.cleaned_data.get("version"), **_line_values(form.cleaned_data)
            )
        except budget_actions.ConcurrentEditError:
            conflict = True
            form.add_error(
                None,
                _("Someone else changed this budget line while you were editing it; nothing was saved. Reload it."),
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The budget line was updated."))
            return redirect(reverse("strategy:action_detail", args=[strategy.pk, action.pk]) + "#budget")
    return plan_page(
        request,
        "budget_line_form.html",
        strategy,
        "plan",
        form_status(form, conflict),
        form=form,
        action=action,
        line=line,
    )


@login_required
def budget_line_delete(request: HttpRequest, pk: int, action_pk: int, line_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    action = access_action_by_id(request_user(request), strategy, action_pk)
    line: BudgetLine = get_or_404(action.budget_lines.all(), line_pk)
    back = reverse("strategy:action_detail", args=[strategy.pk, action.pk])
    return confirm_delete(
        request,
        strategy,
        line,
        what=_("budget line"),
        back=back,
        delete=lambda: budget_actions.do_delete_budget_line(request_user(request), line),
        done=_("The budget line was deleted."),
        done_url=back + "#budget",
    )


def _budget_page(
    request: HttpRequest,
    pk: int,
    currency_form: PlanCurrencyForm | None = None,
    rate_form: ExchangeRateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    strategy = strategy_for(request, pk)
    return plan_page(
        request,
        "budget.html",
        strategy,
        "plan",
        status,
        currency_form=currency_form or PlanCurrencyForm(initial={"currency": strategy.currency}),
        rate_form=rate_form or ExchangeRateForm(initial={"quote": strategy.currency}),
        rates=strategy.exchange_rates.select_related("recorded_by"),
    )


@login_required
def budget_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan currency and the exchange rates the user states for the strategy."""
    return _budget_page(request, pk)


@login_required
@require_POST
def plan_currency(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    form = PlanCurrencyForm(request.POST)
    if form.is_valid():
        try:
            budget_actions.do_set_plan_currency(request_user(request), strategy, form.cleaned_data["currency"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The plan currency is now %(currency)s.") % {"currency": strategy.currency})
            return redirect("strategy:budget", pk=strategy.pk)
    return _budget_page(request, pk, currency_form=form, status=400)


@login_required
@require_POST
def rate_create(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    form = ExchangeRateForm(request.POST)
    if form.is_valid():
        try:
            budget_actions.do_add_rate(request_user(request), strategy, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The exchange rate was added."))
            return redirect(reverse("strategy:budget", args=[strategy.pk]) + "#rates")
    return _budget_page(request, pk, rate_form=form, status=400)


@login_required
def rate_delete(request: HttpRequest, pk: int, rate_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    rate: ExchangeRate = get_or_404(strategy.exchange_rates.all(), rate_pk)
    back = reverse("strategy:budget", args=[strategy.pk])
    return confirm_delete(
        request,
        strategy,
        rate,
        what=_("exchange rate"),
        back=back,
        delete=lambda: budget_actions.do_delete_rate(request_user(request), rate),
        done=_("The exchange rate was deleted."),
        done_url=back + "#rates",
    )
