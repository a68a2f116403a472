from __future__ import annotations

import datetime
from typing import Literal, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import access, actions
from .access import Permission
from .choices import Role
from .forms import AuditFilterForm, LanguageForm, MembershipForm, RoleForm
from .http import signed_in_user
from .models import AuditEntry, Membership
from .sections import SECTIONS_BY_SLUG
from .token_views import account_context


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@login_required
def section(request: HttpRequest, slug: str) -> HttpResponse:
    found = SECTIONS_BY_SLUG.get(slug)
    if found is None:
        raise Http404
    if found.url_name:
        return redirect(found.url_name)
    return render(request, "core/section.html", {"section": found})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if not form.is_valid():
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        actions.do_set_user_language(signed_in_user(request), language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        samesite=cast("Literal['Lax', 'Strict', 'None']", settings.LANGUAGE_COOKIE_SAMESITE),
        httponly=True,
    )
    return response


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "core/account.html", account_context(request))


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = (
        access.organisations_where(signed_in_user(request))
        .select_related("sector")
        .annotate(member_count=Count("memberships"))
    )
    roles = access.roles_of(signed_in_user(request))
    rows = [(org, Role(roles[org.pk]).label) for org in organisations]
    return render(request, "core/organisation_list.html", {"rows": rows})


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = access.access_organisation_by_id(signed_in_user(request), pk)
    can_administer = access.has_permission(signed_in_user(request), pk, Permission.ADMINISTER)
    form = MembershipForm()
    if request.method == "POST":
        access.require(signed_in_user(request), pk, Permission.ADMINISTER)
        form = MembershipForm(request.POST)
        if form.is_valid():
            user = form.cleaned_data["username"]
            actions.do_add_membership(signed_in_user(request), user, organisation, form.cleaned_data["role"])
            messages.success(request, _("%(user)s is now a member.") % {"user": user})
            return redirect("core:organisation_detail", pk=pk)
    memberships = organisation.memberships.select_related("user").order_by("user__username")
    return render(
        request,
        "core/organisation_detail.html",
        {
            "organisation": organisation,
            "memberships": memberships,
            "can_administer": can_administer,
            "form": form,
            "role_form": RoleForm(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def membership_update(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("organisation", "user"),
        pk=pk,
        organisation_id__in=access.organisation_ids_where(signed_in_user(request), Permission.VIEW),
    )
    access.require(signed_in_user(request), membership.organisation_id, Permission.ADMINISTER)
    if request.POST.get("action") == "remove":
        if membership.user_id == request.user.pk:
            messages.error(request, _("You cannot remove your own membership."))
        else:
            actions.do_remove_membership(signed_in_user(request), membership)
            messages.success(request, _("The membership was removed."))
    else:
        form = RoleForm(request.POST)
        if form.is_valid():
            actions.do_change_membership_role(signed_in_user(request), membership, form.cleaned_data["role"])
            messages.success(request, _("The role was changed."))
        else:
            messages.error(request, _("Choose a valid role."))
    return redirect("core:organisation_detail", pk=membership.organisation_id)


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    organisations = access.organisations_where(signed_in_user(request), Permission.VIEW_AUDIT)
    if not organisations.exists():
        return render(request, "core/forbidden.html", status=403)
    entries = AuditEntry.objects.filter(access.audit_entries_visible_q(signed_in_user(request))).select_related(
        "organisation", "content_type"
    )
    form = AuditFilterForm(request.GET or None, organisations=organisations)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("organisation"):
            entries = entries.filter(organisation=data["organisation"])
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        if data.get("actor"):
            entries = entries.filter(actor_name__icontains=data["actor"])
        tz = timezone.get_current_timezone()
        if data.get("since"):
            entries = entries.filter(timestamp__gte=datetime.datetime.combine(data["since"], datetime.time.min, tz))
        if data.get("until"):
            entries = entries.filter(timestamp__lte=datetime.datetime.combine(data["until"], datetime.time.max, tz))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "export_organisations": organisations},
        status=400 if form.errors else 200,
    )


@login_required
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(
        AuditEntry.objects.filter(access.audit_entries_visible_q(signed_in_user(request))).select_related(
            "organisation"
        ),
        pk=pk,
    )
    return render(request, "core/audit_detail.html", {"entry": entry})
