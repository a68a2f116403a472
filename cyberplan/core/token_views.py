"""The API tokens on the account page: list, create (the secret is shown once), revoke."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.core.http import signed_in_user

from . import actions
from .forms import APITokenForm, LanguageForm, attach_errors
from .tokens import APIToken


def account_context(request: HttpRequest, token_form: APITokenForm | None = None) -> dict[str, Any]:
    user = signed_in_user(request)
    return {
        "memberships": user.memberships.select_related("organisation"),
        "api_tokens": APIToken.objects.filter(user=user),
        "token_form": token_form or APITokenForm(),
        "language_form": LanguageForm(initial={"language": user.language or request.LANGUAGE_CODE}),
    }


@login_required
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    form = APITokenForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user = signed_in_user(request)
            token, secret = actions.do_create_api_token(
                user,
                user,
                name=data["name"],
                expires_at=timezone.now() + datetime.timedelta(days=data["lifetime"]),
                read_only=data["read_only"],
                allowed_networks=data["allowed_networks"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The API token was created. Copy it now: it will not be shown again."))
            context = account_context(request)
            context.update(new_token=token, new_secret=secret)
            # Rendered, not redirected: the secret must not be kept anywhere to show it after a redirect.
            response = render(request, "core/account.html", context)
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "core/account.html", account_context(request, form), status=400)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(APIToken, pk=pk, user=request.user)
    if token.revoked_at is None:
        actions.do_revoke_api_token(signed_in_user(request), token)
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("core:account")
