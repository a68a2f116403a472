"""Web pages of pushes to partners' TAXII collections. Thin: read through access.py, write through actions.py."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.core.access import Permission, organisations_where, require
from cyberplan.core.forms import attach_errors
from cyberplan.core.models import User

from . import actions
from .access import access_push_by_id, pushable_collections, pushes_visible_to
from .forms import PushForm
from .jobs import do_request_push
from .models import Release


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _values(form: PushForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in actions.PUSH_FIELDS}


@login_required
def push_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not organisations_where(user, Permission.DECIDE).exists():
        raise PermissionDenied
    return render(request, "sharing/push_list.html", {"pushes": pushes_visible_to(user).order_by("name")})


@login_required
def push_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisations = organisations_where(user, Permission.DECIDE)
    if not organisations.exists():
        raise PermissionDenied
    form = PushForm(request.POST or None, organisations=organisations, collections=pushable_collections(user))
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        require(user, organisation.pk, Permission.DECIDE)
        try:
            push = actions.do_create_push(user, organisation, password=form.cleaned_data["password"], **_values(form))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Push saved; the next scheduled push uses it."))
            return redirect("sharing:push_detail", push.pk)
    return render(request, "sharing/push_form.html", {"form": form, "title": _("New push to a partner")})


@login_required
def push_detail(request: HttpRequest, pk: int) -> HttpResponse:
    push = access_push_by_id(_user(request), pk)
    releases = Release.objects.filter(collection=push.collection, recipient=push.recipient, channel="taxii-push")
    return render(request, "sharing/push_detail.html", {"push": push, "releases": releases[:10]})


@login_required
def push_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    push = access_push_by_id(user, pk)
    form = PushForm(request.POST or None, instance=push, collections=pushable_collections(user, push.organisation_id))
    if request.method == "POST" and form.is_valid():
        try:
            stored = access_push_by_id(user, pk)  # the form has already changed ``push`` in memory
            actions.do_update_push(user, stored, password=form.cleaned_data["password"], **_values(form))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Push saved."))
            return redirect("sharing:push_detail", push.pk)
    return render(request, "sharing/push_form.html", {"form": form, "title": _("Edit push to a partner"), "push": push})


@login_required
@require_POST
def push_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    actions.do_delete_push(user, access_push_by_id(user, pk))
    messages.success(request, _("Push removed; what was already sent stays with the partner."))
    return redirect("sharing:push_list")


@login_required
@require_POST
def push_now(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    job = do_request_push(user, access_push_by_id(user, pk))
    messages.success(request, _("The push runs in the background; this page shows when it is done."))
    return redirect("jobs:job_detail", job.pk)
