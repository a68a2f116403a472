"""Template helpers of the sharing pages."""

from __future__ import annotations

from typing import Any

from django import template

from cyberplan.core.access import Permission, organisation_ids_where
from cyberplan.sharing.access import may_administer_credentials

register = template.Library()


@register.simple_tag
def administers_credentials(user: Any) -> bool:
    """Whether ``user`` may issue and manage partner credentials: only then is the page offered."""
    return bool(getattr(user, "is_authenticated", False)) and may_administer_credentials(user)


@register.simple_tag
def manages_subscriptions(user: Any) -> bool:
    """Whether ``user`` may add and pull TAXII subscriptions (a coordinator or administrator somewhere)."""
    return bool(getattr(user, "is_authenticated", False)) and bool(organisation_ids_where(user, Permission.DECIDE))
