"""Template helpers of the sharing pages."""

from __future__ import annotations

from typing import Any

from django import template

from cyberplan.sharing.access import may_administer_credentials

register = template.Library()


@register.simple_tag
def administers_credentials(user: Any) -> bool:
    """Whether ``user`` may issue and manage partner credentials: only then is the page offered."""
    return bool(getattr(user, "is_authenticated", False)) and may_administer_credentials(user)
