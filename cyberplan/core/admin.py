from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cyberplan.core.http import signed_in_user

from . import audit
from .actions import do_revoke_api_token
from .choices import AuditAction
from .models import AuditEntry, Membership, Organisation, Sector, User
from .tokens import APIToken


def _organisation_of(obj: models.Model) -> Organisation | None:
    if isinstance(obj, Organisation):
        return obj
    return getattr(obj, "organisation", None)


class AuditedModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in django-stubs: Django's class cannot be subscripted at run time
    """Admin edits are written to the audit log like any other write."""

    # Addresses typed without a scheme are taken as https (the Django 6 default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            if before is None:
                audit.record_create(signed_in_user(request), obj, organisation=_organisation_of(obj))
            else:
                changes = audit.diff(before, audit.snapshot(obj))
                if changes:
                    audit.record(
                        actor=signed_in_user(request),
                        action=AuditAction.UPDATE,
                        instance=obj,
                        changes=changes,
                        organisation=_organisation_of(obj),
                    )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit.record_delete(signed_in_user(request), obj, audit.snapshot(obj), organisation=_organisation_of(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit.record_delete(
                    signed_in_user(request), obj, audit.snapshot(obj), organisation=_organisation_of(obj)
                )
            super().delete_queryset(request, queryset)


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):  # type: ignore[type-arg]  # generic only in django-stubs: Django's class cannot be subscripted at run time
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("Preferences"), {"fields": ("language",)}))  # type: ignore[misc]  # Django's UserAdmin sets fieldsets; the stubs allow None


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]  # generic only in django-stubs: Django's class cannot be subscripted at run time
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ["name", "acronym", "type", "country", "is_demo"]
    list_filter = ["type", "country", "is_demo"]
    search_fields = ["name", "acronym", "slug"]
    prepopulated_fields = {"slug": ["acronym"]}


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(Sector)
class SectorAdmin(AuditedModelAdmin):
    list_display = ["code", "name_en", "name_es", "is_critical"]


class ReadOnlyModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in django-stubs: Django's class cannot be subscripted at run time
    """Records the admin shows but never adds, edits or deletes (the audit log, API tokens)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    list_display = ["timestamp", "actor_name", "action", "content_type", "object_repr", "organisation", "source"]
    list_filter = ["action", "source", "content_type"]
    search_fields = ["actor_name", "object_repr", "object_id"]


@admin.register(APIToken)
class APITokenAdmin(ReadOnlyModelAdmin):
    """Tokens are seen and revoked here, never created or edited: the secret exists only at creation."""

    list_display = ["name", "user", "prefix", "read_only", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["read_only", "revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("core.change_apitoken")

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            do_revoke_api_token(signed_in_user(request), token)
            count += 1
        self.message_user(request, _("%(count)s tokens revoked.") % {"count": count})
