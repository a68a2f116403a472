"""Pages of the regional programme, receiving side: the member register, received packages and refusals, a
member's history, and the regional overview. Thin: read through access.py, write through intake.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.core.access import Permission, has_permission, require
from cyberplan.core.forms import attach_errors
from cyberplan.core.http import signed_in_user
from cyberplan.core.models import User
from cyberplan.core.uploads import safe_filename

from . import intake
from .access import (
    access_member_by_id,
    access_refusal_by_id,
    members_visible_to,
    programmes_where,
    received_visible_to,
    refusals_visible_to,
)
from .forms import MemberForm, ReceiveForm
from .models import Member, PackageRefusal
from .regional_figures import regional_figures


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


@login_required
def programme_overview(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    programmes = programmes_where(user)
    if not programmes.exists():
        raise PermissionDenied
    chosen_id = request.GET.get("programme", "")
    programme = (programmes.filter(pk=int(chosen_id)).first() if chosen_id.isdigit() else None) or programmes.first()
    latest = received_visible_to(user).filter(programme=programme, superseded=False)
    periods = sorted(set(latest.values_list("period", flat=True)), reverse=True)
    period = request.GET.get("period") or (periods[0] if periods else "")
    chosen = latest.filter(period=period).order_by("member__country")
    figures = regional_figures((p.member.country, p.package()) for p in chosen)
    return render(
        request,
        "regional/programme_overview.html",
        {
            "programmes": programmes,
            "programme": programme,
            "periods": periods,
            "period": period,
            "figures": figures,
            "packages": chosen,
        },
    )
