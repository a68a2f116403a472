from django.contrib import admin
from django.http import HttpRequest

from cyberplan.core.admin import AuditedModelAdmin

from .models import Instrument, Review, TreatyStatus


@admin.register(TreatyStatus)
class TreatyStatusAdmin(AuditedModelAdmin):
    """Treaty status is a public fact without an owner organisation: staff keep it here, audited."""

    list_display = ["country", "treaty", "signed", "ratified", "in_force", "basis"]
    list_filter = ["treaty", "basis"]


@admin.register(Instrument)
class InstrumentAdmin(AuditedModelAdmin):
    list_display = ["__str__", "title", "organisation", "country", "date", "status", "tlp"]
    list_filter = ["kind", "status", "tlp", "organisation"]
    search_fields = ["number", "title"]
    readonly_fields = ["organisation", "country", "kind", "number", "version", "created_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # instruments are created by the app's import, with their articles


@admin.register(Review)
class ReviewAdmin(AuditedModelAdmin):
    list_display = ["title", "organisation", "country", "date", "state", "tlp"]
    list_filter = ["state", "tlp", "organisation"]
    search_fields = ["title"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a review is created with its findings by the app

    def has_change_permission(self, request: HttpRequest, obj: Review | None = None) -> bool:
        return False  # findings, states and freezing go through the app's actions
