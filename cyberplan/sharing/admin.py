"""The sharing network in the Django admin: to look, not to change. Groups, members and collections change
through the app's pages (audited actions); credentials are issued, rotated and revoked there only, because
the admin cannot show a secret once."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cyberplan.core.admin import AuditedModelAdmin

from .models import Collection, PartnerCredential, SharingGroup


class _ReadOnly(AuditedModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SharingGroup)
class SharingGroupAdmin(_ReadOnly):
    list_display = ["name", "organisation", "tlp_ceiling"]
    list_filter = ["tlp_ceiling", "organisation"]
    search_fields = ["name"]


@admin.register(Collection)
class CollectionAdmin(_ReadOnly):
    list_display = ["title", "group", "content", "open_to_all_partners"]
    list_filter = ["content"]
    search_fields = ["title"]


@admin.register(PartnerCredential)
class PartnerCredentialAdmin(_ReadOnly):
    list_display = ["name", "holder", "issuer", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["issuer"]
    exclude = ["key"]
