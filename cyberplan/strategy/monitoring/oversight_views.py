"""The evaluation page of a strategy: review cycle, responsible body per axis, evaluations with their
recommendations and follow-up, risks and assumptions per objective.

Members of the owner organisation read it within the strategy's TLP (as the monitoring page);
those who may edit the plan write. Writes go through ``oversight/actions.py`` (validated, audited).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.core.access import Permission, has_permission, require
from cyberplan.core.forms import attach_errors
from cyberplan.core.models import Organisation, User

from .. import access
from ..actions import ConcurrentEditError
from ..choices import ElementKind, RecommendationPriority, RecommendationResponse
from ..models import AxisOwner, Element, Evaluation, ObjectiveRisk, Recommendation, Strategy
from ..oversight import actions as oversight
from ..oversight.cycle import review_cycle
from ..oversight.forms import (
    AxisOwnerForm,
    EvaluationForm,
    RecommendationForm,
    ResponseForm,
    RiskForm,
    RiskStatusForm,
    ToActionForm,
)
from ..versions.views import header_template

# Forms shown with their errors where they stand; the others' errors are summed up at the top of the page.
UNFOLDED_FORMS = frozenset({"evaluation_form", "risk_form", "owner_form"})


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _strategy(request: HttpRequest, pk: int, write: bool = False) -> Strategy:
    strategy = access.access_strategy_by_id(_user(request), pk)
    if write:
        require(_user(request), strategy.organisation_id, Permission.EDIT)
    return strategy


def _url(strategy: Strategy, anchor: str) -> str:
    return reverse("strategy:evaluation", args=[strategy.pk]) + f"#{anchor}"


def _one(queryset: Any, pk: int) -> Any:
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def evaluations_of(strategy: Strategy) -> list[Evaluation]:
    return list(
        strategy.evaluations.prefetch_related("recommendations__gap", "recommendations__action").order_by("date", "id")
    )


def risks_by_objective(strategy: Strategy) -> list[tuple[Element, list[ObjectiveRisk]]]:
    risks = ObjectiveRisk.objects.filter(objective__strategy=strategy).order_by("kind", "id")
    grouped: dict[int, list[ObjectiveRisk]] = {}
    for risk in risks:
        grouped.setdefault(risk.objective_id, []).append(risk)
    objectives = strategy.elements.filter(kind=ElementKind.OBJECTIVE).order_by("order", "code", "id")
    return [(objective, grouped.get(objective.pk, [])) for objective in objectives]


def owners_by_axis(strategy: Strategy) -> list[tuple[Element, AxisOwner | None]]:
    owners = {o.axis_id: o for o in AxisOwner.objects.filter(axis__strategy=strategy).select_related("organisation")}
    axes = strategy.elements.filter(kind=ElementKind.AXIS).order_by("order", "code", "id")
    return [(axis, owners.get(axis.pk)) for axis in axes]


def _page(request: HttpRequest, strategy: Strategy, status: int = 200, **forms: Any) -> HttpResponse:
    user = _user(request)
    can_edit = has_permission(user, strategy.organisation_id, Permission.EDIT)
    evaluations = evaluations_of(strategy)
    today = timezone.localdate()
    context: dict[str, Any] = {
        "strategy": strategy,
        "owner": True,
        "header_template": header_template(True),
        "tab": "monitoring",
        "can_edit": can_edit,
        "cycle": review_cycle(strategy, today, evaluations),
        "today": today,
        "evaluations": evaluations,
        "risks": risks_by_objective(strategy),
        "owners": owners_by_axis(strategy),
    }
    if can_edit:
        context |= {
            "evaluation_form": EvaluationForm(),
            "recommendation_form": RecommendationForm(),
            "risk_form": RiskForm(strategy=strategy),
            "owner_form": AxisOwnerForm(strategy=strategy, organisations=Organisation.objects.order_by("name")),
            "to_action_form": ToActionForm(strategy=strategy),
        }
        context |= forms
        context["response_choices"] = RecommendationResponse.choices
        context["priority_choices"] = RecommendationPriority.choices
        context["error_forms"] = [form for name, form in forms.items() if name not in UNFOLDED_FORMS and form.errors]
    return render(request, "strategy/monitoring/evaluation.html", context, status=status)


@login_required
def evaluation_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _strategy(request, pk))


def _save(
    request: HttpRequest,
    strategy: Strategy,
    form: BaseForm,
    form_name: str,
    write: Callable[[dict[str, Any]], object],
    done: str,
    anchor: str,
) -> HttpResponse:
    """Validate ``form`` and ``write`` its data; the page again with the errors (400, or 409 on a conflict)."""
    if form.is_valid():
        try:
            with transaction.atomic():
                write(dict(form.cleaned_data))
        except ConcurrentEditError:
            form.add_error(None, _("Someone else changed this record meanwhile; nothing was saved. Look again."))
            return _page(request, strategy, 409, **{form_name: form})
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(_url(strategy, anchor))
    return _page(request, strategy, 400, **{form_name: form})


@login_required
@require_POST
def evaluation_create(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, write=True)
    return _save(
        request,
        strategy,
        EvaluationForm(request.POST),
        "evaluation_form",
        lambda data: oversight.do_create_evaluation(_user(request), strategy, **data),
        _("The evaluation was recorded."),
        "evaluations",
    )


@login_required
@require_POST
def recommendation_create(request: HttpRequest, pk: int, evaluation_pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, write=True)
    evaluation = _one(strategy.evaluations, evaluation_pk)
    return _save(
        request,
        strategy,
        RecommendationForm(request.POST),
        "recommendation_form",
        lambda data: oversight.do_create_recommendation(_user(request), evaluation, **data),
        _("The recommendation was recorded."),
        f"evaluation-{evaluation.pk}",
    )


def _recommendation(strategy: Strategy, pk: int) -> Recommendation:
    return cast(
        Recommendation,
        _one(
            Recommendation.objects.filter(evaluation__strategy=strategy).select_related("evaluation", "gap", "action"),
            pk,
        ),
    )


@login_required
@require_POST
def recommendation_response(request: HttpRequest, pk: int, recommendation_pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, write=True)
    recommendation = _recommendation(strategy, recommendation_pk)

    def write(data: dict[str, Any]) -> object:
        version = data.pop("version", None)
        return oversight.do_update_recommendation(_user(request), recommendation, version, **data)

    return _save(
        request,
        strategy,
        ResponseForm(request.POST, instance=Recommendation(evaluation=recommendation.evaluation, text="-")),
        "response_form",
        write,
        _("The response to the recommendation was saved."),
        f"recommendation-{recommendation.pk}",
    )


@login_required
@require_POST
def recommendation_to_gap(request: HttpRequest, pk: int, recommendation_pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, write=True)
    recommendation = _recommendation(strategy, recommendation_pk)
    gap = oversight.do_recommendation_to_gap(_user(request), recommendation)
    messages.success(request, _("The recommendation is recorded as gap %(gap)s.") % {"gap": gap.identifier})
    return redirect(_url(strategy, f"recommendation-{recommendation.pk}"))


@login_required
@require_POST
def recommendation_to_action(request: HttpRequest, pk: int, recommendation_pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, write=True)
    recommendation = _recommendation(strategy, recommendation_pk)

    def write(data: dict[str, Any]) -> object:
        action = oversight.do_recommendation_to_action(_user(request), recommendation, data["objective"])
        messages.info(request, _("Complete the new action %(code)s in the plan.") % {"code": action.code})
        return action

    return _save(
        request,
        strategy,
        ToActionForm(request.POST, strategy=strategy),
        "to_action_form",
        write,
        _("The recommendation became a planned action."),
        f"recommendation-{recommendation.pk}",
    )


@login_required
@require_POST
def risk_create(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, write=True)

    def write(data: dict[str, Any]) -> object:
        return oversight.do_create_risk(_user(request), data.pop("objective"), **data)

    return _save(
        request,
        strategy,
        RiskForm(request.POST, strategy=strategy),
        "risk_form",
        write,
        _("The risk or assumption was recorded."),
        "risks",
    )


@login_required
@require_POST
def risk_status(request: HttpRequest, pk: int, risk_pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, write=True)
    risk = cast(ObjectiveRisk, _one(ObjectiveRisk.objects.filter(objective__strategy=strategy), risk_pk))

    def write(data: dict[str, Any]) -> object:
        version = data.pop("version", None)
        return oversight.do_update_risk(_user(request), risk, version, **data)

    return _save(
        request,
        strategy,
        RiskStatusForm(request.POST, instance=ObjectiveRisk(objective=risk.objective, text="-")),
        "risk_status_form",
        write,
        _("The status of the risk or assumption was saved."),
        f"risk-{risk.pk}",
    )


@login_required
@require_POST
def axis_owner(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = _strategy(request, pk, write=True)

    def write(data: dict[str, Any]) -> object:
        return oversight.do_set_axis_owner(_user(request), data.pop("axis"), **data)

    return _save(
        request,
        strategy,
        AxisOwnerForm(request.POST, strategy=strategy, organisations=Organisation.objects.order_by("name")),
        "owner_form",
        write,
        _("The responsible body of the axis was saved."),
        "owners",
    )
