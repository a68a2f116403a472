"""Background jobs as users see them: what, for whom, status and progress."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cyberplan.core.models import Organisation

from . import kinds
from .choices import FINISHED, JobStatus


def job_output_path(instance: Job, filename: str) -> str:
    return f"jobs/{instance.pk}/{filename}"


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=40)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress_done = models.PositiveBigIntegerField(_("done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    # The step the job is at, as the job's own code says it (``Progress.step``): its number, how many
    # there are, and its words as a translatable key (the English text) with their parameters, so
    # each reader sees it in their own language. ``message`` keeps the English text for the API.
    step = models.PositiveSmallIntegerField(_("step"), null=True, blank=True)
    steps = models.PositiveSmallIntegerField(_("steps"), null=True, blank=True)
    message_key = models.CharField(_("message key"), max_length=300, blank=True)
    message_params = models.JSONField(_("message parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    output = models.FileField(_("output file"), upload_to=job_output_path, blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    # Asked to stop (a user cancelled it, or the worker is stopping); the job stops at its next
    # progress report, or the worker ends it after a grace period. stop_reason is what users read.
    stop_requested = models.BooleanField(_("stop requested"), default=False)
    stop_reason = models.CharField(_("reason to stop"), max_length=300, blank=True)
    stop_status = models.CharField(_("status once stopped"), max_length=10, choices=JobStatus.choices, blank=True)
    time_limit = models.PositiveIntegerField(_("time limit in seconds"), null=True, blank=True)
    # Where it runs: a job whose process is gone is recognised and marked failed (jobs.recovery).
    worker_host = models.CharField(_("worker host"), max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(_("worker process"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"{self.kind_label} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def deadline(self) -> datetime.datetime | None:
        if self.started_at is None or not self.time_limit:
            return None
        return self.started_at + datetime.timedelta(seconds=self.time_limit)

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return 100 if self.status == JobStatus.SUCCEEDED else None
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def public_parameters(self) -> dict[str, Any]:
        return kinds.public_parameters(self.kind, self.parameters)

    @property
    def kind_label(self) -> str:
        return kinds.kind_label(self.kind)

    @property
    def description(self) -> list[tuple[str, str]]:
        """What was asked, as (label, words) pairs in the active language (the kind's ``describe``)."""
        return kinds.describe(self.kind, self.public_parameters)

    @property
    def message_text(self) -> str:
        """The job's latest message in the active language: its step's words when it records steps."""
        if not self.message_key:
            return self.message
        params = self.message_params if isinstance(self.message_params, dict) else {}
        try:
            return gettext(self.message_key) % params
        except (KeyError, TypeError, ValueError):
            # A translation whose placeholders do not match: the English text the job wrote.
            return self.message
