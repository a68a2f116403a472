"""The form that asks for a strategy document or an M&E report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cyberplan.gaps.marking import Withheld, confirm_message
from cyberplan.reports.forms import ReportFileForm, last_quarter

from ..models import StrategyVersion
from .content import MONITORING, STRATEGY
from .service import check_report_currency, read_period

KIND_CHOICES = [(STRATEGY, _("The strategy document")), (MONITORING, _("The monitoring and evaluation report"))]


class StrategyReportForm(ReportFileForm):
    field_order = ["kind", "version", "period", "currency", "language", "format"]

    kind = forms.ChoiceField(label=_("Document"), choices=KIND_CHOICES, initial=STRATEGY)
    version = forms.TypedChoiceField(
        label=_("Version"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "For the strategy document. By default the latest published version; without one, the working copy, "
            "marked as a draft."
        ),
    )
    period = forms.CharField(
        label=_("Period"),
        max_length=40,
        required=False,
        help_text=_(
            "For the monitoring report: a year (2026), a quarter (2026-Q3), a month (2026-11) or a range of days "
            "(2026-01-01..2026-03-31)."
        ),
    )

    currency = forms.CharField(
        label=_("Currency of the budget amounts"),
        max_length=3,
        required=False,
        help_text=_(
            "For the monitoring report: another currency (e.g. USD for a donor), converted at the exchange rates "
            "stated for the strategy. Default: the plan currency."
        ),
    )

    def __init__(
        self,
        *args: Any,
        versions: list[StrategyVersion],
        owner: bool,
        withheld: Withheld | None = None,
        **kwargs: Any,
    ) -> None:
        """``withheld``: the gaps the reader sees that the document's marking leaves out; when there are some,
        the form says so and asks to confirm."""
        super().__init__(*args, **kwargs)
        self.withheld = withheld
        if withheld is not None and withheld.count:
            self.fields["confirm_withheld"] = forms.BooleanField(
                label=_("Make the strategy document without those gaps"),
                required=False,
                help_text=withheld.warning(),
            )
        version_field: Any = self.fields["version"]
        choices: list[tuple[Any, Any]] = [(str(v.number), f"v{v.number} · {v.get_status_display()}") for v in versions]
        if owner:
            choices.insert(0, ("", _("Latest published version, else the working copy")))
        version_field.choices = choices
        if not owner:
            kind_field: Any = self.fields["kind"]
            kind_field.choices = KIND_CHOICES[:1]
            del self.fields["period"]
            del self.fields["currency"]
        else:
            self.fields["period"].initial = last_quarter(timezone.localdate())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "confirm_withheld" in self.fields and data.get("kind") == STRATEGY and not data.get("confirm_withheld"):
            self.add_error("confirm_withheld", confirm_message())
        if data.get("kind") == MONITORING:
            try:
                data["period"] = read_period(data.get("period") or "").label
            except ValueError as error:
                self.add_error("period", str(error))
            try:
                data["currency"] = check_report_currency(data.get("currency"))
            except ValueError as error:
                self.add_error("currency", str(error))
        return data
