"""Template filters of the plan's budget: amounts per locale and currency, execution rates."""

from __future__ import annotations

from decimal import Decimal

from django import template

from ..budget import money as _money
from ..budget import rate_text

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """``{{ amount|money:"PYG" }}``: grouped per locale, no decimals for guaraníes, with the code."""
    return _money(amount, str(currency))


@register.filter
def amount_only(amount: Decimal | None, currency: str) -> str:
    """The amount as ``money`` writes it, without the currency code (for table cells)."""
    return _money(amount, str(currency), with_code=False)


@register.filter
def execution_rate(rate: float | None) -> str:
    return rate_text(rate)
