from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in django-stubs: Django's class cannot be subscripted at run time
    list_display = ["created_at", "kind", "organisation", "status", "progress_done", "progress_total"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
