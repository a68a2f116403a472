"""The threat trends dashboard page."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from cyberplan.analytics.periods import Period
from cyberplan.core.access import Permission, has_permission
from cyberplan.core.choices import TLP
from cyberplan.core.http import signed_in_user
from cyberplan.core.models import Organisation, User
from cyberplan.reports.svg import PageChart, safe_svg
from cyberplan.threats.access import (
    ALL_STORES,
    ReadableStore,
    access_readable_store,
    default_store,
    readable_stores,
)

from ..charts import SPANS
from ..figures import Figures, StoresState, StoreState, chart_svgs, figures, latest_period, store_state, stores_state
from ..forms import DashboardFilterForm, scope_of
from ..report.offer import offer_note, report_offer
from .annual import exposure_table, history_table, incident_handling_tables, remediation_table
from .tables import (
    Drill,
    NoDrill,
    Panel,
    change_table,
    class_tables,
    dashboard_url,
    incident_tables,
    key_figures,
    malware_tables,
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


@dataclass(frozen=True)
class _Reading:
    """What the page reads: one store, or every store the reader reads together."""

    #: the store chooser's value
    choice: int | str
    #: the one store's owner; None when several stores are read together
    organisation: Organisation | None
    #: every label the reader reads in at least one of the stores (each store keeps to its own)
    labels: list[str]
    #: every store counted, named as figures name them
    store_text: str
    state: StoreState | StoresState


def _reading(user: User, stores: list[ReadableStore], value: str | None) -> _Reading | None:
    """The store (or stores) the request asks for, access checked; None when the user reads no store."""
    if value == ALL_STORES and len(stores) > 1:
        labels = sorted({label for store in stores for label in store.labels})
        text = get_text_list([store.describe() for store in stores], _("and"))
        state = stores_state((store.owner, store.labels) for store in stores)
        return _Reading(ALL_STORES, None, labels, text, state)
    default = default_store(stores) if stores else None
    organisation_id = _organisation_id(None if value == ALL_STORES else value, default)
    if organisation_id is None:
        return None
    # A member reads the store within their TLP labels, a granted reader through the release rule; others 404.
    readable = access_readable_store(user, organisation_id)
    owner = readable.owner
    return _Reading(owner.pk, owner, readable.labels, readable.describe(), store_state(owner))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    stores = readable_stores(user)
    organisations = [store.owner for store in stores]
    together = len(stores) if len(stores) > 1 else 0
    reading = _reading(user, stores, request.GET.get("organisation"))
    if reading is None:
        form = DashboardFilterForm(organisations=[], tlp_labels=[])
        return render(request, "trends/dashboard.html", {"form": form, "has_organisations": False})
    organisation, labels, state = reading.organisation, reading.labels, reading.state
    page: dict[str, Any] = {
        "organisation": organisation,
        "has_organisations": True,
        "store_text": reading.store_text,
        "together": organisation is None,
    }
    query = request.GET.copy()
    if query.get("organisation") == ALL_STORES and not together:
        # A link to every store together, kept after a grant was revoked: one store is left, shown as such.
        query.pop("organisation")
    if query.get("tlp") in TLP.values and query.get("tlp") not in labels:
        # A link made by someone who reads more (such as a gap's evidence): count what this user may read.
        query["tlp"] = ""
    chooser = functools.partial(DashboardFilterForm, organisations=organisations, tlp_labels=labels, together=together)
    form = chooser(query or None)
    if form.is_bound and not form.is_valid():
        return render(request, "trends/dashboard.html", {**page, "form": form}, status=400)
    values = form.cleaned_data if form.is_bound else {}
    filters = {name: values.get(name) or "" for name in ("sector", "taxonomy", "country", "tlp")}

    period: Period | None = values.get("period")
    latest = None
    if period is None:
        latest = latest_period(state, labels)
        period = latest
    page.update(filters=filters, state_has_imports=state.has_imports)
    if not form.is_bound:
        # Show what the page shows: the store (or stores) and the period chosen for the user.
        form = chooser(initial={"organisation": reading.choice, "period": period.label if period else ""})
    if period is None:
        # Nothing the user may read has been imported: say so instead of drawing empty charts.
        return render(request, "trends/dashboard.html", {**page, "form": form, "no_store_data": True})

    # Together, each store was already restricted to its own labels: the TLP filter applies within each.
    scope = scope_of(period, labels, **filters)
    data = figures(state, scope)
    # The event browser and the gap register read one store: the combined view links to neither.
    drill = Drill(organisation, period, filters) if organisation is not None else NoDrill()
    can_record = organisation is not None and has_permission(user, organisation.pk, Permission.CONTRIBUTE)
    gap_fields = {"organisation": str(reading.choice), "period": period.label, **filters} if can_record else None

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
        previous_url=dashboard_url(str(reading.choice), period.previous(), filters),
        year_earlier_url=dashboard_url(str(reading.choice), period.year_earlier(), filters),
        can_record=can_record,
        tlp_words=", ".join(str(TLP(label).label) for label in scope.tlp_in or ()),
    )
    offer = report_offer(str(reading.choice), reading.store_text, period, labels, filters)
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
        Panel("malware", _("Malware families"), svg("by_family"), malware_tables(data)),
        Panel("networks", _("Networks, organisations and feeds"), svg("top_asn"), network_tables(data, drill)),
        Panel(
            "sources",
            _("Source addresses"),
            svg("sources_timeline") + svg("exposure"),
            [*source_tables(data), exposure_table(data)],
        ),
        Panel("remediation", _("Remediation"), svg("remediation"), [remediation_table(data, drill)]),
        Panel(
            "incidents",
            _("Incident handling"),
            svg("incident_times"),
            [*incident_tables(data, drill), *incident_handling_tables(data)],
        ),
        Panel(
            "changes",
            _("Significant changes"),
            svg("changes"),
            [
                change_table(data, drill, "change_previous", period.previous(), gap_fields),
                change_table(data, drill, "change_year", period.year_earlier(), gap_fields),
            ],
        ),
        Panel("history", _("Years since the first import"), svg("history"), [history_table(data)]),
    ]
    return panels


def _has_changes(data: Figures) -> bool:
    return any(data.rows.get(metric_id) for metric_id in ("change_previous", "change_year"))
