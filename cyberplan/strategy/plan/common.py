"""What the plan's pages share: the signed-in user, the strategy with its rights, the page layout,
saving an edit that someone else may have saved first, and asking before a delete.

Every edit form carries the record's ``version``; when someone else saved first, the form comes back
with what the user typed, their values beside it, and nothing saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from cyberplan.core.access import Permission, has_permission, require
from cyberplan.core.forms import attach_errors
from cyberplan.core.models import User

from .. import actions
from ..access import (
    access_strategy_by_id,
)
from ..models import Strategy
from .forms import (
    VersionedForm,
)

M = TypeVar("M", bound=models.Model)


def request_user(request: HttpRequest) -> User:
    return cast(User, request.user)


def get_or_404(queryset: models.QuerySet[M], pk: int) -> M:
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def maybe_reverse(name: str, *args: Any) -> str | None:
    """The address of a page that may not exist yet (another area of the app), or None."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def form_status(form: BaseForm, conflict: object = None) -> int:
    return 409 if conflict else 400 if form.errors else 200


def strategy_for(request: HttpRequest, pk: int, permission: Permission | None = None) -> Strategy:
    """The strategy whose working copy the user reads (404 otherwise), and ``permission`` in its owner."""
    user = request_user(request)
    strategy = access_strategy_by_id(user, pk)
    if permission is not None:
        require(user, strategy.organisation_id, permission)
    return strategy


def rights(request: HttpRequest, strategy: Strategy) -> dict[str, bool]:
    user, org = request_user(request), strategy.organisation_id
    return {
        "can_edit": has_permission(user, org, Permission.EDIT),
        "can_decide": has_permission(user, org, Permission.DECIDE),
        "can_contribute": has_permission(user, org, Permission.CONTRIBUTE),
    }


def plan_page(
    request: HttpRequest, template: str, strategy: Strategy, tab: str, status: int = 200, **context: Any
) -> HttpResponse:
    return render(
        request,
        f"strategy/plan/{template}",
        {"strategy": strategy, "tab": tab, **rights(request, strategy), **context},
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


def save_edit(
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


def plan_url(strategy: Strategy, anchor: str = "") -> str:
    return reverse("strategy:plan", args=[strategy.pk]) + (f"#{anchor}" if anchor else "")


def confirm_delete(
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
        return plan_page(request, "confirm_delete.html", strategy, "plan", record=record, what=what, back=back)
    try:
        delete()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(refused_url or back)
    messages.success(request, done)
    return redirect(done_url)
