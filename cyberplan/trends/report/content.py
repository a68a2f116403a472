"""What the trends report says: sections of sentences, tables and charts, built from the metric set.

:func:`build_report` runs every metric of :mod:`cyberplan.analytics.metrics` over one organisation's
store (through its trend tables, which give the same figures as the raw events), restricted to the
period and to the TLP labels the report may count,
and writes the report as a plain :class:`Report`. Every sentence is built here, in the active
language, from the data; the renderers only lay it out. Every table and chart names the metric it
comes from, and the appendix gives that metric's query, so each figure can be traced.

This module sets the order of the report's parts; each is written by its own module:
:mod:`.summary` (the executive summary), :mod:`.landscape` (threat classes, victims, networks,
incidents), :mod:`.changes` (the comparisons with earlier periods) and :mod:`.method` (methodology,
imports, coverage), with the structure and the builder they share in :mod:`.common`.

No figure is ever a share of nothing: a share is written only when its total is above zero, and
a section, table or chart without data says so in words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from cyberplan.analytics.engines import Engine
from cyberplan.analytics.metrics import ResultSet, Scope, frame_sql
from cyberplan.analytics.periods import Period
from cyberplan.analytics.service import compute, compute_together
from cyberplan.core.models import Organisation
from cyberplan.pipeline.store import EventStore
from cyberplan.reports.document import clean
from cyberplan.reports.words import day, period_name, period_range

from ..exposure import with_exposure
from . import annual, changes, landscape, method, summary
from .common import Builder, Query, Report, counted_labels, tlp_label

# -- building ------------------------------------------------------------------------------------


def build_report(
    organisation: Organisation,
    store: EventStore,
    period: Period,
    audience: str,
    readable: Iterable[str] | None = None,
    engine: Engine | None = None,
    granted_as: str = "",
) -> Report:
    """The report for ``organisation``'s events in ``period``, for readers of TLP ``audience``.

    ``granted_as`` names the store when it is read through a grant ("… (granted up to …)"): the report
    then counts events only, and leaves out the owner's imports and constituency, which stay internal.
    """
    labels = counted_labels(audience, readable)
    scope = Scope(period, tlp_in=labels)
    results = _exposed(compute(store, scope, engine=engine))
    builder = Builder(organisation, period, audience, labels, results, store)
    builder.granted_as = granted_as
    return build(builder)


def build_report_together(
    organisation: Organisation,
    stores: Sequence[tuple[EventStore, Iterable[str], str]],
    period: Period,
    audience: str,
    engine: Engine | None = None,
) -> Report:
    """The report over several stores read together, made for ``organisation`` (the reader's).

    ``stores`` holds each store with the labels its reader reads there and its name as figures give it.
    Each store counts only its own labels at or below ``audience`` (restricted before the union, as the
    dashboard's combined view does); a store left with no label is not counted and not named.
    """
    parts = []
    names = []
    counted: set[str] = set()
    for store, readable, name in stores:
        own = counted_labels(audience, readable)
        if own:
            parts.append((store, own))
            names.append(name)
            counted.update(own)
    labels = tuple(label for label in counted_labels(audience, None) if label in counted)
    scope = Scope(period, tlp_in=labels)
    results = _exposed(compute_together(parts, scope, engine=engine))
    builder = Builder(organisation, period, audience, labels, results, None)
    builder.together = names
    return build(builder)


def _exposed(results: ResultSet) -> ResultSet:
    """The results with the exposure rows given the countries' IPv4 addresses and the sources per 1,000."""
    if "exposure" in results.results:
        exposure = results.results["exposure"]
        exposure.rows = with_exposure({"exposure": exposure.rows})["exposure"]
    return results


def build(builder: Builder) -> Report:
    """The report: its summary, then its sections in their order, then the frames and queries it cites."""
    sentences, key_figures = summary.summary(builder)
    sections = [
        landscape.by_class(builder),
        landscape.malware_families(builder),
        landscape.by_victim(builder),
        landscape.by_network(builder),
        landscape.incidents(builder),
        annual.annual(builder),
        changes.changes(builder),
        method.methodology(builder),
    ]
    frames = [
        Query(key=f"F{index}", metric=f"{name}_frame", title=_("Frame “%(name)s”") % {"name": name}, sql=sql)
        for index, (name, sql) in enumerate(frame_sql().items(), start=1)
    ]
    today = timezone.localdate()
    return Report(
        title=_("National cybersecurity trends report"),
        organisation=clean(builder.organisation.name),
        period_label=builder.period.label,
        period_name=period_name(builder.period),
        period_range=period_range(builder.period),
        generated=day(today),
        tlp=builder.audience,
        tlp_label=tlp_label(builder.audience),
        tlp_note=builder.tlp_note(),
        language=builder.language(),
        events=builder.events,
        summary=sentences,
        sections=sections,
        frames=frames,
        queries=builder.queries,
        key_figures=key_figures,
        stores_line=stores_line(builder),
    )


def stores_line(builder: Builder) -> str:
    """The cover's line naming the stores counted, when they are not (only) the organisation's own."""
    if builder.together:
        return _("Events of %(stores)s, read together") % {"stores": clean(get_text_list(builder.together, _("and")))}
    if builder.granted_as:
        return _("Events of %(store)s") % {"store": clean(builder.granted_as)}
    return ""
