"""National instruments and their articles, alignment reviews, and the treaty status of countries.

The treaty catalogue itself is data (``cyberplan.legal.catalogue``); a review keeps the catalogue
version it was made on and names provisions by key (``ets-185:2``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation

from .catalogue import shipped_catalogue
from .choices import Coverage, InstrumentKind, LegalStatus, ReviewState, StatusBasis


class Instrument(models.Model):
    """A national law, decree, code or regulation, as published."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owner organisation"), on_delete=models.PROTECT, related_name="legal_instruments"
    )
    country = CountryField(_("country"))
    kind = models.CharField(_("kind"), max_length=20, choices=InstrumentKind.choices)
    number = models.CharField(_("number"), max_length=40)
    title = models.CharField(_("title"), max_length=400)
    date = models.DateField(_("date enacted"))
    official_url = models.URLField(_("official link"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=LegalStatus.choices, default=LegalStatus.IN_FORCE)
    status_date = models.DateField(_("status since"), null=True, blank=True)
    amended_by = models.ForeignKey(
        "self",
        verbose_name=_("amending or repealing instrument"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="amends",
    )
    tlp = models.CharField(_("TLP"), max_length=15, choices=TLP.choices, default=TLP.CLEAR)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["country", "kind", "number"]
        verbose_name = _("national instrument")
        verbose_name_plural = _("national instruments")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "country", "kind", "number"], name="unique_legal_instrument"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class InstrumentArticle(models.Model):
    """One article of a national instrument."""

    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.CASCADE, related_name="articles"
    )
    number = models.CharField(_("article number"), max_length=30)
    position = models.PositiveIntegerField(_("position"), default=0)
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    # This record's text translated into the other language, shown to readers of that language
    # ({"es": {"text": "…"}}); the fields above keep the text as written.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=LegalStatus.choices, default=LegalStatus.IN_FORCE)
    amended_by = models.ForeignKey(
        Instrument,
        verbose_name=_("amending or repealing instrument"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="amended_articles",
    )

    class Meta:
        ordering = ["instrument", "position", "id"]
        verbose_name = _("article of an instrument")
        verbose_name_plural = _("articles of instruments")
        constraints = [models.UniqueConstraint(fields=["instrument", "number"], name="unique_instrument_article")]

    def __str__(self) -> str:
        return f"{self.instrument}, art. {self.number}"

    @property
    def effective_status(self) -> str:
        """The article's own status, or its instrument's when the whole instrument was repealed or amended."""
        if self.instrument.status == LegalStatus.REPEALED:
            return LegalStatus.REPEALED
        if self.status != LegalStatus.IN_FORCE:
            return self.status
        return str(self.instrument.status)

    @property
    def effective_status_label(self) -> str:
        return str(LegalStatus(self.effective_status).label)


class Review(models.Model):
    """A dated alignment review of a country's law against the treaty catalogue; frozen once approved."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owner organisation"), on_delete=models.PROTECT, related_name="legal_reviews"
    )
    title = models.CharField(_("title"), max_length=250)
    country = CountryField(_("country"))
    date = models.DateField(_("date"))
    catalogue_version = models.CharField(_("treaty catalogue"), max_length=80)
    state = models.CharField(_("state"), max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT)
    tlp = models.CharField(_("TLP"), max_length=15, choices=TLP.choices, default=TLP.AMBER)
    contact_247 = models.CharField(_("24/7 point of contact (article 35)"), max_length=300, blank=True)
    contact_247_since = models.DateField(_("24/7 point of contact designated on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # This record's text translated into the other language, shown to readers of that language
    # ({"es": {"title": "…"}}); the fields above keep the text as written.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    illustrative = models.BooleanField(_("illustrative"), default=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("alignment review")
        verbose_name_plural = _("alignment reviews")
        indexes = [models.Index(fields=["organisation", "tlp"], name="legal_review_org_tlp_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.date.isoformat() if self.date else ''})"

    @property
    def frozen(self) -> bool:
        return self.state == ReviewState.APPROVED

    def findings(self) -> dict[str, str]:
        """``{provision key: coverage}`` of every finding of the review (blank when not assessed)."""
        return dict(self.provisions.values_list("provision", "coverage"))


class ReviewProvision(models.Model):
    """The finding of a review on one treaty provision: coverage, national provisions and reasoning."""

    review = models.ForeignKey(Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="provisions")
    provision = models.CharField(_("treaty provision"), max_length=40)
    coverage = models.CharField(_("coverage"), max_length=20, choices=Coverage.choices, blank=True)
    national_articles = models.ManyToManyField(
        InstrumentArticle, verbose_name=_("national provisions"), blank=True, related_name="review_provisions"
    )
    reasoning = models.TextField(_("reasoning"), blank=True)
    reservation = models.TextField(_("reservation or declaration made"), blank=True)
    # This record's text translated into the other language, shown to readers of that language
    # ({"es": {"reasoning": "…"}}); the fields above keep the text as written.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    illustrative = models.BooleanField(_("illustrative"), default=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)

    class Meta:
        ordering = ["review", "id"]
        verbose_name = _("review finding")
        verbose_name_plural = _("review findings")
        constraints = [models.UniqueConstraint(fields=["review", "provision"], name="unique_review_provision")]

    def __str__(self) -> str:
        return f"{self.review}: {self.provision}"

    def flagged_articles(self) -> list[InstrumentArticle]:
        """The national provisions cited that are repealed or amended: the finding needs a second look."""
        return [a for a in self.national_articles.all() if a.effective_status != LegalStatus.IN_FORCE]


class TreatyStatus(models.Model):
    """Where a country stands with one treaty: signature, ratification or accession, entry into force."""

    country = CountryField(_("country"))
    treaty = models.CharField(_("treaty"), max_length=20)
    signed = models.DateField(_("signed"), null=True, blank=True)
    ratified = models.DateField(_("ratified or acceded"), null=True, blank=True)
    accession = models.BooleanField(_("by accession"), default=False)
    in_force = models.DateField(_("entry into force"), null=True, blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    basis = models.CharField(_("basis"), max_length=20, choices=StatusBasis.choices, default=StatusBasis.ILLUSTRATIVE)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["country", "treaty"]
        verbose_name = _("treaty status")
        verbose_name_plural = _("treaty statuses")
        constraints = [models.UniqueConstraint(fields=["country", "treaty"], name="unique_treaty_status")]

    def __str__(self) -> str:
        return f"{self.country} {self.treaty}"

    def clean(self) -> None:
        treaties = [t.id for t in shipped_catalogue().treaties]
        if self.treaty not in treaties:
            raise ValidationError(
                {"treaty": _("Unknown treaty (expected one of: %(treaties)s).") % {"treaties": ", ".join(treaties)}}
            )
        if self.signed and self.ratified and self.ratified < self.signed:
            raise ValidationError({"ratified": _("Ratification cannot come before signature.")})
        if self.ratified and self.in_force and self.in_force < self.ratified:
            raise ValidationError({"in_force": _("Entry into force cannot come before ratification or accession.")})
