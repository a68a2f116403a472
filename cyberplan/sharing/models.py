"""Sharing groups and their members, collections of STIX 2.1 objects, partner credentials, TAXII status
resources, and the record of each release (what one response sent, by label)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cyberplan.core.choices import TLP
from cyberplan.core.encryption import decrypt, encrypt
from cyberplan.core.models import Organisation

from .choices import CollectionContent, GroupCeiling, PullState, PushState, StatusState


class SharingGroup(models.Model):
    """Organisations that share with each other under one owner and one TLP ceiling (MISP's sharing group)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owner organisation"), on_delete=models.PROTECT, related_name="sharing_groups"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    tlp_ceiling = models.CharField(
        _("TLP ceiling"), max_length=15, choices=GroupCeiling.choices, default=GroupCeiling.GREEN
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
        ordering = ["organisation__name", "name"]
        verbose_name = _("sharing group")
        verbose_name_plural = _("sharing groups")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_sharing_group_name")]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    """A member organisation of a sharing group: whether it reads, writes, and needs to know (TLP:AMBER)."""

    group = models.ForeignKey(
        SharingGroup, verbose_name=_("sharing group"), on_delete=models.CASCADE, related_name="members"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("member organisation"),
        on_delete=models.PROTECT,
        related_name="sharing_memberships",
    )
    can_read = models.BooleanField(_("may read"), default=True)
    can_write = models.BooleanField(_("may write"), default=False)
    need_to_know = models.BooleanField(
        _("needs to know"), default=False, help_text=_("Receives TLP:AMBER objects shared in the group.")
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("sharing group member")
        verbose_name_plural = _("sharing group members")
        constraints = [models.UniqueConstraint(fields=["group", "organisation"], name="unique_sharing_group_member")]

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.group}"


class Collection(models.Model):
    """A TAXII collection of STIX objects, belonging to a sharing group."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(
        SharingGroup, verbose_name=_("sharing group"), on_delete=models.PROTECT, related_name="collections"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    content = models.CharField(
        _("holds"), max_length=20, choices=CollectionContent.choices, default=CollectionContent.INDICATORS
    )
    open_to_all_partners = models.BooleanField(
        _("open to every partner"),
        default=False,
        help_text=_("Any holder of a valid partner credential reads its TLP:CLEAR objects."),
    )
    default_tlp = models.CharField(
        _("label of unmarked posted objects"), max_length=15, choices=TLP.choices, default=TLP.AMBER
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
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["group__name", "title"]
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    def __str__(self) -> str:
        return self.title


class PartnerCredential(models.Model):
    """A key a member organisation uses to reach the TAXII server: the id is the user name, the secret is
    stored hashed and shown once, at issue or rotation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    issuer = models.ForeignKey(
        Organisation,
        verbose_name=_("issuing organisation"),
        on_delete=models.PROTECT,
        related_name="issued_credentials",
    )
    holder = models.ForeignKey(
        Organisation,
        verbose_name=_("partner organisation"),
        on_delete=models.PROTECT,
        related_name="partner_credentials",
    )
    name = models.CharField(_("name"), max_length=120)
    key = models.CharField(_("secret (hashed)"), max_length=200, editable=False)  # "key": never audited
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("rotated"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["holder__name", "name"]
        verbose_name = _("partner credential")
        verbose_name_plural = _("partner credentials")

    def __str__(self) -> str:
        return f"{self.name} ({self.holder})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class SharedObject(models.Model):
    """One version of one STIX object in one collection, as served over TAXII."""

    # No index of its own: every index below starts with the collection (each index costs every added row).
    collection = models.ForeignKey(
        Collection,
        verbose_name=_("collection"),
        on_delete=models.CASCADE,
        related_name="shared_objects",
        db_index=False,
    )
    stix_id = models.CharField(_("STIX id"), max_length=250)
    stix_type = models.CharField(_("type"), max_length=250)
    version = models.CharField(_("version"), max_length=40)  # the object's modified (or created) timestamp, as sent
    version_at = models.DateTimeField(_("version time"))  # the same, parsed, to order versions
    spec_version = models.CharField(_("spec version"), max_length=10, default="2.1")
    date_added = models.DateTimeField(_("date added"))  # server time, unique and increasing per collection
    tlp = models.CharField(_("TLP"), max_length=15, choices=TLP.choices)
    # Not indexed: only deleting an organisation looks objects up by owner alone (rare; a scan then).
    owner = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    is_latest = models.BooleanField(_("latest version"), default=True)
    is_first = models.BooleanField(_("first version"), default=True)
    body = models.JSONField(_("object"))

    class Meta:
        verbose_name = _("shared object")
        verbose_name_plural = _("shared objects")
        constraints = [
            models.UniqueConstraint(fields=["collection", "stix_id", "version"], name="unique_shared_object_version"),
            # Also the keyset of paging, (date_added, id): date_added is unique within a collection.
            models.UniqueConstraint(fields=["collection", "date_added"], name="unique_shared_object_date_added"),
        ]
        indexes = [
            models.Index(fields=["collection", "stix_id", "version_at"], name="sharing_object_versions"),
        ]

    def __str__(self) -> str:
        return f"{self.stix_id} @ {self.version}"


class Status(models.Model):
    """The TAXII status resource of one POSTed envelope."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collection = models.ForeignKey(
        Collection, verbose_name=_("collection"), on_delete=models.CASCADE, related_name="statuses"
    )
    credential = models.ForeignKey(
        PartnerCredential, verbose_name=_("credential"), on_delete=models.SET_NULL, null=True, related_name="statuses"
    )
    state = models.CharField(_("status"), max_length=10, choices=StatusState.choices, default=StatusState.COMPLETE)
    request_timestamp = models.DateTimeField(_("requested"))
    total_count = models.PositiveIntegerField(_("objects"), default=0)
    success_count = models.PositiveIntegerField(_("added"), default=0)
    failure_count = models.PositiveIntegerField(_("failed"), default=0)
    pending_count = models.PositiveIntegerField(_("pending"), default=0)
    successes = models.JSONField(_("successes"), default=list)
    failures = models.JSONField(_("failures"), default=list)

    class Meta:
        ordering = ["-request_timestamp"]
        verbose_name = _("TAXII status")
        verbose_name_plural = _("TAXII statuses")

    def __str__(self) -> str:
        return str(self.id)


class Release(models.Model):
    """What one response sent out of a collection, by label: the audited release decision of a request."""

    collection = models.ForeignKey(
        Collection, verbose_name=_("collection"), on_delete=models.CASCADE, related_name="releases"
    )
    recipient = models.ForeignKey(
        Organisation, verbose_name=_("recipient"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    credential = models.ForeignKey(
        PartnerCredential,
        verbose_name=_("credential"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=20, default="taxii")
    counts = models.JSONField(_("objects by label"), default=dict)
    released_at = models.DateTimeField(_("released"), auto_now_add=True)

    class Meta:
        ordering = ["-released_at"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        total = sum(int(v) for v in self.counts.values())
        return f"{self.collection} -> {self.recipient}: {total}"


class PartnerLogin:
    """The password or key kept to reach a partner's server: stored encrypted in ``password`` (a field of that
    name is never copied into the audit log), decrypted only to be sent to the partner."""

    password: str

    def keep_password(self, plain: str) -> None:
        """Store ``plain`` encrypted with the current key (an empty value stores none)."""
        self.password = encrypt(plain)

    def partner_password(self) -> str:
        """The password in clear, to authenticate to the partner; ``SecretUnreadableError`` if no key opens it."""
        return decrypt(self.password)


class Subscription(PartnerLogin, models.Model):
    """A collection of a partner's TAXII 2.1 server that the organisation pulls into its event store."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="taxii_subscriptions"
    )
    name = models.CharField(_("name"), max_length=200)
    api_root_url = models.URLField(_("API root URL"), max_length=500)
    collection_id = models.CharField(_("collection id"), max_length=100)
    username = models.CharField(_("user name"), max_length=200, blank=True)
    # Kept encrypted to authenticate to the partner; never shown again once entered, never audited ("password").
    password = models.TextField(_("password or key (encrypted)"), blank=True, editable=False)
    tlp = models.CharField(
        _("label of unmarked objects"),
        max_length=15,
        choices=TLP.choices,
        default=TLP.AMBER,
        help_text=_("Objects the partner sends without a TLP marking are stored at this label."),
    )
    interval_minutes = models.PositiveIntegerField(_("pull every (minutes)"), default=60)
    active = models.BooleanField(_("active"), default=True)
    added_after = models.CharField(_("pulled up to (added after)"), max_length=40, blank=True, editable=False)
    last_pull_at = models.DateTimeField(_("last pull"), null=True, blank=True, editable=False)
    last_state = models.CharField(
        _("last pull status"), max_length=20, choices=PullState.choices, default=PullState.NEVER, editable=False
    )
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    last_received = models.PositiveIntegerField(_("objects received in the last pull"), default=0, editable=False)
    last_stored = models.PositiveIntegerField(_("events stored in the last pull"), default=0, editable=False)
    last_quarantined = models.PositiveIntegerField(_("objects quarantined in the last pull"), default=0, editable=False)
    total_received = models.PositiveIntegerField(_("objects received in all"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("TAXII subscription")
        verbose_name_plural = _("TAXII subscriptions")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_subscription_name")]

    def __str__(self) -> str:
        return self.name


class Push(PartnerLogin, models.Model):
    """One of the organisation's collections pushed to a collection of a partner's TAXII 2.1 server.

    ``recipient`` is the partner organisation the objects go to: the release rule decides for it, as for that
    organisation's credential on the TAXII server. ``pushed_up_to`` is the watermark, the ``date_added`` of the
    last object of the collection a push has dealt with.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="taxii_pushes"
    )
    collection = models.ForeignKey(
        Collection, verbose_name=_("collection"), on_delete=models.PROTECT, related_name="pushes"
    )
    recipient = models.ForeignKey(
        Organisation,
        verbose_name=_("partner organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The organisation that receives the objects: only what the release rule lets go to it is sent."),
    )
    name = models.CharField(_("name"), max_length=200)
    api_root_url = models.URLField(_("API root URL"), max_length=500)
    partner_collection_id = models.CharField(_("partner's collection id"), max_length=100)
    username = models.CharField(_("user name"), max_length=200, blank=True)
    password = models.TextField(_("password or key (encrypted)"), blank=True, editable=False)
    interval_minutes = models.PositiveIntegerField(_("push every (minutes)"), default=60)
    active = models.BooleanField(_("active"), default=True)
    pushed_up_to = models.DateTimeField(_("pushed up to (date added)"), null=True, blank=True, editable=False)
    last_push_at = models.DateTimeField(_("last push"), null=True, blank=True, editable=False)
    last_state = models.CharField(
        _("last push status"), max_length=20, choices=PushState.choices, default=PushState.NEVER, editable=False
    )
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    last_sent = models.PositiveIntegerField(_("objects sent in the last push"), default=0, editable=False)
    last_succeeded = models.PositiveIntegerField(_("objects the partner added"), default=0, editable=False)
    last_failed = models.PositiveIntegerField(_("objects the partner refused"), default=0, editable=False)
    last_pending = models.PositiveIntegerField(_("objects still pending at the partner"), default=0, editable=False)
    last_withheld = models.PositiveIntegerField(_("objects withheld by the release rule"), default=0, editable=False)
    last_failures = models.JSONField(_("the partner's messages"), default=list, blank=True, editable=False)
    total_sent = models.PositiveIntegerField(_("objects sent in all"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("TAXII push")
        verbose_name_plural = _("TAXII pushes")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_push_name")]

    def __str__(self) -> str:
        return self.name
