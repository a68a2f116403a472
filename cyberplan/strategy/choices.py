"""Enumerations of the strategy builder and its monitoring. Labels are translatable."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    """The five phases of a national cybersecurity strategy's lifecycle."""

    INITIATION = "initiation", _("Initiation")
    STOCKTAKING = "stocktaking", _("Stocktaking and analysis")
    PRODUCTION = "production", _("Production")
    IMPLEMENTATION = "implementation", _("Implementation")
    MONITORING = "monitoring", _("Monitoring and evaluation")


PHASE_ORDER = [p.value for p in Phase]


class ElementKind(models.TextChoices):
    AXIS = "axis", _("Axis")
    OBJECTIVE = "objective", _("Objective")
    LINE = "line", _("Action line")


# The kind of parent each kind of element needs (an axis has none).
PARENT_KIND: dict[str, str | None] = {
    ElementKind.AXIS: None,
    ElementKind.OBJECTIVE: ElementKind.AXIS,
    ElementKind.LINE: ElementKind.OBJECTIVE,
}


class FocusArea(models.TextChoices):
    """Focus areas of the international guide to developing a national cybersecurity strategy.

    Used to place suggested actions under the axis that covers the same area.
    """

    GOVERNANCE = "governance", _("Governance")
    RISK = "risk", _("Risk management")
    PREPAREDNESS = "preparedness", _("Preparedness and resilience")
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure", _("Critical infrastructure and essential services")
    CAPACITY = "capacity", _("Capability, capacity building and awareness")
    LEGISLATION = "legislation", _("Legislation and regulation")
    COOPERATION = "cooperation", _("International cooperation")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DELAYED = "delayed", _("Delayed")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


CLOSED_ACTION_STATUSES = frozenset({ActionStatus.COMPLETED, ActionStatus.CANCELLED})


class FundingSource(models.TextChoices):
    NATIONAL_BUDGET = "national_budget", _("National budget")
    INSTITUTION_BUDGET = "institution_budget", _("Budget of the lead institution")
    INTERNATIONAL = "international", _("International cooperation")
    LOAN = "loan", _("Development bank loan")
    PRIVATE = "private", _("Private sector")
    MIXED = "mixed", _("Mixed")
    TO_BE_DEFINED = "tbd", _("To be defined")


class KPIUnit(models.TextChoices):
    COUNT = "count", _("Count")
    PERCENT = "percent", _("Percentage")
    DAYS = "days", _("Days")
    HOURS = "hours", _("Hours")
    STAGE = "stage", _("Maturity stage (1 to 5)")
    YESNO = "yesno", _("Yes or no (1 or 0)")
    CURRENCY = "currency", _("Amount of money")


class KPIDirection(models.TextChoices):
    INCREASE = "increase", _("Higher is better")
    DECREASE = "decrease", _("Lower is better")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every six months")
    YEARLY = "yearly", _("Yearly")


FREQUENCY_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.HALF_YEARLY: 6, Frequency.YEARLY: 12}


class KPISource(models.TextChoices):
    """Where a KPI's measurements come from: entered by a person, or computed from platform data."""

    MANUAL = "manual", _("Entered by hand")
    TREND_METRIC = "trend_metric", _("Threat trend figure")
    ASSESSMENT_STAGE = "assessment_stage", _("Assessment stage of a factor")
    GAPS_CLOSED = "gaps_closed", _("Share of linked gaps closed")
    ACTIONS_COMPLETED = "actions_completed", _("Share of actions completed")
    LEGAL_COVERAGE = "legal_coverage", _("Share of treaty provisions covered by national law")
    TRAINING_COVERAGE = "training_coverage", _("Share of an audience trained in a topic")


class MeasurementOrigin(models.TextChoices):
    ENTERED = "entered", _("Entered")
    COMPUTED = "computed", _("Computed from platform data")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONSULTATION = "consultation", _("In consultation")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Allowed moves of the approval workflow: {from: {to, ...}}.
VERSION_TRANSITIONS: dict[str, frozenset[str]] = {
    VersionStatus.DRAFT: frozenset({VersionStatus.CONSULTATION, VersionStatus.APPROVED, VersionStatus.WITHDRAWN}),
    VersionStatus.CONSULTATION: frozenset({VersionStatus.DRAFT, VersionStatus.APPROVED, VersionStatus.WITHDRAWN}),
    VersionStatus.APPROVED: frozenset({VersionStatus.PUBLISHED, VersionStatus.DRAFT}),
    VersionStatus.PUBLISHED: frozenset(),
    VersionStatus.WITHDRAWN: frozenset(),
}

OPEN_VERSION_STATUSES = frozenset({VersionStatus.DRAFT, VersionStatus.CONSULTATION, VersionStatus.APPROVED})


class Resolution(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    PARTLY = "partly", _("Partly accepted")
    REJECTED = "rejected", _("Not accepted")
    NOTED = "noted", _("Noted")


class IndicatorType(models.TextChoices):
    """Where an indicator sits in the results chain (ITU/World Bank guide; ENISA evaluation guidance)."""

    OUTPUT = "output", _("Output")
    OUTCOME = "outcome", _("Outcome")
    IMPACT = "impact", _("Impact")


class ProgressWeighting(models.TextChoices):
    """How the progress of an axis and of the whole plan weighs its actions."""

    BUDGET = "budget", _("By budget")
    WEIGHT = "weight", _("By explicit weight")


class EvaluationKind(models.TextChoices):
    """When an evaluation comes in the strategy's life (ENISA NCSS evaluation guide; ITU/World Bank guide)."""

    MID_TERM = "mid_term", _("Mid-term evaluation")
    FINAL = "final", _("Final evaluation")
    AD_HOC = "ad_hoc", _("Ad hoc review")


class EvaluatorType(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    INDEPENDENT = "independent", _("Independent")
    PEER = "peer", _("Peer review")


class RecommendationPriority(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class RecommendationResponse(models.TextChoices):
    """The owner's response to a recommendation, and its follow-up."""

    PENDING = "pending", _("No response yet")
    ACCEPTED = "accepted", _("Accepted")
    PARTLY = "partly", _("Partly accepted")
    REJECTED = "rejected", _("Rejected")
    IMPLEMENTED = "implemented", _("Implemented")


class RiskKind(models.TextChoices):
    RISK = "risk", _("Risk")
    ASSUMPTION = "assumption", _("Assumption")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class KPILevel(models.TextChoices):
    """The level of the strategy a KPI measures: an element (by its kind) or an action."""

    AXIS = "axis", _("Axis")
    OBJECTIVE = "objective", _("Objective")
    LINE = "line", _("Action line")
    ACTION = "action", _("Action")


# Levels from the broadest to the narrowest, as the results chain reads (impact, outcome, output).
LEVEL_ORDER: list[str] = [level.value for level in KPILevel]
