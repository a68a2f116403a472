"""Statistics packages a member builds, previews, approves and sends to the regional programme."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cyberplan.core.models import Organisation

from .choices import PackageState, PackageTLP, SendState
from .package import PACKAGE_TYPE

_USER = settings.AUTH_USER_MODEL
# What an approved package never changes.
FROZEN = ("organisation_id", "period", "version", "tlp", "threshold", "content", "content_hash", "figures_digest")


class StatisticsPackage(models.Model):
    """One version of a member's package for a period: the exact file that is previewed, approved and sent.

    An approved package is immutable: only its state moves, to superseded, when a newer version of the same
    period is approved.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("member organisation"), on_delete=models.PROTECT, related_name="regional_packages"
    )
    period = models.CharField(_("period"), max_length=10, help_text=_("A year (2026) or a quarter (2026-Q2)."))
    version = models.PositiveIntegerField(_("package version"))
    state = models.CharField(_("state"), max_length=12, choices=PackageState.choices, default=PackageState.DRAFT)
    tlp = models.CharField(_("TLP"), max_length=15, choices=PackageTLP.choices, default=PackageTLP.GREEN)
    threshold = models.PositiveSmallIntegerField(_("suppression threshold"), default=10)
    share_assessment = models.BooleanField(_("share the assessment's stages"), default=False)
    content = models.TextField(_("package file (STIX 2.1 bundle)"))
    content_hash = models.CharField(_("package hash (SHA-256)"), max_length=64)
    figures_digest = models.CharField(_("figures digest (SHA-256)"), max_length=64)
    stix_modified = models.CharField(_("STIX version (modified)"), max_length=30)
    created_by = models.ForeignKey(
        _USER, verbose_name=_("built by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("built"), auto_now_add=True)
    approved_by = models.ForeignKey(
        _USER, verbose_name=_("approved by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["organisation", "-period", "-version", "-id"]
        verbose_name = _("statistics package")
        verbose_name_plural = _("statistics packages")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "period", "version"],
                condition=~models.Q(state="draft"),
                name="unique_approved_package_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.slug} {self.period} v{self.version} ({self.state})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuse any change to a stored approved package other than its being superseded."""
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values("state", *FROZEN).first()
            if stored and stored["state"] != PackageState.DRAFT:
                moving = stored["state"] == PackageState.APPROVED and self.state == PackageState.SUPERSEDED
                changed = any(stored[name] != getattr(self, name) for name in FROZEN)
                if changed or not (moving or stored["state"] == self.state):
                    raise ValidationError(_("An approved package cannot be changed; build a new version."))
        super().save(*args, **kwargs)

    def bundle(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.content)
        return loaded

    def package(self) -> dict[str, Any]:
        """The package object of the stored bundle."""
        return next(o for o in self.bundle()["objects"] if o.get("type") == PACKAGE_TYPE)

    @property
    def file_name(self) -> str:
        return f"statistics-package-{self.organisation.slug}-{self.period}-v{self.version}.json"


class Member(models.Model):
    """A member state in a regional programme's register: who may send packages, and under which identity."""

    programme = models.ForeignKey(
        Organisation, verbose_name=_("regional programme"), on_delete=models.PROTECT, related_name="regional_members"
    )
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code, e.g. PY."))
    name = models.CharField(_("name"), max_length=200, blank=True)
    identity_id = models.CharField(
        _("STIX identity id"),
        max_length=100,
        blank=True,
        help_text=_(
            "The identity that signs the member's packages (identity--...). Leave empty to confirm it from the first package."
        ),
    )
    instance_url = models.URLField(_("instance URL"), blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    shares_events = models.BooleanField(
        _("shares raw events"),
        default=False,
        help_text=_(
            "The member chose to pool its raw TLP:CLEAR and TLP:GREEN events with the programme. Without it, "
            "its event exports are refused."
        ),
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["programme", "country"]
        verbose_name = _("member state")
        verbose_name_plural = _("member states")
        constraints = [models.UniqueConstraint(fields=["programme", "country"], name="unique_member_country")]

    def __str__(self) -> str:
        return f"{self.country} {self.name}".strip()


class ReceivedPackage(models.Model):
    """A member's package as the regional programme accepted it: the bundle exactly as received."""

    programme = models.ForeignKey(
        Organisation, verbose_name=_("regional programme"), on_delete=models.PROTECT, related_name="received_packages"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member state"), on_delete=models.PROTECT, related_name="packages"
    )
    period = models.CharField(_("period"), max_length=10)
    version = models.PositiveIntegerField(_("package version"))
    stix_modified = models.CharField(_("STIX version (modified)"), max_length=30)
    tlp = models.CharField(_("TLP"), max_length=15, choices=PackageTLP.choices)
    content = models.TextField(_("package file as received"))
    content_hash = models.CharField(_("file hash (SHA-256)"), max_length=64)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    superseded = models.BooleanField(_("superseded by a newer version"), default=False)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    received_by = models.ForeignKey(
        _USER, verbose_name=_("received by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["programme", "member", "-period", "-received_at", "-id"]
        verbose_name = _("received statistics package")
        verbose_name_plural = _("received statistics packages")

    def __str__(self) -> str:
        return f"{self.member.country} {self.period} v{self.version}"

    def package(self) -> dict[str, Any]:
        bundle: dict[str, Any] = json.loads(self.content)
        return next(o for o in bundle["objects"] if isinstance(o, dict) and o.get("type") == PACKAGE_TYPE)


class PackageRefusal(models.Model):
    """A package the regional programme refused, kept with its code and reason (the file itself is not kept)."""

    programme = models.ForeignKey(
        Organisation, verbose_name=_("regional programme"), on_delete=models.PROTECT, related_name="package_refusals"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("member state"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refusals",
    )
    claimed_country = models.CharField(_("claimed country"), max_length=10, blank=True)
    claimed_identity = models.CharField(_("claimed identity"), max_length=100, blank=True)
    period = models.CharField(_("expected period"), max_length=10)
    code = models.CharField(_("refusal code"), max_length=30)
    reason = models.TextField(_("reason"))
    content_hash = models.CharField(_("file hash (SHA-256)"), max_length=64)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    received_by = models.ForeignKey(
        _USER, verbose_name=_("received by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["programme", "-received_at", "-id"]
        verbose_name = _("refused statistics package")
        verbose_name_plural = _("refused statistics packages")

    def __str__(self) -> str:
        return f"{self.claimed_country or '?'} {self.period} refused ({self.code})"


class PackageSend(models.Model):
    """One sending of an approved package to the regional programme's TAXII collection, and how it went."""

    package = models.ForeignKey(
        StatisticsPackage, verbose_name=_("statistics package"), on_delete=models.PROTECT, related_name="sends"
    )
    push = models.ForeignKey(
        "sharing.Push", verbose_name=_("TAXII push"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    state = models.CharField(_("state"), max_length=12, choices=SendState.choices, default=SendState.SENDING)
    message = models.TextField(_("message"), blank=True)
    sent_by = models.ForeignKey(
        _USER, verbose_name=_("sent by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["package", "-started_at", "-id"]
        verbose_name = _("package sending")
        verbose_name_plural = _("package sendings")

    def __str__(self) -> str:
        return f"{self.package} -> {self.state}"


class IntakeCollection(models.Model):
    """A TAXII collection of the regional programme whose packages are taken in as they arrive, for a period."""

    collection = models.OneToOneField(
        "sharing.Collection", verbose_name=_("collection"), on_delete=models.CASCADE, related_name="regional_intake"
    )
    period = models.CharField(_("expected period"), max_length=10, help_text=_("A year (2026) or a quarter (2026-Q2)."))
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        verbose_name = _("package intake collection")
        verbose_name_plural = _("package intake collections")

    def __str__(self) -> str:
        return f"{self.collection_id} {self.period}"


# The pooled events' intake record lives in a module of its own; imported here so that Django registers it.
from .pooled_models import PooledBatch  # noqa: E402

__all__ = [
    "IntakeCollection",
    "Member",
    "PackageRefusal",
    "PackageSend",
    "PooledBatch",
    "ReceivedPackage",
    "StatisticsPackage",
]
