"""Enumerations of the sharing network. Labels are translatable."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cyberplan.core.choices import TLP


class CollectionContent(models.TextChoices):
    """What a collection holds; a MISP feed can serve the same collections."""

    INDICATORS = "indicators", _("Indicators from the event store")
    DOCUMENTS = "documents", _("Published documents")
    POSTED = "posted", _("Objects partners post")


class StatusState(models.TextChoices):
    PENDING = "pending", _("Pending")
    COMPLETE = "complete", _("Complete")


class GroupCeiling(models.TextChoices):
    """The most restricted label a sharing group carries (never TLP:RED)."""

    CLEAR = TLP.CLEAR.value, TLP.CLEAR.label
    GREEN = TLP.GREEN.value, TLP.GREEN.label
    AMBER = TLP.AMBER.value, TLP.AMBER.label
    AMBER_STRICT = TLP.AMBER_STRICT.value, TLP.AMBER_STRICT.label


class PullState(models.TextChoices):
    """How the last pull of a subscription ended."""

    NEVER = "never", _("Not pulled yet")
    OK = "ok", _("Pulled")
    UNREACHABLE = "unreachable", _("Partner server unreachable")
    TIMEOUT = "timeout", _("Partner server too slow (timed out)")
    REFUSED = "refused", _("Refused by the partner server")
    BAD_ANSWER = "bad_answer", _("Partner server answered something that is not TAXII 2.1")
    IMPORT_FAILED = "import_failed", _("Import failed")
    SECRET_UNREADABLE = "secret_unreadable", _("The stored password cannot be decrypted")


class PushState(models.TextChoices):
    """How the last push of a collection to a partner ended."""

    NEVER = "never", _("Not pushed yet")
    OK = "ok", _("Pushed")
    PARTLY_REFUSED = "partly_refused", _("Pushed; the partner refused some objects")
    PENDING = "pending", _("The partner has not finished adding the objects")
    NOT_RECEIVER = "not_receiver", _("The partner organisation may not read this collection")
    UNREACHABLE = "unreachable", _("Partner server unreachable")
    TIMEOUT = "timeout", _("Partner server too slow (timed out)")
    REFUSED = "refused", _("Refused by the partner server")
    BAD_ANSWER = "bad_answer", _("Partner server answered something that is not TAXII 2.1")
    SECRET_UNREADABLE = "secret_unreadable", _("The stored password cannot be decrypted")
