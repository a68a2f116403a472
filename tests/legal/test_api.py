"""The legal alignment API: creating a review, mapping, coverage, comparison, importing a CSV, bad lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.legal.models import Instrument, InstrumentArticle, Review
from tests.conftest import World

from .conftest import PENAL_CODE_CSV


def _api(world: World, role: str = Role.ANALYST) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.users[role])
    return client


def test_create_map_and_read_coverage(world: World, instruments: list[Instrument]) -> None:
    api = _api(world)
    created = api.post(
        "/api/legal-reviews/",
        {"organisation": world.org_a.pk, "title": "2026", "country": "PY", "date": "2026-03-01", "tlp": "green"},
        format="json",
    )
    assert created.status_code == 201, created.content
    review_id = created.json()["id"]
    article = InstrumentArticle.objects.get(number="174 b")
    mapped = api.patch(
        f"/api/legal-reviews/{review_id}/findings/ets-185:2/",
        {"coverage": "full", "reasoning": "174 b", "national_articles": [article.pk]},
        format="json",
    )
    assert mapped.status_code == 200, mapped.content
    assert mapped.json()["national_articles"] == [article.pk]
    assert mapped.json()["flagged_articles"] == [article.pk]  # the Penal Code is recorded as amended
    rows = {(r["treaty"], r["group"]): r for r in api.get(f"/api/legal-reviews/{review_id}/coverage/").json()}
    assert rows[("ets-185", "II.1")]["full"] == 1 and rows[("ets-185", "II.1")]["applicable"] == 12
    assert rows[("ets-185", "ets-185")]["full_share"] == 1 / 48
    unknown = api.patch(
        f"/api/legal-reviews/{review_id}/findings/ets-185:3/",
        {"coverage": "full", "national_articles": [999999]},
        format="json",
    )
    assert unknown.status_code == 400 and "999999" in str(unknown.json()["national_articles"])


def test_a_viewer_cannot_create_a_review(world: World) -> None:
    response = _api(world, Role.VIEWER).post(
        "/api/legal-reviews/",
        {"organisation": world.org_a.pk, "title": "2026", "country": "PY", "date": "2026-03-01"},
        format="json",
    )
    assert response.status_code == 400 and "organisation" in response.json()
    assert not Review.objects.exists()


def test_compare_through_the_api(world: World, make_review: Callable[..., Review]) -> None:
    first, second = make_review(title="First"), make_review(title="Second")
    api = _api(world)
    api.patch(f"/api/legal-reviews/{second.pk}/findings/ets-185:16/", {"coverage": "none"}, format="json")
    changes = api.get(f"/api/legal-reviews/{second.pk}/compare/?with={first.pk}").json()
    assert changes == [{"provision": "ets-185:16", "before": "", "after": "none", "direction": "other"}]


def test_a_review_starts_only_from_one_of_its_own_organisation_and_country(
    world: World, make_review: Callable[..., Review]
) -> None:
    earlier = make_review(title="Uruguay", country="UY")
    response = _api(world).post(
        "/api/legal-reviews/",
        {
            "organisation": world.org_a.pk,
            "title": "2026",
            "country": "PY",
            "date": "2026-03-01",
            "copy_from": earlier.pk,
        },
        format="json",
    )
    assert response.status_code == 400 and "copy_from" in response.json()


def test_import_a_csv_through_the_api(world: World) -> None:
    api = _api(world)

    def send(text: str) -> Any:
        upload = SimpleUploadedFile("laws.csv", text.encode(), "text/csv")
        return api.post(
            "/api/legal-instruments/import/", {"organisation": world.org_a.pk, "country": "PY", "file": upload}
        )

    bad = send("kind,number,title,date,article\nlaw,1,Ley,2999-01-01,1\n")
    assert bad.status_code == 400
    assert bad.json() == {"file": ["Line 2: date 2999-01-01 is in the future."]}
    good = send(PENAL_CODE_CSV)
    assert good.status_code == 200
    assert good.json()["created"] == 2 and good.json()["articles_created"] == 3
    entries = AuditEntry.objects.count()
    again = send(PENAL_CODE_CSV)
    assert again.json()["unchanged"] == 2 and AuditEntry.objects.count() == entries
    listed = api.get("/api/legal-instruments/?country=PY").json()["results"]
    assert {i["number"] for i in listed} == {"1160/97", "4439"}


def test_a_finding_is_patched_field_by_field_and_absurd_ids_are_refused(
    world: World, make_review: Callable[..., Review]
) -> None:
    review = make_review()
    api = _api(world, Role.COORDINATOR)
    url = f"/api/legal-reviews/{review.pk}/findings/ets-185:2/"
    assert (
        api.patch(url, {"coverage": "partial", "reasoning": "Article 174 b covers part."}, format="json").status_code
        == 200
    )
    # Leaving a field out keeps its value: a PATCH of the reasoning alone keeps the coverage.
    kept = api.patch(url, {"reasoning": "Article 174 b covers access, not interception."}, format="json")
    assert kept.status_code == 200 and kept.json()["coverage"] == "partial"
    assert api.patch(url, {}, format="json").json()["reasoning"] == "Article 174 b covers access, not interception."
    # An id no database can hold is a clear 400, not a server error.
    huge = api.patch(url, {"national_articles": [45914608988915112084462632960]}, format="json")
    assert huge.status_code == 400 and "national_articles" in huge.json()
    # Starting from a review one may not read is a 400 naming the field.
    created = api.post(
        "/api/legal-reviews/",
        {"organisation": world.org_a.pk, "title": "T", "country": "PY", "date": "2026-03-01", "copy_from": 999999},
        format="json",
    )
    assert created.status_code == 400 and "copy_from" in created.json()
