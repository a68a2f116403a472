from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cyberplan.core.admin import AuditedModelAdmin

from .models import Answer, Assessment, Framework


@admin.register(Framework)
class FrameworkAdmin(AuditedModelAdmin):
    list_display = ["framework_id", "version", "title_en", "scoring", "loaded_at"]
    readonly_fields = [
        "framework_id",
        "version",
        "title_en",
        "title_es",
        "scoring",
        "document",
        "digest",
        "source_name",
        "loaded_at",
    ]


@admin.register(Assessment)
class AssessmentAdmin(AuditedModelAdmin):
    list_display = ["title", "organisation", "country", "date", "method", "tlp", "locked"]
    list_filter = ["method", "tlp", "locked", "organisation"]
    search_fields = ["title"]
    readonly_fields = ["framework", "version", "created_by", "locked", "locked_at", "locked_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # assessments are created with their answers by the app or by import

    def save_model(self, request: HttpRequest, obj: Assessment, form: Any, change: bool) -> None:
        obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(Answer)
class AnswerAdmin(AuditedModelAdmin):
    list_display = ["indicator_id", "assessment", "value", "updated_at"]
    list_filter = ["value"]
    search_fields = ["indicator_id"]
    readonly_fields = ["assessment", "factor_id", "indicator_id", "value", "note", "version", "answered_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Answer | None = None) -> bool:
        return False  # answers change only through the app, with their version check
