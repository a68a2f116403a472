"""The strategy document's chapters on the plan: foreword, vision, principles, axes, action plan, governance, KPIs."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cyberplan.reports.document import Paragraph, Section, Table, clean

from ..choices import ElementKind, FocusArea, Frequency, FundingSource, KPIDirection, KPISource
from ..units import unit_label
from .common import DASH, StrategyInput, label, number, paragraphs, pick, short_day, value_on

# -- text sections ---------------------------------------------------------------------------


def foreword(doc: StrategyInput) -> Section:
    section = Section("foreword", _("Foreword"))
    return section.add(*paragraphs(pick(doc.info, "foreword")) or [Paragraph(_("No foreword yet."), "nodata")])


def vision(doc: StrategyInput) -> Section:
    section = Section("vision", _("Vision"))
    return section.add(*paragraphs(pick(doc.info, "vision")) or [Paragraph(_("No vision yet."), "nodata")])


def principles(doc: StrategyInput) -> Section:
    section = Section("principles", _("Principles"))
    items = doc.plan.get("principles", [])
    for item in items:
        section.add(Paragraph(pick(item, "description"), "lead", lead=pick(item, "title")))
    if not items:
        section.add(Paragraph(_("No principle yet."), "nodata"))
    return section


def governance(doc: StrategyInput) -> Section:
    section = Section("governance", _("Governance"))
    section.add(*paragraphs(pick(doc.info, "governance")) or [Paragraph(_("No governance text yet."), "nodata")])
    months = int(doc.info.get("review_months") or doc.strategy.review_months)
    section.add(
        Paragraph(
            ngettext(
                "The strategy is reviewed every %(months)s month, with a new capacity assessment of the country.",
                "The strategy is reviewed every %(months)s months, with a new capacity assessment of the country.",
                months,
            )
            % {"months": months}
        )
    )
    return section


def axes(doc: StrategyInput) -> list[Section]:
    chapter = Section("axes", _("Strategic axes and objectives"))
    axes = doc.children(None, ElementKind.AXIS)
    if not axes:
        chapter.add(Paragraph(_("No axis yet."), "nodata"))
        return [chapter]
    chapter.add(
        Paragraph(
            ngettext(
                "The strategy is organised in %(count)s axis.",
                "The strategy is organised in %(count)s axes.",
                len(axes),
            )
            % {"count": len(axes)}
            + " "
            + ngettext(
                "Its action plan holds %(count)s action.",
                "Its action plan holds %(count)s actions.",
                len(doc.actions),
            )
            % {"count": len(doc.actions)}
        )
    )
    out = [chapter]
    for axis in axes:
        section = Section(
            f"axis-{axis['uid']}",
            _("Axis %(code)s. %(title)s") % {"code": axis["code"], "title": pick(axis, "title")},
            2,
        )
        section.add(*paragraphs(pick(axis, "description")))
        if axis.get("focus_area"):
            section.add(Paragraph(label(FocusArea, axis["focus_area"]), "lead", lead=_("Focus area")))
        out.append(section)
        for objective in doc.children(axis["uid"], ElementKind.OBJECTIVE):
            part = Section(
                f"objective-{objective['uid']}",
                _("Objective %(code)s. %(title)s") % {"code": objective["code"], "title": pick(objective, "title")},
                3,
            )
            part.add(*paragraphs(pick(objective, "description")))
            lines = doc.children(objective["uid"], ElementKind.LINE)
            if lines:
                part.add(Paragraph("", "lead", lead=_("Action lines")))
            for line in lines:
                text = pick(line, "description")
                codes = ", ".join(a["code"] for a in doc.actions_under(line["uid"]))
                if codes:
                    text = (text + " " if text else "") + _("Actions: %(codes)s.") % {"codes": codes}
                part.add(Paragraph(text, "bullet", lead=f"{line['code']} {pick(line, 'title')}"))
            direct = doc.actions_under(objective["uid"])
            if direct:
                part.add(
                    Paragraph(
                        _("Actions directly under this objective: %(codes)s.")
                        % {"codes": ", ".join(a["code"] for a in direct)}
                    )
                )
            out.append(part)
    return out


# -- action plan, KPIs -------------------------------------------------------------------------


def action_plan(doc: StrategyInput) -> Section:
    section = Section("action-plan", _("Action plan"))
    rows: list[list[str]] = []
    totals: dict[str, Decimal] = {}
    for action in doc.actions:
        budget = action.get("budget")
        currency = clean(action.get("currency") or "")
        if budget not in (None, ""):
            totals[currency] = totals.get(currency, Decimal(0)) + Decimal(str(budget))
        funding = label(FundingSource, action.get("funding_source") or FundingSource.TO_BE_DEFINED)
        if action.get("funding_note"):
            funding += f" ({clean(action['funding_note'])})"
        rows.append(
            [
                clean(action["code"]),
                pick(action, "title"),
                clean(action.get("lead") or "—"),
                ", ".join(clean(o) for o in action.get("supporting", [])) or "—",
                f"{short_day(action.get('start_date'))} {DASH} {short_day(action.get('end_date'))}",
                f"{number(budget)} {currency}" if budget not in (None, "") else "—",
                funding,
                "; ".join(pick(k, "name") for k in action.get("kpis", [])) or "—",
            ]
        )
    section.add(
        Table(
            _("Actions"),
            [
                _("Code"),
                _("Action"),
                _("Lead"),
                _("Supporting"),
                _("Dates"),
                _("Budget"),
                _("Funding"),
                _("KPIs"),
            ],
            rows,
            empty=_("The action plan has no action yet."),
            numeric=[False, False, False, False, False, True, False, False],
            css="actions",
        )
    )
    if totals:
        section.add(
            Paragraph(
                _("Budget of the plan: %(totals)s.")
                % {"totals": "; ".join(f"{number(v)} {c}" for c, v in sorted(totals.items()))}
            )
        )
    return section


def monitoring_framework(doc: StrategyInput) -> Section:
    section = Section("monitoring-framework", _("Monitoring framework"))
    section.add(
        Paragraph(
            _(
                "Each action is followed by its key performance indicators (KPIs): what is measured, in what "
                "unit, from what baseline to what target, how often and from which source. Progress is "
                "reported per action and summarised per axis in the monitoring and evaluation report."
            )
        )
    )
    rows: list[list[str]] = []
    # The indicators of axes and objectives first (impact and outcome), then the actions' (output).
    for holder in [*doc.elements, *doc.actions]:
        for kpi in holder.get("kpis", []):
            direction = label(KPIDirection, kpi.get("direction") or KPIDirection.INCREASE)
            source = label(KPISource, kpi.get("source") or KPISource.MANUAL)
            if kpi.get("source_detail"):
                source += f": {clean(kpi['source_detail'])}"
            rows.append(
                [
                    clean(holder["code"]),
                    pick(kpi, "name"),
                    pick(kpi, "definition") or "—",
                    f"{unit_label(kpi.get('unit') or '')} ({direction.lower()})",
                    value_on(kpi.get("baseline"), kpi.get("baseline_date")),
                    value_on(kpi.get("target"), kpi.get("target_date")),
                    label(Frequency, kpi.get("frequency") or Frequency.YEARLY),
                    source,
                ]
            )
    section.add(
        Table(
            _("Key performance indicators"),
            [
                _("Indicator of"),
                _("KPI"),
                _("Definition"),
                _("Unit"),
                _("Baseline"),
                _("Target"),
                _("Frequency"),
                _("Data source"),
            ],
            rows,
            empty=_("No KPI is defined yet."),
            css="kpis",
        )
    )
    return section
