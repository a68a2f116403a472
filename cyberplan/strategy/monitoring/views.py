"""Monitoring and evaluation pages: the entry point, the overview, an action's progress, a KPI's measurements.

Thin: the numbers come from overview.py (the same as the API and the M&E report), reads go
through access.py, writes through actions.py (which checks the values and audits).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.core.access import Permission, organisations_where
from cyberplan.core.forms import attach_errors
from cyberplan.core.models import User
from cyberplan.reports.charts import Span
from cyberplan.reports.svg import PageChart, page_chart

from .. import access, actions, budget, kpis
from ..choices import CLOSED_ACTION_STATUSES, LEVEL_ORDER, IndicatorType, KPILevel, KPISource, ProgressWeighting
from ..models import KPI, Action, Strategy
from ..units import unit_label
from ..versions.views import header_template
from . import overview as mon
from .forms import AsOfForm, ComputeForm, MeasurementForm, ProgressForm
from .responsible.views import responsible_overview

ALERT_LABELS = {
    "review_due": gettext_lazy("Review due"),
    "no_adoption": gettext_lazy("No adoption date"),
    "assessment_due": gettext_lazy("Assessment due"),
    "overdue": gettext_lazy("Overdue"),
    "stale": gettext_lazy("No recent update"),
    "kpi_due": gettext_lazy("Measurement due"),
    "no_lead": gettext_lazy("No lead institution"),
    "no_kpi": gettext_lazy("No KPI"),
}
ALERT_ORDER = list(ALERT_LABELS)
INDICATOR_ORDER: list[str] = [IndicatorType.IMPACT, IndicatorType.OUTCOME, IndicatorType.OUTPUT]
# Errors of an uploaded file (cyberplan.core.uploads), shown on the file field.
UPLOAD_ERROR_CODES = {"too_large", "bad_type", "bad_content"}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _lang() -> str:
    return (get_language() or "en")[:2]


def _chart(spec: dict[str, Any] | None, span: Span = "full") -> PageChart | None:
    """A chart drawn for the page (the report draws the same specification at the page's width)."""
    return page_chart(spec, span)


def _overview_charts(strategy: Strategy, view: mon.Overview, as_of: datetime.date) -> dict[str, PageChart | None]:
    """The overview's charts, drawn for the page: the monitoring report's specifications."""
    return {
        "axis_chart": _chart(mon.axis_progress_spec(view), "half"),
        "kpi_chart": _chart(mon.kpi_progress_spec(view), "half"),
        "timeline_chart": _chart(mon.timeline_spec(strategy, as_of, _lang())),
    }


def warm_overview_charts(strategy: Strategy) -> int:
    """Draw today's overview charts in every language, so the page's first visit finds them drawn.

    Drawings are kept in the shared cache (:func:`cyberplan.reports.charts.to_svg`); the charts do
    not depend on who reads the page. Returns the languages drawn.
    """
    as_of = timezone.localdate()
    view = mon.overview(strategy, as_of)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            _overview_charts(strategy, view, as_of)
    return len(settings.LANGUAGES)


def _context(strategy: Strategy, **values: Any) -> dict[str, Any]:
    return {
        "strategy": strategy,
        "owner": True,
        "header_template": header_template(True),
        "tab": "monitoring",
        **values,
    }


def number(value: Decimal | None) -> str:
    """A measured value without trailing zeros or exponent (120000, 82.5)."""
    if value is None:
        return ""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def _overdue(action: Action) -> bool:
    return (
        action.end_date is not None
        and action.end_date < timezone.localdate()
        and action.status not in CLOSED_ACTION_STATUSES
    )


def _percent(share: float | None) -> int | None:
    return None if share is None else round(share * 100)


# --------------------------------------------------------------------------- overview


@login_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        strategy = access.access_strategy_by_id(user, pk)
    except Http404:
        # A lead or supporting institution that does not own the strategy sees its own actions.
        return responsible_overview(request, pk)
    form = AsOfForm(request.GET or None)
    as_of = timezone.localdate()
    if form.is_valid() and form.cleaned_data.get("as_of"):
        as_of = form.cleaned_data["as_of"]
    view = mon.overview(strategy, as_of, reader=user)
    alerts = sorted(view.alerts, key=lambda a: ALERT_ORDER.index(a.kind) if a.kind in ALERT_ORDER else 99)
    # Grouped as the results chain reads: impact, outcome, output.
    kpi_rows = [
        {
            "kpi": row.kpi,
            "action": row.kpi.action,
            "level": KPILevel(row.kpi.level).label,
            "code": row.kpi.holder.code,
            "unit": unit_label(row.kpi.unit),
            "latest": row.latest,
            "latest_value": number(row.latest.value) if row.latest else "",
            "baseline": number(row.kpi.baseline),
            "target": number(row.kpi.target),
            "progress": _percent(row.progress),
            "due": row.due,
            "automatic": row.kpi.source != KPISource.MANUAL,
            "type": row.kpi.get_indicator_type_display(),
        }
        for row in sorted(
            view.kpis, key=lambda r: (INDICATOR_ORDER.index(r.kpi.indicator_type), LEVEL_ORDER.index(r.kpi.level))
        )
    ]
    return render(
        request,
        "strategy/monitoring/overview.html",
        _context(
            strategy,
            view=view,
            form=form,
            as_of=as_of,
            alerts=[{"alert": a, "label": ALERT_LABELS.get(a.kind, a.kind)} for a in alerts],
            kpi_rows=kpi_rows,
            weighting_label=ProgressWeighting(view.weighting).label,
            weighting_note=mon.weighting_note(view.weighting),
            **_overview_charts(strategy, view, as_of),
            budget_view=budget.budget_execution(strategy, as_of),
            can_assess=organisations_where(user, Permission.EDIT).exists(),
            actions=Action.objects.filter(strategy=strategy).select_related("lead").order_by("order", "code", "id"),
        ),
        status=400 if form.is_bound and form.errors else 200,
    )


# --------------------------------------------------------------------------- one action


def _action_page(
    request: HttpRequest, strategy: Strategy, action: Action, form: ProgressForm | None, status: int = 200
) -> HttpResponse:
    user = _user(request)
    can_report = access.can_report_progress(user, action)
    if form is None and can_report:
        form = ProgressForm(initial={"status": action.status, "percent_complete": action.percent_complete})
    action_kpis = []
    for kpi in action.kpis.all():
        latest = kpis.latest_value(kpi)
        action_kpis.append(
            {
                "kpi": kpi,
                "unit": unit_label(kpi.unit),
                "latest": latest,
                "latest_value": number(latest.value) if latest else "",
                "target": number(kpi.target),
                "progress": _percent(kpis.progress_towards_target(kpi, latest.value if latest else None)),
            }
        )
    return render(
        request,
        "strategy/monitoring/action.html",
        _context(
            strategy,
            action=action,
            form=form if can_report else None,
            updates=action.updates.select_related("author", "organisation").order_by("-date", "-id"),
            kpis=action_kpis,
            overdue=_overdue(action),
        ),
        status=status,
    )


@login_required
def action_progress(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    user = _user(request)
    strategy = access.access_strategy_by_id(user, pk)
    action = access.access_action_by_id(user, strategy, action_pk)
    if request.method != "POST":
        return _action_page(request, strategy, action, None)
    access.require_progress_reporter(user, action)
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_report_progress(
                user,
                action,
                date=data["date"],
                status=data["status"],
                percent_complete=data["percent_complete"],
                narrative=data["narrative"],
                evidence_url=data["evidence_url"],
                evidence_document=data.get("evidence_document"),
                executed_amount=data.get("executed_amount"),
                executed_year=data.get("executed_year"),
                executed_source=data.get("executed_source") or "",
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict") and exc.error_list and exc.error_list[0].code in UPLOAD_ERROR_CODES:
                for message in exc.messages:
                    form.add_error("evidence_document", message)
            else:
                attach_errors(form, exc)
        else:
            messages.success(request, _("The progress update of %(code)s was recorded.") % {"code": action.code})
            return redirect("strategy:monitoring_action", pk=strategy.pk, action_pk=action.pk)
    if form.errors and request.FILES:
        form.add_error(None, _("What you wrote is kept below; choose the document again before saving."))
    return _action_page(request, strategy, action, form, status=400)


@login_required
def progress_evidence(request: HttpRequest, pk: int, action_pk: int, update_pk: int) -> HttpResponseBase:
    user = _user(request)
    strategy = access.access_strategy_by_id(user, pk)
    action = access.access_action_by_id(user, strategy, action_pk)
    update = access.access_update_by_id(user, action, update_pk)
    if not update.evidence_document:
        raise Http404
    return FileResponse(
        update.evidence_document.open("rb"),
        as_attachment=True,
        filename=(update.evidence_document.name or "evidence").rsplit("/", 1)[-1],
    )


# --------------------------------------------------------------------------- one KPI


def _kpi(request: HttpRequest, strategy: Strategy, kpi_pk: int) -> KPI:
    """A KPI of ``strategy`` at any level (the caller has read the strategy through access.py)."""
    return access.access_kpi_by_id(_user(request), strategy, kpi_pk)


def _kpi_chart(kpi: KPI) -> dict[str, Any] | None:
    values = [
        {"date": m.date.isoformat(), "value": float(m.value), "origin": m.get_origin_display()}
        for m in kpi.measurements.order_by("date", "id")
    ]
    if not values:
        return None
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": "date", "type": "temporal", "title": None},
                "y": {"field": "value", "type": "quantitative", "title": unit_label(kpi.unit)},
                "color": {"field": "origin", "type": "nominal", "title": _("Origin")},
                "tooltip": [
                    {"field": "date", "type": "temporal", "title": _("As of")},
                    {"field": "value", "type": "quantitative", "title": _("Value")},
                ],
            },
        }
    ]
    for value, label in ((kpi.baseline, _("Baseline")), (kpi.target, _("Target"))):
        if value is not None:
            layers.append(
                {
                    "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#555"},
                    "encoding": {"y": {"datum": float(value), "type": "quantitative"}, "tooltip": {"value": label}},
                }
            )
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": _("Measurements"),
        "width": 480,
        "height": 180,
        "data": {"values": values},
        "layer": layers,
    }


def _kpi_page(
    request: HttpRequest,
    strategy: Strategy,
    kpi: KPI,
    *,
    form: MeasurementForm | None = None,
    compute_form: ComputeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    can_report = access.can_record_measurement(user, kpi)
    automatic = kpi.source != KPISource.MANUAL
    measurements = list(kpi.measurements.select_related("recorded_by").order_by("-date", "-id"))
    latest = measurements[0] if measurements else None
    for measurement in measurements:
        measurement.display = number(measurement.value)  # type: ignore[attr-defined]  # shown by the template only
        measurement.detail_items = sorted(measurement.detail.items()) if measurement.detail else []  # type: ignore[attr-defined]  # shown by the template only
    return render(
        request,
        "strategy/monitoring/kpi.html",
        _context(
            strategy,
            kpi=kpi,
            action=kpi.action,
            element=kpi.element,
            unit=unit_label(kpi.unit),
            automatic=automatic,
            measurements=measurements,
            latest=latest,
            baseline=number(kpi.baseline),
            target=number(kpi.target),
            progress=_percent(kpis.progress_towards_target(kpi, latest.value if latest else None)),
            form=(form or MeasurementForm(unit=kpi.unit)) if can_report else None,
            compute_form=(compute_form or ComputeForm()) if can_report and automatic else None,
            chart=_chart(_kpi_chart(kpi)),
        ),
        status=status,
    )


@login_required
def kpi_detail(request: HttpRequest, pk: int, kpi_pk: int) -> HttpResponse:
    user = _user(request)
    strategy = access.access_strategy_by_id(user, pk)
    kpi = _kpi(request, strategy, kpi_pk)
    if request.method != "POST":
        return _kpi_page(request, strategy, kpi)
    access.require_measurer(user, kpi)
    form = MeasurementForm(request.POST, unit=kpi.unit)
    if form.is_valid():
        data = form.cleaned_data
        try:
            measurement = actions.do_record_measurement(
                user, kpi, date=data["date"], value=data["value"], note=data["note"] or ""
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(value)s (%(unit)s) was recorded for %(date)s.")
                % {"value": number(measurement.value), "unit": unit_label(kpi.unit), "date": measurement.date},
            )
            return redirect("strategy:monitoring_kpi", pk=strategy.pk, kpi_pk=kpi.pk)
    return _kpi_page(request, strategy, kpi, form=form, status=400)


@login_required
@require_POST
def kpi_compute(request: HttpRequest, pk: int, kpi_pk: int) -> HttpResponse:
    user = _user(request)
    strategy = access.access_strategy_by_id(user, pk)
    kpi = _kpi(request, strategy, kpi_pk)
    access.require_measurer(user, kpi)
    form = ComputeForm(request.POST)
    if form.is_valid():
        as_of: datetime.date = form.cleaned_data["as_of"]
        try:
            measurement = actions.do_compute_kpi(user, kpi, as_of)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("Computed from platform data: %(value)s (%(unit)s) as of %(date)s.")
                % {"value": number(measurement.value), "unit": unit_label(kpi.unit), "date": measurement.date},
            )
            return redirect("strategy:monitoring_kpi", pk=strategy.pk, kpi_pk=kpi.pk)
    return _kpi_page(request, strategy, kpi, compute_form=form, status=400)


@login_required
def monitoring_home(request: HttpRequest) -> HttpResponse:
    """The navigation's monitoring entry: the one strategy's monitoring page, or the list to choose from."""
    strategies = list(access.strategies_visible_to(_user(request)))
    if len(strategies) == 1:
        return redirect("strategy:monitoring", strategies[0].pk)
    return render(request, "strategy/monitoring_home.html", {"strategies": strategies})
