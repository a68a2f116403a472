"""What the regional programme recorded of each member's event export it was given: pooled, or refused."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cyberplan.core.models import Organisation


class PooledBatch(models.Model):
    """One event export a member sent: pooled (with how many new events), or refused (with the reason).

    The export file itself is not kept here: accepted events are in the pool (:mod:`.pooled_store`).
    """

    programme = models.ForeignKey(
        Organisation, verbose_name=_("regional programme"), on_delete=models.PROTECT, related_name="pooled_batches"
    )
    member = models.ForeignKey(
        "regional.Member",
        verbose_name=_("member state"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pooled_batches",
    )
    claimed_country = models.CharField(_("claimed country"), max_length=10, blank=True)
    claimed_identity = models.CharField(_("claimed identity"), max_length=100, blank=True)
    accepted = models.BooleanField(_("pooled"), default=False)
    code = models.CharField(_("refusal code"), max_length=30, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    rows = models.PositiveBigIntegerField(_("events in the file"), default=0)
    added = models.PositiveBigIntegerField(_("events added to the pool"), default=0)
    content_hash = models.CharField(_("file hash (SHA-256)"), max_length=64)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["programme", "-received_at", "-id"]
        verbose_name = _("pooled event export")
        verbose_name_plural = _("pooled event exports")

    def __str__(self) -> str:
        state = "pooled" if self.accepted else f"refused ({self.code})"
        return f"{self.claimed_country or '?'} events {state}"
