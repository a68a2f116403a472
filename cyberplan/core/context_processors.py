from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .access import Permission, organisation_ids_where, roles_of
from .sections import SECTIONS, current_section


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    current = current_section(match.app_name, match.url_name) if match is not None else None
    if user is None or not user.is_authenticated:
        return {"nav_sections": SECTIONS, "nav_current": current}
    return {
        "nav_sections": SECTIONS,
        "nav_current": current,
        "nav_can_audit": bool(organisation_ids_where(user, Permission.VIEW_AUDIT)),
        "nav_has_membership": bool(roles_of(user)),
    }
