"""The parts of a package that come from records people keep: assessment, strategy, legal, training.

Each function returns the part, or None when the instance has nothing to say (the part is then left out).
Records are read as the member organisation reads its own, narrowed to the package's labels.
"""

from __future__ import annotations

from typing import Any

from cyberplan.assessment.access import assessments_of
from cyberplan.assessment.results import factor_stages
from cyberplan.legal.access import latest_approved_review_for
from cyberplan.legal.catalogue import shipped_catalogue
from cyberplan.legal.coverage import coverage_by_group
from cyberplan.legal.models import TreatyStatus
from cyberplan.strategy.choices import ActionStatus, ElementKind, VersionStatus
from cyberplan.strategy.models import Strategy, StrategyVersion
from cyberplan.training.kpi_access import audience_keys, coverage_figure

from . import disclosure
from .figures import Request


def assessment_part(request: Request) -> dict[str, Any] | None:
    """The stage of every factor of the latest assessment dated within the period (only when shared)."""
    if not request.share_assessment:
        return None
    assessment = (
        assessments_of(request.organisation, request.organisation.country, request.as_of)
        .filter(tlp__in=request.labels)
        .first()
    )
    if assessment is None:
        return None
    stages = factor_stages(assessment)
    if not stages:
        return None
    return {
        "framework": assessment.framework.key,
        "date": assessment.date.isoformat(),
        "factors": [{"factor": factor, "stage": int(stage)} for factor, stage in stages.items()],
    }


def strategy_part(request: Request) -> dict[str, Any] | None:
    """The member's strategy: adopted (a published version by the end of the period), instrument, period,
    axes and the share of its actions completed (cancelled actions left out)."""
    strategies = Strategy.objects.filter(organisation=request.organisation, tlp__in=request.labels)
    published = (
        StrategyVersion.objects.filter(
            strategy__in=strategies, status=VersionStatus.PUBLISHED, published_at__date__lte=request.as_of
        )
        .select_related("strategy")
        .order_by("-published_at", "-id")
        .first()
    )
    strategy = published.strategy if published else strategies.order_by("-updated_at", "-id").first()
    if strategy is None:
        return None
    part: dict[str, Any] = {
        "adopted": published is not None,
        "start_year": int(strategy.start_year),
        "end_year": int(strategy.end_year),
        "phase": strategy.phase,
    }
    if published is not None and published.legal_reference:
        part["instrument"] = published.legal_reference
    axes = [e.title_en or e.code for e in strategy.elements.filter(kind=ElementKind.AXIS).order_by("order", "code")]
    if axes:
        part["axes"] = axes
    actions = list(strategy.actions.exclude(status=ActionStatus.CANCELLED).values_list("status", flat=True))
    if actions:
        part["actions"] = len(actions)
        part["actions_completed_share"] = round(sum(s == ActionStatus.COMPLETED for s in actions) / len(actions), 4)
    return part


def legal_part(request: Request) -> dict[str, Any] | None:
    """Treaty status of the member's country and the coverage of its latest approved alignment review."""
    part: dict[str, Any] = {}
    treaties = []
    for status in TreatyStatus.objects.filter(country=request.country).order_by("treaty"):
        row: dict[str, Any] = {"treaty": status.treaty}
        for name in ("signed", "ratified", "in_force"):
            value = getattr(status, name)
            if value is not None and value <= request.as_of:
                row[name] = value.isoformat()
        if "ratified" in row:
            row["accession"] = bool(status.accession)
        treaties.append(row)
    if treaties:
        part["treaties"] = treaties
    org = request.organisation.pk
    review = latest_approved_review_for(org, org, request.country, request.as_of, request.labels)
    if review is not None:
        catalogue, findings, coverage = shipped_catalogue(), review.findings(), []
        for treaty in catalogue.treaties:
            whole = next(g for g in coverage_by_group(catalogue, findings, treaty.id) if g.group == treaty.id)
            row = {"treaty": treaty.id, "review_date": review.date.isoformat(), "applicable": whole.applicable}
            if whole.full_share is not None and whole.covered_share is not None:
                row |= {"full_share": round(whole.full_share, 4), "covered_share": round(whole.covered_share, 4)}
            coverage.append(row)
        if coverage:
            part["coverage"] = coverage
    return part or None


def training_part(request: Request) -> dict[str, Any] | None:
    """Per audience: trained in the year the period ends in, trained so far, the audience size and the share;
    counts under the threshold suppressed, and a share given only with its published count."""
    org, rows = request.organisation.pk, []
    for audience in audience_keys():
        figure = coverage_figure(org, org, audience=audience, topic=None, as_of=request.as_of, labels=request.labels)
        if figure.row is None or (figure.row.cumulative_trained == 0 and not figure.row.denominator):
            continue
        trained, cumulative = figure.row.trained, figure.row.cumulative_trained
        hidden = disclosure.primary(trained, request.threshold)
        row: dict[str, Any] = {
            "audience": audience,
            "trained": disclosure.cell(trained, hidden),
            "cumulative_trained": disclosure.cell(cumulative, disclosure.primary(cumulative, request.threshold)),
        }
        if figure.row.denominator:
            row["audience_size"] = int(figure.row.denominator)
            if not hidden and figure.row.share is not None:
                row["share"] = round(figure.row.share, 4)
        rows.append(row)
    return {"year": request.as_of.year, "audiences": rows} if rows else None
