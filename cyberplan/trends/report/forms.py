"""The form that asks for a trends report."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cyberplan.analytics.periods import PeriodError, parse_period
from cyberplan.core.choices import TLP
from cyberplan.core.forms import set_choices
from cyberplan.reports.forms import ReportFileForm, last_quarter
from cyberplan.threats.access import ALL_STORES, ReadableStore


class ReportRequestForm(ReportFileForm):
    field_order = ["organisation", "period", "language", "format", "tlp"]

    # The store whose events are counted (by its owner's id), or every store the reader reads, together.
    organisation = forms.ChoiceField(label=_("Events of"), choices=())
    period = forms.CharField(
        label=_("Period"),
        max_length=40,
        help_text=_(
            "A year (2026), a quarter (2026-Q3), a month (2026-11) or a range of days (2026-01-01..2026-03-31)."
        ),
    )
    tlp = forms.ChoiceField(
        label=_("TLP marking"),
        choices=TLP.choices,
        initial=TLP.AMBER,
        help_text=_(
            "Who may read the report. Only events at this label or a less restricted one are counted: a TLP:CLEAR "
            "report can be published."
        ),
    )

    def __init__(self, *args: Any, stores: Sequence[ReadableStore], **kwargs: Any) -> None:
        """``stores``: the stores the requester reads, offered one by one and, when there are several, together.

        The markings offered are the TLP labels the requester reads in at least one of them.
        """
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [(str(store.owner.pk), store.describe()) for store in stores]
        if len(stores) > 1:
            choices.append((ALL_STORES, str(_("All the stores I read, together"))))
        set_choices(self, "organisation", choices)
        labels: Collection[str] = {label for store in stores for label in store.labels}
        set_choices(self, "tlp", [(code, name) for code, name in TLP.choices if code in labels])
        if len(stores) == 1:
            self.fields["organisation"].initial = str(stores[0].owner.pk)
        self.fields["period"].initial = last_quarter(timezone.localdate())

    def clean_period(self) -> str:
        text: str = self.cleaned_data["period"]
        try:
            return parse_period(text).label
        except PeriodError:
            raise forms.ValidationError(
                _(
                    "Write a year (2026), a quarter (2026-Q3), a month (2026-11) or a range of days (2026-01-01..2026-03-31)."
                )
            ) from None
