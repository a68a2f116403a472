"""Typed views of a request, for the pages and the API.

Django types ``request.user`` as ``User | AnonymousUser``, although every page behind ``login_required`` and every
API view behind ``IsAuthenticated`` only runs for a signed-in user. ``signed_in_user`` gives that user with the
project's ``User`` type, so access and action functions can be called without a cast. ``HtmxHttpRequest`` declares
the ``htmx`` attribute that django-htmx's middleware adds to every request.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest
from django_htmx.middleware import HtmxDetails
from rest_framework.request import Request

from .models import User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def request_user(request: HttpRequest | Request) -> User | None:
    """The signed-in user of a request, or None: an anonymous request, such as the API schema generator's."""
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        return user
    return None


def signed_in_user(request: HttpRequest | Request) -> User:
    """The signed-in user of a request; refused (403) if nobody is signed in.

    The views that call it already require a signed-in user, so the refusal only guards against a view that forgot to.
    """
    user = request_user(request)
    if user is None:
        raise PermissionDenied
    return user


def attachment(file: FieldFile) -> FileResponse:
    """A stored file sent as a download under its own name, without the folders of its storage path."""
    return FileResponse(file.open("rb"), as_attachment=True, filename=(file.name or "").rsplit("/", 1)[-1])
