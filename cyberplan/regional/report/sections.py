"""The regional chapters of the report: the region in figures, threat trends, exposure, incidents, maturity,
strategy and legal progress, training. Every sentence in the active language; text from packages stays data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cyberplan.analytics import stats
from cyberplan.reports.document import Block, Chart, Paragraph, Section, Table, clean
from cyberplan.reports.words import decimal, number, period_range, share, signed_percent
from cyberplan.strategy.choices import Phase
from cyberplan.training.choices import Audience
from cyberplan.trends.labels import country_label, flag_label, sector_label, taxonomy_label

from ..regional_figures import REGION, Figure
from .content import Content


def placed(charts: Mapping[str, Any], name: str, title: str) -> Chart:
    """The report's chart ``name`` under ``title``, or a line saying there is nothing to draw."""
    return Chart(title, charts.get(name), empty=_("No published figure to draw."), name=name)


def cell_text(cell: Mapping[str, Any] | None) -> str:
    """A count in words: the number, "at least" the number (a sum with a suppressed part), or suppressed."""
    if not cell:
        return "—"
    if cell.get("suppressed"):
        return _("suppressed")
    if cell.get("at_least"):
        return _("at least %(value)s") % {"value": number(int(cell["value"]))}
    return number(int(cell.get("value", 0)))


def who(country: str) -> str:
    return _("Region") if country == REGION else f"{country_label(country)} ({clean(country)})"


def percent(value: Any) -> str:
    return "—" if value is None else _("%(value)s%%") % {"value": decimal(float(value) * 100)}


def phase_label(code: str) -> str:
    return str(Phase(code).label) if code in Phase.values else clean(code)


def audience_label(code: str) -> str:
    return str(Audience(code).label) if code in Audience.values else clean(code)


def includes(figure: Figure) -> Paragraph:
    """Which members and periods a table includes (each figure says so)."""
    if not figure.members:
        return Paragraph(_("No member's package has this part."), "nodata")
    members = ", ".join(clean(m) for m in figure.members)
    return Paragraph(
        _("Includes: %(members)s; period %(periods)s.") % {"members": members, "periods": ", ".join(figure.periods)},
        "note",
    )


def summary_section(content: Content, charts: Mapping[str, Any]) -> Section:
    section = Section("summary", _("The region in figures"))
    figures = content.figures
    events = [r for r in figures["events"].rows if r["country"] != REGION]
    total: dict[str, Any] = {"value": 0, "at_least": False}
    for included in content.current:
        threats = included.package.get("threats")
        if threats is None:
            continue
        cell = threats["total"]["events"]
        total["value"] += int(cell.get("value", 0))
        total["at_least"] = total["at_least"] or bool(cell.get("suppressed"))
    exposure = {r["country"]: r for r in figures["exposure"].rows}
    incidents = {r["country"]: r for r in figures["incidents"].rows}
    rows = [
        [_("Member states included"), number(len(content.current))],
        [_("Members with threat figures"), number(len({r["country"] for r in events}))],
        [_("Events reported in the region"), cell_text(total) if figures["events"].members else "—"],
        [_("Incidents handled in the region"), cell_text(incidents.get(REGION, {}).get("incidents"))],
        [_("Exposed sources per 1,000 announced addresses, region"), _per_1000(exposure.get(REGION))],
    ]
    section.add(
        Table(
            _("The region in %(period)s") % {"period": content.period.label},
            [_("Figure"), _("Value")],
            rows,
            numeric=[False, True],
        )
    )
    if not content.current:
        section.add(Paragraph(_("No member's package for this period is accepted yet."), "nodata"))
    return section


def _per_1000(row: Mapping[str, Any] | None) -> str:
    if row is None or row.get("per_1000") is None:
        return "—" if row is None else _("suppressed")
    value = decimal(float(row["per_1000"]), 4)
    return _("at least %(value)s") % {"value": value} if row["sources"].get("at_least") else value


def trends_section(content: Content, charts: Mapping[str, Any]) -> Section:
    section = Section("trends", _("Threat trends in the region"))
    events = content.figures["events"]
    rows = [
        [clean(r["month"]), taxonomy_label(r["taxonomy"]), cell_text(r["events"])]
        for r in events.rows
        if r["country"] == REGION
    ]
    section.add(
        includes(events),
        Table(
            _("Events per month and class, all members"),
            [_("Month"), _("Class"), _("Events")],
            rows,
            empty=_("No member shared threat figures for this period."),
            numeric=[False, False, True],
        ),
        Chart(
            _("Events per month in the region, by class"),
            charts.get("monthly"),
            empty=_("No published count to draw."),
            name="monthly",
        ),
    )
    section.add(*change_blocks(content))
    return section


def change_blocks(content: Content) -> list[Block]:
    changes = content.changes
    compared = period_range(changes.previous)
    blocks: list[Block] = [
        Paragraph(_("Compared with the previous period (%(range)s)") % {"range": compared}, "subheading"),
        change_test_note(),
    ]
    if not changes.compared:
        blocks.append(
            Paragraph(
                _("No member sent threat figures for both periods, so no change can be tested."),
                "nodata",
            )
        )
        return blocks
    tested = sum(1 for r in changes.rows if r.get("p") is not None)
    blocks.append(
        Paragraph(
            ngettext(
                "%(count)s series was tested over the members who sent both periods (%(members)s).",
                "%(count)s series were tested over the members who sent both periods (%(members)s).",
                tested,
            )
            % {"count": number(tested), "members": ", ".join(changes.compared)}
        )
    )
    blocks.append(_change_table(changes.rows))
    if changes.untested:
        names = ", ".join(_series_name(r) for r in changes.untested)
        blocks.append(
            Paragraph(
                _("Not tested, because a count of one of the periods is suppressed: %(series)s.") % {"series": names},
                "note",
            )
        )
    return blocks


def _series_name(row: Mapping[str, Any]) -> str:
    if row["dimension"] == "sector":
        return _("sector: %(name)s") % {"name": sector_label(str(row["series"]))}
    return _("class: %(name)s") % {"name": taxonomy_label(str(row["series"]))}


def _change_table(rows: list[dict[str, Any]]) -> Table:
    flagged = [r for r in rows if r.get("flag")]
    return Table(
        _("Significant changes from the previous period"),
        [_("Series"), _("Before"), _("Now"), _("Change in daily rate"), _("q-value"), _("Finding")],
        [
            [
                _series_name(r),
                number(r["previous"]),
                number(r["current"]),
                signed_percent(float(r["change"])) if r.get("change") is not None else "—",
                "—" if r.get("q") is None else ("< 0.001" if r["q"] < 0.001 else decimal(float(r["q"]), 3)),
                flag_label(r["flag"]),
            ]
            for r in flagged
        ],
        empty=_("No series changed significantly."),
        numeric=[False, True, True, True, True, False],
        metric="annotate_changes",
    )


def exposure_section(content: Content, charts: Mapping[str, Any]) -> Section:
    section = Section("exposure", _("Exposure per 1,000 addresses"))
    exposure = content.figures["exposure"]
    rows = [
        [who(r["country"]), cell_text(r["sources"]), number(int(r["announced_ipv4"])), _per_1000(r)]
        for r in exposure.rows
    ]
    section.add(
        includes(exposure),
        Table(
            _("Exposed sources and announced IPv4 addresses"),
            [_("Country"), _("Exposed sources"), _("Announced IPv4 addresses"), _("Per 1,000")],
            rows,
            empty=_("No member shared exposure figures for this period."),
            numeric=[False, True, True, True],
        ),
        placed(charts, "per_1000", _("Exposed sources per 1,000 announced addresses")),
        placed(charts, "events_rate", _("Events per 1,000 announced addresses")),
        placed(charts, "map", _("Map of the members: events per 1,000 announced addresses")),
    )
    return section


def incidents_section(content: Content, charts: Mapping[str, Any]) -> Section:
    section = Section("incidents", _("Incident handling"))
    incidents = content.figures["incidents"]
    rows = [
        [
            who(r["country"]),
            cell_text(r["incidents"]),
            "—" if r["mean_response_hours"] is None else decimal(float(r["mean_response_hours"])),
        ]
        for r in incidents.rows
    ]
    section.add(
        includes(incidents),
        Table(
            _("Incidents handled in the period"),
            [_("Country"), _("Incidents"), _("Mean time to respond (hours)")],
            rows,
            empty=_("No member shared incident figures for this period."),
            numeric=[False, True, True],
        ),
    )
    return section


def maturity_section(content: Content, charts: Mapping[str, Any]) -> Section:
    """Maturity per factor and member (only those who shared their assessment), then strategy and legal progress."""
    section = Section("maturity", _("Maturity and legal progress"))
    maturity = content.figures["maturity"]
    countries = maturity.members
    stages = {(r["factor"], r["country"]): r["stage"] for r in maturity.rows}
    factors = sorted({r["factor"] for r in maturity.rows})
    section.add(
        Paragraph(_("Maturity per factor"), "subheading"),
        includes(maturity),
        Table(
            _("Stage of each factor (0 to 5) per member"),
            [_("Factor"), *[clean(c) for c in countries]],
            [[clean(f), *[str(stages.get((f, c), "—")) for c in countries]] for f in factors],
            empty=_("No member shared its assessment."),
            numeric=[False, *[True for _c in countries]],
        ),
        placed(charts, "maturity", _("Maturity per factor and member")),
    )
    section.add(*strategy_blocks(content, charts), *legal_blocks(content, charts))
    return section


def strategy_blocks(content: Content, charts: Mapping[str, Any]) -> list[Block]:
    strategy = content.figures["strategy"]
    rows = [
        [
            who(r["country"]),
            "—" if r["adopted"] is None else (_("yes") if r["adopted"] else _("no")),
            clean(r["period"]) or "—",
            phase_label(r["phase"]) if r["phase"] else "—",
            percent(r.get("actions_completed_share")),
        ]
        for r in strategy.rows
        if r["adopted"] is not None
    ]
    return [
        Paragraph(_("National strategies"), "subheading"),
        Table(
            _("Strategy status per member"),
            [_("Country"), _("Adopted"), _("Period"), _("Phase"), _("Share of actions completed")],
            rows,
            empty=_("No member shared its strategy status."),
            numeric=[False, False, False, False, True],
        ),
        placed(charts, "strategy", _("Strategy adoption timeline")),
    ]


def treaty_status(row: Mapping[str, Any]) -> str:
    if row.get("in_force"):
        return _("in force since %(date)s") % {"date": clean(row["in_force"])}
    if row.get("ratified"):
        if row.get("accession"):
            return _("acceded %(date)s") % {"date": clean(row["ratified"])}
        return _("ratified %(date)s") % {"date": clean(row["ratified"])}
    if row.get("signed"):
        return _("signed %(date)s") % {"date": clean(row["signed"])}
    return _("no step recorded")


def legal_blocks(content: Content, charts: Mapping[str, Any]) -> list[Block]:
    treaties = [
        [who(p.country), clean(t["treaty"]), treaty_status(t)]
        for p in content.current
        for t in (p.package.get("legal") or {}).get("treaties", [])
    ]
    coverage = content.figures["coverage"]
    return [
        Paragraph(_("Convention status and legal coverage"), "subheading"),
        Table(
            _("Treaty status per member"),
            [_("Country"), _("Treaty"), _("Status")],
            treaties,
            empty=_("No member shared its treaty status."),
        ),
        placed(charts, "conventions", _("Convention status per member")),
        Table(
            _("Legal coverage of each treaty's provisions, latest approved review"),
            [_("Country"), _("Treaty"), _("Review date"), _("Applicable provisions"), _("Fully covered"), _("Covered")],
            [
                [
                    who(r["country"]),
                    clean(r["treaty"]),
                    clean(r["review_date"]),
                    number(int(r["applicable"])),
                    percent(r.get("full_share")),
                    percent(r.get("covered_share")),
                ]
                for r in coverage.rows
            ],
            empty=_("No member shared an alignment review."),
            numeric=[False, False, False, True, True, True],
        ),
    ]


def training_section(content: Content, charts: Mapping[str, Any]) -> Section:
    section = Section("training", _("Training coverage"))
    training = content.figures["training"]
    rows = [
        [
            who(r["country"]),
            audience_label(r["audience"]),
            cell_text(r["trained"]),
            cell_text(r["cumulative_trained"]),
            "—" if r.get("audience_size") is None else number(int(r["audience_size"])),
        ]
        for r in training.rows
    ]
    section.add(
        includes(training),
        Table(
            _("People trained per audience"),
            [_("Country"), _("Audience"), _("Trained in the year"), _("Trained up to the year"), _("Audience size")],
            rows,
            empty=_("No member shared training figures."),
            numeric=[False, False, True, True, True],
        ),
        placed(charts, "training", _("Training coverage per member")),
    )
    return section


def change_test_note() -> Paragraph:
    return Paragraph(
        _(
            "A change is reported when it is statistically significant after correcting for the number of series "
            "tested (q below %(alpha)s) and the daily rate changed by at least %(ratio)s (up or down)."
        )
        % {"alpha": decimal(stats.ALPHA, 2), "ratio": share(stats.MIN_RATIO - 1, 1)},
        "note",
    )


def pooled_section(content: Content) -> Section | None:
    """The regional metric set over the pooled events, where members share raw events: apart from the package
    figures (never added to them), saying whose events and which periods it reads.

    Long: over 80 lines because the chapter states its sources, then lays out its four tables in reading
    order, each a few lines of headings and rows."""
    pooled = content.pooled
    if pooled is None:
        return None
    section = Section("pooled", _("Pooled events"))
    section.add(
        Paragraph(
            _(
                "Some members share their raw TLP:CLEAR and TLP:GREEN events with the programme. The figures of "
                "this chapter are computed on those pooled events with the regional metric set, not on the "
                "statistics packages: they are a second source, shown beside the package figures and never added "
                "to them."
            )
        ),
        Paragraph(
            _(
                "Source: pooled events of %(members)s; period %(period)s, compared with %(previous)s; computed on "
                "%(engine)s."
            )
            % {
                "members": ", ".join(who(m) for m in pooled.members),
                "period": clean(pooled.period),
                "previous": clean(pooled.previous),
                "engine": clean(pooled.engine),
            },
            "note",
        ),
    )
    if pooled.stale:
        section.add(
            Paragraph(_("The pool changed since these figures were computed: they do not include the latest events."))
        )
    section.add(
        Table(
            _("Events and distinct sources by member, pooled events"),
            [_("Member"), _("Events"), _("Distinct sources"), _("Sources per 1,000 announced addresses")],
            [
                [
                    who(r["country"]),
                    number(r["events"]),
                    number(r["sources"]),
                    "—" if r["per_1000"] is None else decimal(float(r["per_1000"]), 4),
                ]
                for r in pooled.by_country()
            ],
            empty=_("No pooled event falls in this period."),
            numeric=[False, True, True, True],
        ),
        Table(
            _("Events by month and class, pooled events"),
            [_("Month"), _("Class"), _("Events")],
            [[clean(r["month"]), taxonomy_label(r["taxonomy"]), number(r["events"])] for r in pooled.by_class()],
            empty=_("No pooled event falls in this period."),
            numeric=[False, False, True],
        ),
        Paragraph(
            _("Compared with the previous period (%(range)s), pooled events") % {"range": clean(pooled.previous)},
            "subheading",
        ),
        change_test_note(),
        Table(
            _("Significant changes from the previous period, pooled events"),
            [_("Series"), _("Before"), _("Now"), _("Change in daily rate"), _("q-value"), _("Finding")],
            [
                [
                    _pooled_series(r),
                    number(int(r["previous"])),
                    number(int(r["current"])),
                    signed_percent(float(r["change"])) if r.get("change") is not None else "—",
                    "—" if r.get("q") is None else ("< 0.001" if r["q"] < 0.001 else decimal(float(r["q"]), 3)),
                    flag_label(str(r["flag"])),
                ]
                for r in pooled.flagged()
            ],
            empty=_("No series changed significantly."),
            numeric=[False, True, True, True, True, False],
            metric="annotate_changes",
        ),
    )
    return section


def _pooled_series(row: Mapping[str, Any]) -> str:
    if row["dimension"] == "country":
        return _("member: %(name)s") % {"name": who(str(row["series"]))}
    return _("type: %(name)s") % {"name": clean(str(row["series"]))}
