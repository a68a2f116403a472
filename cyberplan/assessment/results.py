"""Everything an assessment shows, as plain data: scores, summaries, evidence, gaps, method.

The pages, the API and (later) the assessment report read assessments through these functions,
so they all agree. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from cyberplan.core.models import in_reader_language
from cyberplan.gaps.choices import GapSource
from cyberplan.gaps.marking import withheld, within_marking
from cyberplan.gaps.models import Gap

from . import benchmarks as bm
from . import crosswalk as cw
from . import framework as fw
from . import ncsi, scoring
from .choices import AnswerValue, EvidenceKind
from .models import Answer, Assessment


def score_assessment(assessment: Assessment) -> tuple[fw.Framework, dict[str, scoring.FactorResult]]:
    """The framework the assessment was made on and the result per factor, with the framework's rule."""
    structure = assessment.framework.structure()
    answers: dict[str, str] = {}
    evidence: dict[str, bool] = {}
    for answer in Answer.objects.filter(assessment=assessment).prefetch_related("evidence"):
        if answer.value:
            answers[answer.indicator_id] = answer.value
        evidence[answer.indicator_id] = bool(answer.evidence.all())
    return structure, scoring.score_framework(structure, answers, evidence)


def factor_stages(assessment: Assessment) -> dict[str, int]:
    """The stage of every assessed factor; a factor not assessed is left out (it has no stage)."""
    _structure, results = score_assessment(assessment)
    return {fid: r.stage for fid, r in results.items() if r.stage is not None}


def _counts(result: scoring.FactorResult) -> list[dict[str, int]]:
    return [
        {
            "stage": c.stage,
            "met": c.met,
            "partly": c.partly,
            "not_met": c.not_met,
            "unknown": c.unknown,
            "met_with_evidence": c.met_with_evidence,
        }
        for c in result.counts
    ]


def factor_scores(assessment: Assessment, language: str = "en") -> list[dict[str, Any]]:
    """One entry per factor: stage, per-stage counts and evidence coverage, claims without evidence, review."""
    structure, results = score_assessment(assessment)
    rows = {f.factor_id: f for f in assessment.factors.select_related("assignee", "approved_by")}
    out: list[dict[str, Any]] = []
    for factor in structure.factors():
        result = results[factor.id]
        row = rows.get(factor.id)
        met = sum(c.met for c in result.counts)
        backed = sum(c.met_with_evidence for c in result.counts)
        out.append(
            {
                "factor_id": factor.id,
                "dimension_id": factor.dimension_id,
                "name": factor.name.get(language),
                "stage": result.stage,
                "stage_name": stage_words(structure, result.stage, language),
                "assessed": result.assessed,
                "indicators": result.indicators,
                "rule": result.rule,
                "counts": _counts(result),
                "met": met,
                "met_with_evidence": backed,
                "claimed_without_evidence": list(result.claimed_without_evidence),
                "target_stage": row.target_stage if row else None,
                "below_target": bool(
                    row and row.target_stage and result.stage is not None and result.stage < row.target_stage
                ),
                "assignee": row.assignee.get_username() if row and row.assignee else None,
                "approved": bool(row and row.approved_at),
                "approved_by": row.approved_by.get_username() if row and row.approved_by else None,
                "approved_at": row.approved_at.isoformat() if row and row.approved_at else None,
            }
        )
    return out


def dimension_summaries(assessment: Assessment, language: str = "en") -> list[dict[str, Any]]:
    """Per dimension: the stage of each factor (None: not assessed), how many assessed factors sit at each
    stage, how many are not assessed, and the lowest and highest stage of the assessed ones."""
    structure, results = score_assessment(assessment)
    summaries = scoring.summarise(structure, results)
    out: list[dict[str, Any]] = []
    for dimension in structure.dimensions:
        s = summaries[dimension.id]
        out.append(
            {
                "dimension_id": dimension.id,
                "name": dimension.name.get(language),
                "factor_stages": dict(s.factor_stages),
                "distribution": [
                    {"stage": k, "name": structure.stage(k).name.get(language), "factors": v}
                    for k, v in sorted(s.distribution.items())
                ],
                "not_assessed": s.not_assessed,
                "lowest": s.lowest,
                "highest": s.highest,
            }
        )
    return out


def evidence_annex(assessment: Assessment) -> list[dict[str, Any]]:
    """Every piece of evidence, by indicator, for an annex."""
    out: list[dict[str, Any]] = []
    for answer in Answer.objects.filter(assessment=assessment).prefetch_related("evidence").order_by("factor_id", "id"):
        for ev in answer.evidence.all():
            out.append(
                {
                    "indicator_id": answer.indicator_id,
                    "answer": answer.value,
                    "kind": ev.kind,
                    "label": in_reader_language(ev, "label"),
                    "url": ev.url,
                    "citation": in_reader_language(ev, "citation"),
                    "document": (ev.document.name or "").rsplit("/", 1)[-1] if ev.document else "",
                    "note": in_reader_language(ev, "note"),
                    "added_at": ev.added_at.isoformat(),
                }
            )
    return out


def assessment_gaps(assessment: Assessment) -> list[Gap]:
    """The gaps the assessment's organisation holds for this country's factors (any status)."""
    prefix = f"{assessment.framework.framework_id}:{assessment.country}:"
    return list(
        Gap.objects.filter(
            organisation=assessment.organisation, source=GapSource.ASSESSMENT, source_key__startswith=prefix
        ).order_by("identifier")
    )


def assessment_results(assessment: Assessment, language: str = "en") -> dict[str, Any]:
    """What a report needs, as plain data (JSON-ready)."""
    structure = assessment.framework.structure()
    gaps = assessment_gaps(assessment)
    return {
        "assessment": {
            "id": assessment.pk,
            "title": in_reader_language(assessment, "title"),
            "organisation": assessment.organisation.name,
            "country": str(assessment.country),
            "date": assessment.date.isoformat(),
            "method": assessment.method,
            "method_label": str(assessment.get_method_display()),
            "stakeholder_groups": list(assessment.stakeholder_groups),
            "tlp": assessment.tlp,
            "locked": assessment.locked,
        },
        "framework": {
            "id": structure.id,
            "version": structure.version,
            "title": structure.title.get(language),
            "scoring_rule": structure.scoring,
            "scoring_description": scoring.SCORING_RULES[structure.scoring].description,
            "stages": [{"stage": s.ordinal, "code": s.code, "name": s.name.get(language)} for s in structure.stages],
        },
        "factors": factor_scores(assessment, language),
        "dimensions": dimension_summaries(assessment, language),
        "evidence": evidence_annex(assessment),
        # A gap marked above the assessment's TLP never reaches what is marked with it: counted only.
        "gaps": [
            {
                "identifier": g.identifier,
                "title": g.title_es if language.startswith("es") and g.title_es else g.title_en,
                "status": g.status,
                "severity": g.severity,
                "source_key": g.source_key,
            }
            for g in gaps
            if within_marking(g.tlp, assessment.tlp)
        ],
        "gaps_withheld": withheld(gaps, assessment.tlp).count,
    }


# --------------------------------------------------------------------------- comparison


@dataclass
class FactorChange:
    factor_id: str
    name: str
    before: int | None  # None: not assessed
    after: int | None
    answers: list[dict[str, Any]] = field(default_factory=list)  # indicators whose answer or evidence changed

    @property
    def direction(self) -> str:
        if self.before is None and self.after is None:
            return "unchanged"
        if self.before is None:
            return "newly assessed"
        if self.after is None:
            return "no longer assessed"
        if self.after > self.before:
            return "up"
        if self.after < self.before:
            return "down"
        return "unchanged"


def _answer_map(assessment: Assessment) -> dict[str, tuple[str, list[str]]]:
    out: dict[str, tuple[str, list[str]]] = {}
    for answer in Answer.objects.filter(assessment=assessment).prefetch_related("evidence"):
        labels = sorted(f"{e.label} {e.url or e.citation}".strip() for e in answer.evidence.all())
        out[answer.indicator_id] = (answer.value, labels)
    return out


def compare_assessments(earlier: Assessment, later: Assessment, language: str = "en") -> list[FactorChange]:
    """Factor by factor: the stage before and after, and the answers and evidence that changed.

    Both assessments must be on frameworks with the same id; factors of the later framework are
    compared, and a factor missing from the earlier one counts as not assessed there.
    """
    if earlier.framework.framework_id != later.framework.framework_id:
        raise ValueError("the assessments were made on different frameworks")
    structure, after = score_assessment(later)
    _s, before = score_assessment(earlier)
    a_before, a_after = _answer_map(earlier), _answer_map(later)
    changes: list[FactorChange] = []
    for factor in structure.factors():
        change = FactorChange(
            factor.id,
            factor.name.get(language),
            before[factor.id].stage if factor.id in before else None,
            after[factor.id].stage,
        )
        for indicator in factor.indicators:
            old = a_before.get(indicator.id, ("", []))
            new = a_after.get(indicator.id, ("", []))
            if old != new:
                change.answers.append(
                    {
                        "indicator_id": indicator.id,
                        "text": indicator.text.get(language),
                        "before": old[0],
                        "after": new[0],
                        "evidence_before": old[1],
                        "evidence_after": new[1],
                    }
                )
        changes.append(change)
    return changes


# --------------------------------------------------------------------------- other frameworks' terms


_CROSSWALKS: dict[str, cw.Crosswalks | None] = {}


def _crosswalks(digest: str, structure: fw.Framework) -> cw.Crosswalks | None:
    if digest not in _CROSSWALKS:
        try:
            _CROSSWALKS[digest] = cw.load_crosswalks(structure)
        except cw.CrosswalkError:
            _CROSSWALKS[digest] = None
    return _CROSSWALKS[digest]


def crosswalk_views(assessment: Assessment) -> list[tuple[cw.TargetFramework, list[cw.TargetView]]]:
    """The assessment's factor stages read per GCI pillar, NCSI capacity and NCAF objective.

    Empty when the shipped crosswalks do not start from this assessment's framework.
    """
    structure, results = score_assessment(assessment)
    walks = _crosswalks(assessment.framework.digest, structure)
    if walks is None:
        return []
    stages: dict[str, int | None] = {fid: r.stage for fid, r in results.items()}
    return [(target, cw.express(walks, target.id, stages)) for target in walks.frameworks]


@dataclass(frozen=True)
class CrosswalkRow:
    """One part of another framework, named in the reader's language, with the factors that feed it."""

    id: str
    name: str
    group: str | None
    factors: list[tuple[str, str]]  # (factor id and name, stage in words)
    lowest: str
    highest: str


@dataclass(frozen=True)
class CrosswalkTable:
    id: str
    title: str
    rows: list[CrosswalkRow]


def stage_words(structure: fw.Framework, stage: int | None, language: str) -> str:
    """A factor's stage as the model names it; "not assessed" when there is none."""
    if stage is None:
        return str(_("not assessed"))
    return structure.stage(stage).name.get(language)


def crosswalk_tables(assessment: Assessment, language: str) -> list[CrosswalkTable]:
    """``crosswalk_views`` in words: parts, factors and stages by name in ``language``, no internal codes."""
    structure = assessment.framework.structure()
    tables = []
    for target_framework, views in crosswalk_views(assessment):
        rows = []
        for view in views:
            factors = [
                (f"{fid} {structure.factor(fid).name.get(language)}", stage_words(structure, stage, language))
                for fid, stage in view.factor_stages.items()
            ]
            rows.append(
                CrosswalkRow(
                    view.target.id,
                    view.target.label(language),
                    view.target.group_label(language),
                    factors,
                    stage_words(structure, view.lowest, language) if view.factor_stages else "—",
                    stage_words(structure, view.highest, language) if view.factor_stages else "—",
                )
            )
        tables.append(CrosswalkTable(target_framework.id, target_framework.title_in(language), rows))
    return tables


@dataclass(frozen=True)
class NcsiRow:
    """One NCSI criterion, read through the model's indicator that checks the same thing."""

    criterion: str
    area: str  # the area's name in the NCSI version of the criteria, in the reader's language
    text: str
    source: str
    indicator: str
    factor: str
    statement: str
    answer: str  # the answer's label, or "" when not answered
    public_evidence: list[tuple[str, str]]  # (label, web address or legal citation)
    ready: bool  # met, with at least one piece of public evidence: what NCSI would count


@dataclass(frozen=True)
class NcsiTable:
    title: str
    version: str
    note: str
    rows: list[NcsiRow]

    @property
    def ready(self) -> int:
        return sum(r.ready for r in self.rows)


_NCSI: dict[str, ncsi.NcsiCriteria | None] = {}


def _public(evidence: Any) -> tuple[str, str] | None:
    """Evidence NCSI accepts: a public web address or a legal act's citation."""
    if evidence.kind == EvidenceKind.URL and evidence.url.startswith(("https://", "http://")):
        return (in_reader_language(evidence, "label"), evidence.url)
    if evidence.kind == EvidenceKind.CITATION and (evidence.citation or evidence.url):
        return (in_reader_language(evidence, "label"), " · ".join(x for x in (evidence.citation, evidence.url) if x))
    return None


def ncsi_table(assessment: Assessment, language: str) -> NcsiTable | None:
    """The NCSI criteria the assessment's answers support, criterion by criterion, to prepare a submission.

    ``None`` when the shipped criteria do not start from this assessment's framework.
    """
    structure = assessment.framework.structure()
    digest = assessment.framework.digest
    if digest not in _NCSI:
        walks = _crosswalks(digest, structure)
        try:
            _NCSI[digest] = ncsi.load_ncsi_criteria(structure, walks) if walks is not None else None
        except ncsi.NcsiCriteriaError:
            _NCSI[digest] = None
    criteria = _NCSI[digest]
    if criteria is None:
        return None
    wanted = [c.indicator for c in criteria.criteria]
    answers = {
        a.indicator_id: a
        for a in Answer.objects.filter(assessment=assessment, indicator_id__in=wanted).prefetch_related("evidence")
    }
    rows = []
    for c in criteria.criteria:
        answer = answers.get(c.indicator)
        public = [found for e in (answer.evidence.all() if answer else []) if (found := _public(e)) is not None]
        value = answer.value if answer else ""
        rows.append(
            NcsiRow(
                criterion=c.id,
                area=criteria.crosswalk.target(c.area).label(language),
                text=c.text.get(language),
                source=c.source,
                indicator=c.indicator,
                factor=structure.indicator(c.indicator).factor_id,
                statement=structure.indicator(c.indicator).text.get(language),
                answer=str(AnswerValue(value).label) if value else "",
                public_evidence=public,
                ready=value == AnswerValue.MET and bool(public),
            )
        )
    return NcsiTable(criteria.crosswalk.title_in(language), criteria.version, criteria.note.get(language), rows)


def benchmark_area_names(assessment: Assessment, language: str) -> dict[str, str]:
    """``"<crosswalk framework>:<area>"`` -> the area's name, for figures published about one area."""
    structure = assessment.framework.structure()
    walks = _crosswalks(assessment.framework.digest, structure)
    if walks is None:
        return {}
    return {f"{f.id}:{t.id}": t.label(language) for f in walks.frameworks for t in f.targets}


def benchmark_figures(country: str | None = None) -> list[bm.BenchmarkFigure]:
    """Published external figures (all, or one country's), never combined with assessment results."""
    figures = bm.load_benchmarks()
    if country:
        return [f for f in figures if f.country == country]
    return list(figures)
