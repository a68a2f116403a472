"""Coverage arithmetic of a review: per chapter and section, and the comparison of two reviews.

"Not applicable" provisions leave the denominator; a provision not assessed yet stays in it (it is
not known to be covered). The full share is ``full / applicable``; the covered share counts partial
coverage too: ``(full + partial) / applicable``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .catalogue import Catalogue, Text
from .choices import Coverage

RANK = {Coverage.NONE: 0, Coverage.PARTIAL: 1, Coverage.FULL: 2}


@dataclass
class GroupCoverage:
    """The counts of one chapter or section of a treaty (``group`` is ``II.1``, ``IV`` or a treaty id)."""

    treaty: str
    group: str
    title: Text
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0

    @property
    def full(self) -> int:
        return self.counts.get(Coverage.FULL, 0)

    @property
    def partial(self) -> int:
        return self.counts.get(Coverage.PARTIAL, 0)

    @property
    def none(self) -> int:
        return self.counts.get(Coverage.NONE, 0)

    @property
    def not_applicable(self) -> int:
        return self.counts.get(Coverage.NOT_APPLICABLE, 0)

    @property
    def unassessed(self) -> int:
        return self.counts.get("", 0)

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable

    @property
    def full_share(self) -> float | None:
        return self.full / self.applicable if self.applicable else None

    @property
    def covered_share(self) -> float | None:
        return (self.full + self.partial) / self.applicable if self.applicable else None

    def add(self, coverage: str) -> None:
        self.counts[coverage] = self.counts.get(coverage, 0) + 1
        self.total += 1


def coverage_by_group(catalogue: Catalogue, findings: Mapping[str, str], treaty_id: str) -> list[GroupCoverage]:
    """One row per chapter and section of the treaty, in the treaty's order, then the treaty's total."""
    treaty = catalogue.treaty(treaty_id)
    rows: dict[str, GroupCoverage] = {}
    for chapter in treaty.chapters:
        if chapter.sections:
            for section in chapter.sections:
                group = f"{chapter.id}.{section.id}"
                rows[group] = GroupCoverage(treaty.id, group, section.title)
        else:
            rows[chapter.id] = GroupCoverage(treaty.id, chapter.id, chapter.title)
    total = GroupCoverage(treaty.id, treaty.id, treaty.title)
    for article in treaty.articles:
        coverage = findings.get(article.key, "")
        rows[article.group].add(coverage)
        total.add(coverage)
    return [*rows.values(), total]


def share_fully_covered(catalogue: Catalogue, findings: Mapping[str, str], keys: Iterable[str]) -> float | None:
    """The share of the given provisions (the applicable ones) that are fully covered."""
    row = GroupCoverage("", "", Text("", ""))
    for key in keys:
        catalogue.article(key)  # an unknown key is a programming error: KeyError
        row.add(findings.get(key, ""))
    return row.full_share


@dataclass(frozen=True)
class ProvisionChange:
    provision: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def direction(self) -> str:
        """``better``, ``worse``, ``same`` or ``other`` (to or from not applicable or not assessed)."""
        if self.before == self.after:
            return "same"
        if self.before in RANK and self.after in RANK:
            return "better" if RANK[Coverage(self.after)] > RANK[Coverage(self.before)] else "worse"
        return "other"


def compare(catalogue: Catalogue, before: Mapping[str, str], after: Mapping[str, str]) -> list[ProvisionChange]:
    """Every provision of the catalogue with its coverage in the earlier and in the later review."""
    return [ProvisionChange(a.key, before.get(a.key, ""), after.get(a.key, "")) for a in catalogue.articles()]
