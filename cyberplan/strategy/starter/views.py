"""The starting template: preview the axes from the guide's focus areas and create them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cyberplan.core.access import Permission
from cyberplan.core.http import signed_in_user

from ..access import access_strategy_by_id
from .template import NOTE, SOURCE, STARTER, do_apply_starter


def _plan_url(pk: int) -> str:
    try:
        return reverse("strategy:plan", args=[pk])
    except NoReverseMatch:
        return reverse("strategy:strategy_list")


@login_required
@require_http_methods(["GET", "POST"])
def starter(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = access_strategy_by_id(signed_in_user(request), pk, Permission.EDIT)
    if request.method == "POST":
        try:
            created = do_apply_starter(signed_in_user(request), strategy)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("%(count)d axes and objectives created from the template.") % {"count": len(created)}
            )
            return redirect(_plan_url(strategy.pk))
    return render(
        request,
        "strategy/starter.html",
        {
            "strategy": strategy,
            "axes": STARTER,
            "note": NOTE,
            "source": SOURCE,
            "has_structure": strategy.elements.exists(),
            "plan_url": _plan_url(strategy.pk),
        },
    )
