"""Enumerations of the capacity-building app, with translatable labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderKind(models.TextChoices):
    INTERNATIONAL = "international", _("International programme")
    JUDICIAL_SCHOOL = "judicial_school", _("School of judges or judicial school")
    CSIRT = "csirt", _("CSIRT")
    UNIVERSITY = "university", _("University")
    VENDOR = "vendor", _("Vendor")
    OTHER = "other", _("Other provider")


class Level(models.TextChoices):
    INTRODUCTORY = "introductory", _("Introductory")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")
    SPECIALIST = "specialist", _("Specialist")


class Delivery(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    BLENDED = "blended", _("Blended")


class Language(models.TextChoices):
    SPANISH = "es", _("Spanish")
    ENGLISH = "en", _("English")
    PORTUGUESE = "pt", _("Portuguese")
    OTHER = "other", _("Other language")


class Audience(models.TextChoices):
    """The professions whose training the national coordinator is asked about."""

    JUDGES = "judges", _("Judges")
    PROSECUTORS = "prosecutors", _("Prosecutors")
    POLICE = "police", _("Police")
    CSIRT_STAFF = "csirt_staff", _("CSIRT staff")
    PUBLIC_OFFICIALS = "public_officials", _("Public officials")
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure", _("Critical-infrastructure staff")
    OTHER = "other", _("Other audience")


DEFAULT_RETENTION_DAYS = 730
"""How long names and contact details are kept after a participant's last session, when the owner
organisation has set no retention period of its own (two years)."""
