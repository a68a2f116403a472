"""Web pages of a strategy's plan: the tree of axes, objectives and lines, and the principles.

Thin: reads go through ``access.py`` (organisation and TLP), writes through ``actions.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from cyberplan.core.access import Permission
from cyberplan.core.forms import attach_errors

from .. import actions
from ..access import (
    access_element_by_id,
)
from ..choices import PARENT_KIND, ElementKind
from ..models import KPI, Action, Element, Principle, Strategy
from .common import confirm_delete, form_status, get_or_404, plan_page, plan_url, request_user, save_edit, strategy_for
from .forms import (
    ElementForm,
    PrincipleForm,
)

# --------------------------------------------------------------------------- the plan


@dataclass
class Node:
    element: Element
    children: list[Node]
    actions: list[Action]
    kpis: list[KPI] = field(default_factory=list)  # the indicators of the axis or objective itself


def _tree(strategy: Strategy) -> tuple[list[Node], list[Element]]:
    """Axes > objectives > action lines with their actions; and elements no axis reaches (orphans)."""
    elements = list(strategy.elements.order_by("order", "code", "id"))
    by_parent: dict[int | None, list[Element]] = {}
    for element in elements:
        by_parent.setdefault(element.parent_id, []).append(element)
    acts: dict[int, list[Action]] = {}
    for action in strategy.actions.select_related("lead").order_by("order", "code", "id"):
        acts.setdefault(action.parent_id, []).append(action)
    kpis: dict[int, list[KPI]] = {}
    for kpi in KPI.objects.filter(element__strategy=strategy).order_by("id"):
        kpis.setdefault(kpi.element_id, []).append(kpi)  # type: ignore[arg-type]  # an element's KPI has an element
    seen: set[int] = set()

    def build(element: Element) -> Node:
        seen.add(element.pk)
        children = [build(c) for c in by_parent.get(element.pk, []) if c.pk not in seen]
        return Node(element, children, acts.get(element.pk, []), kpis.get(element.pk, []))

    roots = [build(e) for e in by_parent.get(None, []) if e.kind == ElementKind.AXIS]
    return roots, [e for e in elements if e.pk not in seen]


@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk)
    roots, orphans = _tree(strategy)
    return plan_page(
        request,
        "plan.html",
        strategy,
        "plan",
        principles=strategy.principles.all(),
        roots=roots,
        orphans=orphans,
    )


@login_required
def principle_create(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    form = PrincipleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_add_principle(request_user(request), strategy, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The principle was added."))
            return redirect(plan_url(strategy, "principles"))
    return plan_page(request, "principle_form.html", strategy, "plan", form_status(form), form=form)


@login_required
def principle_edit(request: HttpRequest, pk: int, principle_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    principle: Principle = get_or_404(strategy.principles.all(), principle_pk)
    form, conflict, saved = save_edit(
        request,
        PrincipleForm(request.POST or None, instance=principle),
        lambda data, version: actions.do_update_principle(request_user(request), principle, version, **data),
        _("principle"),
    )
    if saved:
        messages.success(request, _("The principle was updated."))
        return redirect(plan_url(strategy, "principles"))
    return plan_page(
        request,
        "principle_form.html",
        strategy,
        "plan",
        form_status(form, conflict),
        form=form,
        principle=principle,
        conflict=conflict,
    )


@login_required
def principle_delete(request: HttpRequest, pk: int, principle_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    principle: Principle = get_or_404(strategy.principles.all(), principle_pk)
    return confirm_delete(
        request,
        strategy,
        principle,
        what=_("principle"),
        back=plan_url(strategy),
        delete=lambda: actions.do_delete_principle(request_user(request), principle),
        done=_("The principle was deleted."),
        done_url=plan_url(strategy, "principles"),
    )


@login_required
def element_create(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
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
            element = actions.do_create_element(request_user(request), strategy, kind=kind, parent=parent, **data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request, _("%(kind)s %(code)s was added.") % {"kind": element.get_kind_display(), "code": element.code}
            )
            return redirect(plan_url(strategy, f"e-{element.pk}"))
    return plan_page(
        request,
        "element_form.html",
        strategy,
        "plan",
        form_status(form),
        form=form,
        kind=kind,
        kind_label=ElementKind(kind).label,
        parent_kind=PARENT_KIND[ElementKind(kind)],
    )


@login_required
def element_edit(request: HttpRequest, pk: int, element_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    element = access_element_by_id(request_user(request), strategy, element_pk)
    form_kwargs: dict[str, Any] = {"strategy": strategy, "kind": element.kind}
    form, conflict, saved = save_edit(
        request,
        ElementForm(request.POST or None, instance=element, **form_kwargs),
        lambda data, version: actions.do_update_element(request_user(request), element, version, **data),
        _("element"),
        **form_kwargs,
    )
    if saved:
        messages.success(request, _("%(code)s was updated.") % {"code": element.code})
        return redirect(plan_url(strategy, f"e-{element.pk}"))
    return plan_page(
        request,
        "element_form.html",
        strategy,
        "plan",
        form_status(form, conflict),
        form=form,
        element=element,
        kind=element.kind,
        kind_label=element.get_kind_display(),
        parent_kind=PARENT_KIND[ElementKind(element.kind)],
        conflict=conflict,
    )


@login_required
def element_delete(request: HttpRequest, pk: int, element_pk: int) -> HttpResponse:
    strategy = strategy_for(request, pk, Permission.EDIT)
    element = access_element_by_id(request_user(request), strategy, element_pk)
    return confirm_delete(
        request,
        strategy,
        element,
        what=element.get_kind_display().lower(),
        back=plan_url(strategy),
        delete=lambda: actions.do_delete_element(request_user(request), element),
        done=_("%(code)s was deleted.") % {"code": element.code},
        done_url=plan_url(strategy),
        refused_url=plan_url(strategy, f"e-{element.pk}"),
    )
