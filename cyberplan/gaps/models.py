"""The gap register: what is missing, where it was found, and what became of it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, translated

from .choices import EvidenceKind, GapSource, GapStatus, Severity


class Gap(models.Model):
    """A shortfall found by a source of evidence, with a stable identifier that actions can cite."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owner organisation"), on_delete=models.PROTECT, related_name="gaps"
    )
    identifier = models.CharField(_("identifier"), max_length=40, editable=False)
    source = models.CharField(_("source"), max_length=20, choices=GapSource.choices, default=GapSource.OTHER)
    source_key = models.CharField(
        _("source reference"),
        max_length=120,
        blank=True,
        help_text=_("What in the source produced the gap, for example a factor or an article."),
    )
    title_en = models.CharField(_("title (English)"), max_length=250, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=250, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(_("status"), max_length=10, choices=GapStatus.choices, default=GapStatus.OPEN)
    tlp = models.CharField(_("TLP"), max_length=15, choices=TLP.choices, default=TLP.AMBER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["organisation__name", "identifier"]
        verbose_name = _("gap")
        verbose_name_plural = _("gaps")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "identifier"], name="unique_gap_identifier"),
            models.UniqueConstraint(
                fields=["organisation", "source", "source_key"],
                condition=~models.Q(source_key=""),
                name="unique_gap_source_key",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="gap_org_status_idx"),
            models.Index(fields=["organisation", "tlp"], name="gap_org_tlp_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} {self.title}"

    @property
    def title(self) -> str:
        return translated(self, "title")

    @property
    def description(self) -> str:
        return translated(self, "description")

    def clean(self) -> None:
        if not (self.title_en.strip() or self.title_es.strip()):
            raise ValidationError({"title_en": _("Give a title in English, in Spanish, or in both.")})


def evidence_upload_path(instance: GapEvidence, filename: str) -> str:
    return f"evidence/gaps/{instance.gap_id}/{filename}"


class GapEvidence(models.Model):
    """Something that shows the gap exists, or that it was addressed."""

    gap = models.ForeignKey(Gap, verbose_name=_("gap"), on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=10, choices=EvidenceKind.choices)
    label = models.CharField(_("label"), max_length=250)
    url = models.CharField(_("address"), max_length=500, blank=True)
    citation = models.CharField(_("citation"), max_length=300, blank=True)
    document = models.FileField(_("document"), upload_to=evidence_upload_path, blank=True)
    note = models.TextField(_("note"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("gap evidence")
        verbose_name_plural = _("gap evidence")

    def __str__(self) -> str:
        return self.label


class GapSequence(models.Model):
    """The last number handed out per organisation and identifier prefix; numbers are never reused."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=8)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "prefix"], name="unique_gap_sequence")]

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last_number}"
