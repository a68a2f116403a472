"""The monitoring and evaluation report's sections, and the plan as it stood at the end of the period."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from cyberplan.gaps.choices import Severity
from cyberplan.reports.charts import FONT
from cyberplan.reports.document import Chart, Paragraph, Section, Table, clean

from .. import traceability
from ..choices import LEVEL_ORDER, ActionStatus, ElementKind, IndicatorType, KPILevel, ProgressWeighting
from ..models import KPI, Action, Element
from ..monitoring import overview as monitoring
from ..units import unit_label
from .common import (
    MonitoringInput,
    active_language,
    coverage_sentence,
    day,
    document_gaps,
    label,
    number,
    percent,
    short_day,
    value_on,
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

    method = view.strategy.progress_weighting

    def done(members: list[Action]) -> float:
        return round(sum(state[a.pk][1] for a in members) / len(members), 1) if members else 0.0

    def weighed(members: list[Action]) -> float | None:
        if view.mixed_currencies:
            return None
        return monitoring.weighted_percent([(state[a.pk][1], monitoring.action_weight(a, method)) for a in members])

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
                weighted=weighed(members),
                overdue=len(overdue),
            )
        )
    return dataclasses.replace(
        view,
        axes=axes,
        overall_percent=done(counted),
        overall_weighted=weighed(counted),
        actions=len(counted),
        completed=sum(state[a.pk][0] == ActionStatus.COMPLETED for a in counted),
    )


def _with_font(spec: dict[str, Any] | None) -> dict[str, Any] | None:
    if spec is None:
        return None
    return {**spec, "config": {"font": FONT, "view": {"stroke": None}}}


def _weighted_sentence(view: monitoring.Overview) -> str:
    mean = percent(view.overall_percent)
    if view.mixed_currencies:
        return _(
            "The budgets are in several currencies (%(currencies)s), so progress is not weighted by budget; "
            "the unweighted mean is %(mean)s."
        ) % {"currencies": ", ".join(clean(c) for c in view.mixed_currencies), "mean": mean}
    if view.overall_weighted is None:
        return _("Nothing weighs the actions yet (no budget or no weight); the unweighted mean is %(mean)s.") % {
            "mean": mean
        }
    if view.weighting == ProgressWeighting.WEIGHT:
        text = _("Weighted by explicit weight, the plan is %(weighted)s done; the unweighted mean is %(mean)s.")
    else:
        text = _("Weighted by budget, the plan is %(weighted)s done; the unweighted mean is %(mean)s.")
    return text % {"weighted": percent(view.overall_weighted), "mean": mean}


def summary(report: MonitoringInput) -> Section:
    view = report.view
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
    section.add(Paragraph(_weighted_sentence(view)))
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


def progress(report: MonitoringInput) -> list[Section]:
    view = report.view
    section = Section("progress", _("Progress per axis"))
    section.add(
        Table(
            "",
            [
                _("Axis"),
                _("Actions"),
                pgettext("count of actions", "Completed"),
                _("Overdue"),
                _("Percent done (mean)"),
                _("Percent done (weighted)"),
            ],
            [
                [
                    f"{clean(a.axis.code)} {clean(a.axis.title)}",
                    number(a.actions),
                    number(a.completed),
                    number(a.overdue),
                    percent(a.percent),
                    percent(a.weighted),
                ]
                for a in view.axes
            ],
            empty=_("The strategy has no axis yet."),
            numeric=[False, True, True, True, True, True],
        ),
        Paragraph(monitoring.weighting_note(view.weighting), "note"),
        Chart(_("Progress per axis"), _with_font(monitoring.axis_progress_spec(view)), _("No axis to draw.")),
        Chart(
            _("KPI progress towards target"),
            _with_font(monitoring.kpi_progress_spec(view)),
            _("No KPI has a baseline, a target and a measurement yet."),
        ),
    )
    timeline = Section("timeline", _("Timeline of the action plan"), level=2)
    timeline.add(
        Chart(
            _("Action plan timeline"),
            _with_font(monitoring.timeline_spec(report.strategy, view.as_of, active_language())),
            _("No action has both a start and an end date yet."),
        )
    )
    return [section, timeline]


def updates(report: MonitoringInput) -> Section:
    section = Section("updates", _("Progress updates in the period"))
    rows = []
    for update in report.view.updates_in_period:
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


def _kpi_row(status: monitoring.KPIStatus) -> list[str]:
    kpi = status.kpi
    latest = status.latest
    return [
        f"{KPILevel(kpi.level).label} {clean(kpi.holder.code)}",
        clean(kpi.name),
        unit_label(kpi.unit),
        value_on(kpi.baseline, kpi.baseline_date),
        value_on(latest.value, latest.date) if latest else "—",
        value_on(kpi.target, kpi.target_date),
        percent(100 * status.progress) if status.progress is not None else "—",
        pgettext("measurement", "due") if status.due else "",
    ]


# The heading of each group of indicators in the report, impact first as the results chain reads.
KPI_GROUPS = [
    (IndicatorType.IMPACT, gettext_lazy("Impact indicators: the long-term effect")),
    (IndicatorType.OUTCOME, gettext_lazy("Outcome indicators: the change the actions bring")),
    (IndicatorType.OUTPUT, gettext_lazy("Output indicators: what the actions deliver")),
]


def kpi_axis(kpi: KPI, elements: dict[int, Element]) -> Element:
    """The axis under which a KPI is reported: the axis it measures, or the axis above its objective or action."""
    holder = kpi.holder
    start = holder if isinstance(holder, Element) else holder.parent
    return monitoring.axis_of(elements.get(start.pk, start), elements)


def _type_summary(rows: list[monitoring.KPIStatus]) -> Table:
    """How many indicators of each type there are, how many are measured or due, and their mean progress."""
    body = []
    for kind, _heading in KPI_GROUPS:
        members = [s for s in rows if s.kpi.indicator_type == kind]
        shares = [s.progress for s in members if s.progress is not None]
        body.append(
            [
                label(IndicatorType, kind),
                number(len(members)),
                number(sum(s.latest is not None for s in members)),
                number(sum(s.due for s in members)),
                percent(100 * sum(shares) / len(shares)) if shares else "—",
            ]
        )
    return Table(
        _("Indicators by type"),
        [_("Indicator type"), _("Indicators"), _("Measured"), _("Due for a measurement"), _("Mean progress")],
        body,
        numeric=[False, True, True, True, True],
    )


def kpis(report: MonitoringInput) -> Section:
    """The indicators by level and by type: a summary by type, then for each axis its indicators, the
    impact ones first (typically the axis's), then outcome (its objectives') and output (its actions')."""
    section = Section("kpis", _("Key performance indicators"))
    header = [
        _("Indicator of"),
        _("KPI"),
        _("Unit"),
        _("Baseline"),
        _("Latest value"),
        _("Target"),
        _("Progress"),
        _("Measurement"),
    ]
    rows = report.view.kpis
    if not rows:
        section.add(Paragraph(_("No KPI is defined yet."), "nodata"))
    else:
        section.add(_type_summary(rows))
    elements = {e.pk: e for e in report.strategy.elements.all()}
    by_axis: dict[int, list[monitoring.KPIStatus]] = {}
    for status in rows:
        by_axis.setdefault(kpi_axis(status.kpi, elements).pk, []).append(status)
    axes = sorted((e for e in elements.values() if e.kind == ElementKind.AXIS), key=lambda e: (e.order, e.code, e.pk))
    for axis in axes:
        members = sorted(by_axis.get(axis.pk, []), key=lambda s: LEVEL_ORDER.index(s.kpi.level))
        for kind, heading in KPI_GROUPS:
            group = [_kpi_row(s) for s in members if s.kpi.indicator_type == kind]
            if group:
                caption = f"{clean(axis.code)} {clean(axis.title)} · {heading}"
                numeric = [False, False, False, True, True, True, True, False]
                section.add(Table(caption, header, group, numeric=numeric, css="kpis"))
    return section.add(
        Paragraph(
            _(
                "Indicators are given for each axis, by level and by type: impact indicators (the long-term "
                "effect, typically of the axis), outcome indicators (the change brought, typically of its "
                "objectives) and output indicators (what is delivered, typically by its actions). Progress is "
                "the share of the way from the baseline to the target reached by the latest value measured on "
                "or before the end of the period."
            ),
            "note",
        ),
    )


def alerts(report: MonitoringInput) -> Section:
    section = Section("alerts", _("Alerts"))
    order = ["review_due", "no_adoption", "assessment_due", "overdue", "stale", "kpi_due", "no_lead", "no_kpi"]
    alerts = sorted(report.view.alerts, key=lambda a: order.index(a.kind) if a.kind in order else len(order))
    for alert in alerts:
        section.add(Paragraph(clean(alert.message), "bullet"))
    if not alerts:
        section.add(Paragraph(_("No alert."), "nodata"))
    return section


def traceability_section(report: MonitoringInput) -> Section:
    coverage = traceability.coverage(report.strategy, document_gaps(report.strategy, report.audience))
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
