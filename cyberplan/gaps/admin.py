from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cyberplan.core.admin import AuditedModelAdmin
from cyberplan.core.http import signed_in_user

from .actions import _next_identifier
from .models import Gap, GapEvidence


class GapEvidenceInline(admin.TabularInline):  # type: ignore[type-arg]  # generic only in django-stubs: Django's class cannot be subscripted at run time
    model = GapEvidence
    extra = 0
    readonly_fields = ["added_by", "added_at"]


@admin.register(Gap)
class GapAdmin(AuditedModelAdmin):
    list_display = ["identifier", "title_en", "organisation", "source", "severity", "status", "tlp"]
    list_filter = ["source", "severity", "status", "tlp", "organisation"]
    search_fields = ["identifier", "title_en", "title_es", "source_key"]
    readonly_fields = ["identifier", "version", "created_by", "closed_at"]

    def save_model(self, request: HttpRequest, obj: Gap, form: Any, change: bool) -> None:
        if not change:
            obj.identifier = _next_identifier(obj.organisation, obj.source)
            obj.created_by = signed_in_user(request)
        else:
            obj.version += 1
        super().save_model(request, obj, form, change)
