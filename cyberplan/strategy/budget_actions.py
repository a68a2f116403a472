"""Writes to a plan's budget: the plan currency, budget lines, exchange rates. All checked and audited.

An action's ``budget`` is kept as the sum of its budget lines (in the plan currency), so progress
weighted by budget weighs each action by its whole planned budget. An action without lines keeps
the single budget typed on it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cyberplan.core import audit
from cyberplan.core.models import User

from .actions import ConcurrentEditError, locked, who
from .budget import check_currency as _currency
from .budget import check_year as _year
from .budget import currency_error, find_rate
from .budget import parse_amount as _decimal
from .choices import FundingSource
from .models import Action, BudgetLine, ExchangeRate, ProgressUpdate, Strategy

LINE_FIELDS = frozenset({"year", "funding_source", "amount", "currency", "note"})
_CENT = Decimal("0.01")

__all__ = [
    "ConcurrentEditError",
    "do_add_budget_line",
    "do_add_rate",
    "do_delete_budget_line",
    "do_delete_rate",
    "do_set_plan_currency",
    "do_update_budget_line",
]


def sync_action_budget(actor: User | None, action: Action) -> None:
    """The action's budget becomes the sum of its lines in the plan currency (its single budget stays without lines)."""
    lines = list(BudgetLine.objects.filter(action=action))
    if not lines:
        return
    current: Action = Action.objects.select_for_update().get(pk=action.pk)
    total = sum((line.amount for line in lines), Decimal(0))
    sources = {line.funding_source for line in lines}
    source = sources.pop() if len(sources) == 1 else FundingSource.MIXED
    currency = current.strategy.currency
    if (current.budget, current.currency, current.funding_source) == (total, currency, source):
        return
    before = audit.snapshot(current)
    current.budget, current.currency, current.funding_source = total, currency, source
    audit.save_versioned_update(actor, current, before, current.strategy.organisation)


def _fill_line(line: BudgetLine, strategy: Strategy, values: dict[str, Any]) -> None:
    """Check ``values`` and set them on ``line``, converting an amount stated in another currency."""
    errors: dict[str, str] = {}

    def check(name: str, fn: Any) -> Any:
        try:
            return fn()
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
            return None

    year = check("year", lambda: _year(strategy, values.get("year", line.year)))
    amount = check("amount", lambda: _decimal(values.get("amount", line.stated_amount or line.amount), "amount"))
    if amount is not None and amount < 0:
        errors["amount"] = _("An amount cannot be negative.")
    stated = values.get("currency") or line.stated_currency or strategy.currency
    currency = check("currency", lambda: _currency(stated, "currency"))
    source = values.get("funding_source", line.funding_source) or FundingSource.TO_BE_DEFINED
    if source not in FundingSource.values:
        errors["funding_source"] = _("Unknown funding source; use one of: %(values)s.") % {
            "values": ", ".join(FundingSource.values)
        }
    note = str(values.get("note", line.note) or "")
    if len(note) > 300:
        errors["note"] = _("Keep the note under 300 characters.")
    if errors:
        raise ValidationError(errors)
    if year is None or amount is None or currency is None:  # each has put its error in ``errors``
        raise ValidationError(errors)
    line.year, line.funding_source, line.note = year, source, note
    if currency == strategy.currency:
        line.amount, line.stated_amount, line.stated_currency, line.rate = amount, None, "", None
        return
    used = find_rate(strategy.exchange_rates.all(), currency, strategy.currency, year)
    if used is None:
        raise ValidationError(
            {
                "currency": _(
                    "No exchange rate from %(currency)s to the plan currency %(plan)s is stated for %(year)s or "
                    "before; add one on the strategy's budget page, or give the amount in %(plan)s."
                )
                % {"currency": currency, "plan": strategy.currency, "year": year}
            }
        )
    line.amount = (amount * used.factor).quantize(_CENT, ROUND_HALF_UP)
    line.stated_amount, line.stated_currency = amount, currency
    line.rate = used.factor.quantize(Decimal("0.00000001"), ROUND_HALF_UP)


@transaction.atomic
def do_add_budget_line(actor: User | None, action: Action, **values: Any) -> BudgetLine:
    """Plan an amount of ``action`` for a year from a funding source (``currency``: as typed, default the plan's)."""
    unknown = set(values) - LINE_FIELDS
    if unknown:
        raise ValueError(f"not budget line fields: {sorted(unknown)}")
    strategy = action.strategy
    line = BudgetLine(action=action, year=0, amount=Decimal(0))
    _fill_line(line, strategy, values)
    line.save()
    audit.record_create(actor, line, organisation=strategy.organisation)
    sync_action_budget(actor, action)
    return line


@transaction.atomic
def do_update_budget_line(
    actor: User | None, line: BudgetLine, expected_version: int | None, **values: Any
) -> BudgetLine:
    unknown = set(values) - LINE_FIELDS
    if unknown:
        raise ValueError(f"not budget line fields: {sorted(unknown)}")
    current: BudgetLine = locked(BudgetLine, line.pk, expected_version)
    before = audit.snapshot(current)
    strategy = line.action.strategy
    _fill_line(current, strategy, values)
    audit.save_versioned_update(actor, current, before, strategy.organisation)
    sync_action_budget(actor, current.action)
    return current


@transaction.atomic
def do_delete_budget_line(actor: User | None, line: BudgetLine) -> None:
    action = line.action
    audit.record_delete(actor, line, audit.snapshot(line), organisation=action.strategy.organisation)
    line.delete()
    if BudgetLine.objects.filter(action=action).exists():
        sync_action_budget(actor, action)
    else:  # no line left: nothing is planned any more
        current: Action = Action.objects.select_for_update().get(pk=action.pk)
        before = audit.snapshot(current)
        current.budget = None
        audit.save_versioned_update(actor, current, before, action.strategy.organisation)


@transaction.atomic
def do_set_plan_currency(actor: User | None, strategy: Strategy, currency: str) -> Strategy:
    """Set the plan currency; refused once budget lines or executed amounts are recorded in the current one."""
    code = _currency(currency, "currency")
    current: Strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    if code == current.currency:
        return current
    if (
        BudgetLine.objects.filter(action__strategy=current).exists()
        or ProgressUpdate.objects.filter(action__strategy=current, executed_amount__isnull=False).exists()
    ):
        raise ValidationError(
            {
                "currency": _(
                    "Budget lines or executed amounts are recorded in %(currency)s; the plan currency cannot change "
                    "under them."
                )
                % {"currency": current.currency}
            }
        )
    before = audit.snapshot(current)
    current.currency = code
    audit.save_versioned_update(actor, current, before, current.organisation)
    strategy.currency, strategy.version = current.currency, current.version
    return current


@transaction.atomic
def do_add_rate(
    actor: User | None, strategy: Strategy, *, base: str, quote: str, year: Any, rate: Any, source: str
) -> ExchangeRate:
    """State that one ``base`` is worth ``rate`` ``quote`` in ``year``, and where that comes from."""
    errors: dict[str, str] = {}
    for name, value in (("base", base), ("quote", quote)):
        error = currency_error(str(value or "").strip().upper())
        if error:
            errors[name] = error
    base, quote = str(base or "").strip().upper(), str(quote or "").strip().upper()
    if "base" not in errors and "quote" not in errors and base == quote:
        errors["quote"] = _("A rate converts between two different currencies.")
    try:
        number = _decimal(rate, "rate")
        if number <= 0:
            errors["rate"] = _("A rate is a positive number.")
    except ValidationError:
        errors["rate"] = _("Give the rate as a number, e.g. 7500.")
        number = Decimal(0)
    try:
        when = int(year)
        if not 1990 <= when <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = _("Give a year between 1990 and 2100.")
        when = 0
    if not str(source or "").strip():
        errors["source"] = _("Say where the rate comes from (a rate without a source is not used).")
    if errors:
        raise ValidationError(errors)
    item = ExchangeRate(strategy=strategy, base=base, quote=quote, year=when, rate=number, source=source.strip()[:300])
    item.recorded_by = who(actor)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ValidationError(
            {
                "year": _("A rate from %(base)s to %(quote)s is already stated for %(year)s; delete it first.")
                % {"base": base, "quote": quote, "year": when}
            }
        ) from None
    audit.record_create(actor, item, organisation=strategy.organisation)
    return item


@transaction.atomic
def do_delete_rate(actor: User | None, rate: ExchangeRate) -> None:
    audit.record_delete(actor, rate, audit.snapshot(rate), organisation=rate.strategy.organisation)
    rate.delete()
