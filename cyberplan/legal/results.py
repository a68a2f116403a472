"""What the pages and the API show of a review: the coverage matrix, by treaty, chapter and section."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from .catalogue import Article, Catalogue, Treaty, shipped_catalogue
from .coverage import GroupCoverage, coverage_by_group
from .models import InstrumentArticle, Review, ReviewProvision


@dataclass
class MatrixRow:
    article: Article
    finding: ReviewProvision | None
    flagged: list[InstrumentArticle]


@dataclass
class MatrixGroup:
    coverage: GroupCoverage
    rows: list[MatrixRow] = field(default_factory=list)


@dataclass
class TreatyMatrix:
    treaty: Treaty
    groups: list[MatrixGroup]
    total: GroupCoverage


def findings_by_key(review: Review) -> dict[str, ReviewProvision]:
    articles = InstrumentArticle.objects.select_related("instrument")
    return {
        f.provision: f
        for f in review.provisions.select_related("reviewer").prefetch_related(
            Prefetch("national_articles", queryset=articles)
        )
    }


def matrix(review: Review, catalogue: Catalogue | None = None) -> list[TreatyMatrix]:
    """Every treaty of the catalogue, each chapter or section with its coverage figures and its articles."""
    catalogue = catalogue or shipped_catalogue()
    findings = findings_by_key(review)
    coverage = {key: f.coverage for key, f in findings.items()}
    out = []
    for treaty in catalogue.treaties:
        rows = coverage_by_group(catalogue, coverage, treaty.id)
        groups = {row.group: MatrixGroup(row) for row in rows[:-1]}
        for article in treaty.articles:
            finding = findings.get(article.key)
            flagged = finding.flagged_articles() if finding is not None else []
            groups[article.group].rows.append(MatrixRow(article, finding, flagged))
        out.append(TreatyMatrix(treaty, list(groups.values()), rows[-1]))
    return out
