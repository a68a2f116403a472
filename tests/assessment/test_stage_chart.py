"""The assessment page shows the report's stages-against-targets chart, drawn for the page and cached."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client

from cyberplan.assessment import actions
from cyberplan.assessment.charts import state_key
from cyberplan.assessment.models import Assessment
from cyberplan.core.choices import Role
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _chart(world: World, assessment: Assessment, language: str = "en") -> str:
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    page = client.get(f"/assessment/{assessment.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    figure = re.search(r'<figure class="col-12 col-lg-6 chart[^"]*">(.*?)</figure>', page, re.DOTALL)
    assert figure, "no chart on the assessment page"
    return figure.group(1)


def test_the_assessment_page_shows_stages_against_targets_and_draws_again_when_they_change(
    world: World, make_assessment: Callable[..., Assessment]
) -> None:
    assessment = make_assessment(title="Chart assessment")
    for indicator in assessment.framework.structure().factor("1.1").indicators_at(1):
        actions.do_answer_indicator(None, assessment.answers.get(indicator_id=indicator.id), None, value="met")

    svg = _chart(world, assessment)
    assert svg.startswith("<svg") and 'width="100%"' in svg[: svg.index(">")]
    assert 'role="img" aria-label="Stages by dimension. Dots: factor stages.' in svg
    assert "Diamonds" not in svg
    with_no_target = state_key(assessment)
    assert cache.get("assessment:chart:" + with_no_target) is not None  # kept for the next reader

    actions.do_set_target_stage(None, assessment.factors.get(factor_id="1.1"), 3)

    assert state_key(assessment) != with_no_target
    assert "Diamonds: target stages." in _chart(world, assessment)
    assert 'aria-label="Etapas por dimensión' in _chart(world, assessment, "es")  # drawn apart for each language
