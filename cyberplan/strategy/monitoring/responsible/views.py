"""The actions a lead or supporting institution is responsible for, and its progress reports on them.

A member of, say, the prosecutors' office reads the actions their office leads or supports (in
"My actions" and on the strategy's monitoring page) and reports progress on them for the office,
without reading the rest of the strategy. The rule is in ``access.py``; writes go through
``actions.do_report_institution_progress``, which audits them.
"""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cyberplan.core.access import Permission, organisation_ids_where
from cyberplan.core.forms import attach_errors
from cyberplan.core.http import signed_in_user
from cyberplan.core.models import User

from ... import access, actions
from ...models import Action, Strategy
from .forms import InstitutionProgressForm


def _roles(user: User, action: Action) -> list[str]:
    """How the user's organisations take part in ``action``: "lead: X", "supporting: Y"."""
    mine = set(organisation_ids_where(user, Permission.VIEW))
    roles = []
    if action.lead_id in mine and action.lead is not None:
        roles.append(_("lead: %(org)s") % {"org": action.lead})
    roles.extend(_("supporting: %(org)s") % {"org": org} for org in action.supporting.all() if org.pk in mine)
    return roles


def _rows(user: User, actions_: list[Action]) -> list[dict[str, object]]:
    return [{"action": a, "roles": _roles(user, a)} for a in actions_]


@login_required
def my_actions(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    mine = list(access.actions_responsible_for(user))
    strategies = [
        {"strategy": strategy, "rows": _rows(user, list(group))}
        for strategy, group in groupby(mine, key=lambda a: a.strategy)
    ]
    return render(request, "strategy/responsible/list.html", {"strategies": strategies})


@login_required
def my_action(request: HttpRequest, action_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    action = access.access_responsible_action(user, action_pk)
    organisations = access.reporting_organisations(user, action)
    form = None
    status = 200
    if organisations.exists():
        form = InstitutionProgressForm(
            request.POST or None,
            request.FILES or None,
            organisations=organisations,
            initial={"status": action.status, "percent_complete": action.percent_complete},
        )
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = dict(form.cleaned_data)
            organisation = data.pop("organisation")
            try:
                actions.do_report_institution_progress(user, action, organisation, **data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("The progress update of %(code)s was recorded.") % {"code": action.code})
                return redirect("strategy:my_action", action_pk=action.pk)
        status = 400
    return render(
        request,
        "strategy/responsible/action.html",
        {
            "action": action,
            "roles": _roles(user, action),
            "form": form,
            "updates": action.updates.select_related("author", "organisation").order_by("-date", "-id"),
        },
        status=status,
    )


def responsible_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """The monitoring page of a strategy for a reader who is only a responsible institution: their actions."""
    user = signed_in_user(request)
    mine = list(access.actions_responsible_for(user).filter(strategy_id=pk))
    if not mine:
        raise Http404
    strategy: Strategy = mine[0].strategy
    return render(request, "strategy/responsible/overview.html", {"strategy": strategy, "rows": _rows(user, mine)})
