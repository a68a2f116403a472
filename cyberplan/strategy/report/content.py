"""What the strategy document and the monitoring (M&E) report say, as plain data.

Both documents are built in the active language (the caller sets it with
``translation.override``) into one structure: a cover, then sections at three heading levels
holding paragraphs, tables and charts. :mod:`.render` lays that structure out as HTML, PDF and
DOCX without adding words of its own, so the three formats say the same thing.

This module builds the covers and sets the order of the sections; each family of sections is
written by its own module: :mod:`.plan` (foreword, vision, principles, axes, action plan,
governance, monitoring framework), :mod:`.context` (national capacity and threat landscape),
:mod:`.annex` (gap traceability) and :mod:`.evaluation` (the M&E report's sections), with the
helpers they share in :mod:`.common`.

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

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cyberplan.analytics.periods import Period
from cyberplan.core.models import User
from cyberplan.reports.document import Section, clean
from cyberplan.reports.marking import marking, sharing_note
from cyberplan.reports.words import period_name

from .. import snapshot
from ..choices import VersionStatus
from ..models import Strategy, StrategyVersion
from ..monitoring import overview as monitoring
from ..versions.actions import published_version
from . import annex, context, evaluation, execution, oversight, plan
from .common import (
    DASH,
    Audience,
    MonitoringInput,
    StrategyInput,
    active_language,
    country_name,
    day,
    label,
    pick,
)

STRATEGY = "strategy"
MONITORING = "monitoring"
KINDS = (STRATEGY, MONITORING)


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
    chosen = source.document
    info = chosen.get("strategy", {})
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

    doc = StrategyInput(strategy, chosen, Audience(tlp, reader), source.as_of)
    return Document(
        kind=STRATEGY,
        language=active_language(),
        title=_("National cybersecurity strategy"),
        name=name,
        country=country,
        years=years,
        organisation=clean(info.get("owner") or strategy.organisation),
        tlp=tlp,
        marking=marking(tlp),
        tlp_note=sharing_note(tlp),
        illustrative=illustrative,
        draft=draft,
        status=status,
        notices=notices,
        cover_facts=facts,
        generated=day(timezone.localdate()),
        sections=strategy_sections(doc),
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


def strategy_sections(doc: StrategyInput) -> list[Section]:
    """The strategy document's chapters, in their order."""
    out = [plan.foreword(doc), *context.context(doc), plan.vision(doc), plan.principles(doc), *plan.axes(doc)]
    out += [plan.action_plan(doc), plan.governance(doc), plan.monitoring_framework(doc), *annex.annex(doc)]
    return out


# -- the monitoring and evaluation report ---------------------------------------------------------------


def build_monitoring_document(
    strategy: Strategy, period: Period, reader: User | None = None, currency: str = ""
) -> Document:
    """The M&E report of ``strategy`` for ``period`` in the active language, for ``reader`` (None: the operator).

    ``currency``: the currency its budget amounts are shown in, at the rates stated for the strategy
    (default: the plan currency)."""
    as_of = period.last_day
    view = evaluation.as_of_period_end(
        monitoring.overview(strategy, as_of=as_of, period_start=period.start, reader=reader)
    )
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
    sections = monitoring_sections(MonitoringInput(strategy, view, period, Audience(tlp, reader), currency.upper()))
    return Document(
        kind=MONITORING,
        language=active_language(),
        title=_("Monitoring and evaluation report"),
        name=name,
        country=country_name(str(strategy.country)),
        years=f"{strategy.start_year}{DASH}{strategy.end_year}",
        organisation=clean(strategy.organisation),
        tlp=tlp,
        marking=marking(tlp),
        tlp_note=sharing_note(tlp),
        illustrative=strategy.illustrative,
        draft=False,
        status=_("Progress as of %(date)s.") % {"date": day(as_of)},
        notices=notices,
        cover_facts=facts,
        generated=day(timezone.localdate()),
        sections=sections,
        file_stem=f"monitoring-{strategy.pk}-{period.label.replace('..', '_')}",
    )


def monitoring_sections(report: MonitoringInput) -> list[Section]:
    """The M&E report's sections, in their order."""
    return [
        evaluation.summary(report),
        *evaluation.progress(report),
        evaluation.updates(report),
        evaluation.kpis(report),
        execution.budget_section(report),
        evaluation.alerts(report),
        evaluation.traceability_section(report),
        *oversight.sections(report),
    ]
