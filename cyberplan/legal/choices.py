"""Enumerations of the legal alignment app, with translatable labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InstrumentKind(models.TextChoices):
    LAW = "law", _("Law")
    DECREE = "decree", _("Decree")
    REGULATION = "regulation", _("Regulation")
    CODE = "code", _("Code")
    OTHER = "other", _("Other instrument")


class LegalStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    AMENDED = "amended", _("Amended")
    REPEALED = "repealed", _("Repealed")


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")


# The state changes a review allows: from -> allowed targets. Approved is final (frozen).
REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    ReviewState.DRAFT: frozenset({ReviewState.IN_REVIEW}),
    ReviewState.IN_REVIEW: frozenset({ReviewState.DRAFT, ReviewState.APPROVED}),
    ReviewState.APPROVED: frozenset(),
}


class Coverage(models.TextChoices):
    FULL = "full", _("Fully covered")
    PARTIAL = "partial", _("Partly covered")
    NONE = "none", _("Not covered")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Asks(models.TextChoices):
    """What a treaty article asks of a Party (the catalogue's ``asks``)."""

    CRIMINALISE = "criminalise", _("Criminalise")
    EMPOWER = "empower", _("Empower authorities")
    COOPERATE = "cooperate", _("Co-operate")
    CLAUSE = "clause", _("Procedural or final clause")


class StatusBasis(models.TextChoices):
    VERIFIED = "verified", _("Verified from a published source")
    ILLUSTRATIVE = "illustrative", _("Illustrative")
