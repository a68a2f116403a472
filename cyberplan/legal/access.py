"""Who may read and change legal alignment records: organisation, role and TLP (docs/concepts/access.md).

- read instruments and reviews: ``view`` in their organisation, within the TLP rules;
- import instruments, create a review, map provisions, send a review for review: ``edit``;
- approve a review, send it back to draft, turn its findings into gaps: ``decide``.

The treaty catalogue and the treaty status of countries are public facts: any signed-in user reads them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cyberplan.core.access import Permission, has_permission, visible_q
from cyberplan.core.models import User

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
