"""The regional dashboard page: only the programme's members see it, it shows the chosen period and members'
figures and charts (each naming its members and periods), text from packages is escaped, and it renders in
English and Spanish."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cyberplan.core.choices import OrganisationType, Role
from cyberplan.core.models import Organisation, User
from cyberplan.regional import intake
from cyberplan.regional.models import Member, ReceivedPackage
from cyberplan.regional.package import bundle_of, bundle_text
from tests.conftest import World, make_user
from tests.regional.support import CREATED, MEMBER, header, parts
from tests.regional.test_analysis import UY, YEAR_2025, py_2025, uy_figures

pytestmark = pytest.mark.django_db

URL = reverse("regional:programme_overview")


@pytest.fixture
def programme(world: World) -> Organisation:
    """A regional programme with a user of every role, PY and UY as members, and packages for 2025 and 2026."""
    org = Organisation.objects.create(name="Regional Programme", slug="programme", type=OrganisationType.REGIONAL_BODY)
    for role in Role.values:
        make_user(f"p-{role}", org, role)
    Member.objects.create(programme=org, country="PY", name="Paraguay", identity_id=MEMBER.identity_id)
    Member.objects.create(programme=org, country="UY", name="Uruguay", identity_id=UY.identity_id)
    py = parts()
    py["strategy"]["instrument"] = "<b>Decree</b> 1234"
    sent = [
        ("2026", header(), py),
        ("2026", header(member=UY, country="UY"), uy_figures()),
        (
            "2025",
            header(**YEAR_2025, created=CREATED - dt.timedelta(days=300), modified=CREATED - dt.timedelta(days=300)),
            py_2025(),
        ),
    ]
    for period, head, figures in sent:
        data = bundle_text(bundle_of(head, figures)).encode()
        assert isinstance(intake.do_receive(None, org, period, "p.json", data), ReceivedPackage)
    return org


def page(who: User, **query: Any) -> str:
    client = Client()
    client.force_login(who)
    response = client.get(URL, query)
    assert response.status_code == 200
    return response.content.decode()


def viewer() -> User:
    return User.objects.get(username="p-viewer")


def test_only_the_programme_members_see_the_dashboard(programme: Organisation, world: World) -> None:
    for outsider in (world.users[Role.ADMINISTRATOR], world.outsider, world.nobody):
        client = Client()
        client.force_login(outsider)
        assert client.get(URL).status_code == 403
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_another_programme_is_not_shown_to_a_member_of_this_one(programme: Organisation) -> None:
    other = Organisation.objects.create(name="Other Programme", slug="other", type=OrganisationType.REGIONAL_BODY)
    html = page(viewer(), programme=str(other.pk))
    assert "Other Programme" not in html and "Regional Programme" in html
    assert "PY v1 (TLP:GREEN)" in html


def test_the_dashboard_shows_every_figure_with_its_members_and_periods(programme: Organisation) -> None:
    html = page(viewer())
    assert "<h1>Regional dashboard: Regional Programme</h1>" in html
    assert "PY v1 (TLP:GREEN), UY v1 (TLP:GREEN)" in html
    assert "Members: PY, UY. Periods: 2026." in html  # trends, comparison, strategy, training
    assert "Members: PY. Periods: 2026, 2025." in html  # the change test: PY alone sent 2025
    assert "Members: UY. Periods: 2026." in html  # maturity and Convention status: UY alone shared them
    assert "Not shared by: PY." in html
    assert "at least 120" in html and "significant rise" in html and "not tested: a suppressed count" in html
    assert "0.0483" in html and "0.4" in html and "Budapest Convention (ETS 185)" in html
    for title in (
        "Events across the region by month and threat class",
        "Significant changes from the previous period",
        "Events per 1,000 announced addresses: map of the members",
        "Maturity stage per factor and country",
        "Strategy adoption timeline",
        "Convention status",
    ):
        assert f'role="img" aria-label="{title}' in html, title
    assert "&lt;b&gt;Decree&lt;/b&gt; 1234" in html and "<b>Decree</b>" not in html


def test_the_chooser_limits_the_period_and_the_members(programme: Organisation) -> None:
    only_uy = page(viewer(), period="2026", member="UY")
    assert "UY v1 (TLP:GREEN)" in only_uy and "PY v1" not in only_uy
    assert "Members: UY. Periods: 2026." in only_uy and "Members: PY, UY" not in only_uy
    earlier = page(viewer(), period="2025")
    assert "Members: PY. Periods: 2025." in earlier and "UY v1" not in earlier
    assert "there is nothing to compare" in earlier
    # A period no package holds, or a member not in the programme, falls back to what exists.
    fallback = page(viewer(), period="<script>", member="ZZ")
    assert "PY v1 (TLP:GREEN), UY v1 (TLP:GREEN)" in fallback and "<script>" not in fallback


def test_the_dashboard_renders_in_spanish(programme: Organisation) -> None:
    reader = viewer()
    reader.language = "es"
    reader.save(update_fields=["language"])
    html = page(reader)
    assert '<html lang="es">' in html and "Cobertura de la capacitación" in html
    assert 'role="img"' in html


def test_an_empty_programme_says_so(world: World) -> None:
    org = Organisation.objects.create(name="New Programme", slug="new", type=OrganisationType.REGIONAL_BODY)
    html = page(make_user("new-viewer", org, Role.VIEWER))
    assert "No package has been accepted yet" in html
