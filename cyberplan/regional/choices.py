"""Enumerations of the regional programme. Labels are translatable."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cyberplan.core.choices import TLP

#: The worker job that takes in the packages one TAXII POST added (queued by the regional intake).
REGIONAL_INTAKE = "regional_intake"


class PackageState(models.TextChoices):
    DRAFT = "draft", _("Draft: to preview and approve")
    APPROVED = "approved", _("Approved: may be sent")
    SUPERSEDED = "superseded", _("Superseded by a newer approved version")


class PackageTLP(models.TextChoices):
    """The labels a statistics package may carry: those that cross to a named recipient (never AMBER+STRICT or RED)."""

    CLEAR = TLP.CLEAR.value, TLP.CLEAR.label
    GREEN = TLP.GREEN.value, TLP.GREEN.label
    AMBER = TLP.AMBER.value, TLP.AMBER.label


class SendState(models.TextChoices):
    """How sending an approved package to the regional programme by TAXII went, as far as the member knows."""

    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent; the regional programme has not answered yet")
    ACCEPTED = "accepted", _("Accepted by the regional programme")
    REFUSED = "refused", _("Refused by the regional programme")
    UNREACHABLE = "unreachable", _("The regional programme's server could not be reached")
    FAILED = "failed", _("Not sent")
