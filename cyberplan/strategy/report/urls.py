"""URL of a strategy's reports page; assembled in the strategy app's urls.py."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/reports/", views.report_list, name="report_list"),
]
