"""The indicators of axes and objectives on the plan side: add, edit and delete, as for an action's KPIs.

The element is read within the strategy the user edits (``strategy_for`` with ``edit``), so a KPI of
another organisation's strategy, or of another strategy, is not found.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from cyberplan.core.access import Permission
from cyberplan.core.forms import attach_errors

from .. import actions
from ..access import access_element_by_id
from ..models import KPI, Element
from .common import confirm_delete, form_status, get_or_404, plan_page, plan_url, request_user, save_edit, strategy_for
from .forms import KPIForm


def _back(element: Element) -> str:
    return plan_url(element.strategy, f"e-{element.pk}")


@login_required
def element_kpi_create(request: HttpRequest, pk: int, element_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    element = access_element_by_id(request_user(request), strategy, element_pk)
    form = KPIForm(request.POST or None, initial={"indicator_type": actions.default_indicator_type(element)})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_create_kpi(request_user(request), element, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The KPI was added."))
            return redirect(_back(element))
    return plan_page(request, "kpi_form.html", strategy, "plan", form_status(form), form=form, element=element)


@login_required
def element_kpi_edit(request: HttpRequest, pk: int, element_pk: int, kpi_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    element = access_element_by_id(request_user(request), strategy, element_pk)
    kpi: KPI = get_or_404(element.kpis.all(), kpi_pk)
    form, conflict, saved = save_edit(
        request,
        KPIForm(request.POST or None, instance=kpi),
        lambda data, version: actions.do_update_kpi(request_user(request), kpi, version, **data),
        _("KPI"),
    )
    if saved:
        messages.success(request, _("The KPI was updated."))
        return redirect(_back(element))
    return plan_page(
        request,
        "kpi_form.html",
        strategy,
        "plan",
        form_status(form, conflict),
        form=form,
        element=element,
        kpi=kpi,
        conflict=conflict,
    )


@login_required
def element_kpi_delete(request: HttpRequest, pk: int, element_pk: int, kpi_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    element = access_element_by_id(request_user(request), strategy, element_pk)
    kpi: KPI = get_or_404(element.kpis.all(), kpi_pk)
    return confirm_delete(
        request,
        strategy,
        kpi,
        what=_("KPI"),
        back=_back(element),
        delete=lambda: actions.do_delete_kpi(request_user(request), kpi),
        done=_("The KPI was deleted."),
        done_url=_back(element),
    )
