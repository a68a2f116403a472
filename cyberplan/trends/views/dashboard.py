"""The threat trends dashboard page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cyberplan.analytics.periods import Period
from cyberplan.core.access import Permission, has_permission
from cyberplan.core.choices import TLP
from cyberplan.core.http import signed_in_user
from cyberplan.core.models import Organisation
from cyberplan.reports.svg import PageChart, safe_svg
from cyberplan.threats.access import access_readable_store, default_store, readable_stores

from ..charts import SPANS
from ..figures import Figures, chart_svgs, figures, latest_period, store_state
from ..forms import DashboardFilterForm, scope_of
from ..report.offer import offer_note, report_offer
from .tables import (
    Drill,
    Panel,
    change_table,
    class_tables,
    dashboard_url,
    incident_tables,
    key_figures,
    network_tables,
    source_tables,
    victim_tables,
)

# -- views ----------------------------------------------------------------------------------------


def _organisation_id(value: str | None, default: Organisation | None) -> int | None:
    """The organisation named in the request, or the default; access is checked by the caller."""
    if not value:
        return default.pk if default else None
    try:
        return int(value)
    except ValueError:
        raise Http404 from None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    stores = readable_stores(user)
    organisations = [store.owner for store in stores]
    organisation_id = _organisation_id(request.GET.get("organisation"), default_store(stores) if stores else None)
    if organisation_id is None:
        form = DashboardFilterForm(organisations=[], tlp_labels=[])
        return render(request, "trends/dashboard.html", {"form": form, "has_organisations": False})
    # A member reads the store within their TLP labels, a granted reader through the release rule; others 404.
    readable = access_readable_store(user, organisation_id)
    organisation, labels = readable.owner, readable.labels
    page: dict[str, Any] = {"organisation": organisation, "has_organisations": True, "store_text": readable.describe()}
    query = request.GET.copy()
    if query.get("tlp") in TLP.values and query.get("tlp") not in labels:
        # A link made by someone who reads more (such as a gap's evidence): count what this user may read.
        query["tlp"] = ""
    form = DashboardFilterForm(query or None, organisations=organisations, tlp_labels=labels)
    if form.is_bound and not form.is_valid():
        return render(request, "trends/dashboard.html", {**page, "form": form}, status=400)
    values = form.cleaned_data if form.is_bound else {}
    filters = {name: values.get(name) or "" for name in ("sector", "taxonomy", "country", "tlp")}

    state = store_state(organisation)
    period: Period | None = values.get("period")
    latest = None
    if period is None:
        latest = latest_period(state, labels)
        period = latest
    page.update(filters=filters, state_has_imports=state.has_imports)
    if not form.is_bound:
        # Show what the page shows: the organisation and the period chosen for the user.
        initial = {"organisation": organisation.pk, "period": period.label if period else ""}
        form = DashboardFilterForm(initial=initial, organisations=organisations, tlp_labels=labels)
    if period is None:
        # Nothing the user may read has been imported: say so instead of drawing empty charts.
        return render(request, "trends/dashboard.html", {**page, "form": form, "no_store_data": True})

    scope = scope_of(period, labels, **filters)
    data = figures(state, scope)
    drill = Drill(organisation, period, filters)
    can_record = has_permission(user, organisation.pk, Permission.CONTRIBUTE)
    gap_fields = {"organisation": str(organisation.pk), "period": period.label, **filters} if can_record else None

    panels = _panels(data, chart_svgs(state, data) if data.events else {}, drill, period, gap_fields)
    page.update(
        form=form,
        period=period,
        period_is_latest=latest is not None,
        scope=scope,
        data=data,
        key_figures=key_figures(data, period),
        panels=panels if data.events or _has_changes(data) else [p for p in panels if p.id == "changes"],
        drill_all=drill.url(),
        previous_url=dashboard_url(organisation, period.previous(), filters),
        year_earlier_url=dashboard_url(organisation, period.year_earlier(), filters),
        can_record=can_record,
        tlp_words=", ".join(str(TLP(label).label) for label in scope.tlp_in or ()),
    )
    offer = report_offer(organisation, period, labels, filters)
    page.update(report_offer=offer, report_offer_note=offer_note(offer) if offer else "")
    return render(request, "trends/dashboard.html", page)


def _panels(
    data: Figures, svgs: dict[str, str | None], drill: Drill, period: Period, gap_fields: dict[str, str] | None
) -> list[Panel]:
    """The page's panels, each with its charts (made safe) and its tables."""

    def svg(name: str) -> list[PageChart]:
        markup = safe_svg(svgs.get(name))
        return [PageChart(markup, SPANS[name])] if markup is not None else []

    panels = [
        Panel("classes", _("Threat classes and types"), svg("timeline") + svg("by_type"), class_tables(data, drill)),
        Panel(
            "victims",
            _("Victims: categories, sectors and countries"),
            svg("by_category") + svg("by_sector"),
            victim_tables(data, drill),
        ),
        Panel("networks", _("Networks, organisations and feeds"), svg("top_asn"), network_tables(data, drill)),
        Panel("sources", _("Source addresses"), svg("sources_timeline"), source_tables(data)),
        Panel("incidents", _("Incident handling"), [], incident_tables(data, drill)),
        Panel(
            "changes",
            _("Significant changes"),
            svg("changes"),
            [
                change_table(data, drill, "change_previous", period.previous(), gap_fields),
                change_table(data, drill, "change_year", period.year_earlier(), gap_fields),
            ],
        ),
    ]
    return panels


def _has_changes(data: Figures) -> bool:
    return any(data.rows.get(metric_id) for metric_id in ("change_previous", "change_year"))
