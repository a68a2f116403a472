"""A chapter's coverage as evidence of the capacity assessment's legal-framework indicators: what may be attached.

The legal-framework indicators are those of the legal dimension of the assessment's framework, the dimension
of factor 4.1 (legal and regulatory provisions) in the shipped model, so its other legal factors too. The
coverage is attached to the assessment of the review's own organisation and country only, and only when the
assessment is marked at least as restrictively as the review, so the figure reaches no one who may not read
the review.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cyberplan.assessment.access import assessments_visible_to
from cyberplan.assessment.framework import Indicator
from cyberplan.assessment.models import Assessment
from cyberplan.core.access import Permission, organisation_ids_where
from cyberplan.core.choices import TLP, TLP_RANK
from cyberplan.core.models import User

from .catalogue import Catalogue, shipped_catalogue
from .coverage import GroupCoverage, coverage_by_group
from .models import Review

LEGAL_FACTOR = "4.1"
"""The factor whose dimension holds the legal-framework indicators."""


@dataclass(frozen=True)
class CoveragePart:
    key: str  # "ets-185|II.1", "ets-185|IV" or "ets-185|ets-185" for the whole treaty
    label: str
    coverage: GroupCoverage


def coverage_parts(review: Review, catalogue: Catalogue | None = None) -> list[CoveragePart]:
    """Every chapter and section of every treaty, and each treaty as a whole, with the review's coverage."""
    catalogue = catalogue or shipped_catalogue()
    language = get_language() or "en"
    findings = review.findings()
    parts = []
    for treaty in catalogue.treaties:
        for row in coverage_by_group(catalogue, findings, treaty.id):
            name = treaty.title.get(language) if row.group == treaty.id else f"{row.group} {row.title.get(language)}"
            parts.append(CoveragePart(f"{treaty.id}|{row.group}", f"{treaty.code} · {name}", row))
    return parts


def legal_indicators(assessment: Assessment) -> list[Indicator]:
    """The indicators of the legal dimension of the assessment's framework (none if it has no factor 4.1)."""
    structure = assessment.framework.structure()
    try:
        dimension = structure.factor(LEGAL_FACTOR).dimension_id
    except KeyError:
        return []
    return [i for f in structure.factors() if f.dimension_id == dimension for i in f.indicators]


def assessments_for_evidence(user: User, review: Review) -> QuerySet[Assessment]:
    """The assessments ``user`` may edit that may receive the review's coverage: same organisation and country,
    not locked, marked at least as restrictively as the review."""
    if review.organisation_id not in organisation_ids_where(user, Permission.EDIT):
        return assessments_visible_to(user).none()
    labels = [label for label in TLP.values if TLP_RANK[TLP(label)] >= TLP_RANK[TLP(review.tlp)]]
    return (
        assessments_visible_to(user)
        .filter(organisation_id=review.organisation_id, country=review.country, locked=False, tlp__in=labels)
        .order_by("-date", "-id")
    )


def evidence_url(review: Review, part: CoveragePart) -> str:
    """The review's page, at the coverage table of the part's treaty: one address per review and part."""
    treaty, _sep, group = part.key.partition("|")
    return f"{reverse('legal:review_detail', args=[review.pk])}#coverage-{treaty}-{group}"


def evidence_label(review: Review, part: CoveragePart) -> str:
    """``ETS 185 · II.1 Substantive criminal law: 7 of 11 applicable provisions fully covered (63.6 %), …``."""
    row = part.coverage
    full = row.full_share
    covered = row.covered_share
    text = _(
        "%(part)s: %(full)d of %(applicable)d applicable provisions fully covered (%(full_percent)s), "
        "%(covered)d at least in part (%(covered_percent)s); alignment review %(review)s"
    ) % {
        "part": part.label,
        "full": row.full,
        "applicable": row.applicable,
        "full_percent": "—" if full is None else f"{100 * full:.1f} %",
        "covered": row.full + row.partial,
        "covered_percent": "—" if covered is None else f"{100 * covered:.1f} %",
        "review": str(review),
    }
    return text[:250]
