"""Who may do what with legal alignment records, through the web and the API. Written out by hand from
docs/concepts/access.md and the rules in cyberplan/legal/access.py, not derived from the code."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cyberplan.core.choices import TLP, Role
from cyberplan.core.models import User
from cyberplan.legal.actions import do_set_review_state
from cyberplan.legal.choices import Coverage, ReviewState
from cyberplan.legal.models import Instrument, Review
from tests.conftest import World

WHO = ["administrator", "coordinator", "analyst", "contributor", "viewer", "external_partner", "outsider", "nobody"]

# ok: 200 or 302; otherwise the status code. The review is TLP:GREEN, so the partner may read it.
MATRIX: dict[str, list[object]] = {
    #                 admin  coord  analyst contrib viewer partner outsider nobody
    "view": ["ok", "ok", "ok", "ok", "ok", "ok", 404, 404],
    "finding": ["ok", "ok", "ok", "ok", "ok", "ok", 404, 404],
    "compare": ["ok", "ok", "ok", "ok", "ok", "ok", 404, 404],
    "map": ["ok", "ok", "ok", 403, 403, 403, 404, 404],
    "submit": ["ok", "ok", "ok", 403, 403, 403, 404, 404],
    "approve": ["ok", "ok", 403, 403, 403, 403, 404, 404],
    "instrument": ["ok", "ok", "ok", "ok", "ok", "ok", 404, 404],
    "create": ["ok", "ok", "ok", 403, 403, 403, "ok", 403],  # the outsider is an analyst of B
    "import": ["ok", "ok", "ok", 403, 403, 403, "ok", 403],
}

API_MATRIX: dict[str, list[object]] = {
    "retrieve": [200, 200, 200, 200, 200, 200, 404, 404],
    "coverage": [200, 200, 200, 200, 200, 200, 404, 404],
    "map": [200, 200, 200, 403, 403, 403, 404, 404],
    "approve": [200, 200, 403, 403, 403, 403, 404, 404],
    "instrument": [200, 200, 200, 200, 200, 200, 404, 404],
}


def _user(world: World, who: str) -> User:
    if who == "outsider":
        return world.outsider
    if who == "nobody":
        return world.nobody
    return world.users[who]


def _ready(world: World, review: Review) -> None:
    """Every Convention provision assessed and the review in review, so that it may be approved (set up
    directly: the actions' own rules are tested in test_reviews.py)."""
    review.provisions.filter(provision__startswith="ets-185:").update(coverage=Coverage.NOT_APPLICABLE)
    do_set_review_state(None, review, ReviewState.IN_REVIEW)


def _web(client: Client, action: str, review: Review, other: Review, instrument: Instrument) -> int:
    finding = reverse("legal:finding_edit", args=[review.pk, "ets-185:2"])
    requests: dict[str, Callable[[], object]] = {
        "view": lambda: client.get(reverse("legal:review_detail", args=[review.pk])),
        "finding": lambda: client.get(finding),
        "compare": lambda: client.get(reverse("legal:review_compare", args=[review.pk]) + f"?with={other.pk}"),
        "map": lambda: client.post(finding, {"coverage": "full", "reasoning": "Art. 174 b"}),
        "submit": lambda: client.post(reverse("legal:review_state", args=[review.pk]), {"state": "in_review"}),
        "approve": lambda: client.post(reverse("legal:review_state", args=[review.pk]), {"state": "approved"}),
        "instrument": lambda: client.get(reverse("legal:instrument_detail", args=[instrument.pk])),
        "create": lambda: client.get(reverse("legal:review_create")),
        "import": lambda: client.get(reverse("legal:instrument_import")),
    }
    return requests[action]().status_code  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_web_access_matrix(
    world: World, make_review: Callable[..., Review], instruments: list[Instrument], action: str
) -> None:
    other = make_review(tlp=TLP.GREEN, title="Earlier")
    shared = make_review(tlp=TLP.GREEN)
    writes = action in {"map", "submit", "approve"}
    for n, who in enumerate(WHO):
        review = make_review(tlp=TLP.GREEN) if writes else shared
        if action == "approve":
            _ready(world, review)
        client = Client()
        client.force_login(_user(world, who))
        status = _web(client, action, review, other, instruments[0])
        expected = MATRIX[action][n]
        if expected == "ok":
            assert status in (200, 302), (action, who, status)
        else:
            assert status == expected, (action, who, status)


@pytest.mark.parametrize("action", sorted(API_MATRIX))
def test_api_access_matrix(
    world: World, make_review: Callable[..., Review], instruments: list[Instrument], action: str
) -> None:
    shared = make_review(tlp=TLP.GREEN)
    for n, who in enumerate(WHO):
        review = make_review(tlp=TLP.GREEN) if action in {"map", "approve"} else shared
        client = APIClient()
        client.force_authenticate(_user(world, who))
        if action == "retrieve":
            response = client.get(f"/api/legal-reviews/{review.pk}/")
        elif action == "coverage":
            response = client.get(f"/api/legal-reviews/{review.pk}/coverage/")
        elif action == "map":
            response = client.patch(
                f"/api/legal-reviews/{review.pk}/findings/ets-185:2/", {"coverage": "partial"}, format="json"
            )
        elif action == "approve":
            _ready(world, review)
            response = client.post(f"/api/legal-reviews/{review.pk}/state/", {"state": "approved"}, format="json")
        else:
            response = client.get(f"/api/legal-instruments/{instruments[0].pk}/")
        assert response.status_code == API_MATRIX[action][n], (action, who, response.status_code)


def test_tlp_narrows_what_each_role_reads(world: World, make_review: Callable[..., Review]) -> None:
    amber = make_review(tlp=TLP.AMBER, title="Amber review")
    red = make_review(tlp=TLP.RED, title="Red review by coordinator")
    red_own = make_review(tlp=TLP.RED, title="Red review by analyst", creator=world.users[Role.ANALYST])

    def sees(who: str) -> set[str]:
        client = Client()
        client.force_login(_user(world, who))
        body = client.get(reverse("legal:review_list")).content.decode()
        return {r.title for r in (amber, red, red_own) if r.title in body}

    assert sees("coordinator") == {amber.title, red.title, red_own.title}
    assert sees("analyst") == {amber.title, red_own.title}
    assert sees("viewer") == {amber.title}
    assert sees("external_partner") == set()
    assert sees("outsider") == set()
    partner = Client()
    partner.force_login(world.users[Role.EXTERNAL_PARTNER])
    assert partner.get(reverse("legal:review_detail", args=[amber.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(world.users[Role.VIEWER])
    assert api.get(f"/api/legal-reviews/{red.pk}/coverage/").status_code == 404
    titles = {r["title"] for r in api.get("/api/legal-reviews/").json()["results"]}
    assert titles == {amber.title}
