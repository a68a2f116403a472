"""Forms of the plan's budget: a budget line, the plan currency, an exchange rate.

They collect input; ``budget_actions`` checks it (years of the plan, currency codes, amounts) and
puts each error on the field it names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import FundingSource
from ..models import BudgetLine, Strategy


class BudgetLineForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    funding_source = forms.ChoiceField(label=_("Funding source"), choices=FundingSource.choices)
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=16, decimal_places=2, widget=forms.NumberInput(attrs={"step": "any"})
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, strategy: Strategy, line: BudgetLine | None = None, **kwargs: Any) -> None:
        if line is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "version": line.version,
                "year": line.year,
                "funding_source": line.funding_source,
                "amount": line.stated_amount if line.stated_currency else line.amount,
                "currency": line.stated_currency or strategy.currency,
                "note": line.note,
            }
        super().__init__(*args, **kwargs)
        year: Any = self.fields["year"]
        year.choices = [(y, str(y)) for y in range(strategy.start_year, strategy.end_year + 1)]
        self.fields["currency"].initial = self.fields["currency"].initial or strategy.currency
        self.fields["currency"].help_text = _(
            "Default: the plan currency, %(currency)s. An amount in another currency is converted with the "
            "exchange rate stated for its year (on the strategy's budget page)."
        ) % {"currency": strategy.currency}

    def clean_currency(self) -> str:
        return str(self.cleaned_data.get("currency") or "").strip().upper()


class PlanCurrencyForm(forms.Form):
    currency = forms.CharField(
        label=_("Plan currency"),
        max_length=3,
        help_text=_("ISO 4217 code, e.g. PYG for guaraníes. It cannot change once budget lines are recorded."),
    )


class ExchangeRateForm(forms.Form):
    base = forms.CharField(label=_("From currency"), max_length=3)
    quote = forms.CharField(label=_("To currency"), max_length=3)
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    rate = forms.DecimalField(
        label=_("Rate"),
        max_digits=20,
        decimal_places=8,
        help_text=_("How many units of the second currency one unit of the first is worth."),
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        help_text=_("Where the rate comes from, e.g. a central bank's yearly average, or “illustrative”."),
    )
