"""The strategy document's context chapter: the national capacity and the threat landscape."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cyberplan.analytics.metrics import Scope
from cyberplan.analytics.periods import Period
from cyberplan.analytics.service import compute
from cyberplan.assessment.access import assessments_of, scored_factor_ids
from cyberplan.assessment.results import assessment_results
from cyberplan.core.models import Organisation
from cyberplan.reports.document import Paragraph, Section, Table, clean
from cyberplan.threats.access import organisation_stores, store_labels_of
from cyberplan.threats.store import event_store
from cyberplan.trends.labels import taxonomy_label
from cyberplan.trends.store import analytics_engine

from ..models import Strategy
from .common import StrategyInput, active_language, country_name, day, number, percent

#: The threat figures the context section reads from the trend tables.
THREAT_METRICS = ("totals", "sources_total", "by_class", "incidents_by_type")


# -- context ---------------------------------------------------------------------------------


def context(doc: StrategyInput) -> list[Section]:
    chapter = Section("context", _("Context"))
    chapter.add(
        Paragraph(
            _(
                "The strategy answers the country's situation as the platform's evidence shows it: the latest "
                "capacity assessment and the threat figures of the national event store, as of %(date)s."
            )
            % {"date": day(doc.as_of)}
        )
    )
    return [chapter, assessment_context(doc), threat_context(doc)]


def assessment_context(doc: StrategyInput) -> Section:
    section = Section("context-assessment", _("National capacity"), level=2)
    assessment = (
        doc.audience.records(assessments_of(doc.strategy.organisation, doc.strategy.country, doc.as_of))
        .select_related("framework", "organisation")
        .first()
    )
    if assessment is None:
        return section.add(
            Paragraph(
                _("There is no capacity assessment of %(country)s yet that this document may cite.")
                % {"country": country_name(str(doc.strategy.country))},
                "nodata",
            )
        )
    data = assessment_results(assessment, active_language())
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


def threat_context(doc: StrategyInput) -> Section:
    section = Section("context-threats", _("Threat landscape"), level=2)
    # The strategy organisation's own store, else the first store granted to it with events; each at the
    # labels the grant releases, the document's marking allows and its reader (if any) reads.
    figures: ThreatFigures | None = None
    labels: tuple[str, ...] = ()
    store_text = ""
    for store in organisation_stores(doc.strategy.organisation):
        allowed = set(store.labels)
        if doc.audience.reader is not None:
            allowed &= set(store_labels_of(doc.audience.reader, store.owner.pk))
        labels = tuple(code for code in doc.audience.labels if code in allowed)
        figures = threat_figures(doc.strategy, labels, doc.as_of, store.owner)
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


def _capacity_findings(factors: list[dict[str, Any]], scored: set[str]) -> list[Paragraph]:
    """How many factors are assessed (Start-up is the floor) and, when targets are set, how many are below them."""
    reached = [f for f in factors if f["factor_id"] in scored and f["stage"] is not None]
    below = [f for f in factors if f["below_target"]]
    findings = [
        Paragraph(
            ngettext(
                "%(count)s of %(total)s factor is assessed, at Start-up or above; the others have no stage.",
                "%(count)s of %(total)s factors are assessed, at Start-up or above; the others have no stage.",
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
