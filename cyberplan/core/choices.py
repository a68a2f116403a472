"""Enumerations shared by every capability. Labels are translatable."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TLP(models.TextChoices):
    """FIRST Traffic Light Protocol 2.0 labels, from most to least shareable."""

    CLEAR = "clear", _("TLP:CLEAR")
    GREEN = "green", _("TLP:GREEN")
    AMBER = "amber", _("TLP:AMBER")
    AMBER_STRICT = "amber+strict", _("TLP:AMBER+STRICT")
    RED = "red", _("TLP:RED")


# Rank of each label: a higher rank is more restricted.
TLP_RANK = {TLP.CLEAR: 0, TLP.GREEN: 1, TLP.AMBER: 2, TLP.AMBER_STRICT: 3, TLP.RED: 4}


class OrganisationType(models.TextChoices):
    NATIONAL_AUTHORITY = "national_authority", _("National cybersecurity authority")
    NATIONAL_CSIRT = "national_csirt", _("National CSIRT")
    COMMISSION = "commission", _("Coordination body or commission")
    MINISTRY = "ministry", _("Ministry or government agency")
    PROSECUTORS = "prosecutors", _("Prosecutors' office")
    COURT = "court", _("Court or judiciary")
    POLICE = "police", _("Police")
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure", _("Critical-infrastructure operator")
    PARTNER_CSIRT = "partner_csirt", _("Partner CSIRT")
    REGIONAL_BODY = "regional_body", _("Regional or international body")
    ACADEMIA = "academia", _("Academia")
    PRIVATE = "private", _("Private company")
    CIVIL_SOCIETY = "civil_society", _("Civil society")


class Role(models.TextChoices):
    """Roles a user holds within one organisation (see docs/concepts/access.md)."""

    ADMINISTRATOR = "administrator", _("Administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    ANALYST = "analyst", _("Analyst")
    CONTRIBUTOR = "contributor", _("Contributor")
    VIEWER = "viewer", _("Viewer")
    EXTERNAL_PARTNER = "external_partner", _("External partner")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_fail", _("Sign-in failed")
