"""Statistics packages a member builds, previews, approves and sends to the regional programme."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cyberplan.core.models import Organisation

from .choices import PackageState, PackageTLP
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
