"""The trends report's comparisons: with the previous period and with the same period a year earlier."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cyberplan.analytics import stats
from cyberplan.analytics.periods import Period
from cyberplan.reports.document import Block, Paragraph, Section, Table
from cyberplan.reports.words import decimal, number, period_range, share, signed_percent

from ..labels import flag_label
from .common import METRIC_TITLES, Builder, series_label


def change_sentence(builder: Builder) -> str:
    rows = [row for row in builder.rows("change_previous") if row.get("flag")]
    previous_total = sum(
        int(row["previous"]) for row in builder.results.rows("change_previous") if row["dimension"] == "type"
    )
    if previous_total == 0:
        return _("The previous period (%(range)s) has no events to compare with.") % {
            "range": period_range(builder.period.previous())
        }
    if not rows:
        return _("No change from the previous period was statistically significant.")
    row = max(rows, key=lambda r: (abs(int(r["current"]) - int(r["previous"])), r["series"]))
    values = {
        "series": series_label(row["dimension"], row["series"]),
        "current": number(row["current"]),
        "previous": number(row["previous"]),
    }
    if row["flag"] == "new":
        return (
            _(
                "The largest significant change from the previous period: %(series)s, not seen before, "
                "with %(current)s events."
            )
            % values
        )
    if row["flag"] == "gone":
        return (
            _(
                "The largest significant change from the previous period: %(series)s, no longer seen "
                "(%(previous)s events before)."
            )
            % values
        )
    values["change"] = signed_percent(float(row["change"]))
    if row["flag"] == "rise":
        return (
            _(
                "The largest significant change from the previous period is a rise for %(series)s: from "
                "%(previous)s to %(current)s events (%(change)s in the daily rate)."
            )
            % values
        )
    return (
        _(
            "The largest significant change from the previous period is a fall for %(series)s: from "
            "%(previous)s to %(current)s events (%(change)s in the daily rate)."
        )
        % values
    )


def change_table(builder: Builder, metric: str, compared: Period) -> list[Block]:
    rows = builder.rows(metric)
    # Each dimension (type, sector) splits the same events: the totals come from one of them.
    previous_total = sum(int(r["previous"]) for r in rows if r["dimension"] == "type")
    current_total = sum(int(r["current"]) for r in rows if r["dimension"] == "type")
    tested = sum(1 for r in rows if r.get("p") is not None)
    blocks: list[Block] = []
    if previous_total == 0:
        blocks.append(
            Paragraph(
                _("There are no events in %(range)s to compare with, so no change can be tested.")
                % {"range": period_range(compared)},
                "nodata",
            )
        )
        return blocks
    flagged = [r for r in rows if r.get("flag")]
    blocks.append(
        Paragraph(
            ngettext(
                "%(count)s series was tested against %(range)s (%(previous)s events then, %(current)s now).",
                "%(count)s series were tested against %(range)s (%(previous)s events then, %(current)s now).",
                tested,
            )
            % {
                "count": number(tested),
                "range": period_range(compared),
                "previous": number(previous_total),
                "current": number(current_total),
            }
        )
    )
    blocks.append(
        Table(
            caption=str(METRIC_TITLES[metric]),
            headers=[_("Series"), _("Before"), _("Now"), _("Change in daily rate"), _("q-value"), _("Finding")],
            rows=[
                [
                    series_label(r["dimension"], r["series"]),
                    number(r["previous"]),
                    number(r["current"]),
                    signed_percent(float(r["change"])) if r.get("change") is not None else "—",
                    _format_q(r.get("q")),
                    flag_label(r["flag"]),
                ]
                for r in flagged
            ],
            metric=metric,
            numeric=[False, True, True, True, True, False],
            empty=_("No series changed significantly."),
        )
    )
    return blocks


def changes(builder: Builder) -> Section:
    section = Section("changes", _("Significant changes"))
    section.add(
        Paragraph(
            _(
                "Each event type and each sector is compared with the previous period of the same length and "
                "with the same period a year earlier. A change is reported when it is statistically "
                "significant after correcting for the number of series tested (q below %(alpha)s) and the "
                "daily rate changed by at least %(ratio)s (up or down). The methodology describes the test."
            )
            % {"alpha": decimal(stats.ALPHA, 2), "ratio": share(stats.MIN_RATIO - 1, 1)},
            "note",
        )
    )
    comparisons = (
        (
            "change_previous",
            "changes",
            builder.period.previous(),
            _("Compared with the previous period (%(range)s)"),
            _("No chart: no rise or fall from the previous period is significant."),
        ),
        (
            "change_year",
            "changes_year",
            builder.period.year_earlier(),
            _("Compared with a year earlier (%(range)s)"),
            _("No chart: no rise or fall from a year earlier is significant."),
        ),
    )
    for metric, chart, compared, heading, no_change in comparisons:
        section.add(Paragraph(heading % {"range": period_range(compared)}, "subheading"))
        blocks = change_table(builder, metric, compared)
        section.add(*blocks)
        nothing = len(blocks) == 1 and isinstance(blocks[0], Paragraph)
        section.add(builder.chart(chart, _("No chart: there is nothing to compare with.") if nothing else no_change))
    return section


def _format_q(q: float | None) -> str:
    if q is None or math.isnan(q):
        return "—"
    if q < 0.001:
        return "< " + decimal(0.001, 3)
    return decimal(q, 3)
