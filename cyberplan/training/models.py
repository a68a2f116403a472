"""Providers, programmes, courses and sessions; pseudonymous participants and their attendance;
the size of each audience (denominators); and how long names are kept.

Design notes (the names are stable: the capacity-building report, the KPI source and the assessment
evidence are built on them):

- A **programme** carries the owner organisation and the TLP label; its courses, sessions and
  attendance inherit both, so one access rule covers the whole tree.
- A **participant** is a pseudonymous record: ``key`` is the identifier the owner organisation controls
  (a staff number, a hash, a code the programme gives), unique per owner. The same person in several
  sessions is one participant, matched on that key. ``name``, ``email`` and ``phone`` are optional and
  only the training coordinator (the coordinator and administrator roles of the owner) sees them; the
  retention period erases them and sets ``names_erased_at``, keeping the record and its attendance.
- A participant's **institution** and a denominator's are the institution's name as text, optionally
  linked to a platform organisation; coverage matches the two on the name, compared without case or
  extra spaces (``institution_key``). Text rather than only a link because most institutions trained
  (a court, a ministry) are not organisations of the platform.
- A course's **topics** are keys of the shipped topic catalogue (``catalogue.py``), stored as a list.
- The **retention period** is per owner organisation (``RetentionPolicy``), with a default of
  ``choices.DEFAULT_RETENTION_DAYS`` when the organisation set none. Per organisation rather than per
  programme: one person attends several programmes of the same owner, and their name is one record.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation

from .catalogue import shipped_topics
from .choices import DEFAULT_RETENTION_DAYS, Audience, Delivery, Language, Level, ProviderKind


def institution_key(name: str) -> str:
    """How two institution names are compared: without case and without extra spaces."""
    return " ".join(name.split()).casefold()


def tidy(text: str) -> str:
    """A name as stored: stripped, inner runs of spaces collapsed."""
    return " ".join(text.split())


class Provider(models.Model):
    """Who delivers training: an international programme, a judicial school, a CSIRT, a university..."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owner organisation"), on_delete=models.PROTECT, related_name="training_providers"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ProviderKind.choices)
    website = models.URLField(_("website"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("training provider")
        verbose_name_plural = _("training providers")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_training_provider")]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    """A training programme of one provider, owned by an organisation, under a TLP label."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owner organisation"), on_delete=models.PROTECT, related_name="training_programmes"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="programmes"
    )
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    tlp = models.CharField(_("TLP"), max_length=15, choices=TLP.choices, default=TLP.GREEN)
    illustrative = models.BooleanField(_("illustrative"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-start_date", "title", "id"]
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")
        indexes = [models.Index(fields=["organisation", "tlp"], name="training_prog_org_tlp_idx")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.provider_id and self.organisation_id and self.provider.organisation_id != self.organisation_id:
            raise ValidationError({"provider": _("The provider belongs to another organisation.")})
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot come before the start date.")})


class Course(models.Model):
    """A course of a programme: what it teaches (topics), at what level, for how long, how."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="courses"
    )
    title = models.CharField(_("title"), max_length=250)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.INTRODUCTORY)
    hours = models.DecimalField(
        _("hours"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("10000"))],
    )
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.SPANISH)
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices, default=Delivery.IN_PERSON)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["programme", "title", "id"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [models.UniqueConstraint(fields=["programme", "title"], name="unique_training_course")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not isinstance(self.topics, list) or not all(isinstance(t, str) for t in self.topics):
            raise ValidationError({"topics": _("Topics must be a list of topic keys.")})
        known = shipped_topics().by_key
        unknown = [t for t in self.topics if t not in known]
        if unknown:
            raise ValidationError(
                {"topics": _("Unknown topic: %(topics)s.") % {"topics": ", ".join(sorted(set(unknown)))}}
            )
        if len(set(self.topics)) != len(self.topics):
            self.topics = list(dict.fromkeys(self.topics))

    @property
    def organisation_id(self) -> int:
        return self.programme.organisation_id


class Session(models.Model):
    """One delivery of a course: dates, place and trainers."""

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="sessions")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    trainers = models.TextField(_("trainers"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["course", "start_date", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [models.UniqueConstraint(fields=["course", "start_date"], name="unique_training_session")]

    def __str__(self) -> str:
        return f"{self.course} ({self.start_date.isoformat()})"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot come before the start date.")})

    @property
    def last_day(self) -> datetime.date:
        return self.end_date or self.start_date

    @property
    def year(self) -> int:
        """The year the session counts in: the year it ended (a completion is earned on the last day)."""
        return self.last_day.year


class Participant(models.Model):
    """A pseudonymous person trained, owned by an organisation; names are optional and erasable."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("owner organisation"),
        on_delete=models.PROTECT,
        related_name="training_participants",
    )
    key = models.CharField(
        _("pseudonymous key"),
        max_length=80,
        help_text=_("The identifier your organisation controls for this person; the same person keeps the same key."),
    )
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    institution_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("institution on the platform"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    audience = models.CharField(_("audience"), max_length=30, choices=Audience.choices)
    position = models.CharField(_("role or position"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    names_erased_at = models.DateTimeField(_("names erased at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["organisation", "key"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="unique_training_participant")]
        indexes = [models.Index(fields=["organisation", "audience"], name="training_part_org_aud_idx")]

    def __str__(self) -> str:
        return self.key

    @property
    def has_personal_data(self) -> bool:
        return bool(self.name or self.email or self.phone)

    @property
    def institution_key(self) -> str:
        return institution_key(self.institution)


PERSONAL_FIELDS = ("name", "email", "phone")
"""The participant fields only the training coordinator sees, and that retention erases."""


class Attendance(models.Model):
    """A participant in a session: attended, completed (passed), and the assessment score if any."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="attendance"
    )
    attended = models.BooleanField(_("attended"), default=True)
    completed = models.BooleanField(_("completed"), default=False)
    score = models.DecimalField(
        _("assessment score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("From 0 to 100, when the course assesses its participants."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["session", "participant__key"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance records")
        constraints = [models.UniqueConstraint(fields=["session", "participant"], name="unique_training_attendance")]

    def __str__(self) -> str:
        return f"{self.participant} @ {self.session}"

    def clean(self) -> None:
        if self.completed and not self.attended:
            raise ValidationError({"completed": _("A participant who did not attend cannot have completed.")})
        if (
            self.session_id
            and self.participant_id
            and self.participant.organisation_id != self.session.course.programme.organisation_id
        ):
            raise ValidationError(
                {"participant": _("The participant belongs to another organisation than the programme.")}
            )


class Denominator(models.Model):
    """The size of an audience in one institution and year (e.g. 180 criminal judges in 2026)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("owner organisation"),
        on_delete=models.PROTECT,
        related_name="training_denominators",
    )
    audience = models.CharField(_("audience"), max_length=30, choices=Audience.choices)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    institution = models.CharField(_("institution"), max_length=200)
    institution_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("institution on the platform"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # An explicit ceiling (no audience is larger than a country's population), so that the API schema does
    # not take the database's integer range, which differs between SQLite and PostgreSQL.
    size = models.PositiveIntegerField(_("size"), validators=[MinValueValidator(1), MaxValueValidator(100_000_000)])
    source_note = models.CharField(_("source"), max_length=400, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-year", "audience", "institution"]
        verbose_name = _("audience size")
        verbose_name_plural = _("audience sizes")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "audience", "year", "institution"], name="unique_training_denominator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution}: {self.get_audience_display()} {self.year} = {self.size}"

    @property
    def institution_key(self) -> str:
        return institution_key(self.institution)


class RetentionPolicy(models.Model):
    """How many days after a participant's last session their name and contact details are erased."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="training_retention"
    )
    days = models.PositiveIntegerField(
        _("days names are kept"), default=DEFAULT_RETENTION_DAYS, validators=[MinValueValidator(1)]
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.days}"


def retention_days(organisation_id: int) -> int:
    """The organisation's retention period in days (the default when it set none)."""
    days = RetentionPolicy.objects.filter(organisation_id=organisation_id).values_list("days", flat=True).first()
    return days if days is not None else DEFAULT_RETENTION_DAYS


class ImportStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected: nothing written")


class ParticipantImport(models.Model):
    """One participant list imported into a programme: applied whole, or rejected whole with every
    rejected row kept with its reason (``problems``: ``{"row", "column", "message", "cells"}``)."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="imports"
    )
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(_("file checksum"), max_length=64)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    problems = models.JSONField(_("rejected rows"), default=list, blank=True)
    names_ignored = models.BooleanField(_("names ignored"), default=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("participant import")
        verbose_name_plural = _("participant imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class NamedExport(models.Model):
    """A participant export with names and contact details, asked for explicitly by the training coordinator."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="training_named_exports"
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    participants = models.PositiveIntegerField(_("participants exported"), default=0)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("exported by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export with names")
        verbose_name_plural = _("exports with names")

    def __str__(self) -> str:
        return (
            f"{self.organisation}: {self.participants} ({self.created_at:%Y-%m-%d})"
            if self.created_at
            else self.purpose
        )
