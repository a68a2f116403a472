"""Before a strategy document leaves out gaps marked above its TLP, the request form says so and asks to confirm."""

from __future__ import annotations

from collections.abc import Callable

from cyberplan.core.choices import TLP, Role
from cyberplan.gaps.models import Gap
from cyberplan.jobs.models import Job
from tests.conftest import World

from .conftest import Plan, signed_in, url

WARNING = "1 gap this document would cite is marked above its marking TLP:AMBER (1 TLP:RED)"


def test_the_request_warns_and_asks_to_confirm(plan: Plan, world: World, make_gap: Callable[..., Gap]) -> None:
    make_gap(title_en="Secret weakness of the grid", tlp=TLP.RED)
    make_gap(title_en="Shared weakness", tlp=TLP.AMBER)
    client = signed_in(world.users[Role.COORDINATOR])
    page = client.get(url("report_list", plan)).content.decode()
    assert WARNING in page
    assert "Secret weakness" not in page
    data = {"kind": "strategy", "language": "en", "format": "html"}
    refused = client.post(url("report_list", plan), data)
    assert refused.status_code == 400
    assert "Confirm that the document leaves these gaps out" in refused.content.decode()
    assert not Job.objects.exists()
    assert client.post(url("report_list", plan), {**data, "confirm_withheld": "on"}).status_code == 302
    assert Job.objects.count() == 1


def test_no_question_when_nothing_is_left_out_or_the_reader_does_not_see_it(
    plan: Plan, world: World, make_gap: Callable[..., Gap]
) -> None:
    make_gap(title_en="Secret weakness of the grid", tlp=TLP.RED)
    # An analyst does not read the RED gap: the form says nothing about it.
    client = signed_in(world.users[Role.ANALYST])
    assert "would cite" not in client.get(url("report_list", plan)).content.decode()
    data = {"kind": "strategy", "language": "en", "format": "html"}
    assert client.post(url("report_list", plan), data).status_code == 302
