"""Monitoring and evaluation, as plain data: progress per axis, alerts, KPI status, review cycle.

The monitoring page, the API and the M&E report read from here, so they agree. Nothing here writes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cyberplan.assessment.access import assessments_of, assessments_visible_to
from cyberplan.assessment.models import Assessment

from ..choices import FREQUENCY_MONTHS, ActionStatus, ElementKind, Frequency, ProgressWeighting
from ..kpis import progress_towards_target
from ..models import KPI, Action, Element, KPIMeasurement, ProgressUpdate, Strategy
from ..oversight.cycle import ReviewCycle, add_months, review_cycle

# An action without a progress update for this long is flagged.
STALE_UPDATE_DAYS = 120


@dataclass
class AxisProgress:
    axis: Element
    actions: int
    completed: int
    percent: float  # mean percentage done of the axis's actions (cancelled ones left out)
    overdue: int
    budget: Decimal
    weighted: float | None = None  # the same percentage weighted by the plan's method (None: nothing weighs)


@dataclass
class Alert:
    kind: str  # "review_due", "no_adoption", "assessment_due", "overdue", "stale", "kpi_due", "no_lead", "no_kpi"
    message: str
    action: Action | None = None
    kpi: KPI | None = None


@dataclass
class KPIStatus:
    kpi: KPI
    latest: KPIMeasurement | None
    progress: float | None  # share of the way from baseline to target
    due: bool


@dataclass
class Overview:
    strategy: Strategy
    as_of: datetime.date
    axes: list[AxisProgress]
    overall_percent: float
    actions: int
    completed: int
    alerts: list[Alert]
    kpis: list[KPIStatus]
    review_due_on: datetime.date | None  # the next review counted from the adoption date (None without one)
    last_assessment: Any = None
    review: ReviewCycle | None = None
    assessment_due_on: datetime.date | None = None  # the last capacity assessment plus the review interval
    updates_in_period: list[ProgressUpdate] = field(default_factory=list)
    overall_weighted: float | None = None
    weighting: str = ProgressWeighting.BUDGET
    #: the currencies of the budgets when there are several: budgets are then not added up to weigh progress
    mixed_currencies: list[str] = field(default_factory=list)


def budget_currencies(actions: list[Action]) -> list[str]:
    """The currencies in which ``actions`` have a budget, sorted."""
    return sorted({a.currency for a in actions if a.budget is not None})


def action_weight(action: Action, method: str) -> Decimal:
    """What ``action`` weighs in progress: its budget (none weighs nothing) or its explicit weight (none weighs 1)."""
    if method == ProgressWeighting.WEIGHT:
        return action.weight if action.weight is not None else Decimal(1)
    return action.budget if action.budget is not None else Decimal(0)


def weighted_percent(done: list[tuple[int, Decimal]]) -> float | None:
    """The mean of the percentages in ``done`` (percentage, weight) weighted; None when nothing weighs."""
    total = sum((weight for _, weight in done), Decimal(0))
    if total <= 0:
        return None
    return round(float(sum((Decimal(p) * w for p, w in done), Decimal(0)) / total), 1)


def weighting_note(method: str) -> str:
    """The sentence that states how the weighted progress is computed."""
    if method == ProgressWeighting.WEIGHT:
        return _(
            "Weighted progress weighs each action by the weight given to it in the plan (an action without a "
            "weight counts 1); the unweighted mean counts every action alike."
        )
    return _(
        "Weighted progress weighs each action by its planned budget (an action without a budget weighs "
        "nothing; with no budget at all it is not computed); the unweighted mean counts every action alike."
    )


def axis_of(element: Element, parents: dict[int, Element]) -> Element:
    node = element
    while node.parent_id is not None:
        node = parents[node.parent_id]
    return node


_add_months = add_months


def _review_alerts(review: ReviewCycle) -> list[Alert]:
    """An alert when the review counted from the adoption date is overdue, or when that date is not recorded."""
    if not review.known:
        return [
            Alert(
                "no_adoption",
                _("The strategy's adoption date is not recorded, so the review cycle cannot be counted; enter it."),
            )
        ]
    if review.overdue and review.next_due is not None and review.adopted_on is not None:
        return [
            Alert(
                "review_due",
                _(
                    "The review of the strategy was due on %(date)s (every %(months)d months from its adoption on "
                    "%(adopted)s) and no evaluation has been held since."
                )
                % {
                    "date": date_format(review.next_due, "DATE_FORMAT"),
                    "months": review.months,
                    "adopted": date_format(review.adopted_on, "DATE_FORMAT"),
                },
            )
        ]
    return []


def kpi_due(kpi: KPI, latest: KPIMeasurement | None, as_of: datetime.date) -> bool:
    """A measurement is due when the last one is older than the KPI's frequency (or there is none)."""
    if latest is None:
        return True
    return _add_months(latest.date, FREQUENCY_MONTHS[Frequency(kpi.frequency)]) <= as_of


def overview(
    strategy: Strategy,
    as_of: datetime.date | None = None,
    period_start: datetime.date | None = None,
    reader: Any = None,
) -> Overview:
    """Where the strategy stands on ``as_of`` (today by default).

    With a ``reader``, the last capacity assessment (shown, and the start of the review cycle) is the
    last one the reader may see: an assessment above their TLP is neither named nor counted.
    """
    as_of = as_of or timezone.localdate()
    elements = {e.pk: e for e in strategy.elements.all()}
    actions = list(
        Action.objects.filter(strategy=strategy)
        .select_related("parent", "lead")
        .prefetch_related("kpis__measurements", "updates")
        .order_by("order", "code", "id")
    )
    if as_of < timezone.localdate():
        for action in actions:
            _rewind(action, as_of)
    axes = _axes(elements, actions, as_of, strategy.progress_weighting)
    currencies = budget_currencies(actions)
    mixed = currencies if strategy.progress_weighting == ProgressWeighting.BUDGET and len(currencies) > 1 else []
    if mixed:  # amounts in different currencies cannot be weighed against each other
        axes = [replace(a, weighted=None) for a in axes]
    counted = [a for a in actions if a.status != ActionStatus.CANCELLED]
    alerts: list[Alert] = []
    kpi_rows: list[KPIStatus] = []
    for action in actions:
        action_alerts, action_kpis = _action_alerts(action, as_of)
        alerts.extend(action_alerts)
        kpi_rows.extend(action_kpis)
    element_alerts, element_kpis = _element_kpis(strategy, elements, as_of)
    alerts.extend(element_alerts)
    kpi_rows.extend(element_kpis)
    last_assessment = _last_assessment(strategy, as_of, reader)
    assessment_due_on = _add_months(last_assessment.date, strategy.review_months) if last_assessment else None
    if assessment_due_on is None or assessment_due_on <= as_of:
        alerts.insert(
            0,
            Alert(
                "assessment_due",
                _("A new capacity assessment is due for the review of the strategy (every %(months)d months).")
                % {"months": strategy.review_months}
                if last_assessment
                else _("There is no capacity assessment of the country yet; start one for the review."),
            ),
        )
    review = review_cycle(strategy, as_of)
    alerts[:0] = _review_alerts(review)
    in_period = [
        u
        for a in actions
        for u in a.updates.all()
        if u.date <= as_of and (period_start is None or u.date >= period_start)
    ]
    return Overview(
        strategy=strategy,
        as_of=as_of,
        axes=axes,
        overall_percent=round(sum(a.percent_complete for a in counted) / len(counted), 1) if counted else 0.0,
        actions=len(counted),
        completed=sum(a.status == ActionStatus.COMPLETED for a in counted),
        alerts=alerts,
        kpis=kpi_rows,
        review_due_on=review.next_due,
        review=review,
        assessment_due_on=assessment_due_on,
        last_assessment=last_assessment,
        updates_in_period=sorted(in_period, key=lambda u: (u.date, u.pk)),
        overall_weighted=None
        if mixed
        else weighted_percent([(a.percent_complete, action_weight(a, strategy.progress_weighting)) for a in counted]),
        weighting=strategy.progress_weighting,
        mixed_currencies=mixed,
    )


def _axes(elements: dict[int, Element], actions: list[Action], as_of: datetime.date, method: str) -> list[AxisProgress]:
    """The progress of each axis, over its actions that are not cancelled."""
    by_axis: dict[int, list[Action]] = {}
    for action in actions:
        by_axis.setdefault(axis_of(action.parent, elements).pk, []).append(action)
    axes: list[AxisProgress] = []
    for axis in sorted(
        (e for e in elements.values() if e.kind == ElementKind.AXIS), key=lambda e: (e.order, e.code, e.pk)
    ):
        members = [a for a in by_axis.get(axis.pk, []) if a.status != ActionStatus.CANCELLED]
        overdue = [a for a in members if _overdue(a, as_of)]
        axes.append(
            AxisProgress(
                axis=axis,
                actions=len(members),
                completed=sum(a.status == ActionStatus.COMPLETED for a in members),
                percent=round(sum(a.percent_complete for a in members) / len(members), 1) if members else 0.0,
                overdue=len(overdue),
                budget=sum((a.budget or Decimal(0) for a in members), Decimal(0)),
                weighted=weighted_percent([(a.percent_complete, action_weight(a, method)) for a in members]),
            )
        )
    return axes


def _action_alerts(action: Action, as_of: datetime.date) -> tuple[list[Alert], list[KPIStatus]]:
    """What needs attention in ``action`` on ``as_of``, and the status of each of its KPIs."""
    alerts: list[Alert] = []
    kpi_rows: list[KPIStatus] = []
    if _overdue(action, as_of):
        alerts.append(
            Alert(
                "overdue",
                _("%(code)s was due on %(date)s and is %(percent)d%% done.")
                % {"code": action.code, "date": action.end_date, "percent": action.percent_complete},
                action=action,
            )
        )
    updates = sorted((u for u in action.updates.all() if u.date <= as_of), key=lambda u: (u.date, u.pk))
    started = action.start_date is not None and action.start_date <= as_of
    if (
        started
        and action.status not in (ActionStatus.COMPLETED, ActionStatus.CANCELLED)
        and (not updates or (as_of - updates[-1].date).days > STALE_UPDATE_DAYS)
    ):
        alerts.append(
            Alert(
                "stale",
                _("%(code)s has had no progress update for more than %(days)d days.")
                % {"code": action.code, "days": STALE_UPDATE_DAYS},
                action=action,
            )
        )
    if action.lead_id is None:
        alerts.append(Alert("no_lead", _("%(code)s has no lead institution.") % {"code": action.code}, action))
    kpis = list(action.kpis.all())
    if not kpis and action.status != ActionStatus.CANCELLED:
        alerts.append(Alert("no_kpi", _("%(code)s has no KPI.") % {"code": action.code}, action))
    for kpi in kpis:
        measured = [m for m in kpi.measurements.all() if m.date <= as_of]
        latest = max(measured, key=lambda m: (m.date, m.pk)) if measured else None
        due = started and kpi_due(kpi, latest, as_of)
        kpi_rows.append(KPIStatus(kpi, latest, progress_towards_target(kpi, latest.value if latest else None), due))
        if due:
            alerts.append(
                Alert(
                    "kpi_due",
                    _("The KPI %(name)s of %(code)s needs a measurement.") % {"name": kpi.name, "code": action.code},
                    action=action,
                    kpi=kpi,
                )
            )
    return alerts, kpi_rows


def _element_kpis(
    strategy: Strategy, elements: dict[int, Element], as_of: datetime.date
) -> tuple[list[Alert], list[KPIStatus]]:
    """The status of the KPIs of axes and objectives, and the alert of each one that needs a measurement.

    An element's KPI is due from the strategy's first year on, at its frequency.
    """
    alerts: list[Alert] = []
    rows: list[KPIStatus] = []
    started = datetime.date(strategy.start_year, 1, 1) <= as_of
    kpis = KPI.objects.filter(element__strategy=strategy).prefetch_related("measurements")
    for kpi in sorted(kpis, key=lambda k: (_element_key(elements[k.element_id], elements), k.pk)):  # type: ignore[index]  # element KPIs have an element
        kpi.element = elements[kpi.element_id]  # type: ignore[index]  # the element read once for the whole page
        measured = [m for m in kpi.measurements.all() if m.date <= as_of]
        latest = max(measured, key=lambda m: (m.date, m.pk)) if measured else None
        due = started and kpi_due(kpi, latest, as_of)
        rows.append(KPIStatus(kpi, latest, progress_towards_target(kpi, latest.value if latest else None), due))
        if due:
            alerts.append(
                Alert(
                    "kpi_due",
                    _("The KPI %(name)s of %(code)s needs a measurement.")
                    % {"name": kpi.name, "code": kpi.holder.code},
                    kpi=kpi,
                )
            )
    return alerts, rows


def _element_key(element: Element, elements: dict[int, Element]) -> tuple[int, ...]:
    """Sorts elements as the plan lists them: by axis, then within it (order, then id)."""
    path: list[int] = []
    node: Element | None = element
    while node is not None:
        path[:0] = [node.order, node.pk]
        node = elements.get(node.parent_id) if node.parent_id is not None else None
    return tuple(path)


def _last_assessment(strategy: Strategy, as_of: datetime.date, reader: Any) -> Assessment | None:
    """The last capacity assessment of the strategy's country on ``as_of``, of those ``reader`` may see."""
    candidates = assessments_of(strategy.organisation, strategy.country, as_of)
    if reader is not None:
        candidates = candidates.filter(pk__in=assessments_visible_to(reader).values("pk"))
    return candidates.first()


def _rewind(action: Action, as_of: datetime.date) -> None:
    """Set the in-memory status and percentage of ``action`` to what its updates said on ``as_of``.

    A status changes only through progress updates, so the latest update on or before the date is
    the state then; an action whose updates all came later was still planned. Never saved.
    """
    updates = list(action.updates.all())
    past = [u for u in updates if u.date <= as_of]
    if past:
        latest = max(past, key=lambda u: (u.date, u.pk))
        action.status, action.percent_complete = latest.status, latest.percent_complete
    elif updates:
        action.status, action.percent_complete = ActionStatus.PLANNED, 0


def _overdue(action: Action, as_of: datetime.date) -> bool:
    return (
        action.end_date is not None
        and action.end_date < as_of
        and action.status not in (ActionStatus.COMPLETED, ActionStatus.CANCELLED)
    )


def timeline_spec(strategy: Strategy, as_of: datetime.date, language: str = "en") -> dict[str, Any] | None:
    """A Vega-Lite timeline (one bar per action from start to end, coloured by status), or None."""
    elements = {e.pk: e for e in strategy.elements.all()}
    rows = []
    rewind = as_of < timezone.localdate()
    for action in (
        Action.objects.filter(strategy=strategy)
        .select_related("parent")
        .prefetch_related("updates")
        .order_by("order", "code", "id")
    ):
        if action.start_date is None or action.end_date is None:
            continue
        if rewind:
            _rewind(action, as_of)
        axis = axis_of(action.parent, elements)
        rows.append(
            {
                "action": action.code,
                "axis": f"{axis.code} {axis.title}"[:60],
                "start": action.start_date.isoformat(),
                "end": action.end_date.isoformat(),
                "status": str(ActionStatus(action.status).label),
                "done": action.percent_complete,
            }
        )
    if not rows:
        return None
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": _("Action plan timeline"),
        "width": 560,
        "height": max(120, 14 * len(rows)),
        "data": {"values": rows},
        "layer": [
            {
                "mark": {"type": "bar", "cornerRadius": 2},
                "encoding": {
                    "y": {"field": "action", "type": "nominal", "sort": None, "title": _("Action")},
                    "x": {"field": "start", "type": "temporal", "title": None},
                    "x2": {"field": "end"},
                    "color": {"field": "status", "type": "nominal", "title": _("Status")},
                    "tooltip": [
                        {"field": "action", "title": _("Action")},
                        {"field": "axis", "title": _("Axis")},
                        {"field": "status", "title": _("Status")},
                        {"field": "done", "title": _("Percent done")},
                    ],
                },
            },
            {
                "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#333"},
                "encoding": {
                    "x": {"datum": {"year": as_of.year, "month": as_of.month, "date": as_of.day}, "type": "temporal"}
                },
            },
        ],
    }


def axis_progress_spec(view: Overview) -> dict[str, Any] | None:
    """A Vega-Lite bar chart of percentage done per axis, or None without axes."""
    if not view.axes:
        return None
    values = [{"axis": f"{a.axis.code} {a.axis.title}"[:50], "percent": a.percent} for a in view.axes]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": _("Progress per axis"),
        "width": 420,
        "height": max(100, 24 * len(values)),
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "y": {"field": "axis", "type": "nominal", "sort": None, "title": None},
            "x": {
                "field": "percent",
                "type": "quantitative",
                "title": _("Percent done"),
                "scale": {"domain": [0, 100]},
            },
        },
    }


def kpi_progress_spec(view: Overview) -> dict[str, Any] | None:
    """A Vega-Lite bar chart of each measured KPI's share of the way from its baseline to its target.

    Only KPIs with a baseline, a target and a measurement are drawn (the others have no share to
    show); None when there is none.
    """
    values = [
        {"kpi": str(row.kpi.name)[:60], "percent": round(100 * row.progress, 1)}
        for row in view.kpis
        if row.progress is not None
    ]
    if not values:
        return None
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": _("KPI progress towards target"),
        "width": 420,
        "height": max(60, 22 * len(values)),
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "y": {"field": "kpi", "type": "nominal", "sort": None, "title": None, "axis": {"labelLimit": 220}},
            "x": {
                "field": "percent",
                "type": "quantitative",
                "title": _("Percent of the way from baseline to target"),
                "scale": {"domain": [0, 100]},
            },
        },
    }
