"""Helpers of the legal alignment report tests: an approved review with findings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from cyberplan.core.choices import Role
from cyberplan.legal.actions import do_set_review_state, do_update_finding, do_update_review
from cyberplan.legal.choices import Coverage, ReviewState
from cyberplan.legal.models import Instrument, Review
from tests.conftest import World


def approved_review(
    world: World,
    make_review: Callable[..., Review],
    instruments: list[Instrument],
    findings: dict[str, tuple[str, str]],
    approve: bool = True,
    contact: str = "",
    **values: object,
) -> Review:
    """A review of organisation A with ``{provision: (coverage, reasoning)}``, approved unless ``approve`` is false.

    Approval needs every article of the Convention assessed: the others are set not applicable.
    """
    review = make_review(**values)
    analyst = world.users[Role.ANALYST]
    if contact:
        review = do_update_review(analyst, review, contact_247=contact, contact_247_since=DAY)
    article = instruments[0].articles.order_by("position").first() if instruments else None
    for key, (coverage, reasoning) in findings.items():
        finding = review.provisions.get(provision=key)
        cited = [article] if article is not None and coverage in (Coverage.FULL, Coverage.PARTIAL) else []
        do_update_finding(analyst, finding, coverage=coverage, reasoning=reasoning, national_articles=cited)
    if not approve:
        return review
    review.provisions.filter(provision__startswith="ets-185:", coverage="").update(coverage=Coverage.NOT_APPLICABLE)
    coordinator = world.users[Role.COORDINATOR]
    do_set_review_state(coordinator, review, ReviewState.IN_REVIEW)
    return do_set_review_state(coordinator, review, ReviewState.APPROVED)


DAY = dt.date(2026, 3, 1)
