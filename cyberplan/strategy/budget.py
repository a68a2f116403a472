"""The plan's budget and its execution, as plain data: planned by year and funding source, executed
from progress updates, the execution rate, and amounts shown in another currency at stated rates.

Amounts are in the strategy's plan currency (``Strategy.currency``). A budget line is a planned
amount of an action for one year from one funding source; a line from no known source ("to be
defined") is *unfunded*. A progress update may say how much of the action was executed in a year
(the total so far in that year, from a funding source or none stated): for each action, year and
source the latest such update on or before the day counts, so a correction replaces what was said
before instead of adding to it.

The execution rate is executed / planned; without a planned amount there is no rate (never a
division by zero, never 0%), and an execution above the plan is shown as it is (above 100%).

A report may show the amounts in another currency with the rates the user entered for the
strategy (``ExchangeRate``): the rate of the amount's year, else the latest earlier year; the
inverse of a rate entered the other way round serves too. A year without a rate is said, never
filled in. Nothing here writes; ``budget_actions`` does.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _

from .choices import ActionStatus, ElementKind, FundingSource
from .models import Action, BudgetLine, Element, ExchangeRate, ProgressUpdate, Strategy

# Currencies in use (ISO 4217), and those whose amounts are written without decimals.
ISO_4217 = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWL",
    ]
)
NO_DECIMALS = frozenset(
    ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"]
)
UNFUNDED = FundingSource.TO_BE_DEFINED
_CENT = Decimal("0.01")


def currency_error(code: str) -> str | None:
    """Why ``code`` is not a currency code in use (None when it is)."""
    if code in ISO_4217:
        return None
    return _("%(code)s is not an ISO 4217 currency code in use; write three letters such as PYG, USD or EUR.") % {
        "code": code[:12]
    }


def money(amount: Decimal | None, currency: str, *, with_code: bool = True) -> str:
    """``amount`` in the active language, with no decimals for a currency without them (guaraníes)."""
    if amount is None:
        return "—"
    places = 0 if currency in NO_DECIMALS else 2
    text = str(formats.number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True))
    return f"{text} {currency}" if with_code else text


def rate_text(rate: float | None) -> str:
    """An execution rate in the active language ("—" when there is none)."""
    if rate is None:
        return "—"
    return _("%(value)s%%") % {"value": formats.number_format(round(rate, 1), decimal_pos=1, use_l10n=True)}


# --------------------------------------------------------------------------- checks


def parse_amount(value: Any, name: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({name: _("Give an amount as a number, e.g. 150000000.")}) from None
    if not number.is_finite():
        raise ValidationError({name: _("Give an amount as a number, e.g. 150000000.")})
    return number


def check_currency(value: Any, name: str) -> str:
    code = str(value or "").strip().upper()
    error = currency_error(code)
    if error:
        raise ValidationError({name: error})
    return code


def check_year(strategy: Strategy, value: Any, name: str = "year") -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: _("Give a year, e.g. 2026.")}) from None
    if not strategy.start_year <= year <= strategy.end_year:
        raise ValidationError(
            {
                name: _("%(year)s is outside the strategy's years (%(start)s to %(end)s).")
                % {"year": year, "start": strategy.start_year, "end": strategy.end_year}
            }
        )
    return year


def check_execution(action: Action, amount: Any, year: Any, source: str, date: Any) -> dict[str, str]:
    """The field errors of an executed amount reported with a progress update (none when it is right)."""
    errors: dict[str, str] = {}
    if amount in (None, ""):
        if year not in (None, "") or source:
            errors["executed_amount"] = _("Give the amount executed, or leave its year and source empty.")
        return errors
    try:
        value = parse_amount(amount, "executed_amount")
        if value < 0:
            errors["executed_amount"] = _("An amount cannot be negative.")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    strategy = action.strategy
    if year in (None, ""):
        year = getattr(date, "year", None)
    try:
        check_year(strategy, year, "executed_year")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if source and source not in FundingSource.values:
        errors["executed_source"] = _("Unknown funding source.")
    return errors


def check_budget_unchanged(action: Action, values: dict[str, Any]) -> None:
    """Refuse a change of the budget, currency or source of an action with budget lines: they come from the lines."""
    for name in ("budget", "currency", "funding_source"):
        if name in values and values[name] != getattr(action, name):
            raise ValidationError(
                {name: _("This action's budget is the sum of its budget lines: change the lines instead.")}
            )


# --------------------------------------------------------------------------- rates


@dataclass(frozen=True)
class RateUsed:
    """The rate that converts an amount of one year: the stated rate, maybe its inverse, maybe an earlier year's."""

    rate: ExchangeRate
    factor: Decimal  # multiply an amount in the base currency by this
    base: str
    quote: str
    inverse: bool

    def describe(self) -> str:
        stated = _("1 %(base)s = %(rate)s %(quote)s (%(year)s; source: %(source)s)") % {
            "base": self.rate.base,
            "rate": formats.number_format(self.rate.rate.normalize(), use_l10n=True, force_grouping=True),
            "quote": self.rate.quote,
            "year": self.rate.year,
            "source": self.rate.source,
        }
        if self.inverse:
            return _("the inverse of %(stated)s") % {"stated": stated}
        return stated


def find_rate(rates: Iterable[ExchangeRate], base: str, quote: str, year: int) -> RateUsed | None:
    """The rate converting ``base`` into ``quote`` for ``year``; None when no stated rate serves."""
    best: tuple[tuple[int, int], RateUsed] | None = None
    for rate in rates:
        if rate.year > year or rate.rate <= 0:
            continue
        if (rate.base, rate.quote) == (base, quote):
            used = RateUsed(rate, rate.rate, base, quote, inverse=False)
        elif (rate.base, rate.quote) == (quote, base):
            used = RateUsed(rate, Decimal(1) / rate.rate, base, quote, inverse=True)
        else:
            continue
        rank = (rate.year, 0 if used.inverse else 1)  # the latest year first; a direct rate before an inverse
        if best is None or rank > best[0]:
            best = (rank, used)
    return best[1] if best else None


# --------------------------------------------------------------------------- execution


@dataclass
class Cell:
    """Planned and executed amounts of one cell of a budget table; ``missing``: no rate converted a part of it."""

    planned: Decimal = Decimal(0)
    executed: Decimal = Decimal(0)
    missing: bool = False

    def add(self, planned: Decimal | None, executed: Decimal | None) -> None:
        if planned is None or executed is None:
            self.missing = True
            return
        self.planned += planned
        self.executed += executed

    @property
    def rate(self) -> float | None:
        """Executed / planned in percent; None without a planned amount or when a part could not be converted."""
        if self.missing or self.planned <= 0:
            return None
        return float(self.executed * 100 / self.planned)

    @property
    def over(self) -> bool:
        """More executed than planned (including an execution with nothing planned)."""
        return not self.missing and self.executed > self.planned

    @property
    def empty(self) -> bool:
        return not self.missing and self.planned == 0 and self.executed == 0


@dataclass
class Row:
    """A row of a budget table: an axis, an action or a funding source, with a cell per year and a total."""

    key: str
    label: str
    years: dict[int, Cell]
    total: Cell = field(default_factory=Cell)

    def add(self, year: int, planned: Decimal | None, executed: Decimal | None) -> None:
        self.years.setdefault(year, Cell()).add(planned, executed)
        self.total.add(planned, executed)


@dataclass
class BudgetExecution:
    strategy: Strategy
    as_of: datetime.date
    plan_currency: str
    currency: str  # the currency amounts are shown in
    years: list[int]
    axes: list[Row]
    actions: list[Row]
    sources: list[Row]  # planned by funding source; executed by the source the updates stated
    by_year: Row
    unfunded: Row  # planned with no known source
    #: actions with a budget but no budget line (not in the tables), e.g. in another currency
    without_lines: list[Action]
    #: per year shown in another currency, the rate used; the years without one
    rates_used: dict[int, RateUsed]
    rates_missing: list[int]
    lines: int

    @property
    def converted(self) -> bool:
        return self.currency != self.plan_currency

    def amount(self, value: Decimal | None) -> str:
        return money(value, self.currency)


def _axis_of(element: Element, parents: dict[int, Element]) -> Element:
    node = element
    while node.parent_id is not None:
        node = parents[node.parent_id]
    return node


def executed_amounts(updates: Iterable[ProgressUpdate], as_of: datetime.date) -> dict[tuple[int, str], Decimal]:
    """Per (year, funding source or "") the amount the latest update on or before ``as_of`` says was executed."""
    latest: dict[tuple[int, str], ProgressUpdate] = {}
    for update in sorted(updates, key=lambda u: (u.date, u.pk)):
        if update.date > as_of or update.executed_amount is None:
            continue
        year = update.executed_year or update.date.year
        latest[(year, update.executed_source or "")] = update
    return {key: u.executed_amount for key, u in latest.items() if u.executed_amount is not None}


class _Converter:
    """Converts an amount of a year from the plan currency into ``currency``, noting the rates used and missing."""

    def __init__(self, rates: list[ExchangeRate], plan_currency: str, currency: str) -> None:
        self.rates, self.plan_currency, self.currency = rates, plan_currency, currency
        self.used: dict[int, RateUsed] = {}
        self.missing: list[int] = []
        self.factors: dict[int, Decimal | None] = {}

    def factor(self, year: int) -> Decimal | None:
        if year not in self.factors:
            if self.currency == self.plan_currency:
                self.factors[year] = Decimal(1)
            else:
                found = find_rate(self.rates, self.plan_currency, self.currency, year)
                self.factors[year] = found.factor if found else None
                if found:
                    self.used[year] = found
                else:
                    self.missing.append(year)
        return self.factors[year]

    def __call__(self, value: Decimal, year: int) -> Decimal | None:
        factor = self.factor(year)
        return None if factor is None else (value * factor).quantize(_CENT, ROUND_HALF_UP)


def budget_execution(strategy: Strategy, as_of: datetime.date, currency: str | None = None) -> BudgetExecution:
    """Planned and executed amounts of ``strategy`` on ``as_of``, in ``currency`` (default: the plan currency)."""
    plan_currency = strategy.currency
    currency = (currency or plan_currency).upper()
    elements = {e.pk: e for e in strategy.elements.all()}
    actions = list(
        Action.objects.filter(strategy=strategy)
        .exclude(status=ActionStatus.CANCELLED)
        .select_related("parent")
        .prefetch_related("budget_lines", "updates")
        .order_by("order", "code", "id")
    )
    years = list(range(strategy.start_year, strategy.end_year + 1))
    convert = _Converter(list(strategy.exchange_rates.all()), plan_currency, currency)
    axes = {
        e.pk: Row(e.code, f"{e.code} {e.title}", {})
        for e in sorted(elements.values(), key=lambda e: (e.order, e.code, e.pk))
        if e.kind == ElementKind.AXIS
    }
    sources = {value: Row(value, str(label), {}) for value, label in FundingSource.choices}
    not_stated = Row("", _("Source not stated"), {})
    by_year = Row("year", _("Total"), {})
    unfunded = Row(UNFUNDED, _("Unfunded (no source)"), {})
    action_rows: list[Row] = []
    without_lines: list[Action] = []
    line_count = 0
    for action in actions:
        lines: list[BudgetLine] = list(action.budget_lines.all())
        line_count += len(lines)
        if not lines and action.budget:
            without_lines.append(action)
        executed = executed_amounts(action.updates.all(), as_of)
        if not lines and not executed:
            continue
        row = Row(action.code, f"{action.code} {action.title}", {})
        axis = axes.get(_axis_of(action.parent, elements).pk)
        planned_by_year: dict[int, Decimal] = {}
        for line in lines:
            planned_by_year[line.year] = planned_by_year.get(line.year, Decimal(0)) + line.amount
            amount = convert(line.amount, line.year)
            sources.get(line.funding_source, not_stated).add(
                line.year, amount, Decimal(0) if amount is not None else None
            )
            if line.funding_source == UNFUNDED:
                unfunded.add(line.year, amount, Decimal(0) if amount is not None else None)
        executed_by_year: dict[int, Decimal] = {}
        for (year, source), value in executed.items():
            executed_by_year[year] = executed_by_year.get(year, Decimal(0)) + value
            amount = convert(value, year)
            target = sources.get(source, not_stated) if source else not_stated
            target.add(year, Decimal(0) if amount is not None else None, amount)
        for year in sorted(set(planned_by_year) | set(executed_by_year)):
            planned = convert(planned_by_year.get(year, Decimal(0)), year)
            spent = convert(executed_by_year.get(year, Decimal(0)), year)
            for target in (row, by_year, *([axis] if axis else [])):
                target.add(year, planned, spent)
            if year not in years:
                years.append(year)
        action_rows.append(row)
    source_rows = [r for r in sources.values() if not r.total.empty] + (
        [not_stated] if not not_stated.total.empty else []
    )
    return BudgetExecution(
        strategy=strategy,
        as_of=as_of,
        plan_currency=plan_currency,
        currency=currency,
        years=sorted(years),
        axes=list(axes.values()),
        actions=action_rows,
        sources=source_rows,
        by_year=by_year,
        unfunded=unfunded,
        without_lines=without_lines,
        rates_used=dict(sorted(convert.used.items())),
        rates_missing=sorted(convert.missing),
        lines=line_count,
    )


def conversion_sentences(view: BudgetExecution) -> list[str]:
    """What a reader is told about the currency: the plan currency, and each rate used or missing."""
    out = [_("Amounts are in %(currency)s, the plan currency.") % {"currency": view.plan_currency}]
    if not view.converted:
        return out
    out = [
        _("Amounts are shown in %(currency)s, converted from the plan currency %(plan)s at the rates stated below.")
        % {"currency": view.currency, "plan": view.plan_currency}
    ]
    for year, used in view.rates_used.items():
        out.append(_("%(year)s: %(rate)s.") % {"year": year, "rate": used.describe()})
    if view.rates_missing:
        out.append(
            _(
                "No rate from %(plan)s to %(currency)s is stated for %(years)s: those amounts are not converted "
                "and the totals that include them are not given."
            )
            % {
                "plan": view.plan_currency,
                "currency": view.currency,
                "years": ", ".join(str(y) for y in view.rates_missing),
            }
        )
    return out
