"""The "Store access" page: the grants an organisation gave and received, a grant form and revocation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cyberplan.core.access import Permission as Perm
from cyberplan.core.access import organisation_ids_where
from cyberplan.core.http import signed_in_user
from cyberplan.core.models import Organisation

from . import actions
from .access import access_grant_to_manage, grant_manager_ids, store_grants_visible_to
from .forms import StoreGrantForm


@login_required
def store_access(request: HttpRequest) -> HttpResponse:
    """Grants given and received by the user's organisations; administrators and coordinators grant here."""
    user = signed_in_user(request)
    owners = Organisation.objects.filter(pk__in=grant_manager_ids(user))
    form = StoreGrantForm(request.POST or None, owners=owners)
    if request.method == "POST":
        if not owners.exists():
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_grant_store_access(
                    user, data["owner"], data["recipient"], ceiling=data["ceiling"], reason=data["reason"]
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The grant was recorded; the organisation reads the store from now on."))
                return redirect("threats:store_access")
    mine = set(organisation_ids_where(user, Perm.VIEW))
    grants = list(store_grants_visible_to(user).order_by("-granted_at"))
    managed = set(grant_manager_ids(user))
    return render(
        request,
        "threats/store_access.html",
        {
            "form": form,
            "can_grant": bool(managed),
            "given": [g for g in grants if g.owner_id in mine],
            "received": [g for g in grants if g.recipient_id in mine],
            "managed": managed,
        },
        status=400 if form.errors else 200,
    )


@login_required
def store_grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for confirmation (GET), then revoke the grant (POST); 404 if not visible, 403 if not managed."""
    user = signed_in_user(request)
    grant = access_grant_to_manage(user, pk)
    if request.method == "POST":
        try:
            actions.do_revoke_store_access(user, grant)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The grant was revoked; the organisation no longer reads the store."))
        return redirect("threats:store_access")
    return render(request, "threats/store_grant_revoke.html", {"grant": grant})
