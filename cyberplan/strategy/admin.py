"""The admin shows strategies for support work; published versions are read-only there too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cyberplan.core.admin import AuditedModelAdmin

from .choices import VersionStatus
from .models import Action, Element, Strategy, StrategyVersion


@admin.register(Strategy)
class StrategyAdmin(AuditedModelAdmin):
    list_display = ["title_en", "organisation", "country", "start_year", "end_year", "phase", "tlp", "illustrative"]
    list_filter = ["phase", "tlp", "illustrative", "organisation"]
    search_fields = ["title_en", "title_es"]
    readonly_fields = ["version", "created_by"]


@admin.register(Element)
class ElementAdmin(AuditedModelAdmin):
    list_display = ["code", "title_en", "kind", "strategy"]
    list_filter = ["kind", "strategy"]
    search_fields = ["code", "title_en", "title_es"]
    readonly_fields = ["uid", "version"]


@admin.register(Action)
class ActionAdmin(AuditedModelAdmin):
    list_display = ["code", "title_en", "strategy", "lead", "status", "percent_complete", "end_date"]
    list_filter = ["status", "strategy"]
    search_fields = ["code", "title_en", "title_es"]
    readonly_fields = ["uid", "version", "created_by"]


@admin.register(StrategyVersion)
class StrategyVersionAdmin(AuditedModelAdmin):
    list_display = ["strategy", "number", "status", "created_at", "published_at"]
    list_filter = ["status"]
    readonly_fields = ["snapshot", "digest", "number", "strategy", "version"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status in (VersionStatus.PUBLISHED, VersionStatus.WITHDRAWN):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status == VersionStatus.PUBLISHED:
            return False
        return super().has_delete_permission(request, obj)
