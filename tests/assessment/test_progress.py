"""Progress between two assessments of a country, the peer benchmark and the crosswalk view."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from cyberplan.assessment import actions
from cyberplan.assessment.models import Assessment
from cyberplan.assessment.results import benchmark_figures, compare_assessments, crosswalk_views
from cyberplan.core.choices import Role
from tests.conftest import World


def meet(assessment: Assessment, factor_id: str, up_to: int) -> None:
    for indicator in assessment.framework.structure().factor(factor_id).indicators:
        if indicator.stage <= up_to:
            actions.do_answer_indicator(None, assessment.answers.get(indicator_id=indicator.id), None, value="met")


def test_compare_shows_what_moved_and_why(world: World, make_assessment: Callable[..., Assessment]) -> None:
    earlier = make_assessment(title="2026", date=dt.date(2026, 1, 1))
    later = make_assessment(title="2027", date=dt.date(2027, 1, 1))
    meet(earlier, "1.1", 1)
    meet(earlier, "2.1", 2)
    meet(later, "1.1", 2)
    meet(later, "2.1", 1)
    actions.do_add_answer_evidence(
        None, later.answers.get(indicator_id="1.1.F1"), kind="citation", label="Strategy", citation="Decree 7052/2017"
    )
    changes = {c.factor_id: c for c in compare_assessments(earlier, later)}
    assert (changes["1.1"].before, changes["1.1"].after, changes["1.1"].direction) == (1, 2, "up")
    assert (changes["2.1"].before, changes["2.1"].after, changes["2.1"].direction) == (2, 1, "down")
    assert changes["3.1"].direction == "unchanged" and changes["3.1"].answers == []
    moved = {a["indicator_id"]: a for a in changes["1.1"].answers}
    f1 = moved["1.1.F1"]
    assert (f1["before"], f1["after"]) == ("", "met")
    assert f1["evidence_before"] == [] and f1["evidence_after"] == ["Strategy Decree 7052/2017"]
    assert all(i.startswith("1.1.F") for i in moved)

    client = Client()
    client.force_login(world.users[Role.VIEWER])
    body = client.get(reverse("assessment:assessment_compare", args=[later.pk]) + f"?other={earlier.pk}")
    text = body.content.decode()
    assert body.status_code == 200
    assert "1 factor moved up" in text and "1 factor moved down" in text
    assert "Decree 7052/2017" in text


def test_compare_needs_the_same_country(world: World, make_assessment: Callable[..., Assessment]) -> None:
    py = make_assessment(country="PY")
    uy = make_assessment(country="UY")
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    response = client.get(reverse("assessment:assessment_compare", args=[py.pk]) + f"?other={uy.pk}", follow=True)
    assert "Only assessments of the same country" in response.content.decode()
    other_org = make_assessment(organisation=world.org_b, creator=world.outsider)
    response = client.get(reverse("assessment:assessment_compare", args=[py.pk]) + f"?other={other_org.pk}")
    assert response.status_code == 404


def test_benchmark_keeps_external_figures_apart(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment(country="PY")
    figures = benchmark_figures("PY")
    assert figures and all(f.external for f in figures)
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    text = client.get(reverse("assessment:assessment_benchmark", args=[assessment.pk])).content.decode()
    own, external = text.split("External figures (published by others)")
    # Paraguay's GCI 2024 tier appears only among the external figures (as a word: a random token
    # such as the CSRF value may contain the letters "T3")
    assert not re.search(r"\bT3\b", own)
    assert re.search(r"\bT3\b", external)
    for figure in figures:
        assert figure.source.split("?")[0][:40] in external
    assert "never combined" in external


def test_crosswalk_expresses_factor_stages(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    meet(assessment, "1.1", 2)
    views = crosswalk_views(assessment)
    assert len(views) == 3
    fed = [v for _target, vs in views for v in vs if "1.1" in v.factor_stages]
    assert fed and all(v.factor_stages["1.1"] == 2 for v in fed)
