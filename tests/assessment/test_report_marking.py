"""A gap marked above the assessment report's TLP never reaches it; the request says so and asks to confirm."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from cyberplan.assessment.models import Assessment
from cyberplan.assessment.report.content import build_report
from cyberplan.core.choices import TLP, Role
from cyberplan.gaps.models import Gap
from cyberplan.jobs.models import Job
from tests.conftest import World

WARNING = "1 gap this document would cite is marked above its marking TLP:AMBER (1 TLP:RED)"


def _gaps(make_gap: Callable[..., Gap], assessment: Assessment) -> None:
    key = f"{assessment.framework.framework_id}:{assessment.country}:"
    make_gap(source="assessment", source_key=f"{key}1.1", tlp=TLP.RED, title_en="Secret RED gap title")
    make_gap(source="assessment", source_key=f"{key}1.2", tlp=TLP.AMBER, title_en="Shared AMBER gap title")


def test_the_report_leaves_out_gaps_above_its_marking(
    world: World, make_assessment: Callable[..., Assessment], make_gap: Callable[..., Gap]
) -> None:
    assessment = make_assessment(tlp=TLP.AMBER)
    _gaps(make_gap, assessment)
    report = repr(build_report(assessment, "en"))
    assert "Secret RED gap title" not in report
    assert "Shared AMBER gap title" in report
    assert "1 gap marked above this report's TLP is left out." in report


def test_the_request_warns_and_asks_to_confirm(
    world: World, make_assessment: Callable[..., Assessment], make_gap: Callable[..., Gap]
) -> None:
    assessment = make_assessment(tlp=TLP.AMBER)
    _gaps(make_gap, assessment)
    client = Client()
    client.force_login(world.users[Role.COORDINATOR])
    page = client.get(reverse("assessment:assessment_detail", args=[assessment.pk])).content.decode()
    assert WARNING in page
    url = reverse("assessment:assessment_report", args=[assessment.pk])
    refused = client.post(url, {"language": "en", "format": "html"}, follow=True)
    assert WARNING in refused.content.decode()
    assert not Job.objects.exists()
    assert client.post(url, {"language": "en", "format": "html", "confirm_withheld": "1"}).status_code == 302
    assert Job.objects.count() == 1
    # An analyst does not read the RED gap: nothing is said about it, and nothing is asked.
    analyst = Client()
    analyst.force_login(world.users[Role.ANALYST])
    page = analyst.get(reverse("assessment:assessment_detail", args=[assessment.pk])).content.decode()
    assert "would cite" not in page
    assert analyst.post(url, {"language": "en", "format": "html"}).status_code == 302
    assert Job.objects.count() == 2
