"""URL patterns of the strategy app (urls_plan); assembled in urls.py."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
