"""What the ORM keeps of the threat evidence: imports, saved column mappings and the constituency.

The events themselves are Parquet files in the event store (cyberplan.pipeline), never rows here.
"""

from __future__ import annotations

import ipaddress
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, Sector

from .choices import HolderType, ImportFormat, ImportStatus


class Import(models.Model):
    """One file brought into an organisation's event store, and what became of its records."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    format = models.CharField(_("format"), max_length=20, choices=ImportFormat.choices, default=ImportFormat.AUTO)
    detected_format = models.CharField(_("detected format"), max_length=20, blank=True)
    report_type = models.CharField(_("report type"), max_length=80, blank=True)
    mapping = models.ForeignKey(
        "ColumnMapping", verbose_name=_("column mapping"), on_delete=models.SET_NULL, null=True, blank=True
    )
    tlp = models.CharField(_("default TLP"), max_length=15, choices=TLP.choices, default=TLP.AMBER)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    read = models.PositiveBigIntegerField(_("read"), default=0)
    stored = models.PositiveBigIntegerField(_("stored"), default=0)
    duplicates = models.PositiveBigIntegerField(_("duplicates"), default=0)
    quarantined = models.PositiveBigIntegerField(_("quarantined"), default=0)
    message = models.TextField(_("message"), blank=True)
    job = models.ForeignKey("jobs.Job", verbose_name=_("job"), on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # What the import reads (the file's digest and how it is read, see threats.actions.content_key),
    # held while it runs and once it succeeded, unless it was forced; empty otherwise.
    content_key = models.CharField(_("content key"), max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            # Two imports of the same content at the same moment (two command lines, a command line and
            # the worker): only one may hold it; the other is recorded as skipped.
            models.UniqueConstraint(
                fields=["organisation", "content_key"],
                condition=models.Q(status__in=["running", "succeeded"]) & ~models.Q(content_key=""),
                name="unique_import_content",
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def adds_up(self) -> bool:
        return self.read == self.stored + self.duplicates + self.quarantined


class ColumnMapping(models.Model):
    """How the columns of a CSV file become event fields; saved to be used again."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="column_mappings"
    )
    name = models.SlugField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=250, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=1, default=",")
    columns = models.JSONField(_("columns"), default=dict)  # {column: {"field": ..., "convert": ...}}
    constants = models.JSONField(_("constant fields"), default=dict, blank=True)  # {field: value}
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_mapping_name")]

    def __str__(self) -> str:
        return self.name

    def as_pipeline_mapping(self) -> dict[str, object]:
        return {"columns": self.columns, "constants": self.constants, "delimiter": self.delimiter}


class ConstituencyEntry(models.Model):
    """One network of the CSIRT's constituency: prefix, AS, the organisation holding it and its sector."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("CSIRT"), on_delete=models.CASCADE, related_name="constituency"
    )
    network = models.CharField(_("network (CIDR)"), max_length=50)
    asn = models.PositiveBigIntegerField(_("AS number"), null=True, blank=True)
    as_name = models.CharField(_("AS name"), max_length=200, blank=True)
    holder = models.CharField(_("holder organisation"), max_length=200)
    holder_type = models.CharField(
        _("holder type"),
        max_length=20,
        choices=HolderType.choices,
        blank=True,
        help_text=_("A public body counts as government and public bodies in the trends, whatever its sector."),
    )
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), on_delete=models.PROTECT, null=True, blank=True)
    country = CountryField(_("country"), blank=True)
    note = models.CharField(_("note"), max_length=250, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["network"]
        verbose_name = _("constituency network")
        verbose_name_plural = _("constituency networks")
        constraints = [models.UniqueConstraint(fields=["organisation", "network"], name="unique_constituency_network")]

    def __str__(self) -> str:
        return f"{self.network} {self.holder}"

    def clean(self) -> None:
        try:
            network = ipaddress.ip_network(self.network.strip(), strict=False)
        except ValueError:
            raise ValidationError({"network": _("Give a network in CIDR form, such as 181.120.0.0/16.")}) from None
        self.network = str(network)


class StoreGrant(models.Model):
    """A CSIRT lets another organisation read its event store, up to a TLP ceiling, until revoked.

    What crosses is decided by the one release rule (``cyberplan.core.release``): never AMBER+STRICT or
    RED, and for each reader only what their role reads in the recipient organisation. A grant is for
    reading events: the owner's imports, quarantine and constituency stay internal, and nothing is written.
    """

    owner = models.ForeignKey(
        Organisation, verbose_name=_("store of"), on_delete=models.CASCADE, related_name="store_grants_given"
    )
    recipient = models.ForeignKey(
        Organisation, verbose_name=_("granted to"), on_delete=models.CASCADE, related_name="store_grants_received"
    )
    ceiling = models.CharField(
        _("up to"),
        max_length=15,
        choices=[(label, text) for label, text in TLP.choices if label in ("clear", "green", "amber")],
        default=TLP.GREEN,
    )
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("granted by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("store grant")
        verbose_name_plural = _("store grants")
        constraints = [
            # At most one live grant between an owner and a recipient; revoked ones stay as history.
            models.UniqueConstraint(
                fields=["owner", "recipient"],
                condition=models.Q(revoked_at__isnull=True),
                name="unique_live_store_grant",
            ),
            models.CheckConstraint(condition=~models.Q(owner=models.F("recipient")), name="store_grant_not_to_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} → {self.recipient} ({self.get_ceiling_display()})"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
