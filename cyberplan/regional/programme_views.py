"""Pages of the regional programme, receiving side: the member register, received packages and refusals, a
member's history, and the regional dashboard. Thin: read through access.py, write through intake.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.core.access import Permission, has_permission, require
from cyberplan.core.forms import attach_errors
from cyberplan.core.http import signed_in_user
from cyberplan.core.models import Organisation, User
from cyberplan.core.uploads import safe_filename
from cyberplan.reports.svg import page_chart

from . import intake
from .access import (
    access_member_by_id,
    access_refusal_by_id,
    members_visible_to,
    programmes_where,
    received_visible_to,
    refusals_visible_to,
)
from .analysis import previous_period, regional_analysis
from .charts import charts_for, included
from .forms import MemberForm, ReceiveForm
from .jobs import do_request_pooled_figures, may_compute_pooled
from .models import Member, PackageRefusal


def _administered(user: User) -> list[int]:
    """The regional programmes where ``user`` may confirm a member's identity from a refusal."""
    return list(programmes_where(user, Permission.ADMINISTER).values_list("pk", flat=True))


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not programmes_where(user).exists():
        raise PermissionDenied
    keepers = programmes_where(user, Permission.DECIDE)
    form = MemberForm(request.POST or None, programmes=keepers)
    if request.method == "POST":
        if not keepers.exists():
            raise PermissionDenied
        if form.is_valid():
            member: Member = form.save(commit=False)
            require(user, member.programme_id, Permission.DECIDE)
            try:
                intake.do_save_member(user, member)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Member state %(country)s registered.") % {"country": member.country})
                return redirect("regional:member_list")
    return render(
        request,
        "regional/member_list.html",
        {"members": members_visible_to(user), "form": form if keepers.exists() else None},
    )


@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    member = access_member_by_id(user, pk, Permission.DECIDE)
    form = MemberForm(request.POST or None, instance=member, programmes=programmes_where(user, Permission.DECIDE))
    if request.method == "POST" and form.is_valid():
        try:
            intake.do_save_member(user, form.save(commit=False))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Member state saved."))
            return redirect("regional:member_history", member.pk)
    return render(request, "regional/member_edit.html", {"member": member, "form": form})


@login_required
def member_history(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    member = access_member_by_id(user, pk)
    return render(
        request,
        "regional/member_history.html",
        {
            "member": member,
            "packages": received_visible_to(user).filter(member=member),
            "refusals": refusals_visible_to(user).filter(member=member),
            "can_edit": has_permission(user, member.programme_id, Permission.DECIDE),
            "admin_programmes": _administered(user),
        },
    )


@login_required
def received_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not programmes_where(user).exists():
        raise PermissionDenied
    receivers = programmes_where(user, Permission.EDIT)
    form = ReceiveForm(request.POST or None, request.FILES or None, programmes=receivers)
    if request.method == "POST":
        if not receivers.exists():
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            require(user, data["programme"].pk, Permission.EDIT)
            upload = data["file"]
            try:
                if upload.size is not None and upload.size > intake.max_bytes():
                    raise ValidationError({"file": _("The file is larger than the limit for a statistics package.")})
                outcome = intake.do_receive(
                    user, data["programme"], data["period"], safe_filename(upload.name or ""), upload.read()
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                if isinstance(outcome, PackageRefusal):
                    messages.error(request, _("Package refused: %(reason)s") % {"reason": outcome.reason})
                else:
                    messages.success(request, _("Package accepted."))
                return redirect("regional:received_list")
    return render(
        request,
        "regional/received_list.html",
        {
            "packages": received_visible_to(user)[:200],
            "refusals": refusals_visible_to(user)[:200],
            "form": form if receivers.exists() else None,
            "max_bytes": intake.max_bytes(),
            "admin_programmes": _administered(user),
        },
    )


@login_required
@require_POST
def refusal_confirm_identity(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    refusal = access_refusal_by_id(user, pk)
    require(user, refusal.programme_id, Permission.ADMINISTER)
    try:
        member = intake.do_confirm_identity(user, refusal)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("regional:received_list")
    messages.success(request, _("Identity registered; the member's package can now be received."))
    return redirect("regional:member_history", member.pk)


def _programme(request: HttpRequest, programmes: QuerySet[Organisation]) -> Organisation | None:
    chosen_id = request.GET.get("programme", "")
    return (programmes.filter(pk=int(chosen_id)).first() if chosen_id.isdigit() else None) or programmes.first()


def _period(request: HttpRequest, periods: list[str]) -> str:
    """The chosen period when a package holds it, else the latest period (never a text the user typed)."""
    asked = request.GET.get("period", "")
    return asked if asked in periods else (periods[0] if periods else "")


@login_required
def programme_overview(request: HttpRequest) -> HttpResponse:
    """The regional dashboard: the figures and charts of a period for the chosen members, each saying which
    members and periods it includes. Only members of the programme organisation see it, packages within TLP."""
    user = signed_in_user(request)
    programmes = programmes_where(user)
    if not programmes.exists():
        raise PermissionDenied
    programme = _programme(request, programmes)
    latest = received_visible_to(user).filter(programme=programme, superseded=False)
    periods = sorted(set(latest.values_list("period", flat=True)), reverse=True)
    period = _period(request, periods)
    chosen = latest.filter(period=period).order_by("member__country")
    available = [p.member.country for p in chosen]
    asked = [m for m in request.GET.getlist("member") if m in available]
    members = asked or available
    analysis = None
    pooled = _pooled(user, programme, period) if programme is not None and period else None
    if period:
        wanted = latest.filter(period__in=[period, previous_period(period)]).order_by("member__country")
        analysis = regional_analysis(((p.member.country, p.package()) for p in wanted), period, members)
    return render(
        request,
        "regional/programme_overview.html",
        {
            "programmes": programmes,
            "programme": programme,
            "periods": periods,
            "period": period,
            "available": available,
            "members": members,
            "packages": [p for p in chosen if p.member.country in members],
            "analysis": analysis,
            "figures": analysis.figures() if analysis else {},
            "captions": {n: included(f) for n, f in analysis.figures().items()} if analysis else {},
            "charts": {c.name: page_chart(c.spec, c.span) for c in charts_for(analysis)} if analysis else {},
            "pooled": pooled,
            "may_compute_pooled": programme is not None and may_compute_pooled(user, programme),
        },
    )


def _pooled(user: User, programme: Organisation, period: str) -> dict[str, Any] | None:
    """The pooled-events section: the figures kept for the period (never computed here: the worker does), the
    members sharing events today, and whether the pool changed since."""
    from cyberplan.analytics.periods import PeriodError, parse_period

    from . import pooled_figures

    try:
        parsed = parse_period(period)
    except PeriodError:
        return None
    state = pooled_figures.pool_state(programme)
    if not state.members:
        return None
    figures = pooled_figures.readable(pooled_figures.kept(programme, parsed), user, programme)
    return {"figures": figures, "sharing": state.members, "period": parsed.label}


@login_required
@require_POST
def pooled_compute(request: HttpRequest) -> HttpResponse:
    """Queue computing the pooled-events figures of a period of a programme (analysts and above)."""
    user = signed_in_user(request)
    chosen = request.POST.get("programme", "")
    programme = programmes_where(user).filter(pk=int(chosen)).first() if chosen.isdigit() else None
    if programme is None:
        raise PermissionDenied
    period = request.POST.get("period", "")
    try:
        do_request_pooled_figures(user, programme, period)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("The pooled-events figures are being computed; this page shows them when they are ready.")
        )
    return redirect(
        f"{reverse('regional:programme_overview')}?{urlencode({'programme': programme.pk, 'period': period})}#pooled"
    )
