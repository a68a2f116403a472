"""Who may read and change legal alignment records: organisation, role and TLP (docs/concepts/access.md).

- read instruments and reviews: ``view`` in their organisation, within the TLP rules;
- import instruments, create a review, map provisions, send a review for review: ``edit``;
- approve a review, send it back to draft, turn its findings into gaps: ``decide``.

The treaty catalogue and the treaty status of countries are public facts: any signed-in user reads them.

An organisation (rather than a person) reads a review for figures made for it, such as a strategy's
automatic KPIs: all of its own reviews, and another organisation's only at the labels that cross an
organisation's boundary without a named recipient (``TLP:CLEAR`` and ``TLP:GREEN``, the release rule).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cyberplan.core.access import Permission, has_permission, visible_q
from cyberplan.core.choices import TLP
from cyberplan.core.models import User
from cyberplan.core.release import CROSSABLE, labels_within

from .choices import ReviewState
from .models import Instrument, InstrumentArticle, Review


def instruments_visible_to(user: User) -> QuerySet[Instrument]:
    return Instrument.objects.filter(visible_q(user)).select_related("organisation", "amended_by")


def access_instrument_by_id(
    user: User, instrument_id: int | str, permission: Permission = Permission.VIEW
) -> Instrument:
    """The instrument if ``user`` may see it and holds ``permission``: 404 if unseen, 403 if not allowed."""
    try:
        instrument = instruments_visible_to(user).get(pk=instrument_id)
    except (Instrument.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not has_permission(user, instrument.organisation_id, permission):
        raise PermissionDenied
    return instrument


def articles_visible_to(user: User) -> QuerySet[InstrumentArticle]:
    return InstrumentArticle.objects.filter(instrument__in=instruments_visible_to(user)).select_related("instrument")


def reviews_visible_to(user: User) -> QuerySet[Review]:
    return Review.objects.filter(visible_q(user)).select_related("organisation", "created_by", "approved_by")


def access_review_by_id(user: User, review_id: int | str, permission: Permission = Permission.VIEW) -> Review:
    """The review if ``user`` may see it and holds ``permission``: 404 if unseen, 403 if not allowed."""
    try:
        review = reviews_visible_to(user).get(pk=review_id)
    except (Review.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not has_permission(user, review.organisation_id, permission):
        raise PermissionDenied
    return review


def mappable_articles(user: User, review: Review) -> QuerySet[InstrumentArticle]:
    """The national articles a review may cite: its organisation's instruments of its country that the user sees."""
    return articles_visible_to(user).filter(
        instrument__organisation_id=review.organisation_id, instrument__country=review.country
    )


def organisation_review_labels(reader_id: int, owner_id: int) -> list[str]:
    """The TLP labels of ``owner_id``'s reviews that organisation ``reader_id`` reads, as an organisation.

    All of its own; of another organisation's, only CLEAR and GREEN (what crosses without a named recipient).
    A person's own limits are applied on top by the caller.
    """
    if reader_id == owner_id:
        return list(TLP.values)
    return labels_within(CROSSABLE, TLP.GREEN)


def latest_approved_review_for(
    reader_id: int, owner_id: int, country: str, as_of: datetime.date, labels: list[str] | None = None
) -> Review | None:
    """The latest approved review of ``country`` by ``owner_id``, dated on or before ``as_of``, that organisation
    ``reader_id`` reads (narrowed to ``labels`` when given); None when there is none."""
    allowed = organisation_review_labels(reader_id, owner_id)
    if labels is not None:
        allowed = [label for label in allowed if label in labels]
    return (
        Review.objects.filter(
            organisation_id=owner_id,
            country=country,
            state=ReviewState.APPROVED,
            date__lte=as_of,
            tlp__in=allowed,
        )
        .select_related("organisation")
        .order_by("-date", "-approved_at", "-id")
        .first()
    )
