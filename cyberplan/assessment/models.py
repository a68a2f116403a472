"""Capacity assessments: frameworks stored as data, assessments, answers with evidence, factor reviews.

A ``Framework`` row keeps the parsed framework document (JSON) exactly as it was loaded, so an
assessment is always scored against the framework version it was made on, even after a newer
version is loaded. Structure (dimensions, factors, indicators) is read from that document through
``cyberplan.assessment.framework``; it is not copied into rows.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, translated

from . import framework as fw
from .choices import AnswerValue, EvidenceKind, Method

_structures: dict[tuple[int, str], fw.Framework] = {}
_structures_lock = threading.Lock()


class Framework(models.Model):
    """One version of a capacity-model framework, loaded from its data file."""

    framework_id = models.CharField(_("framework identifier"), max_length=60)
    version = models.CharField(_("version"), max_length=30)
    title_en = models.CharField(_("title (English)"), max_length=250)
    title_es = models.CharField(_("title (Spanish)"), max_length=250)
    scoring = models.CharField(_("scoring rule"), max_length=60)
    document = models.JSONField(_("framework document"))
    digest = models.CharField(_("content digest (SHA-256)"), max_length=64)
    source_name = models.CharField(_("loaded from"), max_length=250, blank=True)
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)

    class Meta:
        ordering = ["framework_id", "version"]
        verbose_name = _("assessment framework")
        verbose_name_plural = _("assessment frameworks")
        constraints = [models.UniqueConstraint(fields=["framework_id", "version"], name="unique_framework_version")]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        return f"{self.framework_id}@{self.version}"

    @property
    def title(self) -> str:
        return translated(self, "title")

    def structure(self) -> fw.Framework:
        """The checked framework built from the stored document (cached per row and content)."""
        cache_key = (self.pk, self.digest)
        with _structures_lock:
            found = _structures.get(cache_key)
        if found is None:
            found = fw.framework_from_document(self.document, f"framework {self.key} in the database")
            with _structures_lock:
                _structures[cache_key] = found
        return found


class Assessment(models.Model):
    """One assessment of a country's capacity, made on one framework version."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owner organisation"), on_delete=models.PROTECT, related_name="assessments"
    )
    title = models.CharField(_("title"), max_length=250)
    country = CountryField(_("country"))
    date = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    stakeholder_groups = models.JSONField(_("stakeholder groups"), default=list, blank=True)
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="assessments"
    )
    tlp = models.CharField(_("TLP"), max_length=15, choices=TLP.choices, default=TLP.AMBER)
    # Text of this record translated into the other language, shown to readers of that language
    # ({"es": {"title": "…"}}); the fields above keep the text as written.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    locked = models.BooleanField(_("locked"), default=False)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("locked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
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
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("capacity assessment")
        verbose_name_plural = _("capacity assessments")
        indexes = [
            models.Index(fields=["organisation", "tlp"], name="assessment_org_tlp_idx"),
            models.Index(fields=["organisation", "country", "date"], name="assessment_org_country_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date.isoformat() if self.date else ''})"


class AssessmentFactor(models.Model):
    """One factor of one assessment: who answers it, its target stage and the reviewer's approval."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="factors"
    )
    factor_id = models.CharField(_("factor"), max_length=20)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    target_stage = models.PositiveSmallIntegerField(_("target stage"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["assessment", "id"]
        verbose_name = _("assessment factor")
        verbose_name_plural = _("assessment factors")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "factor_id"], name="unique_assessment_factor"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.factor_id}"

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


class Answer(models.Model):
    """The answer to one indicator. Created blank with the assessment; ``version`` guards concurrent edits."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="answers"
    )
    factor_id = models.CharField(_("factor"), max_length=20)
    indicator_id = models.CharField(_("indicator"), max_length=30)
    value = models.CharField(_("answer"), max_length=10, choices=AnswerValue.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Text of this record translated into the other language, shown to readers of that language
    # ({"es": {"note": "…"}}); the fields above keep the text as written.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["assessment", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator_id"], name="unique_assessment_answer"),
        ]
        indexes = [models.Index(fields=["assessment", "factor_id"], name="answer_factor_idx")]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.value or '-'}"


def evidence_upload_path(instance: AnswerEvidence, filename: str) -> str:
    return f"evidence/assessments/{instance.answer.assessment_id}/{instance.answer_id}/{filename}"


class AnswerEvidence(models.Model):
    """What shows an answer: a web address, a document, a legal citation or a link to platform data.

    ``record_type`` and ``record_id`` are there for the records of later capabilities (a national
    legal instrument, a training programme): the evidence will point at them without a new table.
    """

    answer = models.ForeignKey(Answer, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    label = models.CharField(_("label"), max_length=250)
    url = models.CharField(_("address"), max_length=500, blank=True)
    citation = models.CharField(_("citation"), max_length=300, blank=True)
    document = models.FileField(_("document"), upload_to=evidence_upload_path, blank=True, max_length=300)
    note = models.TextField(_("note"), blank=True)
    # Text of this record translated into the other language, shown to readers of that language
    # ({"es": {"label": "…", "citation": "…", "note": "…"}}); the fields above keep the text as written.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    record_type = models.ForeignKey(
        ContentType, verbose_name=_("linked record type"), on_delete=models.PROTECT, null=True, blank=True
    )
    record_id = models.CharField(_("linked record"), max_length=60, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("answer evidence")
        verbose_name_plural = _("answer evidence")

    def __str__(self) -> str:
        return self.label


class FactorComment(models.Model):
    """A comment on one factor of an assessment."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="comments"
    )
    factor_id = models.CharField(_("factor"), max_length=20)
    text = models.TextField(_("comment"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("factor comment")
        verbose_name_plural = _("factor comments")

    def __str__(self) -> str:
        return f"{self.factor_id}: {self.text[:40]}"
