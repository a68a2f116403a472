"""The legal alignment report from the review page: the form, the job, the download, and who may ask."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from cyberplan.core.choices import TLP, Role
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.models import Job
from cyberplan.jobs.tasks import run_job
from cyberplan.legal.choices import Coverage
from cyberplan.legal.models import Instrument, Review
from cyberplan.legal.report.jobs import LEGAL_REPORT, describe
from tests.conftest import World
from tests.legal.report_support import approved_review


def signed_in(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def test_a_reader_makes_the_report_from_the_review_page(
    world: World, make_review: Callable[..., Review], instruments: list[Instrument]
) -> None:
    review = approved_review(world, make_review, instruments, {"ets-185:2": (Coverage.FULL, "Yes.")}, title="Web")
    viewer = signed_in(world, Role.VIEWER)
    page = viewer.get(f"/legal/reviews/{review.pk}/").content.decode()
    assert f'action="/legal/reviews/{review.pk}/report/"' in page and "Make the report" in page
    response = viewer.post(f"/legal/reviews/{review.pk}/report/", {"language": "en", "format": "html"})
    job = Job.objects.get(kind=LEGAL_REPORT)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.parameters == {"review": review.pk, "tlp": "amber", "language": "en", "format": "html"}
    assert describe(job.parameters)[0][1] == "Web"
    run_job.call(str(job.pk))  # what the worker does
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    assert job.output.name.endswith(f"legal-{review.pk}-py-2026-03-01-en.html")
    html = b"".join(viewer.get(f"/jobs/{job.pk}/download/").streaming_content).decode()
    assert "Coverage matrix" in html and "TLP:AMBER" in html
    listing = viewer.get(f"/legal/reviews/{review.pk}/report/").content.decode()
    assert f"/jobs/{job.pk}/download/" in listing


def test_bad_requests_and_unreadable_reviews_are_refused(world: World, make_review: Callable[..., Review]) -> None:
    review = make_review()
    analyst = signed_in(world, Role.ANALYST)
    response = analyst.post(f"/legal/reviews/{review.pk}/report/", {"language": "fr", "format": "odt"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Job.objects.exists()
    outsider = Client()
    outsider.force_login(world.outsider)
    for method in (outsider.get, outsider.post):
        assert method(f"/legal/reviews/{review.pk}/report/", {"language": "en", "format": "pdf"}).status_code == 404
    red = make_review(tlp=TLP.RED, title="Red")
    partner = signed_in(world, Role.EXTERNAL_PARTNER)
    assert partner.post(f"/legal/reviews/{red.pk}/report/", {"language": "en", "format": "pdf"}).status_code == 404
    assert not Job.objects.exists()


def test_the_worker_checks_the_requester_again(world: World, make_review: Callable[..., Review]) -> None:
    review = make_review(tlp=TLP.RED)
    job = do_start_job(
        world.users[Role.EXTERNAL_PARTNER],
        world.org_a,
        LEGAL_REPORT,
        {"review": review.pk, "language": "en", "format": "pdf"},
    )
    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and "may no longer read this review" in job.message and not job.output
    # Another organisation's review, through a job of organisation B by its own analyst.
    other = do_start_job(
        world.outsider, world.org_b, LEGAL_REPORT, {"review": review.pk, "language": "en", "format": "pdf"}
    )
    run_job.call(str(other.pk))
    other.refresh_from_db()
    assert other.status == "failed" and "may no longer read this review" in other.message
    bad = do_start_job(world.users[Role.VIEWER], world.org_a, LEGAL_REPORT, {"review": review.pk, "language": "xx"})
    run_job.call(str(bad.pk))
    bad.refresh_from_db()
    assert bad.status == "failed" and "Choose a language." in bad.message
