"""The national strategy: structure, actions and KPIs, versions and consultation, monitoring.

The rows here are the *working copy* of a strategy, which the coordinator edits. A
``StrategyVersion`` freezes the working copy as a JSON snapshot (``cyberplan.strategy.snapshot``):
versions are what is consulted on, approved, published and cited; a published version never
changes, whatever happens to the working copy afterwards.

Every element carries a ``uid`` that never changes, so versions can be compared even after
elements were renumbered or moved.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, translated
from cyberplan.gaps.models import Gap

from .choices import (
    ActionStatus,
    ElementKind,
    FocusArea,
    Frequency,
    FundingSource,
    IndicatorType,
    KPIDirection,
    KPISource,
    KPIUnit,
    MeasurementOrigin,
    Phase,
    ProgressWeighting,
    Resolution,
    VersionStatus,
)

_USER = settings.AUTH_USER_MODEL


def _new_uid() -> str:
    return uuid.uuid4().hex


class Bilingual(models.Model):
    """Title and description in English and Spanish; either language may be empty, not both."""

    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)

    class Meta:
        abstract = True

    @property
    def title(self) -> str:
        return translated(self, "title")

    @property
    def description(self) -> str:
        return translated(self, "description")


class Strategy(models.Model):
    """A national cybersecurity strategy and its action plan, owned by the national authority."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owner organisation"), on_delete=models.PROTECT, related_name="strategies"
    )
    country = CountryField(_("country"))
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=300, blank=True)
    start_year = models.PositiveSmallIntegerField(
        _("first year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    end_year = models.PositiveSmallIntegerField(
        _("last year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    review_months = models.PositiveSmallIntegerField(
        _("review every (months)"),
        default=36,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("How often the strategy is reviewed, with a new capacity assessment."),
    )
    adopted_on = models.DateField(
        _("adopted on"),
        null=True,
        blank=True,
        help_text=_(
            "The date of the act that adopted the strategy (e.g. the decree); the review cycle counts from it."
        ),
    )
    phase = models.CharField(_("current phase"), max_length=20, choices=Phase.choices, default=Phase.INITIATION)
    vision_en = models.TextField(_("vision (English)"), blank=True)
    vision_es = models.TextField(_("vision (Spanish)"), blank=True)
    foreword_en = models.TextField(_("foreword (English)"), blank=True)
    foreword_es = models.TextField(_("foreword (Spanish)"), blank=True)
    governance_en = models.TextField(_("governance (English)"), blank=True)
    governance_es = models.TextField(_("governance (Spanish)"), blank=True)
    tlp = models.CharField(_("TLP"), max_length=15, choices=TLP.choices, default=TLP.AMBER)
    illustrative = models.BooleanField(
        _("illustrative"), default=False, help_text=_("An example for demonstration, not an adopted strategy.")
    )
    progress_weighting = models.CharField(
        _("progress weighted"),
        max_length=10,
        choices=ProgressWeighting.choices,
        default=ProgressWeighting.BUDGET,
        help_text=_(
            "How axis and overall progress weigh the actions: by their budget or by the weight given to each. "
            "The unweighted mean is always shown beside."
        ),
    )
    currency = models.CharField(
        _("plan currency"),
        max_length=3,
        default="USD",
        help_text=_("ISO 4217 code of the currency the budget lines are planned in, e.g. PYG or USD."),
    )
    consultees = models.ManyToManyField(
        Organisation,
        verbose_name=_("consulted organisations"),
        blank=True,
        related_name="consulted_strategies",
        help_text=_("Their members read versions in consultation or later and comment during consultation."),
    )
    created_by = models.ForeignKey(
        _USER, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-start_year", "id"]
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        indexes = [models.Index(fields=["organisation", "tlp"], name="strategy_org_tlp_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.start_year}-{self.end_year})"

    @property
    def title(self) -> str:
        return translated(self, "title")

    @property
    def vision(self) -> str:
        return translated(self, "vision")

    @property
    def foreword(self) -> str:
        return translated(self, "foreword")

    @property
    def governance(self) -> str:
        return translated(self, "governance")


class Principle(Bilingual):
    strategy = models.ForeignKey(
        Strategy, verbose_name=_("strategy"), on_delete=models.CASCADE, related_name="principles"
    )
    uid = models.CharField(max_length=32, default=_new_uid, editable=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["strategy", "order", "id"]
        verbose_name = _("principle")
        verbose_name_plural = _("principles")

    def __str__(self) -> str:
        return self.title


class Element(Bilingual):
    """An axis, an objective or an action line. Objectives sit under axes, action lines under objectives."""

    strategy = models.ForeignKey(
        Strategy, verbose_name=_("strategy"), on_delete=models.CASCADE, related_name="elements"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ElementKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("under"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    code = models.CharField(_("code"), max_length=20, help_text=_("For example 1, 1.2 or 1.2.3."))
    uid = models.CharField(max_length=32, default=_new_uid, editable=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    focus_area = models.CharField(_("focus area"), max_length=30, choices=FocusArea.choices, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["strategy", "order", "code", "id"]
        verbose_name = _("strategy element")
        verbose_name_plural = _("strategy elements")
        constraints = [
            models.UniqueConstraint(fields=["strategy", "code"], name="unique_element_code"),
            models.UniqueConstraint(fields=["strategy", "uid"], name="unique_element_uid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Action(Bilingual):
    """Something an institution will do, with its dates, budget, status, KPIs and the gaps it addresses."""

    strategy = models.ForeignKey(Strategy, verbose_name=_("strategy"), on_delete=models.CASCADE, related_name="actions")
    parent = models.ForeignKey(
        Element,
        verbose_name=_("under"),
        on_delete=models.PROTECT,
        related_name="actions",
        help_text=_("The action line (or objective) the action serves."),
    )
    code = models.CharField(_("code"), max_length=24)
    uid = models.CharField(max_length=32, default=_new_uid, editable=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    lead = models.ForeignKey(
        Organisation,
        verbose_name=_("lead institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_actions",
    )
    supporting = models.ManyToManyField(
        Organisation, verbose_name=_("supporting institutions"), blank=True, related_name="supported_actions"
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="USD", help_text=_("ISO 4217 code, e.g. USD or PYG.")
    )
    funding_source = models.CharField(
        _("funding source"), max_length=20, choices=FundingSource.choices, default=FundingSource.TO_BE_DEFINED
    )
    funding_note = models.CharField(_("funding note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), default=0, validators=[MaxValueValidator(100)]
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The action's weight in axis and overall progress when the plan weighs by explicit weight."),
    )
    gaps = models.ManyToManyField(Gap, through="ActionGap", verbose_name=_("gaps addressed"), related_name="actions")
    created_by = models.ForeignKey(
        _USER, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["strategy", "order", "code", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(fields=["strategy", "code"], name="unique_action_code"),
            models.UniqueConstraint(fields=["strategy", "uid"], name="unique_action_uid"),
        ]
        indexes = [models.Index(fields=["strategy", "status"], name="action_strategy_status_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ActionGap(models.Model):
    """An action cites a gap it addresses."""

    action = models.ForeignKey(Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="gap_links")
    gap = models.ForeignKey(Gap, verbose_name=_("gap"), on_delete=models.CASCADE, related_name="action_links")
    note = models.CharField(_("how the action addresses it"), max_length=500, blank=True)
    linked_by = models.ForeignKey(
        _USER, verbose_name=_("linked by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    linked_at = models.DateTimeField(_("linked"), auto_now_add=True)

    class Meta:
        ordering = ["action", "gap__identifier"]
        verbose_name = _("gap addressed by an action")
        verbose_name_plural = _("gaps addressed by actions")
        constraints = [models.UniqueConstraint(fields=["action", "gap"], name="unique_action_gap")]

    def __str__(self) -> str:
        return f"{self.action_id} -> {self.gap_id}"


# The indicator type a new KPI starts with, by the level it measures (the user may change it): an
# action delivers outputs, an objective aims at an outcome, an axis at a long-term impact.
DEFAULT_INDICATOR_TYPE: dict[str, str] = {
    "action": IndicatorType.OUTPUT,
    ElementKind.LINE: IndicatorType.OUTPUT,
    ElementKind.OBJECTIVE: IndicatorType.OUTCOME,
    ElementKind.AXIS: IndicatorType.IMPACT,
}


class KPIQuerySet(models.QuerySet["KPI"]):
    """KPIs at every level: an action's, or an axis's or objective's."""

    def of_strategies(self, strategies: Strategy | models.QuerySet[Strategy] | list[int]) -> KPIQuerySet:
        """The KPIs of one strategy (an instance) or of several (a queryset or a list of ids)."""
        if isinstance(strategies, Strategy):
            return self.filter(models.Q(action__strategy=strategies) | models.Q(element__strategy=strategies))
        return self.filter(models.Q(action__strategy__in=strategies) | models.Q(element__strategy__in=strategies))

    def with_holder(self) -> KPIQuerySet:
        """Loads what :attr:`KPI.strategy` and :attr:`KPI.holder` read, in the same query."""
        return self.select_related(
            "action",
            "action__strategy",
            "action__strategy__organisation",
            "action__parent",
            "element",
            "element__strategy",
            "element__strategy__organisation",
        )


class KPI(models.Model):
    """A key performance indicator: what is measured, from where, from what to what.

    A KPI measures exactly one level of the strategy: an action (typically an output indicator) or
    an element, an objective (typically an outcome) or an axis (typically an impact).
    """

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, null=True, blank=True, related_name="kpis"
    )
    element = models.ForeignKey(
        Element,
        verbose_name=_("axis or objective"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="kpis",
        help_text=_("For an indicator of an axis or an objective rather than of an action."),
    )
    uid = models.CharField(max_length=32, default=_new_uid, editable=False)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=250, blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    definition_es = models.TextField(_("definition (Spanish)"), blank=True)
    indicator_type = models.CharField(
        _("indicator type"),
        max_length=10,
        choices=IndicatorType.choices,
        default=IndicatorType.OUTPUT,
        help_text=_("Output: what the action delivers; outcome: the change it brings; impact: the long-term effect."),
    )
    unit = models.CharField(_("unit"), max_length=10, choices=KPIUnit.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=KPIDirection.choices, default=KPIDirection.INCREASE
    )
    baseline = models.DecimalField(_("baseline"), max_digits=16, decimal_places=4, null=True, blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=4, null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency.choices, default=Frequency.YEARLY)
    source = models.CharField(_("data source"), max_length=20, choices=KPISource.choices, default=KPISource.MANUAL)
    source_detail = models.CharField(
        _("data source detail"),
        max_length=300,
        blank=True,
        help_text=_(
            "For a threat trend figure, the figure (e.g. events or sources:brute-force); for an assessment "
            "stage, the factor (e.g. 1.2); for legal coverage, the treaty and part (e.g. ets-185 II.1 full); "
            "for a manual KPI, who provides the data."
        ),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = KPIQuerySet.as_manager()

    class Meta:
        ordering = ["action", "element", "id"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        constraints = [
            models.UniqueConstraint(fields=["action", "uid"], name="unique_kpi_uid"),
            models.UniqueConstraint(fields=["element", "uid"], name="unique_element_kpi_uid"),
            models.CheckConstraint(
                condition=(
                    models.Q(action__isnull=False, element__isnull=True)
                    | models.Q(action__isnull=True, element__isnull=False)
                ),
                name="kpi_action_or_element",
                violation_error_message=_("A KPI measures either an action or an axis or objective, not both."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def holder(self) -> Action | Element:
        """The action or the element the KPI measures."""
        if self.action_id is not None:
            return self.action  # type: ignore[return-value]  # set when action_id is
        return self.element  # type: ignore[return-value]  # the check constraint sets one of the two

    @property
    def level(self) -> str:
        """``"action"``, or the kind of the element the KPI measures (axis, objective, line)."""
        holder = self.holder
        return holder.kind if isinstance(holder, Element) else "action"

    @property
    def strategy(self) -> Strategy:
        """The strategy of the KPI, whatever its level: access checks read it."""
        return self.holder.strategy

    @property
    def organisation(self) -> Organisation:
        """The strategy's owner organisation (the audit log records writes under it)."""
        return self.strategy.organisation

    @property
    def name(self) -> str:
        return translated(self, "name")

    @property
    def definition(self) -> str:
        return translated(self, "definition")


class KPIMeasurement(models.Model):
    """One value of a KPI at a date, entered by a person or computed from platform data."""

    kpi = models.ForeignKey(KPI, verbose_name=_("KPI"), on_delete=models.CASCADE, related_name="measurements")
    date = models.DateField(_("as of"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    origin = models.CharField(_("origin"), max_length=10, choices=MeasurementOrigin.choices)
    note = models.TextField(_("note"), blank=True)
    detail = models.JSONField(_("how it was computed"), default=dict, blank=True)
    recorded_by = models.ForeignKey(
        _USER, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["kpi", "date", "id"]
        verbose_name = _("KPI measurement")
        verbose_name_plural = _("KPI measurements")
        constraints = [models.UniqueConstraint(fields=["kpi", "date", "origin"], name="unique_kpi_measurement")]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.date}: {self.value}"


def progress_upload_path(instance: ProgressUpdate, filename: str) -> str:
    return f"evidence/strategy/{instance.action.strategy_id}/{instance.action_id}/{filename}"


class ProgressUpdate(models.Model):
    """A periodic report on an action: status, percentage done, what happened, and what shows it."""

    action = models.ForeignKey(Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("as of"))
    status = models.CharField(_("status"), max_length=15, choices=ActionStatus.choices)
    percent_complete = models.PositiveSmallIntegerField(_("percent complete"), validators=[MaxValueValidator(100)])
    narrative = models.TextField(_("what happened"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("reported for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The lead or supporting institution that reported; blank when the strategy's owner did."),
    )
    evidence_url = models.CharField(_("evidence address"), max_length=500, blank=True)
    evidence_document = models.FileField(
        _("evidence document"), upload_to=progress_upload_path, blank=True, max_length=300
    )
    executed_amount = models.DecimalField(
        _("amount executed"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("In the plan's currency: the total spent on the action so far in the year below."),
    )
    executed_year = models.PositiveSmallIntegerField(
        _("year executed"), null=True, blank=True, validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    executed_source = models.CharField(
        _("funding source executed"), max_length=20, choices=FundingSource.choices, blank=True
    )
    author = models.ForeignKey(
        _USER, verbose_name=_("reported by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["action", "date", "id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")

    def __str__(self) -> str:
        return f"{self.action_id} {self.date}: {self.percent_complete}%"


class StrategyVersion(models.Model):
    """A frozen copy of the strategy that goes through consultation, approval and publication."""

    strategy = models.ForeignKey(
        Strategy, verbose_name=_("strategy"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(_("status"), max_length=15, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    note = models.TextField(_("note"), blank=True)
    snapshot = models.JSONField(_("content"))
    digest = models.CharField(_("content digest (SHA-256)"), max_length=64)
    created_by = models.ForeignKey(
        _USER, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    consultation_opened_at = models.DateTimeField(_("consultation opened"), null=True, blank=True)
    consultation_closes_on = models.DateField(_("consultation closes"), null=True, blank=True)
    approved_by = models.ForeignKey(
        _USER, verbose_name=_("approved by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    published_by = models.ForeignKey(
        _USER, verbose_name=_("published by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    legal_reference = models.CharField(
        _("adopted by"), max_length=300, blank=True, help_text=_("The act that adopted it, e.g. a decree and its date.")
    )
    version = models.PositiveIntegerField(_("edit version"), default=1, editable=False)

    class Meta:
        ordering = ["strategy", "-number"]
        verbose_name = _("strategy version")
        verbose_name_plural = _("strategy versions")
        constraints = [models.UniqueConstraint(fields=["strategy", "number"], name="unique_strategy_version")]

    def __str__(self) -> str:
        return f"v{self.number} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuse any change to a version stored as published or withdrawn: it is cited as it is."""
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored in (VersionStatus.PUBLISHED, VersionStatus.WITHDRAWN):
                raise ValidationError(_("A published or withdrawn version cannot be changed."))
        super().save(*args, **kwargs)

    @property
    def citation(self) -> str:
        """How a published version is cited: title, version number and publication date."""
        frozen = (self.snapshot or {}).get("strategy", {})
        title = translated(_Frozen(frozen), "title") or translated(self.strategy, "title")
        when = timezone.localdate(self.published_at).isoformat() if self.published_at else ""
        return f"{title}, v{self.number}" + (f", {when}" if when else "")


class _Frozen:
    """Attribute access to a snapshot's strategy fields, for :func:`translated`."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        return self._values.get(name, "")


class Comment(models.Model):
    """A stakeholder's comment on one section of a version in consultation, and how it was resolved."""

    strategy_version = models.ForeignKey(
        StrategyVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="comments"
    )
    section = models.CharField(_("section"), max_length=40, help_text=_("The uid of the element, or a text section."))
    section_label = models.CharField(_("section"), max_length=300)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("on behalf of"), on_delete=models.PROTECT, related_name="strategy_comments"
    )
    author = models.ForeignKey(
        _USER, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    resolution = models.CharField(
        _("resolution"), max_length=10, choices=Resolution.choices, default=Resolution.PENDING
    )
    resolution_note = models.TextField(_("resolution note"), blank=True)
    resolved_by = models.ForeignKey(
        _USER, verbose_name=_("resolved by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    version = models.PositiveIntegerField(_("edit version"), default=1, editable=False)

    class Meta:
        ordering = ["strategy_version", "created_at", "id"]
        verbose_name = _("consultation comment")
        verbose_name_plural = _("consultation comments")
        indexes = [models.Index(fields=["strategy_version", "section"], name="comment_version_section_idx")]

    def __str__(self) -> str:
        return f"{self.section_label}: {self.text[:40]}"


class PhaseTask(Bilingual):
    """One thing a lifecycle phase needs: who is responsible, by when, whether it is done, what shows it."""

    strategy = models.ForeignKey(Strategy, verbose_name=_("strategy"), on_delete=models.CASCADE, related_name="tasks")
    key = models.CharField(
        _("standard task"),
        max_length=30,
        blank=True,
        editable=False,
        help_text=_("Which of the tasks offered with a new strategy this is; blank for a task added by hand."),
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    responsible = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="strategy_tasks",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    evidence_url = models.CharField(
        _("evidence"), max_length=500, blank=True, help_text=_("A web address or a platform page (starting with /).")
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["strategy", "phase", "order", "id"]
        verbose_name = _("lifecycle task")
        verbose_name_plural = _("lifecycle tasks")

    def __str__(self) -> str:
        return self.title


class BudgetLine(models.Model):
    """A planned amount of an action for one year of the strategy from one funding source.

    ``amount`` is in the strategy's plan currency. A line entered in another currency keeps what was
    typed (``stated_amount``, ``stated_currency``) and the exchange rate that converted it.
    """

    action = models.ForeignKey(Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    funding_source = models.CharField(
        _("funding source"), max_length=20, choices=FundingSource.choices, default=FundingSource.TO_BE_DEFINED
    )
    amount = models.DecimalField(
        _("amount (plan currency)"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    stated_amount = models.DecimalField(_("amount as stated"), max_digits=16, decimal_places=2, null=True, blank=True)
    stated_currency = models.CharField(_("currency as stated"), max_length=3, blank=True)
    rate = models.DecimalField(_("exchange rate used"), max_digits=20, decimal_places=8, null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["action", "year", "funding_source", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.year} · {self.get_funding_source_display()} · {self.amount}"


class ExchangeRate(models.Model):
    """A rate the user states for a strategy: one unit of ``base`` is worth ``rate`` units of ``quote``.

    Rates are user data with their source; the platform never looks rates up.
    """

    strategy = models.ForeignKey(
        Strategy, verbose_name=_("strategy"), on_delete=models.CASCADE, related_name="exchange_rates"
    )
    base = models.CharField(_("from currency"), max_length=3)
    quote = models.CharField(_("to currency"), max_length=3)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    rate = models.DecimalField(_("rate"), max_digits=20, decimal_places=8)
    source = models.CharField(
        _("source"), max_length=300, help_text=_("Where the rate comes from, e.g. a central bank's yearly average.")
    )
    recorded_by = models.ForeignKey(
        _USER, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["strategy", "base", "quote", "year"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["strategy", "base", "quote", "year"], name="unique_exchange_rate")
        ]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate.normalize():f} {self.quote} ({self.year})"


# The oversight models live in their own module (for size); imported here so that the app loads them and
# ``from cyberplan.strategy.models import Evaluation`` keeps working.
from .oversight_models import AxisOwner as AxisOwner  # noqa: E402
from .oversight_models import Evaluation as Evaluation  # noqa: E402
from .oversight_models import ObjectiveRisk as ObjectiveRisk  # noqa: E402
from .oversight_models import Recommendation as Recommendation  # noqa: E402
