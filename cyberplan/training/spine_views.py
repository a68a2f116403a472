"""The evidence-and-gaps page: attach coverage to the capacity assessment, raise a gap below a target."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.assessment.access import assessments_visible_to
from cyberplan.assessment.models import Assessment
from cyberplan.core.access import Permission, organisation_ids_where, organisations_where
from cyberplan.core.choices import TLP
from cyberplan.core.models import User

from . import evidence, spine
from .catalogue import shipped_topics
from .report.jobs import readable_labels
from .spine_forms import CoverageEvidenceForm, CoverageGapForm


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _topics() -> list[tuple[str, str]]:
    return shipped_topics().choices(get_language() or "en")


def _assessments(user: User) -> QuerySet[Assessment]:
    """The unlocked assessments the user may edit: of the organisations where they hold ``edit``."""
    editable = organisation_ids_where(user, Permission.EDIT)
    return assessments_visible_to(user).filter(organisation_id__in=editable, locked=False).order_by("-date", "-id")


def _evidence_form(user: User, data: Any = None) -> CoverageEvidenceForm:
    assessments = _assessments(user)
    language = get_language() or "en"
    indicators: dict[str, str] = {}
    for assessment in assessments:
        for indicator in evidence.training_indicators(assessment):
            indicators.setdefault(indicator.id, f"{indicator.id} · {indicator.text.get(language)}")
    return CoverageEvidenceForm(
        data, assessments=assessments, indicators=list(indicators.items()), topics=_topics(), prefix="evidence"
    )


def _gap_form(user: User, data: Any = None) -> CoverageGapForm:
    return CoverageGapForm(
        data, organisations=organisations_where(user, Permission.EDIT), topics=_topics(), prefix="gap"
    )


@login_required
def spine_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {"evidence_form": _evidence_form(user), "gap_form": _gap_form(user)}
    return render(request, "training/spine.html", context)


@login_required
@require_POST
def attach_evidence(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = _evidence_form(user, request.POST)
    if not _assessments(user).exists():
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, _("Nothing was attached: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect(reverse("training:spine"))
    data = form.cleaned_data
    if data["assessment"].tlp not in readable_labels(user, data["assessment"].organisation_id):
        # The figure counts programmes up to the assessment's label: only a person who reads that label.
        messages.error(
            request, _("You may not read records marked %(label)s.") % {"label": TLP(data["assessment"].tlp).label}
        )
        return redirect(reverse("training:spine"))
    try:
        attached = spine.do_attach_coverage_evidence(
            user,
            data["assessment"],
            audience=data["audience"],
            topic=data["topic"] or None,
            year=data["year"],
            indicator_ids=list(data["indicators"]),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        created = sum(1 for a in attached if a.created)
        messages.success(
            request,
            _("Evidence attached to %(created)d indicators (%(already)d already had it): %(label)s")
            % {"created": created, "already": len(attached) - created, "label": attached[0].label},
        )
    return redirect(reverse("training:spine"))


@login_required
@require_POST
def raise_gaps(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = _gap_form(user, request.POST)
    if not organisations_where(user, Permission.EDIT).exists():
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, _("No gap was raised: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect(reverse("training:spine"))
    data = form.cleaned_data
    if data["tlp"] not in readable_labels(user, data["organisation"].pk):
        # The share counts programmes up to the gap's label: only a label the person reads.
        messages.error(request, _("You may not read records marked %(label)s.") % {"label": TLP(data["tlp"]).label})
        return redirect(reverse("training:spine"))
    try:
        raised = spine.do_raise_coverage_gap(
            user,
            data["organisation"],
            audience=data["audience"],
            topic=data["topic"] or None,
            year=data["year"],
            target=data["target"],
            tlp=data["tlp"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("training:spine"))
    if raised.gap is None:
        messages.success(
            request,
            _("The share trained (%(share).1f %%) reaches the target (%(target)s %%): no gap raised.")
            % {"share": raised.share, "target": raised.target},
        )
    else:
        messages.success(
            request,
            (_("Gap %(identifier)s raised.") if raised.created else _("Gap %(identifier)s updated (raised before)."))
            % {"identifier": raised.gap.identifier},
        )
    return redirect(reverse("training:spine"))
