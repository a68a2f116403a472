"""Administrators and coordinators without a second factor can only set one up."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .policy import missing_second_factor

SET_UP_MESSAGE = _("Your role requires two-factor sign-in. Set up an authenticator app or a security key to continue.")


def _allowed_prefixes() -> tuple[str, ...]:
    # The pages that set up a second factor, confirm the password for it, sign out, change the language.
    return (
        reverse("mfa_index"),
        reverse("account_reauthenticate"),
        reverse("logout"),
        reverse("account_logout"),
        reverse("core:set_language"),
        reverse("healthz"),
        "/static/",
    )


class SecondFactorRequiredMiddleware:
    """After signing in with a password, an administrator or coordinator who has no authenticator app
    or security key is sent to set one up, and every other page and the API answer only that."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path_info.startswith(_allowed_prefixes())
            and missing_second_factor(user)
        ):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": str(SET_UP_MESSAGE)}, status=403)
            messages.warning(request, SET_UP_MESSAGE)
            return redirect("mfa_index")
        return self.get_response(request)
