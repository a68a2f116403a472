"""Words for the codes the regional dashboard's tables show: classes, treaties, treaty steps, change flags."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from cyberplan.trends.labels import flag_label, taxonomy_label

from .. import charts
from ..analysis import ALL_CLASSES
from ..regional_figures import REGION

register = template.Library()


@register.filter
def threat_class(code: str) -> str:
    return _("all classes") if code == ALL_CLASSES else str(taxonomy_label(code))


@register.filter
def treaty(code: str) -> str:
    return charts.treaty_label(code)


@register.filter
def treaty_status(code: str) -> str:
    return charts.status_label(code)


@register.filter
def change_flag(code: str) -> str:
    if code == "untested":
        return _("not tested: a suppressed count")
    return str(flag_label(code)) if code else _("no significant change")


@register.filter
def who(code: str) -> str:
    return _("Region") if code == REGION else code


@register.filter
def share(value: Any) -> str:
    """A share from 0 to 1 as a whole per cent; a dash when unknown."""
    return "—" if value is None else f"{round(100 * float(value))} %"


@register.filter
def percent_change(value: Any) -> str:
    return "—" if value is None else f"{100 * float(value):+.1f} %"


@register.filter
def audience(code: str) -> str:
    return charts.audience_label(code)
