"""URL patterns of the strategy app (urls_versions); assembled in urls.py."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
