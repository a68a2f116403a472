"""Enumerations of the assessment app, with translatable labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    EXPERT_REVIEW = "expert_review", _("Expert review")
    DESK_RESEARCH = "desk_research", _("Desk research")


class StakeholderGroup(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    CSIRT = "csirt", _("CSIRTs")
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure", _("Critical infrastructure operators")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    ACADEMIA = "academia", _("Academia")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    JUSTICE = "justice", _("Justice and law enforcement")
    DEFENCE = "defence", _("Defence")
    INTERNATIONAL = "international", _("International partners")


class AnswerValue(models.TextChoices):
    """The answers of cyberplan.assessment.scoring, plus "not answered yet" (blank)."""

    MET = "met", _("Met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not_met", _("Not met")
    UNKNOWN = "unknown", _("Unknown")


class EvidenceKind(models.TextChoices):
    URL = "url", _("Web address")
    DOCUMENT = "document", _("Uploaded document")
    CITATION = "citation", _("Legal citation")
    PLATFORM = "platform", _("Link to platform data")
    # Legal instruments and training records will be linked through ``record_type`` and
    # ``record_id`` when the legal and training apps exist (kinds "legal_record", "training_record").
