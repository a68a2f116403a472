"""The trends dashboard offers "make the report for this period" with the period, store and TLP on screen."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cyberplan.core.choices import Role
from cyberplan.jobs.models import Job
from tests.conftest import World
from tests.trends.test_dashboard import isolated, page, signed_in, store  # noqa: F401  # fixtures (isolated, store) and helpers

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("store")]


def _offer(html: str) -> str:
    match = re.search(r'<form method="post" action="/trends/reports/"[^>]*id="report-offer".*?</form>', html, re.S)
    return match.group(0) if match else ""


def test_the_offer_posts_the_dashboards_period_store_and_tlp(world: World) -> None:
    analyst = world.users[Role.ANALYST]
    status, html = page(analyst, organisation=world.org_a.pk, period="2026-10", tlp="green")
    assert status == 200
    offer = _offer(html)
    assert "Make the report for this period" in offer
    assert "The report of Authority A (AA) for 2026-10, marked TLP:GREEN" in offer
    assert f'name="organisation" value="{world.org_a.pk}"' in offer
    assert 'name="period" value="2026-10"' in offer and 'name="tlp" value="green"' in offer
    fields = dict(re.findall(r'name="(organisation|period|tlp)" value="([^"]*)"', offer))
    response = signed_in(analyst).post(reverse("trends_report:request"), {**fields, "language": "es", "format": "pdf"})
    assert response.status_code == 302
    job = Job.objects.get()
    assert (job.organisation_id, job.parameters["period"], job.parameters["tlp"]) == (
        world.org_a.pk,
        "2026-10",
        "green",
    )
    assert response["Location"] == reverse("jobs:job_detail", args=[job.pk])


def test_without_a_tlp_filter_the_marking_is_the_most_restricted_label_read(world: World) -> None:
    _status, html = page(world.users[Role.ANALYST], organisation=world.org_a.pk, period="2026-10")
    assert 'name="tlp" value="amber+strict"' in _offer(html)
    _status, html = page(world.users[Role.COORDINATOR], organisation=world.org_a.pk, period="2026-10", sector="finance")
    offer = _offer(html)
    assert 'name="tlp" value="red"' in offer
    assert "the sector, class and country filters of this page do not apply" in offer


def test_no_offer_to_who_may_not_make_the_report(world: World) -> None:
    # The outsider is not a member of Authority A: the dashboard is 404, and no report can be asked for.
    status, html = page(world.outsider, organisation=world.org_a.pk, period="2026-10")
    assert status == 404
    assert _offer(html) == ""
