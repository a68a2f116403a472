"""What the assessment report says, built from ``results.assessment_results()`` in the active language.

Every sentence is written here from the data; the renderers only lay it out. Text typed by users
(titles, organisation names, evidence labels, citations, notes) is kept as data and escaped by
each renderer: Django's templates for HTML and PDF, python-docx for DOCX.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from cyberplan.core.models import in_reader_language
from cyberplan.gaps.choices import GapStatus, Severity
from cyberplan.reports.document import Paragraph, Section, Table
from cyberplan.reports.marking import marking, sharing_note

from .. import framework as fw
from ..choices import AnswerValue, EvidenceKind, StakeholderGroup
from ..models import Answer, Assessment
from ..results import assessment_results
from .chart import radar_spec

_ILLUSTRATIVE = re.compile(r"illustrative|ilustrativ", re.IGNORECASE)


def _section(
    id: str, title: str, *, notes: Sequence[str] = (), paragraphs: Sequence[str] = (), tables: Sequence[Table] = ()
) -> Section:
    """A section of the report: its notes first, then its paragraphs, then its tables."""
    section = Section(id, title)
    section.add(*(Paragraph(note, "note") for note in notes), *(Paragraph(text) for text in paragraphs), *tables)
    return section


@dataclass
class Report:
    language: str
    title: str
    assessment_title: str
    organisation: str
    country: str
    date: str
    method: str
    framework: str
    framework_title: str
    tlp: str
    marking: str
    tlp_note: str
    illustrative: bool
    generated: str
    summary: list[str]
    chart_spec: dict[str, Any]
    chart_title: str
    chart_note: str
    sections: list[Section]


def is_illustrative(assessment: Assessment) -> bool:
    """Demo data, or an assessment whose title says it is illustrative."""
    return bool(assessment.organisation.is_demo or _ILLUSTRATIVE.search(assessment.title))


def _day(value: str) -> str:
    import datetime as dt

    return str(formats.date_format(dt.date.fromisoformat(value[:10]), "DATE_FORMAT", use_l10n=True))


def _stage_name(stages: dict[int, str], stage: int | None) -> str:
    if stage is None:
        return _("not assessed")
    return f"{stage} · {stages.get(stage, '')}"


def _rule_description(rule: str, fallback: str) -> str:
    rules = {
        "all-indicators-cumulative": _(
            "A factor is at the highest stage whose indicators, and those of every lower stage, are all met. "
            "Start-up is the floor: a factor with at least one assessed indicator is at Start-up even when not "
            "all of its Start-up indicators are met."
        ),
        "majority-cumulative": _(
            "A factor is at the highest stage at which more than half of the indicators are met, with more than "
            "half met at every lower stage too. Start-up is the floor for a factor with at least one assessed "
            "indicator."
        ),
    }
    return str(rules.get(rule, fallback))


def _stage_meanings() -> dict[int, str]:
    """What each stage means, for a framework whose file does not say it."""
    return {
        1: _(
            "Start-up: the floor of the scale. Little or nothing exists yet; the need may be recognised in "
            "writing, or something happens occasionally."
        ),
        2: _("Formative: a first body, draft, unit, channel or rule exists."),
        3: _("Established: it is adopted by a legal act, staffed, published and in regular operation."),
        4: _("Strategic: it is measured, prioritised from risk or data, and linked to national plans."),
        5: _("Dynamic: it is reviewed and adapted through documented decisions, and shared beyond the country."),
    }


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@dataclass(frozen=True)
class _Facts:
    """What the sections of the report read, gathered once from the assessment."""

    language: str
    info: dict[str, Any]
    framework: dict[str, Any]
    structure: fw.Framework
    stages: dict[int, str]
    answered: dict[str, Answer]
    scored_factors: set[str]
    factors: list[dict[str, Any]]
    dimensions: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    gaps_withheld: int
    evidence: list[dict[str, Any]]
    illustrative: bool

    @property
    def unscored(self) -> list[dict[str, Any]]:
        """The dimensions none of whose factors is scored."""
        return [d for d in self.dimensions if not any(f in self.scored_factors for f in d["factor_stages"])]


def _gather(assessment: Assessment, language: str) -> _Facts:
    data = assessment_results(assessment, language)
    answers = list(Answer.objects.filter(assessment=assessment).order_by("factor_id", "indicator_id"))
    return _Facts(
        language=language,
        info=data["assessment"],
        framework=data["framework"],
        structure=assessment.framework.structure(),
        stages={s["stage"]: s["name"] for s in data["framework"]["stages"]},
        answered={a.indicator_id: a for a in answers if a.value},
        scored_factors={f["factor_id"] for f in data["factors"] if f["stage"] is not None},
        factors=data["factors"],
        dimensions=data["dimensions"],
        gaps=data["gaps"],
        gaps_withheld=data["gaps_withheld"],
        evidence=data["evidence"],
        illustrative=is_illustrative(assessment),
    )


def build_report(assessment: Assessment, language: str) -> Report:
    """The report of ``assessment`` in the active language (``language`` names it)."""
    facts = _gather(assessment, language)
    info, framework = facts.info, facts.framework
    country = str(countries.name(info["country"])) or info["country"]
    unscored = facts.unscored
    illustrative = facts.illustrative
    summary = _summary(facts)
    sections = [
        _dimension_section(facts),
        _factor_section(facts),
        _gap_section(facts.gaps, facts.gaps_withheld),
        _evidence_section(facts),
        _method_section(facts),
    ]
    chart_note = ""
    if unscored:
        chart_note = _("No point is drawn for a dimension without an assessed factor: %(names)s.") % {
            "names": ", ".join(d["dimension_id"] for d in unscored)
        }
    return Report(
        language=language,
        title=_("National cybersecurity capacity assessment"),
        assessment_title=info["title"],
        organisation=info["organisation"],
        country=country,
        date=_day(info["date"]),
        method=info["method_label"],
        framework=f"{framework['id']} {framework['version']}",
        framework_title=framework["title"],
        tlp=info["tlp"],
        marking=marking(info["tlp"]),
        tlp_note=sharing_note(info["tlp"]),
        illustrative=illustrative,
        generated=str(formats.date_format(timezone.localdate(), "DATE_FORMAT", use_l10n=True)),
        summary=summary,
        chart_spec=_chart_spec(facts),
        chart_title=_("Stages by dimension"),
        chart_note=chart_note,
        sections=sections,
    )


def _chart_spec(facts: _Facts) -> dict[str, Any]:
    """Stages against targets, by dimension: the chart of the report and of the assessment page."""
    top = max(facts.stages) if facts.stages else 5
    targets = {f["factor_id"]: f["target_stage"] for f in facts.factors if f.get("target_stage")}
    return radar_spec(facts.dimensions, facts.scored_factors, facts.stages, top, _("Stages by dimension"), targets)


def stage_chart_spec(assessment: Assessment, language: str) -> dict[str, Any]:
    """The report's chart of ``assessment`` in the active language (``language`` names it)."""
    return _chart_spec(_gather(assessment, language))


def _summary(facts: _Facts) -> list[str]:
    """The executive summary: one sentence per finding."""
    structure, answered, stages = facts.structure, facts.answered, facts.stages
    factors, gaps, illustrative = facts.factors, facts.gaps, facts.illustrative
    summary: list[str] = []
    total_indicators = sum(1 for _i in structure.indicators())
    summary.append(
        ngettext(
            "%(answered)s of %(total)s indicator has an answer.",
            "%(answered)s of %(total)s indicators have an answer.",
            total_indicators,
        )
        % {"answered": len(answered), "total": total_indicators}
    )
    if not answered:
        summary.append(_("No indicator has been answered yet, so no factor has a stage."))
    summary.extend(_stage_sentences(factors, stages))
    unscored = facts.unscored
    if unscored:
        summary.append(
            ngettext(
                "%(count)s dimension has no assessed factor: %(names)s.",
                "%(count)s dimensions have no assessed factor: %(names)s.",
                len(unscored),
            )
            % {"count": len(unscored), "names": ", ".join(f"{d['dimension_id']} {d['name']}" for d in unscored)}
        )
    claimed = sum(len(f["claimed_without_evidence"]) for f in factors)
    if claimed:
        summary.append(
            ngettext(
                "%(count)s answer is claimed as met or partly met without evidence.",
                "%(count)s answers are claimed as met or partly met without evidence.",
                claimed,
            )
            % {"count": claimed}
        )
    with_target = [f for f in factors if f["target_stage"]]
    below = [f for f in with_target if f["below_target"]]
    if with_target:
        summary.append(
            ngettext(
                "%(below)s of %(count)s factor with a target stage is below its target.",
                "%(below)s of %(count)s factors with a target stage are below their target.",
                len(with_target),
            )
            % {"below": len(below), "count": len(with_target)}
        )
    open_gaps = [g for g in gaps if g["status"] != GapStatus.CLOSED]
    summary.append(
        ngettext(
            "The gap register holds %(count)s open gap from this country's assessments.",
            "The gap register holds %(count)s open gaps from this country's assessments.",
            len(open_gaps),
        )
        % {"count": len(open_gaps)}
    )
    if illustrative:
        summary.append(_("This assessment is illustrative: it is not an official finding."))
    return summary


def _stage_sentences(factors: list[dict[str, Any]], stages: dict[int, str]) -> list[str]:
    """How many factors are assessed, and the highest stage reached and by which factors."""
    reached = [f for f in factors if f["stage"] is not None]
    sentences = [
        ngettext(
            "%(count)s of %(total)s factor is assessed; a factor none of whose indicators is answered met, "
            "partly met or not met is not assessed, and has no stage.",
            "%(count)s of %(total)s factors are assessed; a factor none of whose indicators is answered met, "
            "partly met or not met is not assessed, and has no stage.",
            len(factors),
        )
        % {"count": len(reached), "total": len(factors)}
    ]
    if reached:
        best = max(f["stage"] for f in reached)
        at_best = [f["factor_id"] for f in factors if f["stage"] == best]
        sentences.append(
            ngettext(
                "The highest stage reached is %(stage)s, by factor %(factors)s.",
                "The highest stage reached is %(stage)s, by factors %(factors)s.",
                len(at_best),
            )
            % {"stage": _stage_name(stages, best), "factors": ", ".join(at_best)}
        )
    return sentences


def _dimension_section(facts: _Facts) -> Section:
    """Stages by dimension: every factor's stage and how the assessed ones spread over the whole scale."""
    dimensions, stages = facts.dimensions, facts.stages
    dimension_rows: list[list[str]] = []
    for d in dimensions:
        assessed = {f: stage for f, stage in d["factor_stages"].items() if stage is not None}
        not_assessed = len(d["factor_stages"]) - len(assessed)
        # Every stage of the scale is listed, those no factor reached too, so the spread reads on the whole scale.
        parts = [f"{_stage_name(stages, stage)}: {list(assessed.values()).count(stage)}" for stage in sorted(stages)]
        if not_assessed:
            parts.append(_("not assessed: %(count)s") % {"count": not_assessed})
        if assessed:
            lowest, highest = _stage_name(stages, min(assessed.values())), _stage_name(stages, max(assessed.values()))
        else:
            lowest = highest = "—"
        dimension_rows.append(
            [
                f"{d['dimension_id']} {d['name']}",
                ", ".join(f"{fid}: {stage if stage is not None else '—'}" for fid, stage in d["factor_stages"].items()),
                "; ".join(parts),
                lowest,
                highest,
            ]
        )
    return _section(
        "dimensions",
        _("Stages by dimension"),
        notes=[
            _(
                "Each dimension lists the stage of every factor (— when the factor is not assessed), how many "
                "assessed factors sit at each of the five stages, and the lowest and highest stage of its assessed "
                "factors. No average is computed: stages are ordered, not measured."
            )
        ],
        tables=[
            Table(
                _("Dimension summaries"),
                [_("Dimension"), _("Factor stages"), _("Factors per stage"), _("Lowest"), _("Highest")],
                dimension_rows,
            )
        ],
    )


def _factor_section(facts: _Facts) -> Section:
    """Stage by factor, how many of its indicators were assessed, its target and how far evidence backs it."""
    factors, stages = facts.factors, facts.stages
    factor_rows: list[list[str]] = []
    for f in factors:
        if f["met"]:
            coverage = _("%(backed)s of %(met)s met answers backed by evidence") % {
                "backed": f["met_with_evidence"],
                "met": f["met"],
            }
        else:
            coverage = _("no met answer")
        factor_rows.append(
            [
                f["factor_id"],
                f["name"],
                _stage_name(stages, f["stage"]),
                _("%(assessed)s of %(total)s") % {"assessed": f["assessed"], "total": f["indicators"]},
                _stage_name(stages, f["target_stage"]) if f["target_stage"] else "—",
                coverage,
                ", ".join(f["claimed_without_evidence"]) or "—",
            ]
        )
    return _section(
        "factors",
        _("Stage by factor"),
        notes=[
            _(
                "Indicators assessed counts the indicators answered met, partly met or not met. A factor with none is "
                "not assessed: it has no stage, which is not the same as not met. Claimed without evidence lists the "
                "indicators answered met or partly met with no evidence attached."
            )
        ],
        tables=[
            Table(
                _("Factors"),
                [
                    _("Factor"),
                    _("Name"),
                    _("Stage"),
                    _("Indicators assessed"),
                    _("Target"),
                    _("Evidence coverage"),
                    _("Claimed without evidence"),
                ],
                factor_rows,
            )
        ],
    )


def _gap_section(gaps: list[dict[str, Any]], withheld: int = 0) -> Section:
    """The gaps the register holds from this country's assessments, within the report's marking."""
    gap_rows = [
        [g["identifier"], g["title"], _label(GapStatus, g["status"]), _label(Severity, g["severity"]), g["source_key"]]
        for g in gaps
    ]
    notes = [
        _(
            "Gaps come from the gap register: each factor below its target stage has one gap, found by its "
            "source key (framework, country and factor), which lists the indicators still missing."
        )
    ]
    if withheld:
        notes.append(
            ngettext(
                "%(count)d gap marked above this report's TLP is left out.",
                "%(count)d gaps marked above this report's TLP are left out.",
                withheld,
            )
            % {"count": withheld}
        )
    return _section(
        "gaps",
        _("Gaps"),
        notes=notes,
        tables=[
            Table(
                _("Gaps from this country's assessments"),
                [_("Identifier"), _("Title"), _("Status"), _("Severity"), _("Source key")],
                gap_rows,
                empty=_("The gap register holds no gap from this country's assessments."),
            )
        ],
    )


def _evidence_section(facts: _Facts) -> Section:
    """The evidence annex: every answered indicator with each piece of evidence attached to its answer."""
    structure, answered, language = facts.structure, facts.answered, facts.language
    evidence_by_indicator: dict[str, list[dict[str, Any]]] = {}
    for ev in facts.evidence:
        evidence_by_indicator.setdefault(ev["indicator_id"], []).append(ev)
    annex_rows: list[list[str]] = []
    links: list[str] = []
    for indicator_id, answer in sorted(answered.items(), key=lambda item: _indicator_order(structure, item[0])):
        text = structure.indicator(indicator_id).text.get(language)
        value = _label(AnswerValue, answer.value)
        found = evidence_by_indicator.get(indicator_id, [])
        if not found:
            annex_rows.append(
                [indicator_id, text, value, "—", _("no evidence attached"), in_reader_language(answer, "note")]
            )
            links.append("")
            continue
        for ev in found:
            where = ev["citation"] or ev["document"] or ev["url"]
            if ev["kind"] == EvidenceKind.PLATFORM:
                where = _("platform page %(path)s") % {"path": ev["url"]}
            elif ev["citation"] and ev["url"]:
                where = f"{ev['citation']} · {ev['url']}"
            annex_rows.append(
                [indicator_id, text, value, _label(EvidenceKind, ev["kind"]), f"{ev['label']}: {where}", ev["note"]]
            )
            url = ev["url"]
            links.append(url if url.startswith(("https://", "http://")) else "")
    return _section(
        "evidence",
        _("Evidence annex"),
        notes=[_("Every answered indicator, with each piece of evidence attached to its answer.")],
        tables=[
            Table(
                _("Answers and their evidence"),
                [_("Indicator"), _("Statement"), _("Answer"), _("Kind"), _("Evidence"), _("Note")],
                annex_rows,
                empty=_("No indicator has been answered yet."),
                links=links,
                link_column=4,
            )
        ],
    )


def _method_section(facts: _Facts) -> Section:
    """How the assessment was made and how its answers count."""
    info, framework, illustrative = facts.info, facts.framework, facts.illustrative
    groups = [_label(StakeholderGroup, g) for g in info["stakeholder_groups"]]
    method_section = _section(
        "method",
        _("Method"),
        paragraphs=[
            _("Method: %(method)s.") % {"method": info["method_label"]},
            _("Framework: %(title)s (%(id)s, version %(version)s).")
            % {"title": framework["title"], "id": framework["id"], "version": framework["version"]},
            _("Scoring rule (%(rule)s): %(description)s")
            % {
                "rule": framework["scoring_rule"],
                "description": _rule_description(framework["scoring_rule"], framework["scoring_description"]),
            },
            _(
                "How answers count: met counts as met; partly met, not met and unknown do not; an indicator "
                "without an answer counts as unknown. An indicator is assessed when it is answered met, partly met "
                "or not met; a factor with no assessed indicator is not assessed and has no stage. Evidence never "
                "changes a stage: it is reported beside it, and an answer of met or partly met without evidence is "
                "flagged."
            ),
            (_("Stakeholder groups consulted: %(groups)s.") % {"groups": ", ".join(groups)})
            if groups
            else _("No stakeholder group is recorded for this assessment."),
        ],
    )
    method_section.add(_scale_table(facts))
    if illustrative:
        method_section.add(
            Paragraph(
                _(
                    "This assessment is illustrative. It was built from public facts to show the platform and is not "
                    "an official finding of any institution."
                )
            )
        )
    return method_section


def _scale_table(facts: _Facts) -> Table:
    """The whole scale, Start-up to Dynamic: what each stage means and how many factors sit at it."""
    fallback = _stage_meanings()
    counts = dict.fromkeys(facts.stages, 0)
    for f in facts.factors:
        if f["stage"] is not None:
            counts[f["stage"]] += 1
    rows = []
    for stage in facts.structure.stages:
        meaning = stage.meaning.get(facts.language) if stage.meaning else fallback.get(stage.ordinal, "")
        rows.append([str(stage.ordinal), stage.name.get(facts.language), meaning, str(counts.get(stage.ordinal, 0))])
    not_assessed = sum(1 for f in facts.factors if f["stage"] is None)
    rows.append(
        [
            "—",
            _("not assessed"),
            _("No indicator of the factor is answered met, partly met or not met."),
            str(not_assessed),
        ]
    )
    return Table(
        _("The scale: five stages, Start-up to Dynamic"),
        [_("Stage"), _("Name"), _("What it means"), _("Factors at this stage")],
        rows,
    )


def _indicator_order(structure: Any, indicator_id: str) -> tuple[int, int, int]:
    indicator = structure.indicator(indicator_id)
    factor_index = [f.id for f in structure.factors()].index(indicator.factor_id)
    return (factor_index, indicator.stage, indicator.number)
