"""Alignment reviews: findings per provision, coverage arithmetic, states and freezing, comparison, flags, gaps."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from cyberplan.core.choices import Role
from cyberplan.gaps.models import Gap
from cyberplan.legal.actions import (
    do_create_review,
    do_push_review_gaps,
    do_set_review_state,
    do_update_finding,
    do_update_review,
)
from cyberplan.legal.catalogue import shipped_catalogue
from cyberplan.legal.choices import Coverage, LegalStatus, ReviewState
from cyberplan.legal.coverage import compare, coverage_by_group, share_fully_covered
from cyberplan.legal.models import Instrument, InstrumentArticle, Review
from tests.conftest import World


def _set(world: World, review: Review, provision: str, coverage: str, *articles: InstrumentArticle) -> None:
    finding = review.provisions.get(provision=provision)
    do_update_finding(
        world.users[Role.ANALYST],
        finding,
        coverage=coverage,
        reasoning=f"{provision} reasons",
        national_articles=list(articles),
    )


def _approve(world: World, review: Review) -> Review:
    for finding in review.provisions.filter(provision__startswith="ets-185:", coverage=""):
        do_update_finding(
            world.users[Role.ANALYST], finding, coverage=Coverage.NOT_APPLICABLE, reasoning="", national_articles=[]
        )
    do_set_review_state(world.users[Role.ANALYST], review, ReviewState.IN_REVIEW)
    return do_set_review_state(world.users[Role.COORDINATOR], review, ReviewState.APPROVED)


def test_a_new_review_has_one_finding_per_provision(make_review: Callable[..., Review]) -> None:
    review = make_review()
    assert review.provisions.count() == 48 + 16 + 25
    assert review.catalogue_version == "coe-cybercrime@2026.1"
    assert set(review.findings().values()) == {""}


def test_mapping_a_provision_records_reviewer_date_and_national_articles(
    world: World, make_review: Callable[..., Review], instruments: list[Instrument]
) -> None:
    review = make_review()
    article = InstrumentArticle.objects.get(number="174 b")
    _set(world, review, "ets-185:2", Coverage.FULL, article)
    finding = review.provisions.get(provision="ets-185:2")
    assert finding.coverage == Coverage.FULL
    assert finding.reviewer == world.users[Role.ANALYST]
    assert finding.reviewed_on is not None
    assert list(finding.national_articles.all()) == [article]


def test_coverage_by_chapter_and_section_leaves_not_applicable_out(
    world: World, make_review: Callable[..., Review]
) -> None:
    review = make_review()
    _set(world, review, "ets-185:2", Coverage.FULL)
    _set(world, review, "ets-185:3", Coverage.FULL)
    _set(world, review, "ets-185:4", Coverage.PARTIAL)
    _set(world, review, "ets-185:5", Coverage.NONE)
    _set(world, review, "ets-185:10", Coverage.NOT_APPLICABLE)
    rows = {r.group: r for r in coverage_by_group(shipped_catalogue(), review.findings(), "ets-185")}
    substantive = rows["II.1"]
    assert (substantive.total, substantive.applicable, substantive.full, substantive.partial) == (12, 11, 2, 1)
    assert (substantive.none, substantive.unassessed) == (1, 7)
    assert substantive.full_share == pytest.approx(2 / 11)
    assert substantive.covered_share == pytest.approx(3 / 11)
    assert rows["ets-185"].total == 48 and rows["ets-185"].applicable == 47
    assert list(rows) == ["I", "II.1", "II.2", "II.3", "III.1", "III.2", "IV", "ets-185"]
    keys = [f"ets-185:{n}" for n in range(2, 14)]
    assert share_fully_covered(shipped_catalogue(), review.findings(), keys) == pytest.approx(2 / 11)


def test_an_approved_review_is_frozen(world: World, make_review: Callable[..., Review]) -> None:
    review = make_review()
    with pytest.raises(ValidationError, match="from Draft to approved"):
        do_set_review_state(world.users[Role.COORDINATOR], review, ReviewState.APPROVED)
    do_set_review_state(world.users[Role.COORDINATOR], review, ReviewState.IN_REVIEW)
    with pytest.raises(ValidationError, match="48 provisions of the Convention have no coverage"):
        do_set_review_state(world.users[Role.COORDINATOR], review, ReviewState.APPROVED)
    do_set_review_state(world.users[Role.COORDINATOR], review, ReviewState.DRAFT)
    review = _approve(world, review)
    assert review.state == ReviewState.APPROVED and review.approved_by == world.users[Role.COORDINATOR]
    with pytest.raises(ValidationError, match="frozen"):
        _set(world, review, "ets-185:2", Coverage.FULL)
    with pytest.raises(ValidationError, match="frozen"):
        do_update_review(world.users[Role.COORDINATOR], review, contact_247="Unit of cybercrime, +595 ...")
    with pytest.raises(ValidationError):
        do_set_review_state(world.users[Role.COORDINATOR], review, ReviewState.DRAFT)


def test_two_reviews_compare_provision_by_provision(world: World, make_review: Callable[..., Review]) -> None:
    first = make_review()
    _set(world, first, "ets-185:2", Coverage.PARTIAL)
    _set(world, first, "ets-185:3", Coverage.FULL)
    second = do_create_review(
        world.users[Role.COORDINATOR],
        world.org_a,
        title="2027",
        country="PY",
        date=first.date,
        tlp=first.tlp,
        copy_from=first,
    )
    assert second.findings()["ets-185:2"] == Coverage.PARTIAL  # carried forward
    _set(world, second, "ets-185:2", Coverage.FULL)
    _set(world, second, "ets-185:3", Coverage.NONE)
    changes = {c.provision: c for c in compare(shipped_catalogue(), first.findings(), second.findings()) if c.changed}
    assert set(changes) == {"ets-185:2", "ets-185:3"}
    assert changes["ets-185:2"].direction == "better"
    assert changes["ets-185:3"].direction == "worse"


def test_a_mapping_to_a_repealed_or_amended_provision_is_flagged(
    world: World, make_review: Callable[..., Review], instruments: list[Instrument]
) -> None:
    review = make_review()
    article = InstrumentArticle.objects.get(number="175")
    _set(world, review, "ets-185:5", Coverage.FULL, article)
    finding = review.provisions.get(provision="ets-185:5")
    # The Penal Code itself is recorded as amended: every article cited from it is looked at again.
    assert finding.flagged_articles() == [article]
    Instrument.objects.filter(pk=article.instrument_id).update(status=LegalStatus.IN_FORCE)
    assert finding.flagged_articles() == []
    InstrumentArticle.objects.filter(pk=article.pk).update(status=LegalStatus.REPEALED)
    assert [a.number for a in finding.flagged_articles()] == ["175"]


def test_a_provision_of_another_organisation_cannot_be_cited(
    world: World, make_review: Callable[..., Review], instruments: list[Instrument]
) -> None:
    review = make_review(organisation=world.org_b, creator=world.outsider)
    with pytest.raises(ValidationError, match="review's country and organisation"):
        do_update_finding(
            world.outsider,
            review.provisions.get(provision="ets-185:2"),
            coverage=Coverage.FULL,
            reasoning="",
            national_articles=[InstrumentArticle.objects.get(number="175")],
        )


def test_uncovered_provisions_of_an_approved_review_become_gaps_once(
    world: World, make_review: Callable[..., Review]
) -> None:
    review = make_review()
    _set(world, review, "ets-185:2", Coverage.FULL)
    _set(world, review, "ets-185:4", Coverage.PARTIAL)
    _set(world, review, "ets-185:16", Coverage.NONE)
    with pytest.raises(ValidationError, match="Only an approved review"):
        do_push_review_gaps(world.users[Role.COORDINATOR], review)
    review = _approve(world, review)
    first = do_push_review_gaps(world.users[Role.COORDINATOR], review)
    assert (first.created, first.updated) == (2, 0)
    gaps = {g.source_key: g for g in Gap.objects.filter(source="legal")}
    assert set(gaps) == {"PY:ets-185:4", "PY:ets-185:16"}
    assert gaps["PY:ets-185:16"].severity == "high" and gaps["PY:ets-185:4"].severity == "medium"
    assert gaps["PY:ets-185:16"].identifier.startswith("LEG-")
    assert "Expedited preservation" in gaps["PY:ets-185:16"].title_en
    versions = {g.pk: g.version for g in gaps.values()}
    again = do_push_review_gaps(world.users[Role.COORDINATOR], review)
    assert (again.created, again.updated) == (0, 2)
    assert Gap.objects.filter(source="legal").count() == 2
    assert {g.pk: g.version for g in Gap.objects.filter(source="legal")} == versions
