"""The dashboard's filters, and the analytics scope they describe."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cyberplan.analytics.metrics import Scope
from cyberplan.analytics.periods import Period, PeriodError, parse_period
from cyberplan.core.choices import TLP, TLP_RANK
from cyberplan.core.forms import set_choices
from cyberplan.core.models import Organisation, Sector
from cyberplan.threats.access import ALL_STORES

from .labels import TAXONOMIES, sector_label

UNKNOWN = "unknown"
PERIOD_SHORT_HELP = _("2026, 2026-Q3, 2026-11 or 2026-01-01..2026-03-31")


def parse_period_value(value: str) -> Period:
    """A period the user wrote, or a ``ValidationError`` in their language."""
    try:
        period = parse_period(value)
        # The comparison periods must exist too.
        period.previous()
        period.year_earlier()
    except (PeriodError, ValueError, OverflowError):
        raise forms.ValidationError(
            gettext(
                "This is not a period: write a year (2026), a quarter (2026-Q3), a month (2026-11) "
                "or a range of days (2026-01-01..2026-03-31)."
            )
        ) from None
    return period


def clean_country(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if value.lower() == UNKNOWN:
        return UNKNOWN
    if len(value) != 2 or not value.isalpha():
        raise forms.ValidationError(gettext("Give a two-letter country code, or unknown."))
    return value.upper()


def labels_up_to(readable: Iterable[str], ceiling: str) -> tuple[str, ...]:
    """The labels the user may read that are no more restricted than ``ceiling`` ("" for all of them)."""
    labels = sorted(set(readable), key=lambda label: TLP_RANK[TLP(label)])
    if not ceiling:
        return tuple(labels)
    return tuple(label for label in labels if TLP_RANK[TLP(label)] <= TLP_RANK[TLP(ceiling)])


def sector_choices() -> list[tuple[str, str]]:
    codes = list(Sector.objects.values_list("code", flat=True))
    choices = sorted(((code, sector_label(code)) for code in codes), key=lambda pair: pair[1].casefold())
    return [("", gettext("All sectors")), *choices, (UNKNOWN, gettext("Unknown sector"))]


def taxonomy_choices() -> list[tuple[str, str]]:
    return [("", gettext("All classes")), *((code, str(label)) for code, label in TAXONOMIES.items())]


def tlp_choices(readable: Iterable[str]) -> list[tuple[str, str]]:
    labels = labels_up_to(readable, "")
    return [
        ("", gettext("Everything you may read")),
        *((label, gettext("Up to %(label)s") % {"label": TLP(label).label}) for label in labels),
    ]


def store_choice(value: str) -> int | str:
    """A store chooser's value: an organisation's id, or :data:`ALL_STORES`."""
    return ALL_STORES if value == ALL_STORES else int(value)


class DashboardFilterForm(forms.Form):
    """Filters of the dashboard page. The organisation is checked by the view before the form.

    With ``together`` > 1 the store chooser offers every store the reader reads, read together, first.
    """

    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=store_choice, required=False)
    period = forms.CharField(label=_("Period"), required=False, max_length=30, help_text=PERIOD_SHORT_HELP)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    taxonomy = forms.ChoiceField(label=_("Threat class"), required=False)
    country = forms.CharField(label=_("Victim country"), required=False, max_length=7)
    tlp = forms.ChoiceField(label=_("TLP"), required=False)

    def __init__(
        self,
        *args: Any,
        organisations: Iterable[Organisation],
        tlp_labels: Iterable[str],
        together: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        stores: list[tuple[int | str, str]] = [(o.pk, str(o)) for o in organisations]
        if together > 1:
            stores.insert(0, (ALL_STORES, gettext("All stores I read (%(count)s)") % {"count": together}))
        set_choices(self, "organisation", stores)
        set_choices(self, "sector", sector_choices())
        set_choices(self, "taxonomy", taxonomy_choices())
        set_choices(self, "tlp", tlp_choices(tlp_labels))
        self.tlp_labels = tuple(tlp_labels)

    def clean_period(self) -> Period | None:
        value: str = self.cleaned_data.get("period", "").strip()
        return parse_period_value(value) if value else None

    def clean_country(self) -> str:
        return clean_country(self.cleaned_data.get("country", ""))


def scope_of(
    period: Period,
    readable: Iterable[str],
    *,
    sector: str = "",
    taxonomy: str = "",
    type_: str = "",
    country: str = "",
    feed: str = "",
    tlp: str = "",
) -> Scope:
    """The analytics scope of a page or an API call: never wider than the labels the user may read."""
    return Scope(
        period=period,
        sectors=(sector,) if sector else (),
        taxonomies=(taxonomy,) if taxonomy else (),
        types=(type_,) if type_ else (),
        feeds=(feed,) if feed else (),
        countries=(country,) if country else (),
        tlp_in=labels_up_to(readable, tlp),
    )


class GapFromChangeForm(forms.Form):
    """What the "record as a gap" button posts: the change and the dashboard filters it was read with.

    Only identifiers are posted; the view computes the figure again, so a forged number cannot
    reach the gap register.
    """

    period = forms.CharField(max_length=30)
    comparison = forms.ChoiceField(choices=[("change_previous", "change_previous"), ("change_year", "change_year")])
    dimension = forms.ChoiceField(choices=[("type", "type"), ("sector", "sector")])
    series = forms.CharField(max_length=200)
    sector = forms.CharField(required=False, max_length=40)
    taxonomy = forms.CharField(required=False, max_length=60)
    country = forms.CharField(required=False, max_length=7)
    tlp = forms.CharField(required=False, max_length=15)

    def __init__(self, *args: Any, tlp_labels: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tlp_labels = tuple(tlp_labels)

    def clean_period(self) -> Period:
        return parse_period_value(self.cleaned_data.get("period", "").strip())

    def clean_country(self) -> str:
        return clean_country(self.cleaned_data.get("country", ""))

    def clean_tlp(self) -> str:
        value: str = self.cleaned_data.get("tlp", "").strip()
        if value and value not in self.tlp_labels:
            raise forms.ValidationError(gettext("You may not read this TLP label."))
        return value
