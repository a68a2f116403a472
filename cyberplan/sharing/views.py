"""Web pages of the sharing network. Thin: read through access.py, write through actions.py."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cyberplan.core.access import Permission, has_permission, organisations_where, require
from cyberplan.core.forms import attach_errors
from cyberplan.core.models import User

from . import actions
from .access import (
    access_collection_by_id,
    access_credential_by_id,
    access_group_by_id,
    access_subscription_by_id,
    credentials_visible_to,
    groups_visible_to,
    may_administer_credentials,
    subscriptions_visible_to,
)
from .forms import CollectionForm, CredentialForm, GroupForm, MemberForm, SubscriptionForm
from .jobs import do_request_publish, do_request_pull
from .models import Collection, GroupMember
from .wording import explain_pull_error, explain_refusal


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    groups = groups_visible_to(user).annotate(member_count=Count("members", distinct=True)).order_by("name")
    return render(
        request,
        "sharing/group_list.html",
        {
            "groups": groups,
            "can_create": organisations_where(user, Permission.DECIDE).exists(),
            "can_credentials": may_administer_credentials(user),
            "discovery_url": request.build_absolute_uri(reverse("taxii:discovery")),
        },
    )


@login_required
def group_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisations = organisations_where(user, Permission.DECIDE)
    if not organisations.exists():
        raise PermissionDenied
    form = GroupForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        require(user, data["organisation"].pk, Permission.DECIDE)
        try:
            group = actions.do_create_group(
                user,
                data["organisation"],
                name=data["name"],
                description=data["description"],
                tlp_ceiling=data["tlp_ceiling"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Sharing group created."))
            return redirect("sharing:group_detail", group.pk)
    return render(request, "sharing/group_form.html", {"form": form, "title": _("New sharing group")})


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    group = access_group_by_id(user, pk)
    return render(
        request,
        "sharing/group_detail.html",
        {
            "group": group,
            "members": group.members.select_related("organisation"),
            "collections": group.collections.annotate(object_count=Count("shared_objects")),
            "can_decide": has_permission(user, group.organisation_id, Permission.DECIDE),
            "member_form": MemberForm(group=group),
        },
    )


@login_required
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    group = access_group_by_id(user, pk, Permission.DECIDE)
    form = GroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_group(user, group, **{k: form.cleaned_data[k] for k in actions.GROUP_FIELDS})
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Sharing group saved."))
            return redirect("sharing:group_detail", group.pk)
    return render(request, "sharing/group_form.html", {"form": form, "title": _("Edit sharing group"), "group": group})


@login_required
@require_POST
def member_set(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    group = access_group_by_id(user, pk, Permission.DECIDE)
    form = MemberForm(request.POST, group=group)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_set_member(
                user,
                group,
                data["organisation"],
                can_read=data["can_read"],
                can_write=data["can_write"],
                need_to_know=data["need_to_know"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Member saved."))
    else:
        messages.error(request, _("Choose a member organisation."))
    return redirect("sharing:group_detail", group.pk)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user = _user(request)
    group = access_group_by_id(user, pk, Permission.DECIDE)
    member = get_object_or_404(GroupMember, pk=member_pk, group=group)
    actions.do_remove_member(user, member)
    messages.success(request, _("Member removed."))
    return redirect("sharing:group_detail", group.pk)


@login_required
def collection_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    group = access_group_by_id(user, pk, Permission.DECIDE)
    form = CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            collection = actions.do_create_collection(user, group, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Collection created."))
            return redirect("sharing:collection_detail", collection.pk)
    return render(request, "sharing/group_form.html", {"form": form, "title": _("New collection"), "group": group})


@login_required
def collection_detail(request: HttpRequest, pk: str) -> HttpResponse:
    user = _user(request)
    collection = access_collection_by_id(user, pk)
    by_type = (
        collection.shared_objects.filter(is_latest=True)
        .values("stix_type")
        .annotate(n=Count("id"))
        .order_by("stix_type")
    )
    by_tlp = collection.shared_objects.filter(is_latest=True).values("tlp").annotate(n=Count("id")).order_by("tlp")
    can_decide = has_permission(user, collection.group.organisation_id, Permission.DECIDE)
    return render(
        request,
        "sharing/collection_detail.html",
        {
            "collection": collection,
            "by_type": by_type,
            "by_tlp": by_tlp,
            "releases": collection.releases.select_related("recipient")[:20],
            "envelopes": _received_envelopes(collection, with_reasons=can_decide),
            "can_decide": can_decide,
            "collection_url": request.build_absolute_uri(
                reverse("taxii:collection", kwargs={"collection_id": str(collection.pk)})
            ),
            "misp_feed_url": request.build_absolute_uri(
                reverse("misp_feed:manifest", kwargs={"collection_id": collection.pk})
            ).removesuffix("manifest.json"),
        },
    )


#: How many of the latest envelopes partners posted the collection's page shows, and refusals of each.
ENVELOPES_SHOWN = 10
REFUSALS_SHOWN = 20


def _received_envelopes(collection: Collection, *, with_reasons: bool) -> list[dict[str, Any]]:
    """The latest TAXII status resources of the collection; why objects were refused only for those who decide
    for the group (a reason may quote what the partner posted)."""
    envelopes = []
    for status in collection.statuses.select_related("credential__holder")[:ENVELOPES_SHOWN]:
        refusals = status.failures[:REFUSALS_SHOWN] if with_reasons and isinstance(status.failures, list) else []
        envelopes.append(
            {
                "status": status,
                "partner": status.credential.holder.name if status.credential else "",
                "refusals": [(str(f.get("id", "")), explain_refusal(f)) for f in refusals if isinstance(f, dict)],
                "more_refusals": max(0, status.failure_count - len(refusals)) if with_reasons else 0,
            }
        )
    return envelopes


@login_required
@require_POST
def collection_publish(request: HttpRequest, pk: str) -> HttpResponse:
    user = _user(request)
    collection = access_collection_by_id(user, pk, Permission.DECIDE)
    job = do_request_publish(user, collection)
    messages.success(request, _("Publishing runs in the background; this page shows when it is done."))
    return redirect("jobs:job_detail", job.pk)


@login_required
def credential_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not may_administer_credentials(user):
        raise PermissionDenied
    return render(
        request,
        "sharing/credential_list.html",
        {
            "credentials": credentials_visible_to(user),
            "discovery_url": request.build_absolute_uri(reverse("taxii:discovery")),
        },
    )


#: The session key under which a secret waits for the one page that shows it (after the redirect that follows
#: issuing or rotating, so that reloading that page neither issues nor rotates again).
SECRET_SESSION_KEY = "sharing_credential_secret"  # noqa: S105 (a session key's name, not a secret)


def _hand_secret_over(request: HttpRequest, credential_id: str, secret: str) -> HttpResponse:
    request.session[SECRET_SESSION_KEY] = {"credential": credential_id, "secret": secret}
    return redirect("sharing:credential_secret", credential_id)


@never_cache
@login_required
def credential_secret(request: HttpRequest, pk: str) -> HttpResponse:
    """The credential's secret, shown once: the session holds it only until this page has been rendered."""
    credential = access_credential_by_id(_user(request), pk)
    waiting = request.session.get(SECRET_SESSION_KEY)
    secret = None
    if isinstance(waiting, dict) and waiting.get("credential") == str(credential.pk):
        secret = str(waiting.get("secret", ""))
        del request.session[SECRET_SESSION_KEY]
    return render(
        request,
        "sharing/credential_secret.html",
        {
            "credential": credential,
            "credential_id": str(credential.pk),
            "secret": secret,
            "discovery_url": request.build_absolute_uri(reverse("taxii:discovery")),
        },
    )


@login_required
def credential_issue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    issuers = organisations_where(user, Permission.ADMINISTER)
    if not issuers.exists():
        raise PermissionDenied
    form = CredentialForm(request.POST or None, issuers=issuers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        require(user, data["issuer"].pk, Permission.ADMINISTER)
        credential, secret = actions.do_issue_credential(user, data["issuer"], data["holder"], data["name"])
        return _hand_secret_over(request, str(credential.pk), secret)
    return render(request, "sharing/group_form.html", {"form": form, "title": _("Issue a partner credential")})


@login_required
@require_POST
def credential_rotate(request: HttpRequest, pk: str) -> HttpResponse:
    user = _user(request)
    credential = access_credential_by_id(user, pk)
    try:
        secret = actions.do_rotate_credential(user, credential)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("sharing:credential_list")
    return _hand_secret_over(request, str(credential.pk), secret)


@login_required
@require_POST
def credential_revoke(request: HttpRequest, pk: str) -> HttpResponse:
    user = _user(request)
    credential = access_credential_by_id(user, pk)
    actions.do_revoke_credential(user, credential)
    messages.success(request, _("Credential revoked: it no longer opens the TAXII server."))
    return redirect("sharing:credential_list")


# -- TAXII subscriptions ---------------------------------------------------------------------------------------


@login_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not organisations_where(user, Permission.DECIDE).exists():
        raise PermissionDenied
    return render(
        request,
        "sharing/subscription_list.html",
        {"subscriptions": subscriptions_visible_to(user).order_by("name")},
    )


def _subscription_values(form: SubscriptionForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in actions.SUBSCRIPTION_FIELDS}


@login_required
def subscription_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisations = organisations_where(user, Permission.DECIDE)
    if not organisations.exists():
        raise PermissionDenied
    form = SubscriptionForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        require(user, form.cleaned_data["organisation"].pk, Permission.DECIDE)
        try:
            subscription = actions.do_create_subscription(
                user,
                form.cleaned_data["organisation"],
                password=form.cleaned_data["password"],
                **_subscription_values(form),
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Subscription saved; the next pull uses it."))
            return redirect("sharing:subscription_detail", subscription.pk)
    return render(request, "sharing/subscription_form.html", {"form": form, "title": _("New TAXII subscription")})


@login_required
def subscription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = access_subscription_by_id(_user(request), pk)
    return render(
        request,
        "sharing/subscription_detail.html",
        {"subscription": subscription, "pull_error": explain_pull_error(subscription)},
    )


@login_required
def subscription_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    subscription = access_subscription_by_id(user, pk)
    form = SubscriptionForm(request.POST or None, instance=subscription)
    if request.method == "POST" and form.is_valid():
        try:
            stored = access_subscription_by_id(user, pk)  # the form has already changed ``subscription`` in memory
            actions.do_update_subscription(
                user, stored, password=form.cleaned_data["password"], **_subscription_values(form)
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Subscription saved."))
            return redirect("sharing:subscription_detail", subscription.pk)
    return render(
        request,
        "sharing/subscription_form.html",
        {"form": form, "title": _("Edit TAXII subscription"), "subscription": subscription},
    )


@login_required
@require_POST
def subscription_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    subscription = access_subscription_by_id(user, pk)
    actions.do_delete_subscription(user, subscription)
    messages.success(request, _("Subscription removed; events already pulled stay in the event store."))
    return redirect("sharing:subscription_list")


@login_required
@require_POST
def subscription_pull(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    subscription = access_subscription_by_id(user, pk)
    job = do_request_pull(user, subscription)
    messages.success(request, _("The pull runs in the background; this page shows when it is done."))
    return redirect("jobs:job_detail", job.pk)
