"""What the strategy documents share: helpers in the active language, the audience, the plan a document reads."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django_countries import countries

from cyberplan.analytics.periods import Period
from cyberplan.core.access import visible_q
from cyberplan.core.models import Organisation, User
from cyberplan.gaps.models import Gap
from cyberplan.reports.document import Paragraph, clean
from cyberplan.reports.marking import labels_at_or_below
from cyberplan.threats.access import event_tlp_labels

from .. import traceability
from ..models import Strategy
from ..monitoring import overview as monitoring

DASH = "\N{EN DASH}"
_BREAKS = re.compile(r"\n\s*\n+")

# -- small helpers in the active language ---------------------------------------------------------


def active_language() -> str:
    return (get_language() or "en")[:2]


def pick(item: dict[str, Any], name: str) -> str:
    """``name_<language>`` of a snapshot item in the active language, else the other language's."""
    language = active_language()
    other = "es" if language == "en" else "en"
    return clean(item.get(f"{name}_{language}") or item.get(f"{name}_{other}") or "")


def paragraphs(text: str) -> list[Paragraph]:
    """A typed text as paragraphs (split on blank lines)."""
    return [Paragraph(clean(part.strip())) for part in _BREAKS.split(text or "") if part.strip()]


def _date(value: dt.date | str | None, date_format: str) -> str:
    """A date (or an ISO date string) in the active language's ``date_format``; "—" when empty."""
    if not value:
        return "—"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return clean(value)
    return str(formats.date_format(value, date_format, use_l10n=True))


def day(value: dt.date | str | None) -> str:
    return _date(value, "DATE_FORMAT")


def short_day(value: dt.date | str | None) -> str:
    return _date(value, "SHORT_DATE_FORMAT")


def number(value: Decimal | int | float | str | None, places: int | None = None) -> str:
    """A number in the active language; whole numbers without decimals, others with up to two."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return clean(value)
    if places is None:
        places = 0 if amount == amount.to_integral_value() else 2
    return str(formats.number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True))


def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return _("%(value)s%%") % {"value": number(round(value, 1), 0 if float(value).is_integer() else 1)}


def label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return clean(value)


@dataclass(frozen=True)
class Audience:
    """Who a document is for: its TLP marking, and the person it is made for (None: the operator).

    Platform records in a document (gaps, the assessment, threat events) are those marked at or
    below the document's label and, when the document is made for a person, those that person
    may read.
    """

    tlp: str
    reader: User | None = None

    @property
    def labels(self) -> list[str]:
        return labels_at_or_below(self.tlp)

    def event_labels(self, organisation: Organisation) -> tuple[str, ...]:
        if self.reader is None:
            return tuple(self.labels)
        readable = set(event_tlp_labels(self.reader, organisation))
        return tuple(code for code in self.labels if code in readable)

    def records(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """``queryset`` (gaps, assessments) narrowed to what this audience may be shown."""
        queryset = queryset.filter(tlp__in=self.labels)
        return queryset.filter(visible_q(self.reader)) if self.reader is not None else queryset


def document_gaps(strategy: Strategy, audience: Audience) -> QuerySet[Gap]:
    """The owner organisation's gaps a document for ``audience`` may list."""
    return traceability.strategy_gaps(strategy, audience.records(Gap.objects.all()))


def country_name(code: str) -> str:
    return clean(countries.name(code) or code)


def coverage_sentence(covered: int, open_total: int) -> str:
    if not open_total:
        return _("The register holds no open gap this document may list.")
    return ngettext(
        "%(covered)s of %(open)s open gap has an action (%(share)s).",
        "%(covered)s of %(open)s open gaps have an action (%(share)s).",
        open_total,
    ) % {"covered": covered, "open": open_total, "share": percent(100.0 * covered / open_total)}


def value_on(value: Any, when: Any) -> str:
    if value in (None, ""):
        return "—"
    text = number(value)
    return f"{text} ({short_day(when)})" if when else text


@dataclass
class StrategyInput:
    """What a strategy document is built from: the strategy, the plan it renders, its audience and its day.

    ``plan`` is a version's snapshot (or the working copy frozen on the fly); platform data
    (assessment, threats) is read as it stood on ``as_of``.
    """

    strategy: Strategy
    plan: dict[str, Any]
    audience: Audience
    as_of: dt.date
    info: dict[str, Any] = dataclasses.field(init=False)
    elements: list[dict[str, Any]] = dataclasses.field(init=False)
    actions: list[dict[str, Any]] = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.info = self.plan.get("strategy", {})
        self.elements = list(self.plan.get("elements", []))
        self.actions = list(self.plan.get("actions", []))

    @property
    def tlp(self) -> str:
        return self.audience.tlp

    def children(self, uid: str | None, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.elements if e.get("parent") == uid and e.get("kind") == kind]

    def actions_under(self, uid: str) -> list[dict[str, Any]]:
        return [a for a in self.actions if a.get("parent") == uid]


@dataclass
class MonitoringInput:
    """What an M&E report is built from: the strategy, its progress at the period's end, the period and the audience."""

    strategy: Strategy
    view: monitoring.Overview
    period: Period
    audience: Audience
    #: the currency the budget amounts are shown in ("": the plan currency)
    currency: str = ""
