"""The M&E report's oversight sections: the review cycle, the responsible body per axis, the
evaluations with their recommendations and follow-up, and the risks and assumptions per objective.

Everything is read as it stood on the report period's last day: the review cycle is counted on
that day, and an evaluation dated later is reported as scheduled.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cyberplan.reports.document import Paragraph, Section, Table, clean

from ..choices import (
    ElementKind,
    EvaluationKind,
    EvaluatorType,
    RecommendationPriority,
    RecommendationResponse,
    RiskKind,
    RiskStatus,
)
from ..models import AxisOwner, Evaluation, ObjectiveRisk
from ..oversight.cycle import review_cycle
from .common import MonitoringInput, day, document_gaps, label, short_day

DASH = "—"


def sections(report: MonitoringInput) -> list[Section]:
    """The oversight sections, in their order."""
    evaluations = list(
        Evaluation.objects.filter(strategy=report.strategy)
        .prefetch_related("recommendations__gap", "recommendations__action")
        .order_by("date", "id")
    )
    return [
        review_section(report, evaluations),
        owners_section(report),
        *evaluations_sections(report, evaluations),
        *risks_sections(report),
    ]


def review_section(report: MonitoringInput, evaluations: list[Evaluation]) -> Section:
    as_of = report.view.as_of
    cycle = review_cycle(report.strategy, as_of, evaluations)
    section = Section("review-cycle", _("Review cycle"))
    if cycle.adopted_on is None or cycle.next_due is None:
        return section.add(
            Paragraph(
                _("The strategy's adoption date is not recorded, so the review cycle cannot be counted."), "nodata"
            )
        )
    section.add(
        Paragraph(
            ngettext(
                "The strategy was adopted on %(date)s and is reviewed every %(months)s month from that date.",
                "The strategy was adopted on %(date)s and is reviewed every %(months)s months from that date.",
                cycle.months,
            )
            % {"date": day(cycle.adopted_on), "months": cycle.months}
        )
    )
    if cycle.last_review is not None:
        section.add(
            Paragraph(
                _("The last review held was the %(kind)s of %(date)s.")
                % {"kind": label(EvaluationKind, cycle.last_review.kind).lower(), "date": day(cycle.last_review.date)}
            )
        )
    else:
        section.add(Paragraph(_("No review has been held since the adoption.")))
    if cycle.overdue:
        section.add(
            Paragraph(
                _("The next review was due on %(date)s: on %(as_of)s it is overdue.")
                % {"date": day(cycle.next_due), "as_of": day(as_of)},
                "warning",
            )
        )
    else:
        section.add(Paragraph(_("The next review is due on %(date)s.") % {"date": day(cycle.next_due)}))
    return section


def owners_section(report: MonitoringInput) -> Section:
    owners = {
        o.axis_id: o for o in AxisOwner.objects.filter(axis__strategy=report.strategy).select_related("organisation")
    }
    axes = report.strategy.elements.filter(kind=ElementKind.AXIS).order_by("order", "code", "id")
    rows = []
    for axis in axes:
        owner = owners.get(axis.pk)
        body = DASH
        if owner is not None:
            body = clean(owner.name)
            if owner.body and owner.organisation is not None:
                body += f" ({clean(owner.organisation.name)})"
        rows.append(
            [
                clean(f"{axis.code} {axis.title}"),
                body,
                clean(owner.contact_role) if owner and owner.contact_role else DASH,
            ]
        )
    section = Section("axis-owners", _("Responsible body per axis"))
    return section.add(
        Table(
            _("Responsible body per axis"),
            [_("Axis"), _("Responsible body"), _("Contact role")],
            rows,
            empty=_("The strategy has no axis yet."),
        )
    )


def evaluations_sections(report: MonitoringInput, evaluations: list[Evaluation]) -> list[Section]:
    as_of = report.view.as_of
    chapter = Section("evaluations", _("Evaluations and recommendations"))
    if not evaluations:
        chapter.add(Paragraph(_("No evaluation is recorded."), "nodata"))
        return [chapter]
    listed_gaps = set(document_gaps(report.strategy, report.audience).values_list("pk", flat=True))
    recommendations = [r for e in evaluations for r in e.recommendations.all()]
    followed = sum(r.gap_id is not None or r.action_id is not None for r in recommendations)
    answered = sum(r.response != RecommendationResponse.PENDING for r in recommendations)
    chapter.add(
        Paragraph(
            ngettext(
                "%(count)s evaluation is recorded",
                "%(count)s evaluations are recorded",
                len(evaluations),
            )
            % {"count": len(evaluations)}
            + "; "
            + ngettext(
                "%(count)s recommendation, of which %(answered)s answered and %(followed)s turned into a gap or an "
                "action.",
                "%(count)s recommendations, of which %(answered)s answered and %(followed)s turned into a gap or an "
                "action.",
                len(recommendations),
            )
            % {"count": len(recommendations), "answered": answered, "followed": followed}
        )
    )
    result = [chapter]
    for evaluation in evaluations:
        title = f"{label(EvaluationKind, evaluation.kind)}, {day(evaluation.date)}"
        section = Section(f"evaluation-{evaluation.pk}", title, level=2)
        if evaluation.date > as_of:
            section.add(Paragraph(_("Scheduled: not held on the last day of the period."), "note"))
        section.add(
            Paragraph(
                f"{clean(evaluation.evaluator)} ({label(EvaluatorType, evaluation.evaluator_type)})",
                lead=_("Evaluator:"),
            )
        )
        if evaluation.scope:
            section.add(Paragraph(clean(evaluation.scope), lead=_("Scope:")))
        if evaluation.findings:
            section.add(Paragraph(clean(evaluation.findings), lead=_("Findings:")))
        rows = []
        for number, rec in enumerate(evaluation.recommendations.all(), start=1):
            follow = []
            if rec.gap is not None and rec.gap_id in listed_gaps:
                follow.append(_("gap %(identifier)s") % {"identifier": rec.gap.identifier})
            if rec.action is not None:
                follow.append(_("action %(code)s") % {"code": clean(rec.action.code)})
            response = label(RecommendationResponse, rec.response)
            if rec.response_note:
                response += f": {clean(rec.response_note)}"
            rows.append(
                [
                    str(number),
                    clean(rec.text),
                    label(RecommendationPriority, rec.priority),
                    response,
                    ", ".join(follow) or DASH,
                ]
            )
        section.add(
            Table(
                _("Recommendations"),
                [_("No."), _("Recommendation"), _("Priority"), _("Response"), _("Became")],
                rows,
                empty=_("No recommendation recorded."),
                numeric=[True, False, False, False, False],
            )
        )
        result.append(section)
    return result


def risks_sections(report: MonitoringInput) -> list[Section]:
    chapter = Section("risks", _("Risks and assumptions per objective"))
    risks = ObjectiveRisk.objects.filter(objective__strategy=report.strategy).order_by("kind", "id")
    grouped: dict[int, list[ObjectiveRisk]] = {}
    for risk in risks:
        grouped.setdefault(risk.objective_id, []).append(risk)
    objectives = report.strategy.elements.filter(kind=ElementKind.OBJECTIVE).order_by("order", "code", "id")
    if not grouped:
        chapter.add(Paragraph(_("No risk or assumption is recorded."), "nodata"))
        return [chapter]
    chapter.add(
        Paragraph(
            _(
                "Likelihood and impact are rated from 1 (low) to 5 (high); their product ranks the risks. "
                "Assumptions are what the objective takes for granted and are watched like risks."
            ),
            "note",
        )
    )
    result = [chapter]
    for objective in objectives:
        items = grouped.get(objective.pk)
        if not items:
            continue
        section = Section(f"risks-{objective.pk}", clean(f"{objective.code} {objective.title}"), level=2)
        rows = [
            [
                label(RiskKind, r.kind),
                clean(r.text),
                str(r.likelihood) if r.likelihood else DASH,
                str(r.impact) if r.impact else DASH,
                clean(r.mitigation) or DASH,
                clean(r.owner) or DASH,
                label(RiskStatus, r.status),
                short_day(r.review_on) if r.review_on else DASH,
            ]
            for r in sorted(items, key=lambda r: (r.kind, -(r.score or 0), r.pk))
        ]
        section.add(
            Table(
                _("Risks and assumptions"),
                [
                    _("Kind"),
                    _("Description"),
                    _("Likelihood"),
                    _("Impact"),
                    _("Mitigation"),
                    _("Owner"),
                    _("Status"),
                    _("Review date"),
                ],
                rows,
                numeric=[False, False, True, True, False, False, False, False],
            )
        )
        result.append(section)
    return result
