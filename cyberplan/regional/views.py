"""Pages of the regional programme, member side: build, preview, approve and download a statistics package.
Thin: read through access.py, write through actions.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.core.access import Permission, require
from cyberplan.core.forms import attach_errors
from cyberplan.core.http import signed_in_user

from . import actions, preview
from .access import (
    access_package_by_id,
    build_organisations,
    may_approve,
    may_send,
    packages_visible_to,
    programmes_where,
    regional_pushes,
)
from .choices import PackageState
from .forms import BuildForm
from .jobs import do_request_build, do_request_send
from .package import SCHEMA_STATIC_PATH


@login_required
def package_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    organisations = build_organisations(user)
    form = BuildForm(request.POST or None, organisations=organisations)
    if request.method == "POST":
        if not organisations.exists():
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            require(user, data["organisation"].pk, Permission.EDIT)
            try:
                actions.check_request(data["period"], data["tlp"], data["threshold"])
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                job = do_request_build(
                    user,
                    data["organisation"],
                    data["period"].strip(),
                    tlp=data["tlp"],
                    threshold=data["threshold"],
                    share_assessment=data["share_assessment"],
                )
                messages.success(request, _("The draft is being built. It appears in the list of packages when ready."))
                return redirect("jobs:job_detail", job.pk)
    return render(
        request,
        "regional/package_list.html",
        {
            "packages": packages_visible_to(user).order_by("organisation__name", "-period", "-version"),
            "form": form if organisations.exists() else None,
            "schema_path": SCHEMA_STATIC_PATH,
            "is_programme": programmes_where(user).exists(),
        },
    )


@login_required
def package_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    package = access_package_by_id(user, pk)
    content = package.package()
    return render(
        request,
        "regional/package_detail.html",
        {
            "package": package,
            "sections": preview.sections(content),
            "suppressed": preview.suppressed_count(content),
            "stix_id": content["id"],
            "can_approve": package.state == PackageState.DRAFT and may_approve(user, package),
            "can_send": may_send(user, package),
            "pushes": regional_pushes(package),
            "sends": package.sends.select_related("push", "sent_by").order_by("-started_at", "-id")[:20],
        },
    )


@login_required
@require_POST
def package_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    package = access_package_by_id(user, pk)
    if not may_approve(user, package):
        raise PermissionDenied
    try:
        actions.do_approve(user, package)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Package approved. Send it to the regional programme by TAXII, or download it for upload.")
        )
    return redirect("regional:package_detail", package.pk)


@login_required
def package_download(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    package = access_package_by_id(user, pk)
    if package.state == PackageState.DRAFT:
        raise PermissionDenied
    response = HttpResponse(package.content, content_type="application/stix+json;version=2.1")
    response["Content-Disposition"] = f'attachment; filename="{package.file_name}"'
    return response


@login_required
@require_POST
def package_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue sending the approved package through one of the organisation's pushes to a regional programme."""
    user = signed_in_user(request)
    package = access_package_by_id(user, pk)
    if not may_send(user, package):
        raise PermissionDenied
    push = (
        regional_pushes(package).filter(pk=request.POST.get("push") or 0).first()
        if request.POST.get("push", "").isdigit()
        else None
    )
    if push is None:
        messages.error(request, _("push: choose a TAXII push whose partner is a regional programme."))
        return redirect("regional:package_detail", package.pk)
    job = do_request_send(user, package, push)
    messages.success(request, _("The package is being sent. Its status appears on the package's page."))
    return redirect("jobs:job_detail", job.pk)
