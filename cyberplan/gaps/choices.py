from django.db import models
from django.utils.translation import gettext_lazy as _


class GapSource(models.TextChoices):
    ASSESSMENT = "assessment", _("Capacity assessment")
    LEGAL = "legal", _("Legal alignment")
    THREAT_TREND = "threat_trend", _("Threat trend")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


# Identifier prefix per source: identifiers read as ASM-0001, LEG-0003, ...
SOURCE_PREFIX = {
    GapSource.ASSESSMENT: "ASM",
    GapSource.LEGAL: "LEG",
    GapSource.THREAT_TREND: "THR",
    GapSource.TRAINING: "TRN",
    GapSource.OTHER: "GAP",
}


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


class GapStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ADDRESSED = "addressed", _("Addressed")
    CLOSED = "closed", _("Closed")


class EvidenceKind(models.TextChoices):
    URL = "url", _("Web address")
    DOCUMENT = "document", _("Uploaded document")
    CITATION = "citation", _("Legal or document citation")
    PLATFORM = "platform", _("Link to platform data")
