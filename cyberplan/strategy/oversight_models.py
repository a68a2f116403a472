"""The strategy's oversight records: evaluations and their recommendations, the risks and assumptions of
each objective, and the body responsible for each axis. Models of the strategy app (its migrations hold
them), kept apart from ``strategy/models.py`` for size: they name the related models by label, so this
module imports nothing of that one, which imports them (both names work)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cyberplan.core.models import Organisation
from cyberplan.gaps.models import Gap

from .choices import (
    EvaluationKind,
    EvaluatorType,
    RecommendationPriority,
    RecommendationResponse,
    RiskKind,
    RiskStatus,
)

_USER = settings.AUTH_USER_MODEL

# --------------------------------------------------------------------------- evaluation and oversight
#
# Evaluations of the strategy (mid-term, final, ad hoc) with their recommendations and how each was
# followed up; the risks and assumptions of each objective; the body responsible for each axis.


class Evaluation(models.Model):
    """A mid-term, final or ad hoc evaluation of the strategy: who evaluated, what, what was found.

    A date in the future is a scheduled evaluation; an evaluation held counts as a review of the strategy.
    """

    strategy = models.ForeignKey(
        "strategy.Strategy", verbose_name=_("strategy"), on_delete=models.CASCADE, related_name="evaluations"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EvaluationKind.choices)
    date = models.DateField(_("date"), help_text=_("When the evaluation was (or is to be) completed."))
    evaluator = models.CharField(_("evaluator"), max_length=300, help_text=_("A person, a team or an institution."))
    evaluator_type = models.CharField(_("evaluator type"), max_length=12, choices=EvaluatorType.choices)
    scope = models.TextField(_("scope"), blank=True)
    findings = models.TextField(_("findings"), blank=True)
    created_by = models.ForeignKey(
        _USER, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["strategy", "date", "id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date.isoformat() if self.date else ''}"


class Recommendation(models.Model):
    """A recommendation of an evaluation, the response to it, and the gap or action it became."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="recommendations"
    )
    text = models.TextField(_("recommendation"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=RecommendationPriority.choices, default=RecommendationPriority.MEDIUM
    )
    response = models.CharField(
        _("response"), max_length=12, choices=RecommendationResponse.choices, default=RecommendationResponse.PENDING
    )
    response_note = models.TextField(_("response note"), blank=True)
    gap = models.ForeignKey(
        Gap,
        verbose_name=_("became gap"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    action = models.ForeignKey(
        "strategy.Action",
        verbose_name=_("became action"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0, validators=[MaxValueValidator(32767)])
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["evaluation", "order", "id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return self.text[:60]


class ObjectiveRisk(models.Model):
    """A risk to an objective, or an assumption it rests on, with its rating, mitigation and owner."""

    objective = models.ForeignKey(
        "strategy.Element", verbose_name=_("objective"), on_delete=models.CASCADE, related_name="risks"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RiskKind.choices, default=RiskKind.RISK)
    text = models.TextField(_("description"))
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("From 1 (rare) to 5 (almost certain)."),
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("From 1 (minor) to 5 (severe)."),
    )
    mitigation = models.TextField(_("mitigation"), blank=True)
    owner = models.CharField(_("owner"), max_length=300, blank=True, help_text=_("Who watches it and acts."))
    status = models.CharField(_("status"), max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["objective", "kind", "id"]
        verbose_name = _("risk or assumption")
        verbose_name_plural = _("risks and assumptions")

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def score(self) -> int | None:
        """Likelihood times impact (1 to 25), or None when either is not rated."""
        if self.likelihood is None or self.impact is None:
            return None
        return self.likelihood * self.impact


class AxisOwner(models.Model):
    """The body responsible for an axis: an organisation on the platform, or a named body with a contact role."""

    axis = models.OneToOneField(
        "strategy.Element", verbose_name=_("axis"), on_delete=models.CASCADE, related_name="responsible_body"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_axes",
    )
    body = models.CharField(
        _("named body"),
        max_length=300,
        blank=True,
        help_text=_("For example a subcommittee of the national commission."),
    )
    contact_role = models.CharField(
        _("contact role"), max_length=300, blank=True, help_text=_("For example the subcommittee's coordinator.")
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["axis"]
        verbose_name = _("responsible body of an axis")
        verbose_name_plural = _("responsible bodies of axes")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The named body, else the organisation's name."""
        return self.body or (str(self.organisation) if self.organisation_id else "")
