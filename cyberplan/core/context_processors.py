from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .access import Permission, organisation_ids_where, roles_of
from .sections import SECTIONS


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": SECTIONS}
    return {
        "nav_sections": SECTIONS,
        "nav_can_audit": bool(organisation_ids_where(user, Permission.VIEW_AUDIT)),
        "nav_has_membership": bool(roles_of(user)),
    }
