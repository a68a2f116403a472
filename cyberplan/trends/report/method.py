"""The trends report's methodology: how it counts, the imports it reads and the coverage of the constituency."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import TYPE_CHECKING

from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cyberplan.analytics import stats
from cyberplan.reports.document import Block, Paragraph, Section, Table, clean
from cyberplan.reports.words import decimal, number, period_range, share
from cyberplan.threats.access import constituency_networks, finished_imports_for_report
from cyberplan.threats.choices import ImportFormat

from .common import METRIC_TITLES, UNKNOWN, Builder, plain_label

if TYPE_CHECKING:
    from cyberplan.threats.models import Import


def methodology(builder: Builder) -> Section:
    section = Section("methodology", _("Methodology and data sources"))
    section.add(Paragraph(_("Data sources"), "subheading"))
    feeds = builder.rows("by_feed")
    section.add(
        Table(
            caption=str(METRIC_TITLES["by_feed"]),
            headers=[_("Feed"), _("Provider"), _("Events"), _("Share")],
            rows=[
                [
                    plain_label(r["feed"]),
                    plain_label(r["provider"]),
                    number(r["events"]),
                    builder.share_cell(r["events"], builder.events),
                ]
                for r in feeds
            ],
            metric="by_feed",
            numeric=[False, False, True, True],
            empty=_("No feed reported an event in this period."),
        )
    )
    section.add(*whose_events(builder))
    section.add(Paragraph(_("Counting"), "subheading"))
    section.add(
        Paragraph(
            _(
                "Every figure counts the events of the store whose time falls between %(range)s (UTC), after "
                "deduplication at import. Events of automated feeds are observations: the same vulnerable "
                "host reported on ten days counts ten times. Distinct sources count each address once."
            )
            % {"range": period_range(builder.period)}
        ),
        Paragraph(builder.tlp_note()),
    )
    section.add(Paragraph(_("The statistical test"), "subheading"))
    section.add(
        Paragraph(
            _(
                "For each series, the counts of the two periods are treated as Poisson counts with a rate per "
                "day, so that periods of different length compare fairly. Given the total of both periods, the "
                "count of this period follows a binomial law under the hypothesis that the rate did not change; "
                "the exact two-sided binomial test gives the p-value. Because many series are tested at once, "
                "the p-values of one comparison are corrected with the Benjamini-Hochberg procedure, which "
                "controls the false discovery rate, giving the q-value. A rise or fall is reported when q is "
                "below %(alpha)s and the daily rate changed by at least %(ratio)s. Events of automated feeds are "
                "not independent (a host is reported day after day), so the test understates the variance; the "
                "threshold on the size of the change keeps only large changes."
            )
            % {"alpha": decimal(stats.ALPHA, 2), "ratio": share(stats.MIN_RATIO - 1, 1)}
        )
    )
    section.add(*annual_method())
    section.add(Paragraph(_("What “unknown” means"), "subheading"))
    section.add(
        Paragraph(
            _(
                "A value is unknown when neither the source nor the enrichment gave it. The victim's "
                "organisation and sector are unknown when the address is not in the constituency table; the "
                "country is unknown when the address is in no country database and the source did not say; "
                "an autonomous system or network is unknown when the feed did not report it. Unknown values "
                "are counted and shown as such, never left out, so the shares add up to the total."
            )
        )
    )
    return section


def whose_events(builder: Builder) -> list[Block]:
    """Where the events come from: one's own store (its imports and the coverage of the constituency), a
    granted store, or several stores read together (events only: imports and constituency stay with owners)."""
    if builder.together:
        return [
            Paragraph(
                _(
                    "Events counted from the stores of %(stores)s, read together. Each store counts only the labels "
                    "its reader may read there; an address reported by several stores counts once as a distinct "
                    "source. The imports and the constituency of each store stay with its owner and are not listed."
                )
                % {"stores": clean(get_text_list(builder.together, _("and")))}
            )
        ]
    if builder.granted_as:
        return [
            Paragraph(
                _("Events counted from the store of %(store)s, read through a store grant.")
                % {"store": clean(builder.granted_as)}
            )
        ]
    return [*imports(builder), Paragraph(_("Coverage of the address space"), "subheading"), *coverage(builder)]


def period_imports(builder: Builder) -> list[Import]:
    """The imports that fed the period: those that stored events in one of its months (the event
    store's commit records say which), and those made during the period that stored none."""
    months = set()
    month = builder.period.start.replace(day=1)
    while month < builder.period.end:
        months.add(month.strftime("%Y-%m"))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    start, end = builder.period.bounds()
    chosen = []
    records = finished_imports_for_report(builder.organisation, builder.labels)
    for record in records:
        commit = builder.store.commit_record(str(record.pk)) if builder.store is not None else None
        commit = commit or {}
        stored_months = commit.get("months")
        if isinstance(stored_months, list) and stored_months:
            if months.intersection(str(m) for m in stored_months):
                chosen.append(record)
        elif start <= record.created_at < end:
            chosen.append(record)
    return chosen


def imports(builder: Builder) -> list[Block]:
    groups: dict[str, dict[str, int]] = {}
    for record in period_imports(builder):
        # A refused file may have no recognised format: "auto" would read as a format, so it is unknown.
        code = record.detected_format or (record.format if record.format != ImportFormat.AUTO else UNKNOWN)
        group = groups.setdefault(
            code,
            {"imports": 0, "read": 0, "stored": 0, "duplicates": 0, "quarantined": 0},
        )
        group["imports"] += 1
        group["read"] += record.read
        group["stored"] += record.stored
        group["duplicates"] += record.duplicates
        group["quarantined"] += record.quarantined
    formats_names = dict(ImportFormat.choices)
    rows: list[list[str]] = []
    read_total = quarantined_total = 0
    for code, group in sorted(groups.items()):
        read, quarantined = group["read"], group["quarantined"]
        read_total += read
        quarantined_total += quarantined
        name = formats_names.get(code) or plain_label(code)
        rows.append(
            [
                str(name),
                number(group["imports"]),
                number(read),
                number(group["stored"]),
                number(group["duplicates"]),
                number(quarantined),
                share(quarantined, read) or "—",
            ]
        )
    blocks: list[Block] = [
        Paragraph(
            _(
                "The files that brought events of this period into the store (and those imported during the "
                "period that stored none), with a default TLP label this report counts, and what became of "
                "their records: stored, dropped as duplicates of stored events, or kept in quarantine because "
                "they could not be read. A file counts whole, even when only part of it falls in the period. "
                "These figures come from the import records, not from an event query."
            ),
            "note",
        ),
        Table(
            caption=_("Imports in the period"),
            headers=[
                _("Format"),
                _("Files"),
                _("Records read"),
                _("Stored"),
                _("Duplicates"),
                _("Quarantined"),
                _("Quarantine rate"),
            ],
            rows=rows,
            metric="",
            numeric=[False, True, True, True, True, True, True],
            empty=_("No file was imported in this period."),
        ),
    ]
    rate = share(quarantined_total, read_total)
    if rate is not None:
        blocks.append(
            Paragraph(
                _("Overall, %(quarantined)s of %(read)s records read (%(rate)s) were quarantined.")
                % {"quarantined": number(quarantined_total), "read": number(read_total), "rate": rate}
            )
        )
    return blocks


def coverage(builder: Builder) -> list[Block]:
    entries = constituency_networks(builder.organisation)
    v4: list[ipaddress.IPv4Network] = []
    v6: list[ipaddress.IPv6Network] = []
    for text in entries:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            continue
        if isinstance(network, ipaddress.IPv4Network):
            v4.append(network)
        else:
            v6.append(network)
    addresses = sum(n.num_addresses for n in ipaddress.collapse_addresses(v4))
    blocks: list[Block] = []
    if not entries:
        blocks.append(
            Paragraph(
                _(
                    "The constituency table is empty: no address can be attributed to an organisation or a "
                    "sector, so every victim is unknown."
                ),
                "nodata",
            )
        )
    else:
        sentence = ngettext(
            "The constituency table lists %(count)s network.",
            "The constituency table lists %(count)s networks.",
            len(entries),
        ) % {"count": number(len(entries))}
        if addresses:
            sentence += " " + ngettext(
                "It covers %(count)s IPv4 address (%(share)s of the IPv4 address space).",
                "It covers %(count)s IPv4 addresses (%(share)s of the IPv4 address space).",
                addresses,
            ) % {"count": number(addresses), "share": share(addresses, 2**32)}
        if v6:
            sentence += " " + ngettext(
                "It lists %(count)s IPv6 prefix.", "It lists %(count)s IPv6 prefixes.", len(v6)
            ) % {"count": number(len(v6))}
        blocks.append(Paragraph(sentence))
    attributed = int(builder.totals.get("attributed") or 0)
    if builder.events:
        if attributed:
            blocks.append(
                Paragraph(
                    _(
                        "%(share)s of the events of the period (%(count)s) concern an address of the "
                        "constituency and are attributed to an organisation (%(organisations)s in all)."
                    )
                    % {
                        "share": share(attributed, builder.events),
                        "count": number(attributed),
                        "organisations": number(builder.totals.get("organisations") or 0),
                    }
                )
            )
        else:
            blocks.append(
                Paragraph(_("No event of the period concerns an address of the constituency table."), "nodata")
            )
    return blocks


def annual_method() -> list[Block]:
    """How the figures for the annual report are computed."""
    return [
        Paragraph(_("Figures for the annual report"), "subheading"),
        Paragraph(
            _(
                "The victim category follows the type the constituency table gives the holder of the network: a "
                "public body counts as government and public bodies whatever its sector, which is kept for the "
                "sector figures. The time to close is the time from discovery to containment; its median and "
                "90th percentile are by nearest rank, each a time some incident took. Remediation counts the "
                "vulnerable or infected addresses reported in the previous period that are not reported in this "
                "one within the same class or sector; a feed that stopped reporting also lowers the count, so it "
                "reads beside the data sources. Exposure divides the distinct source addresses of each victim "
                "country by the IPv4 addresses the registry delegation data shipped with the enrichment assigns "
                "to it, counted in whole /24 blocks. The yearly history counts every year from the first with "
                "events, whatever the period of the report."
            )
        ),
    ]
