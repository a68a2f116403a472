"""Organisations, users, memberships, sectors and the audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .choices import AuditAction, OrganisationType, Role


def translated(obj: Any, field: str) -> str:
    """The value of ``field_<lang>`` in the active language, falling back to the other language."""
    language = (get_language() or "en")[:2]
    others = [code for code, _name in settings.LANGUAGES if code != language]
    for code in [language, *others]:
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return str(value)
    return ""


def in_reader_language(obj: Any, field: str) -> str:
    """``obj.<field>`` as written, or its translation into the active language when one is kept.

    For text people write in one language (an assessment's title, an answer's note, an evidence label):
    ``obj.translations`` may hold ``{"es": {"note": "…"}, "en": {…}}``, so that content prepared in both
    languages (the demo's, or a team's that translated it) reads in each reader's language.
    """
    language = (get_language() or "en")[:2]
    translations = getattr(obj, "translations", None) or {}
    value = translations.get(language, {}).get(field) if isinstance(translations, dict) else None
    if isinstance(value, str) and value.strip():
        return value
    return str(getattr(obj, field, "") or "")


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships."""

    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Leave empty to follow the browser's language."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Sector(models.Model):
    """A sector of society or the economy (used for organisations and, later, event victims)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_es = models.CharField(_("name (Spanish)"), max_length=120)
    is_critical = models.BooleanField(_("critical sector"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return translated(self, "name")


class Organisation(models.Model):
    """An institution taking part in the national cybersecurity effort."""

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    type = models.CharField(_("type"), max_length=40, choices=OrganisationType.choices)
    country = CountryField(_("country"))
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, null=True, blank=True, related_name="organisations"
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(
        _("illustrative demo data"), default=False, help_text=_("Created by the demo workspace; not real data.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class Membership(models.Model):
    """A user's role in one organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}: {self.get_role_display()}"


class AuditEntry(models.Model):
    """One create, update or delete: who, when, what, and the fields before and after."""

    timestamp = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    actor_name = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, verbose_name=_("record type"), on_delete=models.PROTECT)
    object_id = models.CharField(_("record id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("record"), max_length=300)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    source = models.CharField(_("channel"), max_length=20, default="web")

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


# API tokens live in their own module; imported here so Django finds the model.
from .tokens import APIToken  # noqa: E402, F401
