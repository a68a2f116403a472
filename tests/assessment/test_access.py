"""Who may do what with an assessment, through the web and the API. The table is written out by hand
from docs/concepts/access.md and the rules in cyberplan/assessment/access.py, not derived from the code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cyberplan.assessment import actions
from cyberplan.assessment.access import latest_assessment_of
from cyberplan.assessment.models import Assessment
from cyberplan.core.choices import TLP, Role
from cyberplan.core.models import User
from tests.conftest import World

WHO = ["administrator", "coordinator", "analyst", "contributor", "viewer", "external_partner", "outsider", "nobody"]

# ok: 200 or 302; otherwise the status code. The assessment is TLP:GREEN, so the partner may read it.
MATRIX: dict[str, list[object]] = {
    #                 admin  coord  analyst contrib viewer partner outsider nobody
    "view": ["ok", "ok", "ok", "ok", "ok", "ok", 404, 404],
    "factor": ["ok", "ok", "ok", "ok", "ok", "ok", 404, 404],
    "answer": ["ok", "ok", "ok", 403, 403, 403, 404, 404],
    "evidence": ["ok", "ok", "ok", 403, 403, 403, 404, 404],
    "comment": ["ok", "ok", "ok", 403, 403, 403, 404, 404],
    "approve": ["ok", "ok", 403, 403, 403, 403, 404, 404],
    "target": ["ok", "ok", 403, 403, 403, 403, 404, 404],
    "assign": ["ok", "ok", 403, 403, 403, 403, 404, 404],
    "lock": ["ok", "ok", 403, 403, 403, 403, 404, 404],
    "unlock": ["ok", 403, 403, 403, 403, 403, 404, 404],
    "gaps": ["ok", "ok", 403, 403, 403, 403, 404, 404],
    "export": ["ok", "ok", "ok", "ok", "ok", "ok", 404, 404],
    "compare": ["ok", "ok", "ok", "ok", "ok", "ok", 404, 404],
    "benchmark": ["ok", "ok", "ok", "ok", "ok", "ok", 404, 404],
    "crosswalk": ["ok", "ok", "ok", "ok", "ok", "ok", 404, 404],
    "create": ["ok", "ok", "ok", 403, 403, 403, "ok", 403],  # the outsider is an analyst of B
}

API_MATRIX: dict[str, list[object]] = {
    "retrieve": [200, 200, 200, 200, 200, 200, 404, 404],
    "answer": [200, 200, 200, 403, 403, 403, 404, 404],
    "scores": [200, 200, 200, 200, 200, 200, 404, 404],
    "export": [200, 200, 200, 200, 200, 200, 404, 404],
    "lock": [200, 200, 403, 403, 403, 403, 404, 404],
}


def _user(world: World, who: str) -> User:
    if who == "outsider":
        return world.outsider
    if who == "nobody":
        return world.nobody
    return world.users[who]


def _web(client: Client, action: str, a: Assessment, other: Assessment) -> int:
    answer = a.answers.get(indicator_id="1.1.S1")
    p = f"a{answer.pk}"
    f = "1.1"
    requests: dict[str, Callable[[], object]] = {
        "view": lambda: client.get(reverse("assessment:assessment_detail", args=[a.pk])),
        "factor": lambda: client.get(reverse("assessment:factor_detail", args=[a.pk, f])),
        "answer": lambda: client.post(
            reverse("assessment:answer", args=[a.pk, f, answer.pk]),
            {f"{p}-value": "met", f"{p}-note": "", f"{p}-version": answer.version},
        ),
        "evidence": lambda: client.post(
            reverse("assessment:add_evidence", args=[a.pk, f]),
            {"indicator": "1.1.S1", "kind": "url", "label": "Page", "url": "https://example.org/"},
        ),
        "comment": lambda: client.post(reverse("assessment:add_comment", args=[a.pk, f]), {"text": "note"}),
        "approve": lambda: client.post(reverse("assessment:approve_factor", args=[a.pk, f])),
        "target": lambda: client.post(reverse("assessment:set_target", args=[a.pk, f]), {"target_stage": "2"}),
        "assign": lambda: client.post(reverse("assessment:assign_factor", args=[a.pk, f]), {"assignee": ""}),
        "lock": lambda: client.post(reverse("assessment:assessment_lock", args=[a.pk])),
        "unlock": lambda: client.post(reverse("assessment:assessment_unlock", args=[a.pk]), {"reason": "fix"}),
        "gaps": lambda: client.post(reverse("assessment:assessment_sync_gaps", args=[a.pk])),
        "export": lambda: client.get(reverse("assessment:assessment_export", args=[a.pk])),
        "compare": lambda: client.get(reverse("assessment:assessment_compare", args=[a.pk]) + f"?other={other.pk}"),
        "benchmark": lambda: client.get(reverse("assessment:assessment_benchmark", args=[a.pk])),
        "crosswalk": lambda: client.get(reverse("assessment:assessment_crosswalk", args=[a.pk])),
        "create": lambda: client.get(reverse("assessment:assessment_create")),
    }
    return requests[action]().status_code  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_web_access_matrix(world: World, make_assessment: Callable[..., Assessment], action: str) -> None:
    for n, who in enumerate(WHO):
        assessment = make_assessment(tlp=TLP.GREEN)
        other = make_assessment(tlp=TLP.GREEN, title="Earlier", date=assessment.date.replace(year=2025))
        if action == "unlock":
            actions.do_lock_assessment(None, assessment)
        client = Client()
        client.force_login(_user(world, who))
        status = _web(client, action, assessment, other)
        expected = MATRIX[action][n]
        if expected == "ok":
            assert status in (200, 302), (action, who, status)
        else:
            assert status == expected, (action, who, status)


@pytest.mark.parametrize("action", sorted(API_MATRIX))
def test_api_access_matrix(world: World, make_assessment: Callable[..., Assessment], action: str) -> None:
    for n, who in enumerate(WHO):
        a = make_assessment(tlp=TLP.GREEN)
        answer = a.answers.get(indicator_id="1.1.S1")
        client = APIClient()
        client.force_authenticate(_user(world, who))
        if action == "retrieve":
            response = client.get(f"/api/assessments/{a.pk}/")
        elif action == "answer":
            response = client.patch(
                f"/api/assessment-answers/{answer.pk}/", {"value": "met", "version": answer.version}, format="json"
            )
        elif action == "scores":
            response = client.get(f"/api/assessments/{a.pk}/scores/")
        elif action == "export":
            response = client.get(f"/api/assessments/{a.pk}/export/")
        else:
            response = client.post(f"/api/assessments/{a.pk}/lock/")
        assert response.status_code == API_MATRIX[action][n], (action, who, response.status_code)


def test_tlp_narrows_what_each_role_reads(world: World, make_assessment: Callable[..., Assessment]) -> None:
    amber = make_assessment(tlp=TLP.AMBER, title="Amber")
    red = make_assessment(tlp=TLP.RED, title="Red by coordinator")
    red_own = make_assessment(tlp=TLP.RED, title="Red by analyst", creator=world.users[Role.ANALYST])

    def sees(who: str) -> set[str]:
        client = Client()
        client.force_login(_user(world, who))
        body = client.get(reverse("assessment:assessment_list")).content.decode()
        seen = {a.title for a in (amber, red, red_own) if a.title in body}
        for a in (amber, red, red_own):
            status = client.get(reverse("assessment:assessment_detail", args=[a.pk])).status_code
            assert (status == 200) == (a.title in seen), (who, a.title, status)
        return seen

    assert sees("administrator") == {"Amber", "Red by coordinator", "Red by analyst"}
    assert sees("coordinator") == {"Amber", "Red by coordinator", "Red by analyst"}
    assert sees("analyst") == {"Amber", "Red by analyst"}
    assert sees("viewer") == {"Amber"}
    assert sees("external_partner") == set()
    assert sees("outsider") == set()
    assert sees("nobody") == set()


def test_anonymous_is_sent_to_sign_in(world: World, make_assessment: Callable[..., Assessment]) -> None:
    a = make_assessment()
    response = Client().get(reverse("assessment:assessment_detail", args=[a.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert APIClient().get(f"/api/assessments/{a.pk}/").status_code == 401


def test_latest_assessment_of_picks_the_latest_dated_on_or_before_the_day(
    world: World, make_assessment: Callable[..., Assessment]
) -> None:
    older = make_assessment(date=dt.date(2025, 6, 1), title="2025")
    newer = make_assessment(date=dt.date(2026, 3, 1), title="2026")
    make_assessment(date=dt.date(2026, 3, 1), title="Other country", country="UY")
    make_assessment(organisation=world.org_b, creator=world.outsider, date=dt.date(2026, 1, 1), title="B")

    assert latest_assessment_of(world.org_a, older.country, dt.date(2026, 12, 31)) == newer
    assert latest_assessment_of(world.org_a, older.country, dt.date(2026, 2, 28)) == older
    assert latest_assessment_of(world.org_a, older.country, dt.date(2025, 1, 1)) is None
    assert latest_assessment_of(world.org_a, older.country, dt.date(2026, 12, 31), "cyberplan-ncm") == newer
    assert latest_assessment_of(world.org_a, older.country, dt.date(2026, 12, 31), "another-framework") is None
