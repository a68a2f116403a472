"""Enumerations of the regional programme. Labels are translatable."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cyberplan.core.choices import TLP


class PackageState(models.TextChoices):
    DRAFT = "draft", _("Draft: to preview and approve")
    APPROVED = "approved", _("Approved: may be sent")
    SUPERSEDED = "superseded", _("Superseded by a newer approved version")


class PackageTLP(models.TextChoices):
    """The labels a statistics package may carry: those that cross to a named recipient (never AMBER+STRICT or RED)."""

    CLEAR = TLP.CLEAR.value, TLP.CLEAR.label
    GREEN = TLP.GREEN.value, TLP.GREEN.label
    AMBER = TLP.AMBER.value, TLP.AMBER.label
