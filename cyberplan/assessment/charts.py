"""The assessment page's chart: the report's stages-against-targets chart, drawn for the page and cached.

The specification is the report's (:func:`.report.content.stage_chart_spec`); the page draws it
half the row wide beside the results table. The drawing is kept in Django's cache under a key made
of the assessment's state (its details, every answer and every target stage) and the language, so
a change to any of them draws it again and nothing stale is shown.
"""

from __future__ import annotations

import hashlib
import json

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.translation import get_language

from cyberplan.reports.svg import PageChart, page_svg, safe_svg

from .models import Answer, Assessment, AssessmentFactor
from .report.content import stage_chart_spec

CACHE_SECONDS = 7 * 24 * 3600
#: Changes when the page's drawing of the chart changes, so older drawings are not served.
PAGE_DRAWING = "page-3"  # page-3: every ring named, Start-up to Dynamic; no stage 0


def state_key(assessment: Assessment) -> str:
    """A digest that changes whenever what the chart shows may change."""
    answers = Answer.objects.filter(assessment=assessment).aggregate(
        changed=Max("updated_at"), answers=Count("id"), values=Count("value")
    )
    targets = list(
        AssessmentFactor.objects.filter(assessment=assessment, target_stage__isnull=False)
        .order_by("factor_id")
        .values_list("factor_id", "target_stage")
    )
    evidence = Answer.objects.filter(assessment=assessment, evidence__isnull=False).count()
    parts = [
        assessment.pk,
        assessment.updated_at,
        assessment.framework_id,
        answers,
        targets,
        evidence,
        get_language(),
        PAGE_DRAWING,
    ]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def stage_chart(assessment: Assessment, language: str) -> PageChart | None:
    """The stages-against-targets chart for the assessment page, from the cache when it is current."""
    key = "assessment:chart:" + state_key(assessment)
    svg: str | None = cache.get(key)
    if svg is None:
        svg = page_svg(stage_chart_spec(assessment, language), "half")
        cache.set(key, svg, CACHE_SECONDS)
    markup = safe_svg(svg)
    return PageChart(markup, "half") if markup is not None else None
