"""Admin of the capacity-building app: providers, programmes, audience sizes and retention periods.

Participants and their attendance are not in the admin: an admin save records the whole record in the
audit log, and a participant's name must never reach it (docs/concepts/training.md). They are kept
through the app's pages, API and import, which record names only as set or not.
"""

from django.contrib import admin

from cyberplan.core.admin import AuditedModelAdmin

from .models import Denominator, Programme, Provider, RetentionPolicy


@admin.register(Provider)
class ProviderAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "organisation"]
    list_filter = ["kind", "organisation"]
    search_fields = ["name"]
    readonly_fields = ["created_by"]


@admin.register(Programme)
class ProgrammeAdmin(AuditedModelAdmin):
    list_display = ["title", "provider", "organisation", "start_date", "tlp", "illustrative"]
    list_filter = ["tlp", "organisation", "illustrative"]
    search_fields = ["title"]
    readonly_fields = ["version", "created_by"]


@admin.register(Denominator)
class DenominatorAdmin(AuditedModelAdmin):
    list_display = ["institution", "audience", "year", "size", "organisation"]
    list_filter = ["audience", "year", "organisation"]
    search_fields = ["institution"]
    readonly_fields = ["created_by"]


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(AuditedModelAdmin):
    list_display = ["organisation", "days"]
