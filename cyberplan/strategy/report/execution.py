"""The M&E report's budget execution section: planned against executed amounts by axis, year and
funding source, the unfunded amount, in the plan currency or another one at the stated rates.

The figures come from :func:`cyberplan.strategy.budget.budget_execution` (the monitoring page's
table), as of the end of the reporting period.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from cyberplan.reports.document import Paragraph, Section, Table, clean

from .. import budget
from .common import MonitoringInput


def _cell(view: budget.BudgetExecution, cell: budget.Cell | None) -> list[str]:
    if cell is None or cell.empty:
        return ["—", "—", "—"]
    if cell.missing:
        missing = _("no rate")
        return [missing, missing, "—"]
    rate = budget.rate_text(cell.rate)
    if cell.over:
        rate = _("%(rate)s (above plan)") % {"rate": rate} if cell.rate is not None else _("above plan")
    return [view.amount(cell.planned), view.amount(cell.executed), rate]


def _table(view: budget.BudgetExecution, caption: str, first: str, rows: list[budget.Row]) -> Table:
    """One row per (row, year) with a total line per row: planned, executed, rate."""
    body: list[list[str]] = []
    for row in rows:
        for year in view.years:
            cell = row.years.get(year)
            if cell is None or cell.empty:
                continue
            body.append([clean(row.label), str(year), *_cell(view, cell)])
        body.append([clean(row.label), _("Total"), *_cell(view, row.total)])
    return Table(
        caption,
        [first, _("Year"), _("Planned"), _("Executed"), _("Execution rate")],
        body,
        empty=_("No budget line is planned yet."),
        numeric=[False, False, True, True, True],
    )


def budget_section(report: MonitoringInput) -> Section:
    view = budget.budget_execution(report.strategy, report.view.as_of, report.currency or None)
    section = Section("budget", _("Budget execution"))
    for sentence in budget.conversion_sentences(view):
        section.add(Paragraph(clean(sentence)))
    if not view.lines and not view.actions:
        section.add(Paragraph(_("No budget line is planned yet."), "nodata"))
        return section
    total = view.by_year.total
    if not total.missing:
        section.add(
            Paragraph(
                _(
                    "On %(date)s, %(executed)s of the %(planned)s planned were executed (%(rate)s); "
                    "%(unfunded)s planned have no funding source yet."
                )
                % {
                    "date": report.view.as_of.isoformat(),
                    "executed": view.amount(total.executed),
                    "planned": view.amount(total.planned),
                    "rate": budget.rate_text(total.rate),
                    "unfunded": view.amount(view.unfunded.total.planned),
                }
            )
        )
    by_year = budget.Row("total", _("All axes"), view.by_year.years, view.by_year.total)
    section.add(
        _table(view, _("Planned and executed by axis and year"), _("Axis"), [*view.axes, by_year]),
        _table(view, _("Planned and executed by funding source and year"), _("Funding source"), view.sources),
        Paragraph(
            _(
                "Executed amounts are those reported with the progress updates up to the end of the period: for each "
                "action, year and funding source the latest figure. The execution rate is executed / planned; "
                "without a planned amount there is no rate. A line from no known source is unfunded."
            ),
            "note",
        ),
    )
    if view.without_lines:
        section.add(
            Paragraph(
                _("Actions with a budget but no budget line, not in the tables: %(actions)s.")
                % {
                    "actions": ", ".join(
                        f"{clean(a.code)} ({budget.money(a.budget, a.currency)})" for a in view.without_lines
                    )
                },
                "note",
            )
        )
    return section
