"""Coverage into the spine: audited writes that attach it to the assessment and raise gaps from it.

Both write through the other apps' own audited actions (``do_add_answer_evidence``, ``do_upsert_gap_from_source``)
and are idempotent: attaching the same figure to the same indicator again adds nothing, and raising the gap of
the same audience, topic and year again updates the one gap (``source_key``) rather than adding another.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from cyberplan.assessment.actions import AssessmentLockedError, do_add_answer_evidence
from cyberplan.assessment.choices import EvidenceKind
from cyberplan.assessment.models import Assessment
from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, User
from cyberplan.gaps.actions import do_upsert_gap_from_source
from cyberplan.gaps.choices import GapSource, Severity
from cyberplan.gaps.models import Gap
from cyberplan.reports.marking import labels_at_or_below

from . import evidence
from .catalogue import shipped_topics
from .choices import Audience
from .kpi_access import coverage_figure


def _check_audience_topic(audience: str, topic: str | None) -> None:
    errors = {}
    if audience not in Audience.values:
        errors["audience"] = _("Choose an audience.")
    if topic and topic not in shipped_topics().by_key:
        errors["topic"] = _("Choose a topic of the catalogue.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_attach_coverage_evidence(
    actor: User | None, assessment: Assessment, *, audience: str, topic: str | None, year: int, indicator_ids: list[str]
) -> list[evidence.AttachedEvidence]:
    """Attach the national coverage of ``audience`` in ``topic`` up to ``year`` to training indicators.

    Each becomes a "link to platform data" evidence pointing at the coverage page, the figure in its label.
    The caller checks that ``actor`` may edit the assessment (``evidence.assessments_for_evidence``).
    """
    _check_audience_topic(audience, topic)
    allowed = {i.id for i in evidence.training_indicators(assessment)}
    unknown = [i for i in indicator_ids if i not in allowed]
    if unknown or not indicator_ids:
        raise ValidationError(
            {
                "indicators": _("Choose training indicators of the assessment (not %(ids)s).")
                % {"ids": ", ".join(i[:20] for i in unknown) or "—"}
            }
        )
    figure = evidence.figure_for(assessment, audience, topic, year)
    url = evidence.evidence_url(figure, assessment.organisation_id)
    label = evidence.evidence_label(figure)
    out = []
    for indicator_id in indicator_ids:
        answer = assessment.answers.get(indicator_id=indicator_id)
        if answer.evidence.filter(kind=EvidenceKind.PLATFORM, url=url).exists():
            out.append(evidence.AttachedEvidence(indicator_id, label, created=False))
            continue
        try:
            do_add_answer_evidence(actor, answer, kind=EvidenceKind.PLATFORM, label=label, url=url)
        except AssessmentLockedError:
            raise ValidationError({"assessment": _("The assessment is locked; unlock it first.")}) from None
        out.append(evidence.AttachedEvidence(indicator_id, label, created=True))
    return out


@dataclass(frozen=True)
class RaisedGap:
    """What raising did: ``gap`` is None when the audience is at or above its target (nothing to raise)."""

    share: float
    target: Decimal
    gap: Gap | None
    created: bool


def gap_key(audience: str, topic: str | None, year: int) -> str:
    return f"{audience}:{topic or 'any'}:{year}"


def _names(audience: str, topic: str | None) -> dict[str, tuple[str, str]]:
    """The audience's and the topic's names in English and in Spanish (the gap's two titles)."""
    topics = shipped_topics()
    names = {}
    for language in ("en", "es"):
        with override(language):
            topic_name = topics.topic(topic).title.get(language) if topic else _("any topic")
            names[language] = (str(Audience(audience).label), topic_name)
    return names


@transaction.atomic
def do_raise_coverage_gap(
    actor: User | None,
    organisation: Organisation,
    *,
    audience: str,
    topic: str | None,
    year: int,
    target: Decimal,
    tlp: str = TLP.GREEN,
) -> RaisedGap:
    """Raise a gap when the national share of ``audience`` trained in ``topic`` up to ``year`` is below ``target``
    (a percentage); one gap per audience, topic and year. Counts only programmes marked ``tlp`` or below.

    No audience size: ``ValidationError`` (no share, so nothing is below the target).
    """
    _check_audience_topic(audience, topic)
    if not (Decimal("0") < target <= Decimal("100")):
        raise ValidationError({"target": _("Give a target share between 0 and 100.")})
    if tlp not in TLP.values:
        raise ValidationError({"tlp": _("Choose a TLP label.")})
    figure = coverage_figure(
        organisation.pk,
        organisation.pk,
        audience=audience,
        topic=topic,
        as_of=datetime.date(year, 12, 31),
        labels=labels_at_or_below(tlp),
    )
    row = figure.row
    if row is None or row.denominator is None or row.cumulative_percent is None:
        raise ValidationError(
            {
                "audience": _("No audience size is recorded for this audience in %(year)s: there is no share.")
                % {"year": year}
            }
        )
    share = row.cumulative_percent
    if Decimal(str(round(share, 4))) >= target:
        return RaisedGap(share, target, None, False)
    names = _names(audience, topic)
    (audience_en, topic_en), (audience_es, topic_es) = names["en"], names["es"]
    figures = f"{row.cumulative_trained} / {row.denominator} ({share:.1f} %)"
    gap, created = do_upsert_gap_from_source(
        actor,
        organisation,
        source=GapSource.TRAINING,
        source_key=gap_key(audience, topic, year)[:120],
        title_en=f"{audience_en} trained in {topic_en}: {share:.1f} % in {year}, below the {target} % target"[:250],
        title_es=(
            f"{audience_es} formados en {topic_es}: {share:.1f} % en {year}, por debajo de la meta del {target} %"
        )[:250],
        description_en=(
            f"People of the audience trained in the topic up to {year}, over the audience size: {figures}. "
            f"Each person counts once. Target: {target} %."
        ),
        description_es=(
            f"Personas de la audiencia formadas en el tema hasta {year}, sobre el tamaño de la audiencia: {figures}. "
            f"Cada persona cuenta una vez. Meta: {target} %."
        ),
        severity=Severity.HIGH if Decimal(str(share)) < target / 2 else Severity.MEDIUM,
        tlp=tlp,
    )
    return RaisedGap(share, target, gap, created)
