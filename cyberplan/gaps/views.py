from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.core.access import Permission, has_permission, organisations_where
from cyberplan.core.audit import history_of
from cyberplan.core.forms import attach_errors
from cyberplan.core.http import attachment, signed_in_user
from cyberplan.core.models import AuditEntry

from . import actions
from .access import access_evidence_by_id, access_gap_by_id, can_on_gap, gaps_visible_to
from .forms import GapEvidenceForm, GapFilterForm, GapForm, GapStatusForm
from .models import Gap


@login_required
def gap_list(request: HttpRequest) -> HttpResponse:
    gaps = gaps_visible_to(signed_in_user(request))
    form = GapFilterForm(request.GET or None, organisations=organisations_where(signed_in_user(request)))
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            q = data["q"]
            gaps = gaps.filter(
                Q(identifier__icontains=q)
                | Q(title_en__icontains=q)
                | Q(title_es__icontains=q)
                | Q(source_key__icontains=q)
            )
        for field in ("organisation", "status", "severity", "source", "tlp"):
            if data.get(field):
                gaps = gaps.filter(**{field: data[field]})
    page = Paginator(gaps, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "gaps/gap_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_create": organisations_where(signed_in_user(request), Permission.CONTRIBUTE).exists(),
        },
    )


@login_required
def gap_create(request: HttpRequest) -> HttpResponse:
    organisations = organisations_where(signed_in_user(request), Permission.CONTRIBUTE)
    if not organisations.exists():
        raise PermissionDenied
    form = GapForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        try:
            gap = actions.do_create_gap(signed_in_user(request), organisation, **data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Gap %(id)s was recorded.") % {"id": gap.identifier})
            return redirect("gaps:gap_detail", pk=gap.pk)
    return render(request, "gaps/gap_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def gap_edit(request: HttpRequest, pk: int) -> HttpResponse:
    gap = access_gap_by_id(signed_in_user(request), pk, Permission.EDIT)
    form = GapForm(request.POST or None, instance=gap, organisations=organisations_where(signed_in_user(request)))
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            gap = actions.do_update_gap(signed_in_user(request), gap, version, **data)
        except actions.ConcurrentEditError as exc:
            conflict = exc.current
            form.add_error(
                None,
                _(
                    "Someone else changed this gap while you were editing it. Your changes were not saved; "
                    "the current values are shown below. Copy what you need, reload and edit again."
                ),
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Gap %(id)s was updated.") % {"id": gap.identifier})
            return redirect("gaps:gap_detail", pk=gap.pk)
    return render(
        request,
        "gaps/gap_form.html",
        {"form": form, "gap": gap, "conflict": conflict},
        status=409 if conflict else 400 if form.errors else 200,
    )


@login_required
def gap_detail(request: HttpRequest, pk: int) -> HttpResponse:
    gap = access_gap_by_id(signed_in_user(request), pk)
    evidence_form = GapEvidenceForm()
    status_form = GapStatusForm(initial={"status": gap.status, "version": gap.version})
    status = 200
    if request.method == "POST":
        if not has_permission(signed_in_user(request), gap.organisation_id, Permission.CONTRIBUTE):
            raise PermissionDenied
        evidence_form = GapEvidenceForm(request.POST, request.FILES)
        if evidence_form.is_valid():
            try:
                actions.do_add_gap_evidence(signed_in_user(request), gap, **evidence_form.cleaned_data)
            except ValidationError as exc:
                attach_errors(evidence_form, exc)
            else:
                messages.success(request, _("The evidence was added."))
                return redirect("gaps:gap_detail", pk=gap.pk)
        status = 400
    evidence_ids = [str(pk) for pk in gap.evidence.values_list("pk", flat=True)]
    history = (
        history_of(gap)
        | AuditEntry.objects.filter(
            content_type__app_label="gaps", content_type__model="gapevidence", object_id__in=evidence_ids
        )
    ).order_by("-timestamp", "-id")[:100]
    return render(
        request,
        "gaps/gap_detail.html",
        {
            "gap": gap,
            "evidence": gap.evidence.select_related("added_by"),
            "history": history,
            "evidence_form": evidence_form,
            "status_form": status_form,
            "can_contribute": has_permission(signed_in_user(request), gap.organisation_id, Permission.CONTRIBUTE),
            "can_edit": can_on_gap(signed_in_user(request), gap, Permission.EDIT),
            "can_decide": has_permission(signed_in_user(request), gap.organisation_id, Permission.DECIDE),
            "can_delete": has_permission(signed_in_user(request), gap.organisation_id, Permission.DELETE),
        },
        status=status,
    )


@login_required
@require_POST
def gap_status(request: HttpRequest, pk: int) -> HttpResponse:
    gap = access_gap_by_id(signed_in_user(request), pk, Permission.DECIDE)
    form = GapStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect("gaps:gap_detail", pk=gap.pk)
    try:
        actions.do_set_gap_status(
            signed_in_user(request), gap, form.cleaned_data["status"], form.cleaned_data["version"]
        )
    except actions.ConcurrentEditError:
        messages.error(
            request, _("Someone else changed this gap in the meantime; look at it again before changing its status.")
        )
    else:
        messages.success(request, _("The status was changed."))
    return redirect("gaps:gap_detail", pk=gap.pk)


@login_required
def gap_delete(request: HttpRequest, pk: int) -> HttpResponse:
    gap = access_gap_by_id(signed_in_user(request), pk, Permission.DELETE)
    if request.method == "POST":
        identifier = gap.identifier
        actions.do_delete_gap(signed_in_user(request), gap)
        messages.success(request, _("Gap %(id)s was deleted.") % {"id": identifier})
        return redirect("gaps:gap_list")
    return render(request, "gaps/gap_confirm_delete.html", {"gap": gap})


@login_required
def evidence_download(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponseBase:
    gap: Gap = access_gap_by_id(signed_in_user(request), pk)
    evidence = access_evidence_by_id(signed_in_user(request), gap, evidence_pk)
    if not evidence.document:
        return redirect("gaps:gap_detail", pk=gap.pk)
    return attachment(evidence.document)
