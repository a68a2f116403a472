"""URL patterns of the strategy app (report_urls): the reports page; assembled in urls.py."""

from django.urls import URLPattern, path

from . import report_views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/reports/", report_views.report_list, name="report_list"),
]
