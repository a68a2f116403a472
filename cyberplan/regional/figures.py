"""A member's figures for a period, gathered from what its instance already holds, then controlled.

* **Threats** and **incidents** come from the trend tables of the organisation's own event store and of the
  stores other organisations grant it (the national picture: a national authority's figures are its CSIRTs'), (:mod:`cyberplan.analytics.trend_tables`),
  never from the raw events: events are summed from the events table, distinct sources counted over the
  sources table (which keeps each address per day and class), incidents and response times from the
  incidents table.
* **Exposure** is the distinct source addresses of the period in the member's country per 1,000 IPv4
  addresses that the registry delegation data shipped with the enrichment (``iptocc``) assigns to the
  country, counted in /24 blocks (:func:`cyberplan.pipeline.synth.country_networks`).
* **Assessment** (only when the member chooses to share it), **strategy**, **legal** and **training** come
  through those apps' access functions, as the organisation reads its own records.

Only what is marked at most as restrictively as the package leaves: events of a more restricted label are
not counted, and an assessment, a strategy or a review marked more restrictively is left out. Events of a
granted store count only at TLP:CLEAR and TLP:GREEN (and only at labels its grant releases): what the owner
released at TLP:AMBER is for the recipient organisation and does not travel on, not even as a count. The
threats part names every store it counts and at which labels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import ibis.expr.types as ir

from cyberplan.analytics.periods import Period
from cyberplan.core.choices import TLP, Role
from cyberplan.core.models import Organisation
from cyberplan.core.release import labels_within
from cyberplan.threats.access import stores_read_by_roles

from . import disclosure
from .package import TABLE_MEASURES


def labels_up_to(tlp: str) -> list[str]:
    """The labels of what may go into a package marked ``tlp``: the crossable labels up to it (the release rule)."""
    return labels_within(TLP.values, tlp)


@dataclass(frozen=True)
class Request:
    organisation: Organisation
    period: Period
    period_text: str
    tlp: str
    threshold: int
    share_assessment: bool

    @property
    def labels(self) -> list[str]:
        return labels_up_to(self.tlp)

    @property
    def country(self) -> str:
        return str(self.organisation.country.code)

    @property
    def as_of(self) -> dt.date:
        return self.period.end - dt.timedelta(days=1)


# -- threats, incidents and exposure, from the trend tables ------------------------------------------------------


def package_stores(request: Request) -> list[tuple[Organisation, list[str]]]:
    """The event stores a package counts and the labels counted in each: the organisation's own at the
    package's labels, then each store granted to it (as its coordinator reads it, through the release rule)
    at the labels that may travel on: CLEAR and GREEN, within the grant and the package's label."""
    stores = [(request.organisation, request.labels)]
    onward = labels_within(request.labels, TLP.GREEN)
    for store in stores_read_by_roles({request.organisation.pk: Role.COORDINATOR}):
        if store.owner.pk == request.organisation.pk:
            continue
        labels = [label for label in store.labels if label in onward]
        if labels:
            stores.append((store.owner, labels))
    return stores


def _stores_note(stores: list[tuple[Organisation, list[str]]], own: Organisation) -> list[dict[str, Any]]:
    return [
        {"organisation": owner.name, "granted": owner.pk != own.pk, "labels": list(labels)} for owner, labels in stores
    ]


def _within(table: ir.Table, request: Request) -> ir.Table:
    return table.filter(
        (table.day >= request.period.start) & (table.day < request.period.end) & table.tlp.isin(request.labels)
    )


def _month(table: ir.Table) -> ir.Table:
    return table.mutate(month=table.day.strftime("%Y-%m"))


def _threat_table(events: ir.Table, sources: ir.Table, engine: Any) -> disclosure.Table | None:
    keys = ["month", "taxonomy", "type", "sector", "category"]
    counted = engine.rows(events.group_by(keys).aggregate(events=events.n.sum().cast("int64")))
    if not counted:
        return None
    distinct = engine.rows(sources.group_by(keys).aggregate(sources=sources.source_ip.nunique().cast("int64")))
    by_key = {tuple(row[k] for k in keys): int(row["sources"]) for row in distinct}
    rows = [
        {
            **{k: row[k] for k in keys},
            "events": int(row["events"]),
            "sources": by_key.get(tuple(row[k] for k in keys), 0),
        }
        for row in counted
    ]
    rows.sort(key=lambda row: tuple(row[k] for k in keys))
    month_events = engine.rows(events.group_by("month").aggregate(events=events.n.sum().cast("int64")))
    month_sources = engine.rows(sources.group_by("month").aggregate(sources=sources.source_ip.nunique()))
    totals: dict[str, dict[str, int]] = {
        row["month"]: {"events": int(row["events"]), "sources": 0} for row in month_events
    }
    for row in month_sources:
        totals.setdefault(row["month"], {"events": 0, "sources": 0})["sources"] = int(row["sources"])
    period_sources = engine.rows(sources.aggregate(sources=sources.source_ip.nunique()))
    period = {"events": sum(t["events"] for t in totals.values()), "sources": int(period_sources[0]["sources"] or 0)}
    return disclosure.Table(TABLE_MEASURES["threats"], rows, totals, period)


def _incident_table(incidents: ir.Table, engine: Any) -> tuple[disclosure.Table | None, float | None]:
    counted = engine.rows(
        incidents.group_by(["month", "taxonomy"]).aggregate(
            incidents=incidents.n.sum().cast("int64"),
            response_n=incidents.response_n.sum().cast("int64"),
            response_sum=incidents.response_sum.sum(),
        )
    )
    if not counted:
        return None, None
    rows = sorted(
        ({"month": r["month"], "taxonomy": r["taxonomy"], "incidents": int(r["incidents"])} for r in counted),
        key=lambda r: (r["month"], r["taxonomy"]),
    )
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        totals.setdefault(row["month"], {"incidents": 0})["incidents"] += row["incidents"]
    responses = sum(int(r["response_n"]) for r in counted)
    mean = sum(float(r["response_sum"]) for r in counted) / responses if responses else None
    table = disclosure.Table(
        TABLE_MEASURES["incidents"], rows, totals, {"incidents": sum(r["incidents"] for r in rows)}
    )
    return table, mean


def announced_ipv4(country: str) -> int:
    """IPv4 addresses the shipped registry data assigns to ``country``, counted in /24 blocks (0 if none).

    Counting scans the whole IPv4 space once (seconds): the count is kept in the cache, shared by every
    process, under the version of the registry data.
    """
    from importlib.metadata import version

    from django.core.cache import cache

    key = f"regional:announced-ipv4:{version('iptocc')}:{country}"
    found = cache.get(key)
    if isinstance(found, int):
        return found
    from cyberplan.pipeline.synth import country_networks

    count = len(country_networks(country)) * 256
    cache.set(key, count, timeout=None)
    return count


def _exposure(sources: ir.Table, request: Request, engine: Any) -> dict[str, Any] | None:
    addresses = announced_ipv4(request.country)
    if not addresses:
        return None
    mine = sources.filter(sources.country == request.country)
    count = int(engine.rows(mine.aggregate(sources=mine.source_ip.nunique()))[0]["sources"] or 0)
    hidden = disclosure.primary(count, request.threshold)
    part: dict[str, Any] = {"sources": disclosure.cell(count, hidden), "announced_ipv4": addresses}
    if not hidden:
        part["per_1000"] = round(count * 1000 / addresses, 4)
    return part


def threat_parts(request: Request) -> dict[str, Any]:
    """The threats, incidents and exposure parts from the trend tables (refreshed first), controlled."""
    from cyberplan.analytics.frames import combined_frames
    from cyberplan.trends.store import analytics_engine, refresh_trend_tables, trend_tables

    stores = package_stores(request)
    for owner, _labels in stores:
        refresh_trend_tables(owner)
    engine = analytics_engine()
    try:
        frames = combined_frames([(trend_tables(owner).frames(engine), tuple(labels)) for owner, labels in stores])
        events = _month(_within(frames.events, request))
        sources = _month(_within(frames.sources, request))
        parts: dict[str, Any] = {}
        threats = _threat_table(events, sources, engine)
        if threats is not None:
            parts["threats"] = disclosure.controlled(threats, request.threshold)
            parts["threats"]["stores"] = _stores_note(stores, request.organisation)
            exposure = _exposure(sources, request, engine)
            if exposure is not None:
                parts["exposure"] = exposure
        incidents, mean = _incident_table(_month(_within(frames.incidents, request)), engine)
        if incidents is not None:
            parts["incidents"] = disclosure.controlled(incidents, request.threshold)
            if mean is not None and "value" in parts["incidents"]["total"]["incidents"]:
                parts["incidents"]["mean_response_hours"] = round(mean, 2)
        return parts
    finally:
        engine.close()
