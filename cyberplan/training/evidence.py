"""Coverage as evidence of the capacity assessment's training and justice-capacity indicators.

The indicators are those of the factors on awareness (3.1), professional training (3.3) and legal and
regulatory capability and capacity, that is of judges, prosecutors and police (4.3), in the shipped model.
A coverage figure is attached to an assessment of the training's own organisation only, and counts only the
programmes marked at or below the assessment's label, so the figure reaches no one who may not read them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cyberplan.assessment.framework import Indicator
from cyberplan.assessment.models import Assessment
from cyberplan.reports.marking import labels_at_or_below

from .catalogue import shipped_topics
from .choices import Audience
from .kpi_access import CoverageFigure, coverage_figure

TRAINING_FACTORS = ("3.1", "3.3", "4.3")
"""Awareness, professional training, and legal and regulatory capability and capacity."""


def training_indicators(assessment: Assessment) -> list[Indicator]:
    """The indicators of the training factors of the assessment's framework (none it lacks)."""
    structure = assessment.framework.structure()
    out: list[Indicator] = []
    for factor_id in TRAINING_FACTORS:
        try:
            out.extend(structure.factor(factor_id).indicators)
        except KeyError:
            continue
    return out


def figure_for(assessment: Assessment, audience: str, topic: str | None, year: int) -> CoverageFigure:
    """The national coverage at the end of ``year`` counted within the assessment's marking."""
    owner = assessment.organisation_id
    return coverage_figure(
        owner,
        owner,
        audience=audience,
        topic=topic,
        as_of=datetime.date(year, 12, 31),
        labels=labels_at_or_below(assessment.tlp),
    )


def evidence_url(figure: CoverageFigure, organisation_id: int) -> str:
    """The coverage page of the figure's audience and topic: one address per organisation, audience, topic, year."""
    query = {"organisation": organisation_id, "audience": figure.audience, "topic": figure.topic or ""}
    return f"{reverse('training:coverage')}?{urlencode(query)}#year-{figure.year}"


def evidence_label(figure: CoverageFigure) -> str:
    """``Judges trained in Electronic evidence up to 2026: 45 of 180 (25.0 %)`` (or why there is no share)."""
    language = get_language() or "en"
    audience = str(Audience(figure.audience).label)
    topic = shipped_topics().topic(figure.topic).title.get(language) if figure.topic else _("any topic")
    row = figure.row
    trained = row.cumulative_trained if row is not None else 0
    if row is None or row.denominator is None:
        text = _("%(audience)s trained in %(topic)s up to %(year)s: %(trained)d people; no audience size recorded") % {
            "audience": audience,
            "topic": topic,
            "year": figure.year,
            "trained": trained,
        }
    else:
        text = _("%(audience)s trained in %(topic)s up to %(year)s: %(trained)d of %(size)d (%(percent)s)") % {
            "audience": audience,
            "topic": topic,
            "year": figure.year,
            "trained": trained,
            "size": row.denominator,
            "percent": f"{row.cumulative_percent or 0:.1f} %",
        }
    return text[:250]


@dataclass(frozen=True)
class AttachedEvidence:
    indicator: str
    label: str
    created: bool  # False: the same figure was attached to this indicator already
