"""What the strategy document and the monitoring (M&E) report say, as plain data.

Both documents are built here in the active language (the caller sets it with
``translation.override``) into one structure: a cover, then sections at three heading levels
holding paragraphs, tables and charts. :mod:`.render` lays that structure out as HTML, PDF and
DOCX without adding words of its own, so the three formats say the same thing.

The strategy document reads a version's snapshot (the frozen plan), or the working copy frozen on
the fly with :func:`cyberplan.strategy.snapshot.build` when no version is asked for and none is
published yet; such a document is marked as a draft on its cover and on every page. Its context
comes from platform data dated no later than the version (the latest capacity assessment of the
country and the threat figures of the last complete year), limited to the document's TLP label,
as is the gap list of the traceability annex.

Text typed by users stays data: Django's templates escape it for HTML and PDF, python-docx writes
it as text runs in the DOCX. :func:`clean` only removes characters no document format can hold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _
from django_countries import countries

from cyberplan.analytics.metrics import Scope
from cyberplan.analytics.periods import Period
from cyberplan.analytics.service import compute
from cyberplan.assessment.access import assessments_of, scored_factor_ids
from cyberplan.assessment.results import assessment_results
from cyberplan.core.access import visible_q
from cyberplan.core.choices import TLP, TLP_RANK
from cyberplan.core.models import Organisation, User
from cyberplan.gaps.choices import GapStatus, Severity
from cyberplan.gaps.models import Gap
from cyberplan.reports.charts import FONT
from cyberplan.reports.document import Chart, Paragraph, Section, Table, clean
from cyberplan.reports.marking import marking
from cyberplan.reports.words import period_name
from cyberplan.threats.access import event_tlp_labels, organisation_stores, store_labels_of
from cyberplan.threats.store import event_store
from cyberplan.trends.labels import taxonomy_label
from cyberplan.trends.store import analytics_engine

from .. import monitoring, snapshot, traceability
from ..actions import published_version
from ..choices import (
    ActionStatus,
    ElementKind,
    FocusArea,
    Frequency,
    FundingSource,
    KPIDirection,
    KPISource,
    VersionStatus,
)
from ..models import Action, Strategy, StrategyVersion
from ..units import unit_label

DASH = "\N{EN DASH}"
_BREAKS = re.compile(r"\n\s*\n+")

STRATEGY = "strategy"
MONITORING = "monitoring"
KINDS = (STRATEGY, MONITORING)

#: The threat figures the context section reads from the trend tables.
THREAT_METRICS = ("totals", "sources_total", "by_class", "incidents_by_type")


class ReportError(ValueError):
    """A document that cannot be made as asked (no such version, no period, ...); the message says why."""


# -- the structure the renderers lay out ---------------------------------------------------------


@dataclass
class Document:
    kind: str  # STRATEGY or MONITORING
    language: str
    title: str  # what the document is ("National cybersecurity strategy", "Monitoring and evaluation report")
    name: str  # the strategy's title
    country: str
    years: str
    organisation: str
    tlp: str
    marking: str
    tlp_note: str
    illustrative: bool
    draft: bool
    #: what this document is a rendering of: a version's citation, or the working copy
    status: str
    #: short notices printed on the cover and in every page footer (illustrative, draft, withdrawn)
    notices: list[str]
    cover_facts: list[tuple[str, str]]
    generated: str
    sections: list[Section]
    file_stem: str

    @property
    def contents(self) -> list[Section]:
        """The sections listed in the written table of contents (chapters and their first level)."""
        return [s for s in self.sections if s.level <= 2]


# -- small helpers in the active language ---------------------------------------------------------


def _language() -> str:
    return (get_language() or "en")[:2]


def pick(item: dict[str, Any], name: str) -> str:
    """``name_<language>`` of a snapshot item in the active language, else the other language's."""
    language = _language()
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


def tlp_note(tlp: str) -> str:
    notes = {
        TLP.CLEAR: _("TLP:CLEAR: the recipients may share this document without restriction."),
        TLP.GREEN: _("TLP:GREEN: the recipients may share this document within their community, not publicly."),
        TLP.AMBER: _(
            "TLP:AMBER: the recipients may share this document within their organisation and its clients "
            "on a need-to-know basis."
        ),
        TLP.AMBER_STRICT: _("TLP:AMBER+STRICT: the recipients may share this document within their organisation only."),
        TLP.RED: _("TLP:RED: for the named recipients only; do not share."),
    }
    return str(notes.get(TLP(tlp), ""))


def labels_up_to(tlp: str) -> list[str]:
    """The TLP labels at or below ``tlp`` (what a document marked ``tlp`` may contain)."""
    limit = TLP_RANK[TLP(tlp)]
    return [code for code in TLP.values if TLP_RANK[TLP(code)] <= limit]


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
        return labels_up_to(self.tlp)

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


# -- which plan a strategy document renders --------------------------------------------------------


@dataclass
class Source:
    """The plan a strategy document renders: a version's snapshot, or the working copy."""

    document: dict[str, Any]
    version: StrategyVersion | None
    as_of: dt.date  # platform data (assessment, threats) is read as it stood on this day


def choose_source(strategy: Strategy, version: int | None = None) -> Source:
    """Version ``version``; by default the latest published version, else the working copy."""
    if version is not None:
        found = strategy.versions.filter(number=version).first()
        if found is None:
            numbers = sorted(strategy.versions.values_list("number", flat=True))
            listed = ", ".join(str(n) for n in numbers) if numbers else _("none yet")
            raise ReportError(
                _("The strategy has no version %(number)s (versions: %(listed)s).")
                % {"number": version, "listed": listed}
            )
        return Source(found.snapshot, found, _version_day(found))
    published = published_version(strategy)
    if published is not None:
        return Source(published.snapshot, published, _version_day(published))
    return Source(snapshot.build(strategy), None, timezone.localdate())


def _version_day(version: StrategyVersion) -> dt.date:
    moment = version.published_at or version.approved_at or version.created_at
    return timezone.localdate(moment) if moment else timezone.localdate()


# -- the strategy document -----------------------------------------------------------------------


def build_strategy_document(strategy: Strategy, version: int | None = None, reader: User | None = None) -> Document:
    """The strategy document in the active language, for ``reader`` (None: the operator)."""
    source = choose_source(strategy, version)
    plan = source.document
    info = plan.get("strategy", {})
    tlp = str(info.get("tlp") or strategy.tlp)
    name = pick(info, "title") or _("National cybersecurity strategy")
    country = country_name(str(info.get("country") or strategy.country))
    years = f"{info.get('start_year', strategy.start_year)}{DASH}{info.get('end_year', strategy.end_year)}"
    illustrative = bool(info.get("illustrative"))

    notices: list[str] = []
    if illustrative:
        notices.append(_("Illustrative example"))
    facts: list[tuple[str, str]] = [
        (_("Country"), country),
        (_("Period"), years),
        (_("Prepared by"), clean(info.get("owner") or strategy.organisation)),
    ]
    draft, status, stem, version_notices, version_facts = _version_state(source, name)
    notices.extend(version_notices)
    facts.extend(version_facts)
    facts.append((_("TLP"), f"TLP:{tlp.upper()}"))

    builder = _StrategyBuilder(strategy, plan, Audience(tlp, reader), source.as_of)
    return Document(
        kind=STRATEGY,
        language=_language(),
        title=_("National cybersecurity strategy"),
        name=name,
        country=country,
        years=years,
        organisation=clean(info.get("owner") or strategy.organisation),
        tlp=tlp,
        marking=marking(tlp),
        tlp_note=tlp_note(tlp),
        illustrative=illustrative,
        draft=draft,
        status=status,
        notices=notices,
        cover_facts=facts,
        generated=day(timezone.localdate()),
        sections=builder.sections(),
        file_stem=f"strategy-{strategy.pk}-{stem}",
    )


def _version_state(source: Source, name: str) -> tuple[bool, str, str, list[str], list[tuple[str, str]]]:
    """What the cover says of the version: draft or not, the status line, the file stem, notices and facts."""
    found = source.version
    notices: list[str] = []
    facts: list[tuple[str, str]] = []
    draft = False
    if found is None:
        draft = True
        notices.append(_("Draft — not adopted"))
        status = _("Working copy of %(date)s, not a frozen version.") % {"date": day(source.as_of)}
        facts.append((_("Version"), _("working copy (no version published yet)")))
        stem = "draft"
    else:
        stem = f"v{found.number}"
        if found.status == VersionStatus.PUBLISHED:
            when = timezone.localdate(found.published_at).isoformat() if found.published_at else ""
            status = _("Cite as: %(citation)s") % {
                "citation": f"{name}, v{found.number}" + (f", {when}" if when else "")
            }
            facts.append(
                (
                    _("Version"),
                    _("version %(number)s, published on %(date)s")
                    % {
                        "number": found.number,
                        "date": day(timezone.localdate(found.published_at) if found.published_at else None),
                    },
                )
            )
            if found.legal_reference:
                facts.append((_("Adopted by"), clean(found.legal_reference)))
        elif found.status == VersionStatus.WITHDRAWN:
            draft = True
            notices.append(_("Withdrawn — not in force"))
            status = _("Version %(number)s was withdrawn; it is not in force.") % {"number": found.number}
            facts.append((_("Version"), _("version %(number)s (withdrawn)") % {"number": found.number}))
        else:
            draft = True
            notices.append(_("Draft — not adopted"))
            status = _("Version %(number)s, %(status)s: a draft, not adopted.") % {
                "number": found.number,
                "status": label(VersionStatus, found.status).lower(),
            }
            facts.append(
                (
                    _("Version"),
                    _("version %(number)s (%(status)s)")
                    % {"number": found.number, "status": label(VersionStatus, found.status).lower()},
                )
            )
    return draft, status, stem, notices, facts


class _StrategyBuilder:
    def __init__(self, strategy: Strategy, plan: dict[str, Any], audience: Audience, as_of: dt.date) -> None:
        self.strategy = strategy
        self.plan = plan
        self.info = plan.get("strategy", {})
        self.audience = audience
        self.tlp = audience.tlp
        self.as_of = as_of
        self.elements: list[dict[str, Any]] = list(plan.get("elements", []))
        self.actions: list[dict[str, Any]] = list(plan.get("actions", []))
        self.by_uid = {e["uid"]: e for e in self.elements}

    def sections(self) -> list[Section]:
        out = [self.foreword(), *self.context(), self.vision(), self.principles(), *self.axes()]
        out += [self.action_plan(), self.governance(), self.monitoring_framework(), *self.annex()]
        return out

    # -- text sections ---------------------------------------------------------------------------

    def foreword(self) -> Section:
        section = Section("foreword", _("Foreword"))
        return section.add(*paragraphs(pick(self.info, "foreword")) or [Paragraph(_("No foreword yet."), "nodata")])

    def vision(self) -> Section:
        section = Section("vision", _("Vision"))
        return section.add(*paragraphs(pick(self.info, "vision")) or [Paragraph(_("No vision yet."), "nodata")])

    def principles(self) -> Section:
        section = Section("principles", _("Principles"))
        items = self.plan.get("principles", [])
        for item in items:
            section.add(Paragraph(pick(item, "description"), "lead", lead=pick(item, "title")))
        if not items:
            section.add(Paragraph(_("No principle yet."), "nodata"))
        return section

    def governance(self) -> Section:
        section = Section("governance", _("Governance"))
        section.add(*paragraphs(pick(self.info, "governance")) or [Paragraph(_("No governance text yet."), "nodata")])
        months = int(self.info.get("review_months") or self.strategy.review_months)
        section.add(
            Paragraph(
                ngettext(
                    "The strategy is reviewed every %(months)s month, with a new capacity assessment of the country.",
                    "The strategy is reviewed every %(months)s months, with a new capacity assessment of the country.",
                    months,
                )
                % {"months": months}
            )
        )
        return section

    # -- context ---------------------------------------------------------------------------------

    def context(self) -> list[Section]:
        chapter = Section("context", _("Context"))
        chapter.add(
            Paragraph(
                _(
                    "The strategy answers the country's situation as the platform's evidence shows it: the latest "
                    "capacity assessment and the threat figures of the national event store, as of %(date)s."
                )
                % {"date": day(self.as_of)}
            )
        )
        return [chapter, self.assessment_context(), self.threat_context()]

    def assessment_context(self) -> Section:
        section = Section("context-assessment", _("National capacity"), level=2)
        assessment = (
            self.audience.records(assessments_of(self.strategy.organisation, self.strategy.country, self.as_of))
            .select_related("framework", "organisation")
            .first()
        )
        if assessment is None:
            return section.add(
                Paragraph(
                    _("There is no capacity assessment of %(country)s yet that this document may cite.")
                    % {"country": country_name(str(self.strategy.country))},
                    "nodata",
                )
            )
        data = assessment_results(assessment, _language())
        scored = scored_factor_ids(assessment)
        section.add(
            Paragraph(
                _("%(title)s, of %(date)s, on the framework %(framework)s.")
                % {
                    "title": clean(assessment.title),
                    "date": day(assessment.date),
                    "framework": clean(data["framework"]["title"]),
                }
            )
        )
        section.add(*_capacity_findings(data["factors"], scored))
        section.add(*_capacity_tables(data, scored))
        return section

    def threat_context(self) -> Section:
        section = Section("context-threats", _("Threat landscape"), level=2)
        # The strategy organisation's own store, else the first store granted to it with events; each at the
        # labels the grant releases, the document's marking allows and its reader (if any) reads.
        figures: ThreatFigures | None = None
        labels: tuple[str, ...] = ()
        store_text = ""
        for store in organisation_stores(self.strategy.organisation):
            allowed = set(store.labels)
            if self.audience.reader is not None:
                allowed &= set(store_labels_of(self.audience.reader, store.owner.pk))
            labels = tuple(code for code in self.audience.labels if code in allowed)
            figures = threat_figures(self.strategy, labels, self.as_of, store.owner)
            if figures is not None:
                store_text = store.describe()
                break
        if figures is None:
            return section.add(
                Paragraph(
                    _("The national event store holds no event for the last twelve months yet: no threat figure."),
                    "nodata",
                )
            )
        period_text = _("%(first)s to %(last)s") % {
            "first": day(figures.period.start),
            "last": day(figures.period.last_day),
        }
        section.add(
            Paragraph(
                ngettext(
                    "%(count)s event was recorded from %(range)s.",
                    "%(count)s events were recorded from %(range)s.",
                    figures.events,
                )
                % {"count": number(figures.events), "range": period_text}
            ),
            Table(
                _("Key figures"),
                [_("Figure"), _("Value")],
                [
                    [_("Events"), number(figures.events)],
                    [_("Distinct source addresses"), number(figures.sources)],
                    [_("Feeds"), number(figures.feeds)],
                    [_("Incidents handled"), number(figures.incidents)],
                ],
                numeric=[False, True],
            ),
            Table(
                _("Events by threat class"),
                [_("Threat class"), _("Events"), _("Share")],
                [[name, number(count), percent(100 * count / figures.events)] for name, count in figures.classes],
                empty=_("No event of the period has a threat class."),
                numeric=[False, True, True],
            ),
            Paragraph(
                _("Counted from the trend tables of the event store of %(store)s, events marked %(labels)s only.")
                % {"store": clean(store_text), "labels": ", ".join(f"TLP:{code.upper()}" for code in labels)},
                "note",
            ),
        )
        return section

    # -- axes, objectives, action lines --------------------------------------------------------------

    def children(self, uid: str | None, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.elements if e.get("parent") == uid and e.get("kind") == kind]

    def actions_under(self, uid: str) -> list[dict[str, Any]]:
        return [a for a in self.actions if a.get("parent") == uid]

    def axes(self) -> list[Section]:
        chapter = Section("axes", _("Strategic axes and objectives"))
        axes = self.children(None, ElementKind.AXIS)
        if not axes:
            chapter.add(Paragraph(_("No axis yet."), "nodata"))
            return [chapter]
        chapter.add(
            Paragraph(
                ngettext(
                    "The strategy is organised in %(count)s axis.",
                    "The strategy is organised in %(count)s axes.",
                    len(axes),
                )
                % {"count": len(axes)}
                + " "
                + ngettext(
                    "Its action plan holds %(count)s action.",
                    "Its action plan holds %(count)s actions.",
                    len(self.actions),
                )
                % {"count": len(self.actions)}
            )
        )
        out = [chapter]
        for axis in axes:
            section = Section(
                f"axis-{axis['uid']}",
                _("Axis %(code)s. %(title)s") % {"code": axis["code"], "title": pick(axis, "title")},
                2,
            )
            section.add(*paragraphs(pick(axis, "description")))
            if axis.get("focus_area"):
                section.add(Paragraph(label(FocusArea, axis["focus_area"]), "lead", lead=_("Focus area")))
            out.append(section)
            for objective in self.children(axis["uid"], ElementKind.OBJECTIVE):
                part = Section(
                    f"objective-{objective['uid']}",
                    _("Objective %(code)s. %(title)s") % {"code": objective["code"], "title": pick(objective, "title")},
                    3,
                )
                part.add(*paragraphs(pick(objective, "description")))
                lines = self.children(objective["uid"], ElementKind.LINE)
                if lines:
                    part.add(Paragraph("", "lead", lead=_("Action lines")))
                for line in lines:
                    text = pick(line, "description")
                    codes = ", ".join(a["code"] for a in self.actions_under(line["uid"]))
                    if codes:
                        text = (text + " " if text else "") + _("Actions: %(codes)s.") % {"codes": codes}
                    part.add(Paragraph(text, "bullet", lead=f"{line['code']} {pick(line, 'title')}"))
                direct = self.actions_under(objective["uid"])
                if direct:
                    part.add(
                        Paragraph(
                            _("Actions directly under this objective: %(codes)s.")
                            % {"codes": ", ".join(a["code"] for a in direct)}
                        )
                    )
                out.append(part)
        return out

    # -- action plan, KPIs -------------------------------------------------------------------------

    def action_plan(self) -> Section:
        section = Section("action-plan", _("Action plan"))
        rows: list[list[str]] = []
        totals: dict[str, Decimal] = {}
        for action in self.actions:
            budget = action.get("budget")
            currency = clean(action.get("currency") or "")
            if budget not in (None, ""):
                totals[currency] = totals.get(currency, Decimal(0)) + Decimal(str(budget))
            funding = label(FundingSource, action.get("funding_source") or FundingSource.TO_BE_DEFINED)
            if action.get("funding_note"):
                funding += f" ({clean(action['funding_note'])})"
            rows.append(
                [
                    clean(action["code"]),
                    pick(action, "title"),
                    clean(action.get("lead") or "—"),
                    ", ".join(clean(o) for o in action.get("supporting", [])) or "—",
                    f"{short_day(action.get('start_date'))} {DASH} {short_day(action.get('end_date'))}",
                    f"{number(budget)} {currency}" if budget not in (None, "") else "—",
                    funding,
                    "; ".join(pick(k, "name") for k in action.get("kpis", [])) or "—",
                ]
            )
        section.add(
            Table(
                _("Actions"),
                [
                    _("Code"),
                    _("Action"),
                    _("Lead"),
                    _("Supporting"),
                    _("Dates"),
                    _("Budget"),
                    _("Funding"),
                    _("KPIs"),
                ],
                rows,
                empty=_("The action plan has no action yet."),
                numeric=[False, False, False, False, False, True, False, False],
                css="actions",
            )
        )
        if totals:
            section.add(
                Paragraph(
                    _("Budget of the plan: %(totals)s.")
                    % {"totals": "; ".join(f"{number(v)} {c}" for c, v in sorted(totals.items()))}
                )
            )
        return section

    def monitoring_framework(self) -> Section:
        section = Section("monitoring-framework", _("Monitoring framework"))
        section.add(
            Paragraph(
                _(
                    "Each action is followed by its key performance indicators (KPIs): what is measured, in what "
                    "unit, from what baseline to what target, how often and from which source. Progress is "
                    "reported per action and summarised per axis in the monitoring and evaluation report."
                )
            )
        )
        rows: list[list[str]] = []
        for action in self.actions:
            for kpi in action.get("kpis", []):
                direction = label(KPIDirection, kpi.get("direction") or KPIDirection.INCREASE)
                source = label(KPISource, kpi.get("source") or KPISource.MANUAL)
                if kpi.get("source_detail"):
                    source += f": {clean(kpi['source_detail'])}"
                rows.append(
                    [
                        clean(action["code"]),
                        pick(kpi, "name"),
                        pick(kpi, "definition") or "—",
                        f"{unit_label(kpi.get('unit') or '')} ({direction.lower()})",
                        _value_on(kpi.get("baseline"), kpi.get("baseline_date")),
                        _value_on(kpi.get("target"), kpi.get("target_date")),
                        label(Frequency, kpi.get("frequency") or Frequency.YEARLY),
                        source,
                    ]
                )
        section.add(
            Table(
                _("Key performance indicators"),
                [
                    _("Action"),
                    _("KPI"),
                    _("Definition"),
                    _("Unit"),
                    _("Baseline"),
                    _("Target"),
                    _("Frequency"),
                    _("Data source"),
                ],
                rows,
                empty=_("No KPI is defined yet."),
                css="kpis",
            )
        )
        return section

    # -- annex -------------------------------------------------------------------------------------

    def annex(self) -> list[Section]:
        gaps = list(document_gaps(self.strategy, self.audience))
        known = {g.identifier for g in gaps}
        addressed_by: dict[str, list[str]] = {}
        for action in self.actions:
            for identifier in action.get("gaps", []):
                if identifier in known:
                    addressed_by.setdefault(identifier, []).append(clean(action["code"]))
        open_gaps = [g for g in gaps if g.status == GapStatus.OPEN]
        uncovered = [g for g in open_gaps if g.identifier not in addressed_by]
        # An action citing only gaps this document may not list still addresses a gap.
        unjustified = [a for a in self.actions if not a.get("gaps")]
        hidden = sum(1 for a in self.actions for i in a.get("gaps", []) if i not in known)

        chapter = Section("annex", _("Annex: gap traceability matrix"))
        chapter.add(
            Paragraph(
                _(
                    "Every gap of the register, with the actions that address it: the thread from the evidence to the plan."
                )
                + " "
                + coverage_sentence(len(open_gaps) - len(uncovered), len(open_gaps))
            ),
            Paragraph(
                _("Only gaps marked %(labels)s are listed, as this document is marked %(marking)s.")
                % {
                    "labels": ", ".join(f"TLP:{code.upper()}" for code in labels_up_to(self.tlp)),
                    "marking": f"TLP:{self.tlp.upper()}",
                },
                "note",
            ),
        )
        if hidden:
            chapter.add(
                Paragraph(
                    ngettext(
                        "%(count)s link from an action to a gap this document may not list is left out.",
                        "%(count)s links from actions to gaps this document may not list are left out.",
                        hidden,
                    )
                    % {"count": hidden},
                    "note",
                )
            )
        chapter.add(
            Table(
                _("Gaps and the actions that address them"),
                [_("Gap"), _("Title"), _("Severity"), _("Status"), _("Addressed by")],
                [
                    [
                        g.identifier,
                        clean(g.title),
                        label(Severity, g.severity),
                        label(GapStatus, g.status),
                        ", ".join(addressed_by.get(g.identifier, [])) or "—",
                    ]
                    for g in gaps
                ],
                empty=_("The gap register holds no gap this document may list."),
                css="matrix",
            ),
        )
        return [chapter, *_annex_unmatched(uncovered, unjustified)]


def _annex_unmatched(uncovered: list[Gap], unjustified: list[dict[str, Any]]) -> list[Section]:
    """The annex's two lists: the open gaps no action addresses, and the actions that cite no gap."""
    without_action = Section("annex-uncovered", _("Open gaps without an action"), level=2)
    without_action.add(
        Table(
            "",
            [_("Gap"), _("Title"), _("Severity")],
            [[g.identifier, clean(g.title), label(Severity, g.severity)] for g in uncovered],
            empty=_("Every open gap has an action."),
        )
    )
    without_gap = Section("annex-unjustified", _("Actions without a gap"), level=2)
    without_gap.add(
        Table(
            "",
            [_("Code"), _("Action")],
            [[clean(a["code"]), pick(a, "title")] for a in unjustified],
            empty=_("Every action addresses at least one gap."),
        )
    )
    return [without_action, without_gap]


def coverage_sentence(covered: int, open_total: int) -> str:
    if not open_total:
        return _("The register holds no open gap this document may list.")
    return ngettext(
        "%(covered)s of %(open)s open gap has an action (%(share)s).",
        "%(covered)s of %(open)s open gaps have an action (%(share)s).",
        open_total,
    ) % {"covered": covered, "open": open_total, "share": percent(100.0 * covered / open_total)}


def _value_on(value: Any, when: Any) -> str:
    if value in (None, ""):
        return "—"
    text = number(value)
    return f"{text} ({short_day(when)})" if when else text


# -- threat figures ---------------------------------------------------------------------------------


@dataclass
class ThreatFigures:
    period: Period
    events: int
    sources: int
    feeds: int
    incidents: int
    classes: list[tuple[str, int]]


def threat_figures(
    strategy: Strategy, labels: tuple[str, ...], as_of: dt.date, store_owner: Organisation | None = None
) -> ThreatFigures | None:
    """Figures of the last complete year before ``as_of``, else of the last twelve complete months; None without events.

    ``store_owner`` is the organisation whose store is read (the strategy's own by default).
    """
    store = event_store(store_owner or strategy.organisation)
    if not labels or not store.files():
        return None
    year = Period(dt.date(as_of.year - 1, 1, 1), dt.date(as_of.year, 1, 1), "year")
    month_start = as_of.replace(day=1)
    twelve = Period(month_start.replace(year=month_start.year - 1), month_start, "range")
    engine = analytics_engine()
    try:
        for period in (year, twelve):
            results = compute(
                store,
                Scope(period, tlp_in=labels),
                engine,
                trend_tables=True,
                only=list(THREAT_METRICS),
            )
            totals = results.one("totals")
            events = int(totals.get("events") or 0)
            if not events:
                continue
            classes: dict[str, int] = {}
            for row in results.rows("by_class"):
                classes[row["taxonomy"]] = classes.get(row["taxonomy"], 0) + int(row["events"] or 0)
            sources = results.rows("sources_total")
            return ThreatFigures(
                period=period,
                events=events,
                sources=int(sources[0]["sources"] or 0) if sources else 0,
                feeds=int(totals.get("feeds") or 0),
                incidents=sum(int(r["events"] or 0) for r in results.rows("incidents_by_type")),
                classes=[
                    (taxonomy_label(code), count)
                    for code, count in sorted(classes.items(), key=lambda item: (-item[1], item[0]))
                ],
            )
    finally:
        engine.close()
    return None


# -- the monitoring and evaluation report ---------------------------------------------------------------


def build_monitoring_document(strategy: Strategy, period: Period, reader: User | None = None) -> Document:
    """The M&E report of ``strategy`` for ``period`` in the active language, for ``reader`` (None: the operator)."""
    as_of = period.last_day
    view = as_of_period_end(monitoring.overview(strategy, as_of=as_of, period_start=period.start, reader=reader))
    tlp = strategy.tlp
    name = clean(strategy.title) or _("National cybersecurity strategy")
    notices = [_("Illustrative example")] if strategy.illustrative else []
    when = period_name(period)
    when = when[:1].upper() + when[1:]
    published = published_version(strategy)
    facts: list[tuple[str, str]] = [
        (_("Country"), country_name(str(strategy.country))),
        (_("Reporting period"), f"{when} ({day(period.start)} {DASH} {day(period.last_day)})"),
        (_("Strategy"), f"{name} ({strategy.start_year}{DASH}{strategy.end_year})"),
        (_("Prepared by"), clean(strategy.organisation)),
        (
            _("Plan in force"),
            _("version %(number)s, published on %(date)s")
            % {
                "number": published.number,
                "date": day(timezone.localdate(published.published_at) if published.published_at else None),
            }
            if published
            else _("no version published yet"),
        ),
        (_("TLP"), f"TLP:{tlp.upper()}"),
    ]
    sections = _MonitoringBuilder(strategy, view, period, Audience(tlp, reader)).sections()
    return Document(
        kind=MONITORING,
        language=_language(),
        title=_("Monitoring and evaluation report"),
        name=name,
        country=country_name(str(strategy.country)),
        years=f"{strategy.start_year}{DASH}{strategy.end_year}",
        organisation=clean(strategy.organisation),
        tlp=tlp,
        marking=marking(tlp),
        tlp_note=tlp_note(tlp),
        illustrative=strategy.illustrative,
        draft=False,
        status=_("Progress as of %(date)s.") % {"date": day(as_of)},
        notices=notices,
        cover_facts=facts,
        generated=day(timezone.localdate()),
        sections=sections,
        file_stem=f"monitoring-{strategy.pk}-{period.label.replace('..', '_')}",
    )


def as_of_period_end(view: monitoring.Overview) -> monitoring.Overview:
    """``view`` with each action's status and percentage as its last progress update on or before ``view.as_of``.

    ``monitoring.overview`` counts the actions' current status and percentage whatever its
    ``as_of``; the report of a past period must show where the plan stood at the period's end.
    An action's status and percentage only ever change through progress updates, so the update
    in force on a day gives them on that day (planned and 0% before the first one).
    """
    elements = {e.pk: e for e in view.strategy.elements.all()}
    actions = list(Action.objects.filter(strategy=view.strategy).select_related("parent").prefetch_related("updates"))
    state: dict[int, tuple[str, int]] = {}
    for action in actions:
        updates = sorted((u for u in action.updates.all() if u.date <= view.as_of), key=lambda u: (u.date, u.pk))
        state[action.pk] = (updates[-1].status, updates[-1].percent_complete) if updates else (ActionStatus.PLANNED, 0)
    counted = [a for a in actions if state[a.pk][0] != ActionStatus.CANCELLED]

    def done(members: list[Action]) -> float:
        return round(sum(state[a.pk][1] for a in members) / len(members), 1) if members else 0.0

    axes = []
    for row in view.axes:
        members = [a for a in counted if monitoring.axis_of(a.parent, elements).pk == row.axis.pk]
        overdue = [
            a
            for a in members
            if a.end_date is not None
            and a.end_date < view.as_of
            and state[a.pk][0] not in (ActionStatus.COMPLETED, ActionStatus.CANCELLED)
        ]
        axes.append(
            dataclasses.replace(
                row,
                actions=len(members),
                completed=sum(state[a.pk][0] == ActionStatus.COMPLETED for a in members),
                percent=done(members),
                overdue=len(overdue),
            )
        )
    return dataclasses.replace(
        view,
        axes=axes,
        overall_percent=done(counted),
        actions=len(counted),
        completed=sum(state[a.pk][0] == ActionStatus.COMPLETED for a in counted),
    )


def _with_font(spec: dict[str, Any] | None) -> dict[str, Any] | None:
    if spec is None:
        return None
    return {**spec, "config": {"font": FONT, "view": {"stroke": None}}}


class _MonitoringBuilder:
    def __init__(self, strategy: Strategy, view: monitoring.Overview, period: Period, audience: Audience) -> None:
        self.strategy = strategy
        self.view = view
        self.period = period
        self.audience = audience

    def sections(self) -> list[Section]:
        return [
            self.summary(),
            *self.progress(),
            self.updates(),
            self.kpis(),
            self.alerts(),
            self.traceability(),
        ]

    def summary(self) -> Section:
        view = self.view
        section = Section("summary", _("Summary"))
        overdue = sum(a.overdue for a in view.axes)
        section.add(
            Paragraph(
                _("On %(date)s the plan is %(percent)s done: %(completed)s of %(actions)s actions are completed.")
                % {
                    "date": day(view.as_of),
                    "percent": percent(view.overall_percent),
                    "completed": view.completed,
                    "actions": view.actions,
                }
            ),
            Paragraph(
                ngettext(
                    "%(count)s progress update was reported in the period.",
                    "%(count)s progress updates were reported in the period.",
                    len(view.updates_in_period),
                )
                % {"count": len(view.updates_in_period)}
            ),
            Paragraph(
                ngettext("%(count)s action is overdue.", "%(count)s actions are overdue.", overdue) % {"count": overdue}
            ),
        )
        if view.review_due_on:
            section.add(
                Paragraph(_("The next review of the strategy is due on %(date)s.") % {"date": day(view.review_due_on)})
            )
        section.add(
            Paragraph(
                _(
                    "Status and percentage done are those of each action's latest progress update; cancelled "
                    "actions are left out of the percentages."
                ),
                "note",
            )
        )
        return section

    def progress(self) -> list[Section]:
        view = self.view
        section = Section("progress", _("Progress per axis"))
        section.add(
            Table(
                "",
                [_("Axis"), _("Actions"), pgettext("count of actions", "Completed"), _("Overdue"), _("Percent done")],
                [
                    [
                        f"{clean(a.axis.code)} {clean(a.axis.title)}",
                        number(a.actions),
                        number(a.completed),
                        number(a.overdue),
                        percent(a.percent),
                    ]
                    for a in view.axes
                ],
                empty=_("The strategy has no axis yet."),
                numeric=[False, True, True, True, True],
            ),
            Chart(_("Progress per axis"), _with_font(monitoring.axis_progress_spec(view)), _("No axis to draw.")),
        )
        timeline = Section("timeline", _("Timeline of the action plan"), level=2)
        timeline.add(
            Chart(
                _("Action plan timeline"),
                _with_font(monitoring.timeline_spec(self.strategy, view.as_of, _language())),
                _("No action has both a start and an end date yet."),
            )
        )
        return [section, timeline]

    def updates(self) -> Section:
        section = Section("updates", _("Progress updates in the period"))
        rows = []
        for update in self.view.updates_in_period:
            evidence = clean(update.evidence_url)
            if update.evidence_document:
                name = (update.evidence_document.name or "").rsplit("/", 1)[-1]
                evidence = f"{evidence} {clean(name)}".strip()
            rows.append(
                [
                    short_day(update.date),
                    f"{clean(update.action.code)} {clean(update.action.title)}",
                    label(ActionStatus, update.status),
                    percent(update.percent_complete),
                    clean(update.narrative),
                    evidence or "—",
                ]
            )
        return section.add(
            Table(
                _("Progress updates"),
                [_("Date"), _("Action"), _("Status"), _("Percent done"), _("What happened"), _("Evidence")],
                rows,
                empty=_("No progress update was reported in the period."),
                numeric=[False, False, False, True, False, False],
                css="updates",
            )
        )

    def kpis(self) -> Section:
        section = Section("kpis", _("Key performance indicators"))
        rows = []
        for status in self.view.kpis:
            kpi = status.kpi
            latest = status.latest
            rows.append(
                [
                    clean(kpi.action.code),
                    clean(kpi.name),
                    unit_label(kpi.unit),
                    _value_on(kpi.baseline, kpi.baseline_date),
                    _value_on(latest.value, latest.date) if latest else "—",
                    _value_on(kpi.target, kpi.target_date),
                    percent(100 * status.progress) if status.progress is not None else "—",
                    pgettext("measurement", "due") if status.due else "",
                ]
            )
        return section.add(
            Table(
                _("KPIs: latest value and progress towards the target"),
                [
                    _("Action"),
                    _("KPI"),
                    _("Unit"),
                    _("Baseline"),
                    _("Latest value"),
                    _("Target"),
                    _("Progress"),
                    _("Measurement"),
                ],
                rows,
                empty=_("No KPI is defined yet."),
                numeric=[False, False, False, True, True, True, True, False],
            ),
            Paragraph(
                _(
                    "Progress is the share of the way from the baseline to the target reached by the latest value "
                    "measured on or before the end of the period."
                ),
                "note",
            ),
        )

    def alerts(self) -> Section:
        section = Section("alerts", _("Alerts"))
        order = ["review_due", "overdue", "stale", "kpi_due", "no_lead", "no_kpi"]
        alerts = sorted(self.view.alerts, key=lambda a: order.index(a.kind) if a.kind in order else len(order))
        for alert in alerts:
            section.add(Paragraph(clean(alert.message), "bullet"))
        if not alerts:
            section.add(Paragraph(_("No alert."), "nodata"))
        return section

    def traceability(self) -> Section:
        coverage = traceability.coverage(self.strategy, document_gaps(self.strategy, self.audience))
        section = Section("traceability", _("Traceability"))
        section.add(
            Paragraph(coverage_sentence(coverage.covered_open, coverage.open_total)),
            Table(
                _("Open gaps without an action"),
                [_("Gap"), _("Title"), _("Severity")],
                [[g.identifier, clean(g.title), label(Severity, g.severity)] for g in coverage.uncovered],
                empty=_("Every open gap has an action."),
            ),
            Table(
                _("Actions without a gap"),
                [_("Code"), _("Action")],
                [[clean(a.code), clean(a.title)] for a in coverage.unjustified],
                empty=_("Every action addresses at least one gap."),
            ),
        )
        return section


def _capacity_findings(factors: list[dict[str, Any]], scored: set[str]) -> list[Paragraph]:
    """How many factors reached the first stage and, when targets are set, how many are below them."""
    reached = [f for f in factors if f["factor_id"] in scored and f["stage"] > 0]
    below = [f for f in factors if f["below_target"]]
    findings = [
        Paragraph(
            ngettext(
                "%(count)s of %(total)s factor has reached at least the first stage.",
                "%(count)s of %(total)s factors have reached at least the first stage.",
                len(factors),
            )
            % {"count": len(reached), "total": len(factors)}
        )
    ]
    if any(f["target_stage"] for f in factors):
        findings.append(
            Paragraph(
                ngettext(
                    "%(count)s factor is below its target stage.",
                    "%(count)s factors are below their target stage.",
                    len(below),
                )
                % {"count": len(below)}
            )
        )
    return findings


def _capacity_tables(data: dict[str, Any], scored: set[str]) -> list[Table]:
    """The stages by dimension (lowest and highest of the scored factors) and the stage of each factor."""
    stages = {s["stage"]: s["name"] for s in data["framework"]["stages"]}

    def stage_name(stage: int | None) -> str:
        if stage is None:
            return "—"
        if stage == 0:
            return _("below the first stage")
        return f"{stage} · {stages.get(stage, '')}"

    rows: list[list[str]] = []
    for dimension in data["dimensions"]:
        values = [s for f, s in dimension["factor_stages"].items() if f in scored]
        rows.append(
            [
                f"{dimension['dimension_id']} {clean(dimension['name'])}",
                ", ".join(
                    f"{fid}: {stage if fid in scored else '—'}" for fid, stage in dimension["factor_stages"].items()
                ),
                stage_name(min(values)) if values else _("not scored"),
                stage_name(max(values)) if values else _("not scored"),
            ]
        )
    return [
        Table(
            _("Stages by dimension"),
            [_("Dimension"), _("Factor stages"), _("Lowest"), _("Highest")],
            rows,
            empty=_("The framework has no dimension."),
        ),
        Table(
            _("Stage by factor"),
            [_("Factor"), _("Name"), _("Stage"), _("Target")],
            [
                [
                    f["factor_id"],
                    clean(f["name"]),
                    stage_name(f["stage"]) if f["factor_id"] in scored else _("not scored"),
                    stage_name(f["target_stage"]) if f["target_stage"] else "—",
                ]
                for f in data["factors"]
            ],
            css="factors",
        ),
    ]
